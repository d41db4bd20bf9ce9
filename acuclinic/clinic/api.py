"""What the clinic offers and where, as JSON: services with prices, locations with rooms,
and the booking rules (late cancellation, online notice and horizon)."""

from ninja import Router, Schema
from ninja.responses import codes_4xx
from pydantic import Field, StrictInt

from acuclinic.clinic import booking_rules
from acuclinic.clinic.booking_rules import BOOKING_HORIZON, CANCELLATION_NOTICE, MIN_BOOKING_NOTICE
from acuclinic.clinic.choices import Modality
from acuclinic.clinic.models import Clinic, Location, OpeningHours, Service
from acuclinic.core.api_auth import require
from acuclinic.core.api_errors import ErrorOut
from acuclinic.core.api_types import InputSchema, get_or_404
from acuclinic.core.errors import NotFound

router = Router()

ERRORS = {codes_4xx: ErrorOut}


class ServiceOut(Schema):
    id: int
    name: str
    modality: Modality
    modality_display: str
    duration_minutes: int
    turnover_minutes: int = Field(
        description="Minutes after each visit before the practitioner and room are free."
    )
    price_pence: int
    price_display: str
    description: str
    is_active: bool
    bookable_online: bool
    needling: Modality | None = Field(
        None, description="The acupuncture a visit may include; null for none."
    )
    needs_acupuncture_qualification: bool

    @staticmethod
    def resolve_modality_display(obj: Service) -> str:
        return obj.get_modality_display()

    @staticmethod
    def resolve_needling(obj: Service) -> str | None:
        return obj.needling or None


class RoomOut(Schema):
    id: int
    name: str
    has_couch: bool = Field(description="Needling needs a room with a treatment couch.")
    is_active: bool


class OpeningHoursOut(Schema):
    weekday: int  # 0 is Monday
    weekday_display: str
    opens: str  # local time at the location, "08:00"
    closes: str

    @staticmethod
    def resolve_weekday_display(obj: OpeningHours) -> str:
        return obj.get_weekday_display()

    @staticmethod
    def resolve_opens(obj: OpeningHours) -> str:
        return f"{obj.opens:%H:%M}"

    @staticmethod
    def resolve_closes(obj: OpeningHours) -> str:
        return f"{obj.closes:%H:%M}"


class LocationOut(Schema):
    id: int
    name: str
    address: str
    address_line1: str
    address_line2: str
    town: str
    postcode: str
    phone: str
    time_zone: str
    is_active: bool
    rooms: list[RoomOut]
    opening_hours: list[OpeningHoursOut]

    @staticmethod
    def resolve_rooms(obj: Location) -> list:
        return list(obj.rooms.all())

    @staticmethod
    def resolve_opening_hours(obj: Location) -> list:
        return list(obj.opening_hours.all())


@router.get(
    "/services",
    response={200: list[ServiceOut], **ERRORS},
    auth=require("clinic.view_service"),
    tags=["clinic"],
    summary="List services and prices",
)
def list_services(request):
    return list(Service.objects.order_by("name", "pk"))


@router.get(
    "/services/{service_id}",
    response={200: ServiceOut, **ERRORS},
    auth=require("clinic.view_service"),
    tags=["clinic"],
    summary="One service",
)
def get_service(request, service_id: int):
    return get_or_404(Service, service_id, "service")


@router.get(
    "/locations",
    response={200: list[LocationOut], **ERRORS},
    auth=require("clinic.view_location", "clinic.view_room"),
    tags=["clinic"],
    summary="List locations with their rooms and opening hours",
)
def list_locations(request):
    return list(Location.objects.prefetch_related("rooms", "opening_hours").order_by("name"))


# Booking rules --------------------------------------------------------------------

_MEANING = {
    CANCELLATION_NOTICE: "A patient's cancellation with less notice than this is late.",
    MIN_BOOKING_NOTICE: "Online bookings and moves need at least this much notice.",
    BOOKING_HORIZON: "Online booking offers times up to this many days ahead.",
}


def _described(name: str) -> str:
    return f"{_MEANING[name]} A whole number {booking_rules.limits(name)}."


class BookingRulesOut(Schema):
    cancellation_notice_hours: int = Field(description=_described(CANCELLATION_NOTICE))
    min_booking_notice_hours: int = Field(description=_described(MIN_BOOKING_NOTICE))
    booking_horizon_days: int = Field(description=_described(BOOKING_HORIZON))


class BookingRulesChange(InputSchema):
    """Send only the rules that change."""

    cancellation_notice_hours: StrictInt | None = Field(
        None, description=_described(CANCELLATION_NOTICE)
    )
    min_booking_notice_hours: StrictInt | None = Field(
        None, description=_described(MIN_BOOKING_NOTICE)
    )
    booking_horizon_days: StrictInt | None = Field(None, description=_described(BOOKING_HORIZON))


def _the_clinic() -> Clinic:
    clinic = Clinic.objects.order_by("pk").first()
    if clinic is None:
        raise NotFound("no_clinic", "There is no clinic set up yet.")
    return clinic


@router.get(
    "/booking-rules",
    response={200: BookingRulesOut, **ERRORS},
    auth=require("clinic.view_clinic"),
    tags=["clinic"],
    summary="The clinic's booking rules",
)
def get_booking_rules(request):
    """How much notice a cancellation needs before it counts as late, and the minimum
    notice and horizon for online bookings. Staff booking is bound by neither of the
    online rules."""
    return _the_clinic()


@router.patch(
    "/booking-rules",
    response={200: BookingRulesOut, **ERRORS},
    auth=require("clinic.change_clinic"),
    tags=["clinic"],
    summary="Change the clinic's booking rules (clinic admins)",
)
def change_booking_rules(request, payload: BookingRulesChange):
    """Send only the rules that change; they apply from now on. A value out of range is
    refused (422, code ``invalid_<field>``) and nothing is changed; the names of the
    rules that changed are audited."""
    return booking_rules.booking_rules_update(
        _the_clinic(), user=request.auth, **payload.model_dump(exclude_unset=True)
    )

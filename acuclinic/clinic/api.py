"""What the clinic offers and where, as JSON: services with prices, locations with rooms."""

from ninja import Router, Schema
from ninja.responses import codes_4xx
from pydantic import Field

from acuclinic.clinic.choices import Modality
from acuclinic.clinic.models import Location, OpeningHours, Service
from acuclinic.core.api_auth import require
from acuclinic.core.api_errors import ErrorOut
from acuclinic.core.api_types import get_or_404

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

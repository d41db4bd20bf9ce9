"""What the clinic offers and where, as JSON: services with prices, locations with rooms
and their council licensing of acupuncture, and the booking rules (late cancellation,
online notice and horizon)."""

from datetime import date

from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field, StrictInt

from acuclinic.clinic import booking_rules, cancellation, locations, services, setup
from acuclinic.clinic import logo as clinic_logo
from acuclinic.clinic.booking_rules import (
    ARRIVAL_WINDOW,
    BOOKING_HORIZON,
    CANCELLATION_NOTICE,
    MIN_BOOKING_NOTICE,
)
from acuclinic.clinic.choices import LicensingRegime, Modality
from acuclinic.clinic.models import Clinic, Location, OpeningHours, Room, Service
from acuclinic.core.api_auth import require
from acuclinic.core.api_errors import ERRORS
from acuclinic.core.api_types import Day, InputSchema, WallClockTime, get_or_404, text
from acuclinic.core.errors import NotFound

router = Router()


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
    first_visit: bool = Field(description="For new patients: listed as a first appointment.")
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


class PremisesRegistrationOut(Schema):
    id: int
    authority: str = Field(description="The council it is with.")
    number: str
    valid_from: date
    valid_until: date | None = Field(
        description="Null for a registration with no end date (LG(MP)A 1982 s.14)."
    )


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
    licensing_regime: LicensingRegime = Field(
        description="How the location's council licenses acupuncture: none, registration "
        "under LG(MP)A 1982 s.14, or a London special treatment licence (LLAA 1991). Where "
        "it does, a practitioner who is not exempt needs the council's registration or "
        "licence, and so do the premises, to needle here."
    )
    licensing_regime_display: str
    licensing_authority: str = Field(description="The council; empty when none licenses.")
    # Registration numbers and dates: clinic admins only; null for everyone else.
    premises_registrations: list[PremisesRegistrationOut] | None

    @staticmethod
    def resolve_rooms(obj: Location) -> list:
        return list(obj.rooms.all())

    @staticmethod
    def resolve_opening_hours(obj: Location) -> list:
        return list(obj.opening_hours.all())

    @staticmethod
    def resolve_licensing_regime_display(obj: Location) -> str:
        return obj.get_licensing_regime_display()

    @staticmethod
    def resolve_premises_registrations(obj: Location, context) -> list | None:
        if not context["request"].auth.has_perm("clinic.view_premisesregistration"):
            return None
        return list(obj.premises_registrations.all())


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
    return list(
        Location.objects.prefetch_related(
            "rooms", "opening_hours", "premises_registrations"
        ).order_by("name")
    )


@router.get(
    "/locations/{location_id}",
    response={200: LocationOut, **ERRORS},
    auth=require("clinic.view_location", "clinic.view_room"),
    tags=["clinic"],
    summary="One location with its rooms and opening hours",
)
def get_location(request, location_id: int):
    return get_or_404(
        Location.objects.prefetch_related("rooms", "opening_hours", "premises_registrations"),
        location_id,
        "location",
    )


# Setting up locations, their opening hours and rooms (clinic admins) ---------------


class LocationIn(InputSchema):
    name: text(120)
    address_line1: text(120)
    address_line2: text(120) = ""
    town: text(80)
    postcode: text(10)
    phone: text(30) = ""
    is_active: bool = True


class LocationChange(InputSchema):
    """Send only the fields that change."""

    name: text(120) | None = None
    address_line1: text(120) | None = None
    address_line2: text(120) | None = None
    town: text(80) | None = None
    postcode: text(10) | None = None
    phone: text(30) | None = None
    is_active: bool | None = Field(
        None, description="False: the site no longer takes bookings; its history stays."
    )


def _location_out(location: Location) -> Location:
    return Location.objects.prefetch_related(
        "rooms", "opening_hours", "premises_registrations"
    ).get(pk=location.pk)


@router.post(
    "/locations",
    response={201: LocationOut, **ERRORS},
    auth=require("clinic.view_location", "clinic.add_location"),
    tags=["clinic"],
    summary="Add a location (clinic admins)",
)
def add_location(request, payload: LocationIn):
    """A site where patients are seen. A name another location has is a 422
    ``duplicate_location``; nothing is written then. Set its opening hours and add its
    rooms next: nobody can be booked there before."""
    location = locations.location_save(
        None, clinic=_the_clinic(), user=request.auth, **payload.model_dump()
    )
    return Status(201, _location_out(location))


@router.patch(
    "/locations/{location_id}",
    response={200: LocationOut, **ERRORS},
    auth=require("clinic.view_location", "clinic.change_location"),
    tags=["clinic"],
    summary="Change a location's name, address, phone or whether it takes bookings",
)
def change_location(request, location_id: int, payload: LocationChange):
    location = get_or_404(Location, location_id, "location")
    fields = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return _location_out(
        locations.location_save(location, clinic=location.clinic, user=request.auth, **fields)
    )


class OpeningPeriodIn(InputSchema):
    weekday: StrictInt = Field(description="0 is Monday, 6 is Sunday.")
    opens: WallClockTime = Field(description="Local time at the location, e.g. 08:00.")
    closes: WallClockTime


class OpeningHoursChange(InputSchema):
    hours: list[OpeningPeriodIn] = Field(
        description="The whole week: every opening period; a weekday with none is closed."
    )


@router.put(
    "/locations/{location_id}/opening-hours",
    response={200: list[OpeningHoursOut], **ERRORS},
    auth=require("clinic.view_location", "clinic.change_location"),
    tags=["clinic"],
    summary="Replace a location's week of opening hours (clinic admins)",
)
def set_opening_hours(request, location_id: int, payload: OpeningHoursChange):
    """The week as sent replaces the old one. A period that closes at or before it
    opens (``closes_before_opens``) or two periods of a day that overlap
    (``overlapping_hours``) are a 422, and the old week stays whole. Visits already
    booked are not moved."""
    location = get_or_404(Location, location_id, "location")
    periods = [
        (p.weekday, p.opens.replace(tzinfo=None), p.closes.replace(tzinfo=None))
        for p in payload.hours
    ]
    locations.opening_hours_set(location, periods, user=request.auth)
    return list(location.opening_hours.order_by("weekday", "opens"))


class RoomIn(InputSchema):
    name: text(60)
    has_couch: bool = True


class RoomChange(InputSchema):
    """Send only the fields that change; ``is_active`` false retires the room."""

    name: text(60) | None = None
    has_couch: bool | None = None
    is_active: bool | None = Field(
        None, description="False retires the room: no new bookings, its history stays."
    )


@router.post(
    "/locations/{location_id}/rooms",
    response={201: RoomOut, **ERRORS},
    auth=require("clinic.view_room", "clinic.add_room"),
    tags=["clinic"],
    summary="Add a room to a location (clinic admins)",
)
def add_room(request, location_id: int, payload: RoomIn):
    """A name the location already has is a 422 ``duplicate_room``."""
    location = get_or_404(Location, location_id, "location")
    return Status(
        201, locations.room_save(None, location=location, user=request.auth, **payload.model_dump())
    )


@router.patch(
    "/rooms/{room_id}",
    response={200: RoomOut, **ERRORS},
    auth=require("clinic.view_room", "clinic.change_room"),
    tags=["clinic"],
    summary="Rename, re-equip, retire or bring back a room (clinic admins)",
)
def change_room(request, room_id: int, payload: RoomChange):
    room = get_or_404(Room, room_id, "room")
    fields = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    return locations.room_save(room, user=request.auth, **fields)


@router.delete(
    "/rooms/{room_id}",
    response={204: None, **ERRORS},
    auth=require("clinic.view_room", "clinic.delete_room"),
    tags=["clinic"],
    summary="Delete a room added by mistake (clinic admins)",
)
def delete_room(request, room_id: int):
    """A room where any visit was booked is never deleted: 409 ``room_in_use`` — retire
    it instead (PATCH ``is_active`` false)."""
    room = get_or_404(Room, room_id, "room")
    locations.room_delete(room, user=request.auth)
    return Status(204, None)


# A location's licensing (clinic admins) -------------------------------------------


class LicensingChange(InputSchema):
    licensing_regime: LicensingRegime
    licensing_authority: text(80) = Field(
        "", description="The council or London borough; leave empty for none."
    )


class LocationLicensingOut(Schema):
    id: int
    name: str
    licensing_regime: LicensingRegime
    licensing_regime_display: str
    licensing_authority: str

    @staticmethod
    def resolve_licensing_regime_display(obj: Location) -> str:
        return obj.get_licensing_regime_display()


@router.put(
    "/locations/{location_id}/licensing",
    response={200: LocationLicensingOut, **ERRORS},
    auth=require("clinic.change_location"),
    tags=["clinic"],
    summary="Set how a location's council licenses acupuncture (clinic admins)",
)
def set_location_licensing(request, location_id: int, payload: LicensingChange):
    """From now on, bookings and the needling gate at this location ask for what the
    regime asks (practitioners who are not exempt need the council's registration or
    licence, and so do the premises). A regime without a council, or a council without a
    regime, is refused (422) and nothing changes; the change is audited."""
    location = get_or_404(Location, location_id, "location")
    return services.location_licensing_update(
        location,
        regime=payload.licensing_regime.value,
        authority=payload.licensing_authority,
        user=request.auth,
    )


class PremisesRegistrationIn(InputSchema):
    number: text(40)
    valid_from: Day
    valid_until: Day | None = Field(
        None, description="Leave out for a s.14 registration, which has no end date."
    )
    authority: text(80) = Field(
        "", description="The council; empty means the one the location names (it must be)."
    )


@router.post(
    "/locations/{location_id}/premises-registrations",
    response={201: PremisesRegistrationOut, **ERRORS},
    auth=require("clinic.view_premisesregistration", "clinic.add_premisesregistration"),
    tags=["clinic"],
    summary="Record the premises' registration or licence with the council (clinic admins)",
)
def add_premises_registration(request, location_id: int, payload: PremisesRegistrationIn):
    """Refused (422) when the location names no council (``licensing_not_set``), when it
    is with another council (``wrong_council``) or its dates are wrong; 409 for one
    already on file. A renewal is a new registration. Audited."""
    location = get_or_404(Location, location_id, "location")
    return Status(
        201,
        services.premises_registration_add(location, user=request.auth, **payload.model_dump()),
    )


@router.delete(
    "/locations/{location_id}/premises-registrations/{registration_id}",
    response={204: None, **ERRORS},
    auth=require("clinic.view_premisesregistration", "clinic.delete_premisesregistration"),
    tags=["clinic"],
    summary="Remove a premises registration recorded by mistake (clinic admins)",
)
def remove_premises_registration(request, location_id: int, registration_id: int):
    location = get_or_404(Location, location_id, "location")
    registration = get_or_404(
        location.premises_registrations.all(), registration_id, "premises_registration"
    )
    services.premises_registration_remove(registration, user=request.auth)
    return Status(204, None)


# Booking rules --------------------------------------------------------------------

_MEANING = {
    CANCELLATION_NOTICE: "A patient's cancellation with less notice than this is late.",
    MIN_BOOKING_NOTICE: "Online bookings and moves need at least this much notice.",
    BOOKING_HORIZON: "Online booking offers times up to this many days ahead.",
    ARRIVAL_WINDOW: "A visit can be marked arrived from this long before its start.",
}


def _described(name: str) -> str:
    return f"{_MEANING[name]} A whole number {booking_rules.limits(name)}."


class BookingRulesOut(Schema):
    cancellation_notice_hours: int = Field(description=_described(CANCELLATION_NOTICE))
    min_booking_notice_hours: int = Field(description=_described(MIN_BOOKING_NOTICE))
    booking_horizon_days: int = Field(description=_described(BOOKING_HORIZON))
    arrival_window_minutes: int = Field(description=_described(ARRIVAL_WINDOW))
    patient_rule: str = Field(
        description="The cancellation rule in words, as the portal, the booking email's "
        "link and the Booking rules page say it."
    )

    @staticmethod
    def resolve_patient_rule(obj: Clinic) -> str:
        return cancellation.policy(obj.cancellation_notice_hours)


class BookingRulesChange(InputSchema):
    """Send only the rules that change."""

    cancellation_notice_hours: StrictInt | None = Field(
        None, description=_described(CANCELLATION_NOTICE)
    )
    min_booking_notice_hours: StrictInt | None = Field(
        None, description=_described(MIN_BOOKING_NOTICE)
    )
    booking_horizon_days: StrictInt | None = Field(None, description=_described(BOOKING_HORIZON))
    arrival_window_minutes: StrictInt | None = Field(None, description=_described(ARRIVAL_WINDOW))


def _the_clinic() -> Clinic:
    clinic = Clinic.objects.defer("logo").order_by("pk").first()
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


# Setting the clinic up (clinic admins) --------------------------------------------


class ClinicOut(Schema):
    id: int
    name: str
    phone: str
    email: str
    website: str
    logo_url: str = Field(description="The logo's public address; empty when there is none.")


class ClinicChange(InputSchema):
    """Send only the details that change; pages and emails use them from then on."""

    name: text(120) | None = None
    phone: text(30) | None = None
    email: text(254) | None = None
    website: text(200) | None = None


@router.get(
    "/clinic",
    response={200: ClinicOut, **ERRORS},
    auth=require("clinic.view_clinic"),
    tags=["clinic"],
    summary="The clinic's details",
)
def get_clinic(request):
    return _the_clinic()


@router.patch(
    "/clinic",
    response={200: ClinicOut, **ERRORS},
    auth=require("clinic.change_clinic"),
    tags=["clinic"],
    summary="Change the clinic's details (clinic admins)",
)
def change_clinic(request, payload: ClinicChange):
    """Name, phone, email and website, as every page and email shows them. A bad value
    is a 422 ``invalid_<field>`` and changes nothing; the fields that changed are
    audited."""
    return setup.clinic_details_update(
        _the_clinic(), user=request.auth, **payload.model_dump(exclude_unset=True)
    )


class ServiceIn(InputSchema):
    name: text(120)
    modality: Modality
    needling: Modality | None = None
    duration_minutes: StrictInt = Field(description="5 to 240 minutes.")
    turnover_minutes: StrictInt = 0
    price_pence: StrictInt = Field(description="The base price in whole pence.")
    description: text(2000) = ""
    is_active: bool = True
    bookable_online: bool = True
    first_visit: bool = False


class ServiceChange(InputSchema):
    """Send only the fields that change."""

    name: text(120) | None = None
    modality: Modality | None = None
    needling: Modality | None = None
    duration_minutes: StrictInt | None = None
    turnover_minutes: StrictInt | None = None
    price_pence: StrictInt | None = None
    description: text(2000) | None = None
    is_active: bool | None = None
    bookable_online: bool | None = None
    first_visit: bool | None = None


def _service_fields(payload) -> dict:
    fields = payload.model_dump(exclude_unset=True)
    for name, value in list(fields.items()):
        if hasattr(value, "value"):
            fields[name] = value.value
    if "needling" in fields and fields["needling"] is None:
        fields["needling"] = ""
    return fields


@router.post(
    "/services",
    response={201: ServiceOut, **ERRORS},
    auth=require("clinic.change_service"),
    tags=["clinic"],
    summary="Add a service (clinic admins)",
)
def add_service(request, payload: ServiceIn):
    """A service patients can book, with its length and base price in pence. A name the
    clinic already uses is a 422 ``duplicate_service``; a value out of range is a 422
    ``invalid_<field>``; nothing is written then."""
    service = setup.service_save(
        None, clinic=_the_clinic(), user=request.auth, **_service_fields(payload)
    )
    return Status(201, service)


@router.patch(
    "/services/{service_id}",
    response={200: ServiceOut, **ERRORS},
    auth=require("clinic.change_service"),
    tags=["clinic"],
    summary="Change a service: name, length, base price, online booking (clinic admins)",
)
def change_service(request, service_id: int, payload: ServiceChange):
    service = get_or_404(Service, service_id, "service")
    return setup.service_save(
        service, clinic=service.clinic, user=request.auth, **_service_fields(payload)
    )


@router.post(
    "/clinic/logo",
    response={200: ClinicOut, **ERRORS},
    auth=require("clinic.change_clinic"),
    tags=["clinic"],
    summary="Upload the clinic's logo (clinic admins)",
)
def set_logo(request, logo: File[UploadedFile]):
    """Replaces the logo: a PNG or JPEG image (multipart field ``logo``) of at most
    512 KB and 2000 pixels a side, shown in the page header, emails and invoices.
    Anything else is a 422 ``invalid_logo`` and the old logo stays."""
    return clinic_logo.logo_set(_the_clinic(), logo.read(), user=request.auth)


@router.delete(
    "/clinic/logo",
    response={200: ClinicOut, **ERRORS},
    auth=require("clinic.change_clinic"),
    tags=["clinic"],
    summary="Remove the clinic's logo (clinic admins)",
)
def remove_logo(request):
    return clinic_logo.logo_remove(_the_clinic(), user=request.auth)

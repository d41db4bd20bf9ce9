"""The waitlist as JSON: who waits for what, adding a patient, removing them, and the
offers each entry has had. Offers themselves are made by the worker and answered by
the patient from their email, not through the API."""

from datetime import date, datetime

from ninja import Query, Router, Schema, Status
from pydantic import Field

from acuclinic.clinic.models import Location, Service
from acuclinic.core.api_auth import require
from acuclinic.core.api_errors import ERRORS
from acuclinic.core.api_types import (
    Id,
    InputSchema,
    Page,
    PageQuery,
    QueryId,
    WallClockTime,
    get_or_404,
    page_of,
    text,
)
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling.api.schemas import (
    LocationRef,
    PatientRef,
    PractitionerRef,
    ServiceRef,
)
from acuclinic.scheduling.models import Appointment
from acuclinic.waitlist import services as waitlist
from acuclinic.waitlist.choices import OfferStatus, WaitlistStatus
from acuclinic.waitlist.models import WaitlistEntry

router = Router(tags=["waitlist"])


class OfferOut(Schema):
    id: int
    position: int = Field(description="Place in the queue when offered (1 = waiting longest).")
    start: datetime
    end: datetime
    practitioner: PractitionerRef
    status: OfferStatus
    expires_at: datetime
    responded_at: datetime | None
    appointment_id: int | None


class EntryOut(Schema):
    id: int
    patient: PatientRef
    service: ServiceRef
    location: LocationRef
    practitioners: list[PractitionerRef] = Field(description="Empty: anyone.")
    weekdays: list[int] = Field(description="0 = Monday … 6 = Sunday.")
    earliest: WallClockTime
    latest: WallClockTime
    until: date
    appointment_id: int | None = Field(description="The later visit an offer brings forward.")
    status: WaitlistStatus
    notes: str
    booked_id: int | None
    created_at: datetime
    ended_at: datetime | None
    offers: list[OfferOut]

    @staticmethod
    def resolve_practitioners(obj: WaitlistEntry) -> list:
        return list(obj.practitioners.all())

    @staticmethod
    def resolve_weekdays(obj: WaitlistEntry) -> list[int]:
        return [day for day in range(7) if obj.takes_weekday(day)]

    @staticmethod
    def resolve_offers(obj: WaitlistEntry) -> list:
        return list(obj.offers.select_related("practitioner__user").order_by("created_at"))


class EntryFilters(PageQuery):
    status: WaitlistStatus | None = None
    patient: QueryId | None = None
    location: QueryId | None = None
    service: QueryId | None = None


class EntryIn(InputSchema):
    patient: Id
    service: Id
    location: Id
    practitioners: list[Id] = Field([], max_length=50, description="Empty for anyone.")
    weekdays: list[int] = Field(min_length=1, max_length=7, description="0 = Monday … 6 = Sunday.")
    earliest: WallClockTime
    latest: WallClockTime
    until: date = Field(description="The last day they want an offer for.")
    appointment: Id | None = Field(None, description="A later booked visit to bring forward.")
    notes: text(200) = ""


def _entries():
    return WaitlistEntry.objects.select_related("patient", "service", "location").prefetch_related(
        "practitioners__user"
    )


@router.get(
    "/waitlist",
    response={200: Page[EntryOut], **ERRORS},
    auth=require("waitlist.view_waitlistentry"),
    summary="Waitlist entries, in the order they are offered a time",
)
def list_entries(request, filters: Query[EntryFilters]):
    found = _entries().order_by("created_at", "id")
    wanted = {
        "status": filters.status,
        "patient_id": filters.patient,
        "location_id": filters.location,
        "service_id": filters.service,
    }
    return page_of(found.filter(**{k: v for k, v in wanted.items() if v is not None}), filters)


@router.post(
    "/waitlist",
    response={201: EntryOut, **ERRORS},
    auth=require("waitlist.add_waitlistentry"),
    summary="Put a patient on the waitlist",
)
def add_entry(request, payload: EntryIn):
    """Refused: a patient without an email (``patient_has_no_email``: offers go by
    email), one already waiting for the same (``already_waiting``), an empty or reversed
    time window, a date past, a practitioner not qualified for the service, or a visit to
    bring forward that is not theirs, not upcoming or for something else."""
    patient = get_or_404(Patient, payload.patient, "patient")
    entry = waitlist.entry_add(
        patient=patient,
        service=get_or_404(Service, payload.service, "service"),
        location=get_or_404(Location, payload.location, "location"),
        practitioners=[
            get_or_404(Practitioner.objects.select_related("user"), pk, "practitioner")
            for pk in payload.practitioners
        ],
        weekdays=payload.weekdays,
        earliest=payload.earliest,
        latest=payload.latest,
        until=payload.until,
        appointment=get_or_404(
            Appointment.objects.select_related("room"), payload.appointment, "appointment"
        )
        if payload.appointment
        else None,
        notes=payload.notes,
        user=request.auth,
    )
    return Status(201, _entries().get(pk=entry.pk))


@router.get(
    "/waitlist/{entry_id}",
    response={200: EntryOut, **ERRORS},
    auth=require("waitlist.view_waitlistentry"),
    summary="One waitlist entry, with its offers",
)
def get_entry(request, entry_id: int):
    return get_or_404(_entries(), entry_id, "waitlist_entry")


@router.post(
    "/waitlist/{entry_id}/remove",
    response={200: EntryOut, **ERRORS},
    auth=require("waitlist.change_waitlistentry"),
    summary="Take a patient off the waitlist (the entry is kept, as removed)",
)
def remove_entry(request, entry_id: int):
    entry = get_or_404(WaitlistEntry, entry_id, "waitlist_entry")
    waitlist.entry_remove(entry, user=request.auth)
    return _entries().get(pk=entry.pk)

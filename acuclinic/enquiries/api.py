"""The enquiry inbox as JSON: list and filter, enter a phone or email enquiry, mark it
replied or closed with notes, and book from it (the enquiry is marked booked with the
appointment, in one transaction). The same services and permissions as the pages."""

from datetime import datetime

from django.db.models import Count
from ninja import Query, Router, Schema, Status
from pydantic import Field

from acuclinic.clinic.models import Room, Service
from acuclinic.core.api_auth import require
from acuclinic.core.api_errors import ERRORS
from acuclinic.core.api_types import (
    AwareDateTime,
    Flag,
    Id,
    InputSchema,
    Page,
    PageQuery,
    get_or_404,
    page_of,
    text,
)
from acuclinic.core.formats import format_datetime
from acuclinic.enquiries import services as enquiries
from acuclinic.enquiries.choices import EnquiryChannel, EnquiryStatus, Topic
from acuclinic.enquiries.models import Enquiry
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling.api.schemas import AppointmentOut, PatientRef, appointment_or_404

router = Router(tags=["enquiries"])


class EnquiryOut(Schema):
    id: int
    channel: EnquiryChannel
    status: EnquiryStatus
    status_display: str
    name: str
    email: str
    phone: str
    message: str
    condition: str = Field(description="What it is about, as the person said; may be blank.")
    received_at: datetime
    received_display: str
    patient: PatientRef | None
    appointment_id: int | None
    handled_by: str | None
    notes: str
    updated_at: datetime

    @staticmethod
    def resolve_status_display(obj: Enquiry) -> str:
        return obj.get_status_display()

    @staticmethod
    def resolve_received_display(obj: Enquiry) -> str:
        return format_datetime(obj.received_at)

    @staticmethod
    def resolve_handled_by(obj: Enquiry) -> str | None:
        return obj.handled_by.display_name if obj.handled_by else None


class EnquiryPage(Page[EnquiryOut]):
    new: int = Field(description="How many enquiries are new, whatever the filters.")


class EnquiryFilters(PageQuery):
    status: EnquiryStatus | None = None
    channel: EnquiryChannel | None = None


class EnquiryIn(InputSchema):
    channel: EnquiryChannel = Field(description="phone or email; web enquiries arrive by the form.")
    name: text(120)
    email: text(254) = ""
    phone: text(30) = ""
    message: text(2000)
    condition: Topic | None = None
    received_at: AwareDateTime | None = Field(None, description="Default: now.")


class EnquiryChange(InputSchema):
    status: EnquiryStatus | None = Field(None, description="new, replied or closed.")
    notes: text(enquiries.NOTES_MAX) | None = None


class EnquiryBookIn(InputSchema):
    patient: Id | None = Field(
        None, description="The enquirer's record; needed unless the enquiry already names one."
    )
    practitioner: Id
    room: Id
    service: Id
    start: AwareDateTime
    extra_session: Flag = False


def _enquiry_or_404(enquiry_id: int) -> Enquiry:
    return get_or_404(
        Enquiry.objects.select_related("patient", "handled_by"), enquiry_id, "enquiry"
    )


@router.get(
    "/enquiries",
    response={200: EnquiryPage, **ERRORS},
    auth=require("enquiries.view_enquiry"),
    summary="The enquiry inbox, newest first",
)
def list_enquiries(request, filters: Query[EnquiryFilters]):
    found = Enquiry.objects.select_related("patient", "handled_by").order_by("-received_at", "-id")
    if filters.status is not None:
        found = found.filter(status=filters.status)
    if filters.channel is not None:
        found = found.filter(channel=filters.channel)
    new = Enquiry.objects.filter(status=EnquiryStatus.NEW).aggregate(n=Count("id"))["n"]
    return {**page_of(found, filters), "new": new}


@router.post(
    "/enquiries",
    response={201: EnquiryOut, **ERRORS},
    auth=require("enquiries.add_enquiry"),
    summary="Enter a phone or email enquiry",
)
def create_enquiry(request, payload: EnquiryIn):
    enquiry = enquiries.enquiry_record(
        channel=payload.channel.value,
        name=payload.name,
        email=payload.email,
        phone=payload.phone,
        message=payload.message,
        condition=payload.condition.value if payload.condition else "",
        received_at=payload.received_at,
        user=request.auth,
    )
    return Status(201, _enquiry_or_404(enquiry.pk))


@router.get(
    "/enquiries/{enquiry_id}",
    response={200: EnquiryOut, **ERRORS},
    auth=require("enquiries.view_enquiry"),
    summary="One enquiry",
)
def get_enquiry(request, enquiry_id: int):
    return _enquiry_or_404(enquiry_id)


@router.patch(
    "/enquiries/{enquiry_id}",
    response={200: EnquiryOut, **ERRORS},
    auth=require("enquiries.change_enquiry"),
    summary="Mark an enquiry replied, closed or new, and keep notes",
)
def change_enquiry(request, enquiry_id: int, payload: EnquiryChange):
    """``booked`` cannot be set here: it comes with ``POST /enquiries/{id}/book``."""
    enquiry = _enquiry_or_404(enquiry_id)
    enquiries.enquiry_update(
        enquiry,
        user=request.auth,
        status=payload.status.value if payload.status else None,
        notes=payload.notes,
    )
    return _enquiry_or_404(enquiry_id)


@router.post(
    "/enquiries/{enquiry_id}/book",
    response={201: AppointmentOut, **ERRORS},
    auth=require("enquiries.change_enquiry", "scheduling.add_appointment"),
    summary="Book the enquirer's appointment and mark the enquiry booked",
)
def book_from_enquiry(request, enquiry_id: int, payload: EnquiryBookIn):
    """All or nothing: a clash answers 409 with ``alternatives`` and the enquiry stays
    as it was (also when ``patient`` was given)."""
    enquiry = _enquiry_or_404(enquiry_id)
    appointment = enquiries.enquiry_book(
        enquiry,
        patient=get_or_404(Patient, payload.patient, "patient") if payload.patient else None,
        practitioner=get_or_404(Practitioner, payload.practitioner, "practitioner"),
        room=get_or_404(Room.objects.select_related("location"), payload.room, "room"),
        service=get_or_404(Service, payload.service, "service"),
        start=payload.start,
        extra_session=payload.extra_session,
        user=request.auth,
    )
    return Status(201, appointment_or_404(appointment.pk))

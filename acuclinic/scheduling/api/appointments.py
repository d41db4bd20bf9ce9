"""Appointments as JSON: the diary with filters, booking (safe to retry with an
``Idempotency-Key``), changing and cancelling; free slots; a patient's attendance.
Courses of sessions (``series``) and working time (``working_time``) have their own
modules; what the answers share is in ``schemas``.

Times go out as ISO 8601 in the location's time zone, with its offset, so a 10:00
appointment reads 10:00 in summer and in winter. Times coming in must carry an offset.
"""

from datetime import date, datetime, time, timedelta
from typing import Annotated

from django.utils import timezone
from ninja import Header, Query, Router, Schema
from pydantic import AfterValidator, Field

from acuclinic.clinic.models import Location, Room, Service
from acuclinic.core.api_auth import require
from acuclinic.core.api_errors import ERRORS
from acuclinic.core.api_types import (
    AwareDateTime,
    DateOrAwareDateTime,
    Flag,
    Id,
    InputSchema,
    Page,
    PageQuery,
    QueryId,
    get_or_404,
    not_found,
    page_of,
    text,
    valid_id,
)
from acuclinic.core.errors import InvalidRequest
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling import hot_reads, idempotency, queries, services
from acuclinic.scheduling.api.schemas import (
    AppointmentOut,
    CancelIn,
    LocationRef,
    ServiceRef,
    SlotOut,
    appointment_or_404,
)
from acuclinic.scheduling.choices import AppointmentStatus, Channel
from acuclinic.scheduling.models import MAX_SERIES_SESSIONS, Appointment

router = Router()

# A list asks for a window of time; without one it shows the next month. A longer
# window than a quarter is a report, not a diary, and would page through thousands.
DEFAULT_WINDOW = timedelta(days=31)
MAX_WINDOW = timedelta(days=93)


class AppointmentFilters(PageQuery):
    start_from: DateOrAwareDateTime | None = Field(
        None, description="Start of the window: a date (that day, UK time) or a datetime."
    )
    start_to: DateOrAwareDateTime | None = Field(
        None, description="End of the window: a date (includes that day) or a datetime."
    )
    practitioner: QueryId | None = None
    patient: QueryId | None = None
    location: QueryId | None = None
    room: QueryId | None = None
    status: AppointmentStatus | None = None


class AppointmentIn(InputSchema):
    patient: Id
    practitioner: Id
    room: Id
    service: Id
    start: AwareDateTime
    end: AwareDateTime | None = Field(None, description="Defaults to the service's length.")
    channel: Channel = Channel.PHONE
    notes: text(2000) = ""
    extra_session: Flag = Field(
        False,
        description="Book outside the practitioner's working time on purpose (never while "
        "they are away, never outside opening hours).",
    )


class AppointmentChange(InputSchema):
    """Send only what changes. A new start, practitioner or room moves the appointment."""

    start: AwareDateTime | None = None
    practitioner: Id | None = None
    room: Id | None = None
    notes: text(2000) | None = None
    status: AppointmentStatus | None = None
    extra_session: Flag = Field(False, description="Move outside working time on purpose.")


def _window_edge(value: date | datetime, *, end: bool) -> datetime:
    if isinstance(value, datetime):
        return value
    # A date is a whole day in the clinic's time zone; as the end, it includes that day.
    day = value + timedelta(days=1) if end else value
    return timezone.make_aware(datetime.combine(day, time.min))


def _window(filters: AppointmentFilters) -> tuple[datetime, datetime]:
    start = _window_edge(filters.start_from, end=False) if filters.start_from else None
    end = _window_edge(filters.start_to, end=True) if filters.start_to else None
    if start is None and end is None:
        start = timezone.make_aware(datetime.combine(timezone.localdate(), time.min))
    start = start if start is not None else end - DEFAULT_WINDOW
    end = end if end is not None else start + DEFAULT_WINDOW
    if end <= start:
        raise InvalidRequest(
            "range_reversed", "start_to must be after start_from.", field="start_to"
        )
    if end - start > MAX_WINDOW:
        raise InvalidRequest(
            "range_too_long",
            f"Ask for at most {MAX_WINDOW.days} days at a time.",
            field="start_to",
        )
    return start, end


@router.get(
    "/appointments",
    response={200: Page[AppointmentOut], **ERRORS},
    auth=require("scheduling.view_appointment"),
    tags=["appointments"],
    summary="List appointments in a window of time",
)
def list_appointments(request, filters: Query[AppointmentFilters]):
    """Appointments starting in ``[start_from, start_to)``, earliest first: by default
    the next 31 days from today, at most 93 days at a time."""
    start, end = _window(filters)
    appointments = Appointment.objects.for_diary().filter(start__gte=start, start__lt=end)
    wanted = {
        "practitioner_id": filters.practitioner,
        "patient_id": filters.patient,
        "room__location_id": filters.location,
        "room_id": filters.room,
        "status": filters.status,
    }
    appointments = appointments.filter(**{k: v for k, v in wanted.items() if v is not None})
    return page_of(appointments.order_by("start", "pk"), filters)


@router.get(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **ERRORS},
    auth=require("scheduling.view_appointment"),
    tags=["appointments"],
    summary="One appointment",
)
def getappointment_or_404(request, appointment_id: int):
    return appointment_or_404(appointment_id)


@router.post(
    "/appointments",
    response={201: AppointmentOut, **ERRORS},
    auth=require("scheduling.add_appointment"),
    tags=["appointments"],
    summary="Book an appointment",
)
def bookappointment_or_404(
    request,
    payload: AppointmentIn,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=idempotency.HEADER,
            description="Any unique string (a UUID). Sent again with the same request, "
            "it returns the first answer and books nothing new.",
        ),
    ] = None,
):
    """Book one visit. It must fit the practitioner's working time, unless sent as an
    ``extra_session``. A clash with another booking of the practitioner, room or patient
    answers 409 with ``alternatives``: the nearest free slots, with the same
    practitioner first, then colleagues, in the location's time zone. With an
    ``Idempotency-Key`` a retry returns the first answer (a reused key with a different
    body: 422 ``idempotency_key_reused``)."""

    def book(keep):
        answered = []

        def booked(appointment) -> None:
            # The appointment as just written, with the rows it was made from: reading
            # it back would answer the same. Kept inside the booking's transaction, so
            # the answer commits with it.
            answered.append((201, AppointmentOut.from_orm(appointment).model_dump()))
            keep(*answered[0])

        patient, practitioner, room, service = _booking_parties(payload)
        services.appointment_book(
            patient=patient,
            practitioner=practitioner,
            room=room,
            service=service,
            start=payload.start,
            end=payload.end,
            channel=payload.channel.value,
            notes=payload.notes,
            extra_session=payload.extra_session,
            user=request.auth,
            on_booked=booked,
        )
        return answered[0]

    return idempotency.run_once(
        request, payload=payload.model_dump(mode="json"), run=book, keeps_answer=True
    )


def _booking_parties(payload: AppointmentIn) -> tuple[Patient, Practitioner, Room, Service]:
    """The patient, practitioner (with their user), room (with its location and clinic)
    and service a booking names, read together; a 404 for the first one not there, in
    that order, as reading them one by one would answer."""
    named = [
        ("patient", payload.patient),
        ("practitioner", payload.practitioner),
        ("room", payload.room),
        ("service", payload.service),
    ]
    found = hot_reads.booking_parties(*(pk if valid_id(pk) else None for _, pk in named))
    for (what, pk), row in zip(named, found, strict=True):
        if row is None:
            raise not_found(what, pk)
    return found


@router.patch(
    "/appointments/{appointment_id}",
    response={200: AppointmentOut, **ERRORS},
    auth=require("scheduling.change_appointment"),
    tags=["appointments"],
    summary="Move an appointment, change its notes or its status",
)
def changeappointment_or_404(request, appointment_id: int, payload: AppointmentChange):
    """Status changes follow the front desk's rules: booked → arrived → completed, or
    booked → did not attend (once it has started). To cancel, use ``/cancel``."""
    appointment = appointment_or_404(appointment_id)
    services.appointment_update(
        appointment,
        start=payload.start,
        practitioner=(
            get_or_404(Practitioner, payload.practitioner, "practitioner")
            if payload.practitioner is not None
            else None
        ),
        room=(
            get_or_404(Room.objects.select_related("location"), payload.room, "room")
            if payload.room is not None
            else None
        ),
        notes=payload.notes,
        status=payload.status.value if payload.status is not None else None,
        extra_session=payload.extra_session,
    )
    return appointment_or_404(appointment_id)


@router.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, **ERRORS},
    auth=require("scheduling.change_appointment"),
    tags=["appointments"],
    summary="Cancel an appointment",
)
def cancelappointment_or_404(request, appointment_id: int, payload: CancelIn | None = None):
    """A patient's cancellation inside the clinic's notice period becomes
    ``late_cancelled``; the clinic's own (``"by": "clinic"``) never does."""
    payload = payload or CancelIn()
    appointment = appointment_or_404(appointment_id)
    services.appointment_cancel(appointment, reason=payload.reason, cancelled_by=payload.by.value)
    return appointment_or_404(appointment_id)


class PatientChangeOut(Schema):
    may_cancel: bool = Field(description="The patient may cancel this visit online now.")
    late: bool = Field(description="A cancellation by the patient now would be late.")
    may_move: bool = Field(description="The patient may move this visit online now.")
    cancel_refusal: str = Field(description="Why the patient may not cancel, or empty.")
    move_refusal: str = Field(description="Why the patient may not move it, or empty.")
    notice_hours: int = Field(description="The clinic's cancellation notice, in hours.")


@router.get(
    "/appointments/{appointment_id}/patient-change",
    response={200: PatientChangeOut, **ERRORS},
    auth=require("scheduling.view_appointment"),
    tags=["appointments"],
    summary="What the patient may do with a visit themselves (the one cancellation rule)",
)
def get_patient_change(request, appointment_id: int):
    """The clinic's one rule, as the portal and the booking email's link apply it: the
    patient may cancel until the visit starts (late inside the notice period), and move it
    online only with at least the notice."""
    return services.patient_change(appointment_or_404(appointment_id), now=timezone.now())


# Free slots ---------------------------------------------------------------------------

# Longer than two months is a report, not a search for a time.
MAX_AVAILABILITY_DAYS = 62


def _supported_day(value: date) -> date:
    from acuclinic.core.api_types import MAX_YEAR, MIN_YEAR

    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise ValueError(f"Dates must fall between the years {MIN_YEAR} and {MAX_YEAR}.")
    return value


Day = Annotated[date, AfterValidator(_supported_day)]


class AvailabilityQuery(Schema):
    service: QueryId
    location: QueryId
    practitioner: QueryId | None = Field(None, description="Leave out for anyone.")
    patient: QueryId | None = Field(
        None, description="Leave out times this patient is already booked."
    )
    start_from: Day | None = Field(None, description="First day (local); default today.")
    start_to: Day | None = Field(
        None, description="Last day, included; default six days after the first."
    )
    online: bool = Field(
        False,
        description="What a patient booking online is offered: the clinic's minimum "
        "notice and booking horizon apply, and only services bookable online.",
    )
    one_per_time: bool = Field(False, description="One slot per start time (for “anyone”).")
    limit: int = Field(50, ge=1, le=500, description="At most this many slots (1–500).")


class AvailabilityOut(Schema):
    service: ServiceRef
    location: LocationRef
    first_day: date
    last_day: date
    count: int
    items: list[SlotOut]


class WeeklyQuery(Schema):
    service: QueryId
    location: QueryId
    practitioner: QueryId | None = Field(None, description="Leave out for anyone.")
    patient: QueryId | None = Field(
        None, description="Leave out times this patient is already booked."
    )
    start_from: Day | None = Field(
        None, description="First day of the first week (local); default today."
    )
    weeks: int = Field(
        6,
        ge=1,
        le=MAX_SERIES_SESSIONS,
        description=f"How many weeks in a row the time must be free (1–{MAX_SERIES_SESSIONS}).",
    )


class WeeklyOut(Schema):
    weeks: int
    items: list[SlotOut] = Field(
        description="One slot per week, the same weekday and local time; empty when no "
        "time in the first week is free every week."
    )


def _availability_days(filters: AvailabilityQuery) -> tuple[date, date]:
    today = timezone.localdate()
    first_day = filters.start_from or today
    last_day = filters.start_to or first_day + timedelta(days=6)
    if last_day < first_day:
        raise InvalidRequest(
            "range_reversed", "start_to must be on or after start_from.", field="start_to"
        )
    if (last_day - first_day).days >= MAX_AVAILABILITY_DAYS:
        raise InvalidRequest(
            "range_too_long",
            f"Ask for at most {MAX_AVAILABILITY_DAYS} days at a time.",
            field="start_to",
        )
    if last_day < today:
        raise InvalidRequest(
            "in_the_past", "Those days have passed; ask from today on.", field="start_to"
        )
    return max(first_day, today), last_day


def _search_for(filters: AvailabilityQuery | WeeklyQuery) -> tuple:
    """The service, location, practitioner (or None for anyone) and patient (or None)
    a search names: 404 ``unknown_<what>`` for an id that is not there, 422 for a
    service no longer offered or a practitioner who may not give it."""
    service = get_or_404(Service, filters.service, "service")
    location = get_or_404(Location.objects.select_related("clinic"), filters.location, "location")
    practitioner = None
    if filters.practitioner is not None:
        practitioner = get_or_404(
            Practitioner.objects.select_related("user"), filters.practitioner, "practitioner"
        )
        services.check_practitioner(practitioner, service)
    patient = get_or_404(Patient, filters.patient, "patient") if filters.patient else None
    if not service.is_active:
        raise InvalidRequest("service_inactive", "This service is no longer offered.")
    return service, location, practitioner, patient


@router.get(
    "/availability",
    response={200: AvailabilityOut, **ERRORS},
    auth=require("scheduling.view_appointment"),
    tags=["availability"],
    summary="Free slots for a service at a location",
)
def availability(request, filters: Query[AvailabilityQuery]):
    """Free slots, earliest first, for one practitioner or anyone working there: inside
    working time and opening hours, clear of bookings and their turnover, in a free
    room suitable for the service, with a practitioner qualified for it whose
    credentials hold that day. Staff may book from now on; ``online`` shows what a
    patient booking online would be offered."""
    first_day, last_day = _availability_days(filters)
    service, location, practitioner, patient = _search_for(filters)
    if filters.online and not service.bookable_online:
        raise InvalidRequest(
            "not_bookable_online", f"{service.name} is booked by the clinic, not online."
        )
    found = queries.find_slots(
        service=service,
        location=location,
        first_day=first_day,
        last_day=last_day,
        practitioner=practitioner,
        patient=patient,
        online=filters.online,
        limit=None if filters.one_per_time else filters.limit,
    )
    if filters.one_per_time:
        seen, distinct = set(), []
        for slot in found:
            if slot.start not in seen:
                seen.add(slot.start)
                distinct.append(slot)
        found = distinct[: filters.limit]
    return {
        "service": service,
        "location": location,
        "first_day": first_day,
        "last_day": last_day,
        "count": len(found),
        "items": found,
    }


@router.get(
    "/availability/weekly",
    response={200: WeeklyOut, **ERRORS},
    auth=require("scheduling.view_appointment"),
    tags=["availability"],
    summary="The first time free every week for a course",
)
def availability_weekly(request, filters: Query[WeeklyQuery]):
    """The earliest start in the week from ``start_from`` whose weekday and local time
    are free in each of the next ``weeks`` weeks — with the practitioner, or with
    anyone (then each week names who is free). What to book a weekly course at:
    ``POST /series`` with the first item's start, practitioner and room."""
    today = timezone.localdate()
    first_day = filters.start_from or today
    if first_day < today:
        raise InvalidRequest(
            "in_the_past", "That day has passed; ask from today on.", field="start_from"
        )
    service, location, practitioner, patient = _search_for(filters)
    found = queries.find_weekly(
        service=service,
        location=location,
        first_day=first_day,
        weeks=filters.weeks,
        practitioner=practitioner,
        patient=patient,
    )
    return {"weeks": filters.weeks, "items": found}


# Attendance ---------------------------------------------------------------------------


class AttendanceOut(Schema):
    patient: int
    attended: int
    cancelled: int = Field(description="Cancelled by the patient with notice.")
    late_cancelled: int = Field(description="Cancelled by the patient inside the notice.")
    did_not_attend: int
    cancelled_by_clinic: int = Field(description="Never counted against the patient.")


@router.get(
    "/patients/{patient_id}/attendance",
    response={200: AttendanceOut, **ERRORS},
    auth=require("people.view_patient", "scheduling.view_appointment"),
    tags=["appointments"],
    summary="How often a patient attended, cancelled late or missed a visit",
)
def patient_attendance(request, patient_id: int):
    patient = get_or_404(Patient, patient_id, "patient")
    return {"patient": patient.pk, **queries.attendance(patient).__dict__}

"""Booking, moving, cancelling and marking appointments.

Every write runs in one transaction that first locks the practitioner and the room
(row locks on PostgreSQL; SQLite's IMMEDIATE transactions lock the database at BEGIN),
then checks for clashes, so two clients racing for one slot cannot both win.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Room, Service
from acuclinic.core.errors import Conflict, InvalidRequest, NotFound
from acuclinic.core.formats import format_datetime
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling.choices import AppointmentStatus, Channel
from acuclinic.scheduling.models import Appointment

# Bookings further out than this are almost certainly typing mistakes (2062 for 2026).
MAX_DAYS_AHEAD = 730
# Staff may record a visit that already happened (a walk-in entered afterwards).
MAX_DAYS_BEHIND = 31


@dataclass(frozen=True)
class Slot:
    practitioner: Practitioner
    room: Room
    service: Service
    start: datetime
    end: datetime


def _check_times(start: datetime, end: datetime, *, now: datetime) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise InvalidRequest(
            "naive_datetime", "Times must include a time zone offset.", field="start"
        )
    if end <= start:
        raise InvalidRequest("end_before_start", "The end must be after the start.", field="end")
    if end - start > timedelta(hours=8):
        raise InvalidRequest("too_long", "An appointment cannot last over 8 hours.", field="end")
    if start > now + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidRequest(
            "too_far_ahead", "Appointments can be booked up to two years ahead.", field="start"
        )
    if start < now - timedelta(days=MAX_DAYS_BEHIND):
        raise InvalidRequest(
            "too_far_past",
            "Appointments more than a month ago cannot be entered.",
            field="start",
        )


def _check_open(room: Room, start: datetime, end: datetime) -> None:
    location = room.location
    local_start, local_end = start.astimezone(location.tz), end.astimezone(location.tz)
    if local_start.date() != local_end.date():
        raise InvalidRequest(
            "outside_opening_hours",
            "An appointment must start and end on the same day.",
            field="start",
        )
    periods = [h for h in location.opening_hours.all() if h.weekday == local_start.weekday()]
    if not any(h.opens <= local_start.time() and local_end.time() <= h.closes for h in periods):
        raise InvalidRequest(
            "outside_opening_hours",
            f"{location.name} is not open at {format_datetime(start, location.tz)}.",
            field="start",
        )


def _check_bookable(slot: Slot) -> None:
    if not slot.service.is_active:
        raise InvalidRequest("service_inactive", "This service is no longer offered.")
    if not slot.room.is_active or not slot.room.location.is_active:
        raise InvalidRequest("room_closed", f"{slot.room} is closed.", field="room")
    if not slot.practitioner.is_active:
        raise InvalidRequest(
            "practitioner_inactive",
            f"{slot.practitioner} is not taking bookings.",
            field="practitioner",
        )
    if not slot.practitioner.is_qualified_for(slot.service.modality):
        raise InvalidRequest(
            "not_qualified",
            f"{slot.practitioner} is not qualified in {slot.service.get_modality_display()}.",
            field="practitioner",
        )
    if slot.service.needs_acupuncture_qualification:
        day = slot.start.astimezone(slot.room.location.tz).date()
        problems = slot.practitioner.credential_problems(day)
        if problems:
            raise InvalidRequest(
                "credentials_lapsed",
                f"{slot.practitioner} cannot needle then: {'; '.join(problems)}.",
                field="practitioner",
            )


def _nearest_alternatives(slot: Slot, *, limit: int = 3) -> list[str]:
    """Free start times nearest the requested one, same practitioner and room, same day."""
    step = timedelta(minutes=15)
    length = slot.end - slot.start
    taken = list(
        Appointment.objects.active()
        .filter(practitioner=slot.practitioner)
        .overlapping(slot.start - timedelta(hours=12), slot.end + timedelta(hours=12))
        .values_list("start", "end")
    ) + list(
        Appointment.objects.active()
        .filter(room=slot.room)
        .overlapping(slot.start - timedelta(hours=12), slot.end + timedelta(hours=12))
        .values_list("start", "end")
    )
    found = []
    for n in range(1, 48):
        for candidate in (slot.start - n * step, slot.start + n * step):
            end = candidate + length
            if candidate < timezone.now():
                continue
            if any(s < end and e > candidate for s, e in taken):
                continue
            try:
                _check_open(slot.room, candidate, end)
            except InvalidRequest:
                continue
            found.append(candidate)
        if len(found) >= limit:
            break
    return [c.isoformat() for c in sorted(found)[:limit]]


def _check_free(slot: Slot, *, patient: Patient, ignore: Appointment | None = None) -> None:
    clashes = Appointment.objects.active().overlapping(slot.start, slot.end)
    if ignore is not None:
        clashes = clashes.exclude(pk=ignore.pk)
    checks = [
        (
            clashes.filter(practitioner=slot.practitioner),
            "practitioner_busy",
            f"{slot.practitioner} already has an appointment then.",
        ),
        (clashes.filter(room=slot.room), "room_busy", f"{slot.room} is already booked then."),
        (
            clashes.filter(patient=patient),
            "patient_busy",
            f"{patient} already has an appointment then.",
        ),
    ]
    for qs, code, message in checks:
        if qs.exists():
            raise Conflict(code, message, extra={"alternatives": _nearest_alternatives(slot)})


def _lock(slot: Slot) -> None:
    # Serialise writers per practitioner and per room (PostgreSQL); on SQLite the
    # IMMEDIATE transaction already holds the database write lock.
    list(Practitioner.objects.select_for_update().filter(pk=slot.practitioner.pk))
    list(Room.objects.select_for_update().filter(pk=slot.room.pk))


def _end_for(service: Service, start: datetime, end: datetime | None) -> datetime:
    return end if end is not None else start + timedelta(minutes=service.duration_minutes)


def appointment_book(
    *,
    patient: Patient,
    practitioner: Practitioner,
    room: Room,
    service: Service,
    start: datetime,
    end: datetime | None = None,
    channel: str = Channel.PHONE,
    notes: str = "",
    user=None,
) -> Appointment:
    end = _end_for(service, start, end)
    _check_times(start, end, now=timezone.now())
    if channel not in Channel.values:
        raise InvalidRequest("invalid_channel", f"Unknown channel “{channel}”.", field="channel")
    slot = Slot(practitioner, room, service, start, end)
    _check_bookable(slot)
    _check_open(room, start, end)
    try:
        with transaction.atomic():
            appointment = _insert_checked(
                slot, patient=patient, channel=channel, notes=notes, user=user
            )
    except IntegrityError as exc:
        # The database's own overlap constraint (PostgreSQL) caught what the check missed.
        raise Conflict(
            "slot_taken",
            "That time has just been taken.",
            extra={"alternatives": _nearest_alternatives(slot)},
        ) from exc
    return appointment


def _insert_checked(slot: Slot, *, patient, channel, notes, user) -> Appointment:
    """Inside the caller's transaction: lock, check for clashes, insert, audit."""
    _lock(slot)
    _check_free(slot, patient=patient)
    appointment = Appointment.objects.create(
        patient=patient,
        practitioner=slot.practitioner,
        room=slot.room,
        service=slot.service,
        start=slot.start,
        end=slot.end,
        channel=channel,
        notes=notes,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    audit.record(AuditAction.CREATE, appointment, detail=f"booked by {channel}")
    return appointment


def appointment_move(
    appointment: Appointment,
    *,
    start: datetime,
    practitioner: Practitioner | None = None,
    room: Room | None = None,
) -> Appointment:
    if not appointment.is_active or appointment.status != AppointmentStatus.BOOKED:
        raise Conflict("not_movable", "Only a booked appointment can be moved.")
    practitioner = practitioner or appointment.practitioner
    room = room or appointment.room
    end = start + (appointment.end - appointment.start)
    _check_times(start, end, now=timezone.now())
    slot = Slot(practitioner, room, appointment.service, start, end)
    _check_bookable(slot)
    _check_open(room, start, end)
    with transaction.atomic():
        _lock(slot)
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.status != AppointmentStatus.BOOKED:
            raise Conflict("not_movable", "Only a booked appointment can be moved.")
        _check_free(slot, patient=locked.patient, ignore=locked)
        before = audit.snapshot(locked, ["start", "end", "practitioner_id", "room_id"])
        locked.start, locked.end = start, end
        locked.practitioner, locked.room = practitioner, room
        locked.save()
        audit.record(
            AuditAction.CHANGE,
            locked,
            changed_fields=audit.changed_field_names(
                before, locked, ["start", "end", "practitioner_id", "room_id"]
            ),
            detail="moved",
        )
    return locked


def appointment_cancel(appointment: Appointment, *, reason: str = "") -> Appointment:
    """Cancel; inside the clinic's notice period it is recorded as a late cancellation."""
    with transaction.atomic():
        locked = (
            Appointment.objects.select_for_update()
            .select_related("room__location__clinic")
            .get(pk=appointment.pk)
        )
        if locked.status != AppointmentStatus.BOOKED:
            raise Conflict(
                "not_cancellable",
                f"This appointment is {locked.get_status_display().lower()}; "
                "only a booked appointment can be cancelled.",
            )
        now = timezone.now()
        notice = timedelta(hours=locked.room.location.clinic.cancellation_notice_hours)
        late = locked.start - now < notice
        locked.status = AppointmentStatus.LATE_CANCELLED if late else AppointmentStatus.CANCELLED
        locked.cancelled_at = now
        locked.cancellation_reason = reason[:200]
        locked.save()
        audit.record(AuditAction.CHANGE, locked, changed_fields=["status"], detail=locked.status)
    return locked


# Which status changes the front desk and clinicians can make by hand.
_TRANSITIONS = {
    AppointmentStatus.BOOKED: {AppointmentStatus.ARRIVED, AppointmentStatus.DID_NOT_ATTEND},
    AppointmentStatus.ARRIVED: {AppointmentStatus.COMPLETED, AppointmentStatus.BOOKED},
    AppointmentStatus.DID_NOT_ATTEND: {AppointmentStatus.BOOKED},
}


def appointment_set_status(appointment: Appointment, *, status: str) -> Appointment:
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        allowed = _TRANSITIONS.get(locked.status, set())
        if status not in allowed:
            known = status in AppointmentStatus.values
            wanted = AppointmentStatus(status).label if known else status
            raise Conflict(
                "invalid_status_change",
                f"Cannot change a {locked.get_status_display().lower()} appointment "
                f"to {wanted.lower()}.",
            )
        if status == AppointmentStatus.DID_NOT_ATTEND and locked.start > timezone.now():
            raise Conflict("not_yet_due", "An appointment cannot be missed before it starts.")
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        audit.record(AuditAction.CHANGE, locked, changed_fields=["status"], detail=status)
    return locked


def get_or_404(model, pk, what: str):
    try:
        return model.objects.get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(f"unknown_{what}", f"No {what} with id {pk}.", field=what) from exc

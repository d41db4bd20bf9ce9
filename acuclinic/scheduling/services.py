"""Booking, moving, cancelling and marking appointments.

Every write runs in one transaction that first locks the practitioner and the room
(row locks on PostgreSQL; SQLite's IMMEDIATE transactions lock the database at BEGIN),
then checks for clashes, so two clients racing for one slot cannot both win. On
PostgreSQL the exclusion constraints refuse an overlap even if a check were missed.

A booking must fit the practitioner's working time (``scheduling.slots``). Staff may
book outside it on purpose by marking the visit an *extra session*: that still has to
be inside opening hours and never while the practitioner is away (leave, training,
a bank holiday).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic import cancellation
from acuclinic.clinic.models import Room, Service
from acuclinic.core import fixed_sql
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.core.formats import format_date, format_datetime
from acuclinic.people import credentials
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling import hot_reads, queries, slots
from acuclinic.scheduling.choices import AppointmentStatus, CancelledBy, Channel, ExceptionKind
from acuclinic.scheduling.models import Appointment
from acuclinic.scheduling.signals import Freed, time_freed, visit_status_changed

# Bookings further out than this are almost certainly typing mistakes (2062 for 2026).
MAX_DAYS_AHEAD = 730
MAX_VISIT = timedelta(hours=8)


@dataclass(frozen=True)
class Slot:
    """A visit being asked for: who, where, what and when (end excludes turnover)."""

    practitioner: Practitioner
    room: Room
    service: Service
    start: datetime
    end: datetime

    @property
    def location(self):
        return self.room.location

    @property
    def held_until(self) -> datetime:
        return self.end + timedelta(minutes=self.service.turnover_minutes)

    @property
    def local_day(self):
        return self.start.astimezone(self.location.tz).date()


# Checks before the lock: what the request itself gets wrong -------------------------


def check_times(start: datetime, end: datetime, *, now: datetime, tz) -> None:
    if timezone.is_naive(start) or timezone.is_naive(end):
        raise InvalidRequest(
            "naive_datetime", "Times must include a time zone offset.", field="start"
        )
    if end <= start:
        raise InvalidRequest("end_before_start", "The end must be after the start.", field="end")
    if end - start > MAX_VISIT:
        raise InvalidRequest("too_long", "An appointment cannot last over 8 hours.", field="end")
    if start > now + timedelta(days=MAX_DAYS_AHEAD):
        raise InvalidRequest(
            "too_far_ahead", "Appointments can be booked up to two years ahead.", field="start"
        )
    # Staff may enter a visit that began earlier today (a walk-in, entered afterwards);
    # anything before today is a mistake.
    today_starts = datetime.combine(now.astimezone(tz).date(), time.min, tzinfo=tz)
    if start < today_starts:
        raise InvalidRequest(
            "in_the_past",
            f"{format_datetime(start, tz)} has passed; choose a time from today on.",
            field="start",
        )


def check_open(slot: Slot, place: slots.Location | None = None) -> None:
    location = slot.location
    facts = place if place is not None else queries.location_facts(location)
    if not slots.within_opening_hours(facts, slot.start, slot.end):
        raise InvalidRequest(
            "outside_opening_hours",
            f"{location.name} is not open at "
            f"{format_datetime(slot.start, location.tz)}–"
            f"{slot.end.astimezone(location.tz):%H:%M}.",
            field="start",
        )


def check_parties(slot: Slot) -> None:
    """The service, room and practitioner can be booked for this at all (any day)."""
    service, room, practitioner = slot.service, slot.room, slot.practitioner
    if not service.is_active:
        raise InvalidRequest("service_inactive", "This service is no longer offered.")
    if not room.is_active or not room.location.is_active:
        raise InvalidRequest("room_closed", f"{room} is closed.", field="room")
    if service.needs_couch and not room.has_couch:
        raise InvalidRequest(
            "room_unsuitable",
            f"{room} has no treatment couch, which {service.name} needs.",
            field="room",
        )
    check_practitioner(practitioner, service)


def check_practitioner(practitioner: Practitioner, service: Service) -> None:
    """Taking bookings, and qualified in the acupuncture the service may include."""
    if not practitioner.is_active:
        raise InvalidRequest(
            "practitioner_inactive",
            f"{practitioner} is not taking bookings.",
            field="practitioner",
        )
    if not practitioner.is_qualified_for(service.needling):
        raise InvalidRequest(
            "not_qualified",
            f"{practitioner} is not qualified in {service.needling_label}.",
            field="practitioner",
        )


def check_credentials(slot: Slot, facts: hot_reads.SlotFacts) -> None:
    """Registration, membership and insurance hold on the day, when the visit needles,
    and so does any council registration or licence the location asks for."""
    if slot.service.needs_acupuncture_qualification:
        problems = credential_problems(slot.practitioner, slot.local_day, slot.location, facts)
        if problems:
            raise InvalidRequest(
                "credentials_lapsed",
                f"{slot.practitioner} cannot needle then: {'; '.join(problems)}.",
                field="practitioner",
            )


def credential_problems(
    practitioner: Practitioner, day, location, facts: hot_reads.SlotFacts
) -> list[str]:
    """``Practitioner.credential_problems`` at ``location``, from the credentials and
    the premises' registrations in ``facts`` (``people.models.licensing_of`` makes the
    same ``Licensing`` from the location's rows)."""
    licensing = credentials.Licensing(
        regime=location.licensing_regime,
        authority=location.licensing_authority,
        premises=location.name,
        registrations=facts.premises,
    )
    return credentials.shortfall(
        practitioner.profession, facts.credentials, day, licensing
    ).clauses()


def check_room_open(slot: Slot, facts: hot_reads.SlotFacts) -> None:
    closure = facts.closure
    if closure is not None:
        starts, ends, reason = closure
        tz = slot.location.tz
        why = f" ({reason})" if reason else ""
        raise InvalidRequest(
            "room_closed",
            f"{slot.room} is closed from {format_datetime(starts, tz)} "
            f"to {format_datetime(ends, tz)}{why}.",
            field="room",
        )


def practitioner_facts(practitioner: Practitioner, location, day) -> slots.Practitioner:
    """The practitioner's working time at ``location`` on ``day``, for the engine."""
    return working_time_of(
        practitioner,
        hot_reads.working_patterns(practitioner.pk, location.pk, day),
        hot_reads.working_exceptions(practitioner.pk, location.pk, day),
    )


def working_time_of(practitioner: Practitioner, patterns, exceptions) -> slots.Practitioner:
    """The engine's ``Practitioner`` from the rows of ``hot_reads.working_patterns`` and
    ``hot_reads.working_exceptions``."""
    return slots.Practitioner(
        id=practitioner.pk,
        weekly=tuple(slots.WeeklyHours(*row) for row in patterns),
        changes=tuple(
            slots.DayChange(first_day, last_day, kind == ExceptionKind.EXTRA, starts, ends)
            for kind, first_day, last_day, starts, ends in exceptions
        ),
    )


def check_working_time(
    slot: Slot, *, extra_session: bool, place: slots.Location, facts: hot_reads.SlotFacts
) -> None:
    """Inside the practitioner's working time; or, as an extra session, at least not
    while they are away. ``place`` is the location's opening hours."""
    location = slot.location
    facts = working_time_of(slot.practitioner, facts.patterns, facts.exceptions)
    if slots.away_during(place, facts, slot.start, slot.end):
        raise InvalidRequest(
            "practitioner_away",
            f"{slot.practitioner} is away on {format_date(slot.local_day)}.",
            field="practitioner",
        )
    if extra_session:
        return
    if not slots.within_working_time(place, facts, slot.start, slot.end):
        raise InvalidRequest(
            "outside_working_hours",
            f"{slot.practitioner} does not work at {location.name} at "
            f"{format_datetime(slot.start, location.tz)}. Choose a time in their working "
            "hours, or book it as an extra session.",
            field="start",
        )


def check_slot(slot: Slot, *, now: datetime, extra_session: bool = False) -> None:
    """Everything about a requested visit that needs no lock, most basic first, so the
    error names the first thing to fix."""
    check_times(slot.start, slot.end, now=now, tz=slot.location.tz)
    check_parties(slot)
    # What the rest of the checks read, in one statement (each a round trip otherwise).
    facts = hot_reads.slot_facts(
        practitioner_id=slot.practitioner.pk,
        location_id=slot.location.pk,
        room_id=slot.room.pk,
        day=slot.local_day,
        start=slot.start,
        until=slot.held_until,
        credentials=slot.service.needs_acupuncture_qualification,
    )
    check_credentials(slot, facts)
    # Opening hours, for both.
    place = slots.Location(time_zone=slot.location.time_zone, opening=facts.opening)
    check_open(slot, place)
    check_room_open(slot, facts)
    check_working_time(slot, extra_session=extra_session, place=place, facts=facts)


# Inside the lock: clashes with other bookings -----------------------------------------


def lock(slot: Slot) -> None:
    """Serialise writers per practitioner and per room (PostgreSQL); on SQLite the
    IMMEDIATE transaction already holds the database write lock, and Django would send
    the two reads without ``FOR UPDATE``, locking nothing, so they are not sent."""
    if not connection.features.has_select_for_update:
        return
    hot_reads.lock_practitioner_and_room(slot.practitioner.pk, slot.room.pk)


def clash(slot: Slot, *, patient: Patient, ignore_ids=()) -> tuple[str, str] | None:
    """What the slot clashes with, as (code, message); None when it is free.

    ``ignore_ids`` are appointments to treat as not there (the ones being moved).
    """
    # The three checks in one statement: EXISTS each.
    practitioner_busy, room_busy, patient_busy = hot_reads.clashes(
        practitioner_id=slot.practitioner.pk,
        room_id=slot.room.pk,
        patient_id=patient.pk,
        start=slot.start,
        end=slot.end,
        held_until=slot.held_until,
        ignore_ids=ignore_ids,
    )
    if practitioner_busy:
        return "practitioner_busy", f"{slot.practitioner} already has an appointment then."
    if room_busy:
        return "room_busy", f"{slot.room} is already booked then."
    if patient_busy:
        return "patient_busy", f"{patient} already has an appointment then."
    return None


def alternatives(slot: Slot, *, patient: Patient | None, ignore=None) -> list[dict]:
    """The nearest free slots, as the API shows them: the same practitioner first."""
    found = queries.nearest_free(
        service=slot.service,
        location=slot.location,
        wanted=slot.start,
        practitioner=slot.practitioner,
        patient=patient,
        ignore=ignore,
    )
    return [f.as_json() for f in found]


def clash_refusal(slot: Slot, found: tuple[str, str], *, patient: Patient | None, ignore=None):
    """The refusal for a clash ``found`` by ``clash``, with the nearest free slots."""
    code, message = found
    return Conflict(
        code, message, extra={"alternatives": alternatives(slot, patient=patient, ignore=ignore)}
    )


def check_free(slot: Slot, *, patient: Patient, ignore=None) -> None:
    found = clash(slot, patient=patient, ignore_ids=[ignore.pk] if ignore is not None else ())
    if found is not None:
        raise clash_refusal(slot, found, patient=patient, ignore=ignore)


def slot_taken(slot: Slot, *, patient: Patient | None, ignore=None) -> Conflict:
    """The database's own overlap constraint (PostgreSQL) caught what the check missed."""
    return Conflict(
        "slot_taken",
        "That time has just been taken.",
        extra={"alternatives": alternatives(slot, patient=patient, ignore=ignore)},
    )


def end_for(service: Service, start: datetime, end: datetime | None) -> datetime:
    return end if end is not None else start + timedelta(minutes=service.duration_minutes)


# Booking ------------------------------------------------------------------------------


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
    extra_session: bool = False,
    user=None,
    on_booked: Callable[[Appointment], None] | None = None,
) -> Appointment:
    """Book one visit, or raise why not.

    Only the clash check and the writes run inside the locked transaction: everything
    that needs no lock is checked before it, and a refusal's alternatives (a search of
    the diary) are found after it, so other bookings wait for as little as possible
    (on SQLite the lock is the whole database's). ``on_booked`` is called with the new
    appointment inside that transaction: what it writes commits with the booking or
    not at all (the API keeps its Idempotency-Key answer so).
    """
    end = end_for(service, start, end)
    if channel not in Channel.values:
        raise InvalidRequest("invalid_channel", f"Unknown channel “{channel}”.", field="channel")
    slot = Slot(practitioner, room, service, start, end)
    check_slot(slot, now=timezone.now(), extra_session=extra_session)
    try:
        with transaction.atomic():
            lock(slot)
            found = clash(slot, patient=patient)
            if found is None:
                appointment = insert(
                    slot,
                    patient=patient,
                    channel=channel,
                    notes=notes,
                    extra_session=extra_session,
                    user=user,
                )
                if on_booked is not None:
                    on_booked(appointment)
    except IntegrityError as exc:
        raise slot_taken(slot, patient=patient) from exc
    if found is not None:
        raise clash_refusal(slot, found, patient=patient)
    return appointment


def insert(
    slot: Slot,
    *,
    patient: Patient,
    channel: str,
    notes: str = "",
    extra_session: bool = False,
    user=None,
    series=None,
    series_index: int | None = None,
) -> Appointment:
    """Inside the caller's transaction, after ``lock`` and ``check_free``: insert, audit."""
    # With fixed SQL (core.fixed_sql): every booking sends it. The held time is given,
    # which is all Appointment.save adds.
    appointment = Appointment(
        patient=patient,
        practitioner=slot.practitioner,
        room=slot.room,
        service=slot.service,
        start=slot.start,
        end=slot.end,
        held_until=slot.held_until,
        channel=channel,
        notes=notes,
        extra_session=extra_session,
        series=series,
        series_index=series_index,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    fixed_sql.insert(appointment)
    how = f"booked by {channel}"
    if extra_session:
        how += " as an extra session"
    if series is not None:
        how += f", session {series_index} of {series.sessions}"
    audit.record(AuditAction.CREATE, appointment, detail=how)
    visit_status_changed.send(sender=Appointment, appointment=appointment, old=None, new="booked")
    return appointment


# Changing -----------------------------------------------------------------------------

# What a move can change, as the audit trail names it (held_until follows the end).
MOVE_FIELDS = ["start", "end", "practitioner_id", "room_id", "extra_session"]


def appointment_move(
    appointment: Appointment,
    *,
    start: datetime,
    practitioner: Practitioner | None = None,
    room: Room | None = None,
    extra_session: bool = False,
) -> Appointment:
    if not appointment.is_active or appointment.status != AppointmentStatus.BOOKED:
        raise Conflict("not_movable", "Only a booked appointment can be moved.")
    practitioner = practitioner or appointment.practitioner
    room = room or appointment.room
    end = start + (appointment.end - appointment.start)
    slot = Slot(practitioner, room, appointment.service, start, end)
    check_slot(slot, now=timezone.now(), extra_session=extra_session)
    try:
        with transaction.atomic():
            lock(slot)
            locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
            if locked.status != AppointmentStatus.BOOKED:
                raise Conflict("not_movable", "Only a booked appointment can be moved.")
            check_free(slot, patient=locked.patient, ignore=locked)
            move_locked(locked, slot, extra_session=extra_session)
    except IntegrityError as exc:
        raise slot_taken(slot, patient=appointment.patient, ignore=appointment) from exc
    return locked


def move_locked(locked: Appointment, slot: Slot, *, extra_session: bool, why: str = "moved"):
    """Inside the caller's transaction, after the checks: move and audit."""
    before = audit.snapshot(locked, MOVE_FIELDS)
    announce_freed(locked)
    locked.start, locked.end, locked.held_until = slot.start, slot.end, slot.held_until
    locked.practitioner, locked.room = slot.practitioner, slot.room
    locked.extra_session = extra_session
    locked.save()
    audit.record(
        AuditAction.CHANGE,
        locked,
        changed_fields=audit.changed_field_names(before, locked, MOVE_FIELDS),
        detail=why,
    )


def is_late(appointment: Appointment, *, now: datetime) -> bool:
    """Inside the clinic's notice period (default 24 hours) before the visit."""
    return cancellation.is_late(
        start=appointment.start,
        now=now,
        notice_hours=appointment.room.location.clinic.cancellation_notice_hours,
    )


def patient_change(appointment: Appointment, *, now: datetime) -> cancellation.PatientChange:
    """The one rule for what the patient may do with this visit themselves (cancel, move,
    and whether a cancellation now is late): the portal, the manage link and the API
    all ask here."""
    return cancellation.patient_change(
        booked=appointment.status == AppointmentStatus.BOOKED,
        status_label=appointment.get_status_display(),
        start=appointment.start,
        now=now,
        notice_hours=appointment.room.location.clinic.cancellation_notice_hours,
        service_name=appointment.service.name,
        bookable_online=appointment.service.bookable_online,
    )


def appointment_cancel(
    appointment: Appointment,
    *,
    reason: str = "",
    cancelled_by: str = CancelledBy.PATIENT,
    now: datetime | None = None,
) -> Appointment:
    """Cancel. A patient's cancellation inside the clinic's notice period is recorded as
    late; the clinic's own (a practitioner off sick) never counts against the patient."""
    if cancelled_by not in CancelledBy.values:
        raise InvalidRequest(
            "invalid_choice", "Say whether the patient or the clinic cancelled.", field="by"
        )
    with transaction.atomic():
        locked = (
            Appointment.objects.select_for_update()
            .select_related("room__location__clinic")
            .get(pk=appointment.pk)
        )
        cancel_locked(locked, reason=reason, cancelled_by=cancelled_by, now=now or timezone.now())
    return locked


def cancel_locked(locked: Appointment, *, reason: str, cancelled_by: str, now: datetime):
    if locked.status != AppointmentStatus.BOOKED:
        raise Conflict(
            "not_cancellable",
            f"This appointment is {locked.get_status_display().lower()}; "
            "only a booked appointment can be cancelled.",
        )
    late = cancelled_by == CancelledBy.PATIENT and is_late(locked, now=now)
    old = locked.status
    locked.status = AppointmentStatus.LATE_CANCELLED if late else AppointmentStatus.CANCELLED
    locked.cancelled_at = now
    locked.cancelled_by = cancelled_by
    locked.cancellation_reason = reason[:200]
    locked.save()
    by_clinic = cancelled_by == CancelledBy.CLINIC
    audit.record(
        AuditAction.CHANGE,
        locked,
        changed_fields=["status", "cancelled_by"] if by_clinic else ["status"],
        detail=f"{locked.status} by the clinic" if by_clinic else locked.status,
    )
    visit_status_changed.send(sender=Appointment, appointment=locked, old=old, new=locked.status)
    announce_freed(locked)


# How long after a cancellation staff may take it back (the undo offered after it).
UNDO_WINDOW = timedelta(minutes=10)


def appointment_cancel_undo(appointment: Appointment, *, now: datetime | None = None):
    """Take back a cancellation made in the last few minutes: the visit is booked again at
    its time, checked like a new booking (someone may have taken the time since)."""
    now = now or timezone.now()
    cancelled = (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED)
    if appointment.status not in cancelled:
        raise Conflict("not_cancelled", "This appointment is not cancelled.")
    if appointment.cancelled_at is None or now - appointment.cancelled_at > UNDO_WINDOW:
        raise Conflict(
            "undo_expired", "It is too late to undo this cancellation: book the time again."
        )
    slot = Slot(
        appointment.practitioner,
        appointment.room,
        appointment.service,
        appointment.start,
        appointment.end,
    )
    check_slot(slot, now=now, extra_session=appointment.extra_session)
    try:
        with transaction.atomic():
            lock(slot)
            locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
            if locked.status not in cancelled:
                raise Conflict("not_cancelled", "This appointment is not cancelled.")
            check_free(slot, patient=locked.patient, ignore=locked)
            locked.status = AppointmentStatus.BOOKED
            locked.cancelled_at, locked.cancelled_by, locked.cancellation_reason = None, "", ""
            locked.held_until = slot.held_until
            locked.save()
            audit.record(
                AuditAction.CHANGE, locked, changed_fields=["status"], detail="cancellation undone"
            )
    except IntegrityError as exc:
        raise slot_taken(slot, patient=appointment.patient, ignore=appointment) from exc
    return locked


def announce_freed(appointment: Appointment) -> None:
    """Once the caller's transaction commits, announce that the time ``appointment`` held
    (before a move or cancellation) is free: the waitlist offers it. Robust: a listener's
    failure is logged, and never undoes or fails the change itself."""
    freed = Freed(
        practitioner_id=appointment.practitioner_id,
        location_id=appointment.room.location_id,
        start=appointment.start,
        end=appointment.end,
    )
    transaction.on_commit(lambda: time_freed.send(sender=Appointment, freed=freed), robust=True)


# Which status changes the front desk and clinicians can make by hand.
_TRANSITIONS = {
    AppointmentStatus.BOOKED: {AppointmentStatus.ARRIVED, AppointmentStatus.DID_NOT_ATTEND},
    AppointmentStatus.ARRIVED: {AppointmentStatus.COMPLETED, AppointmentStatus.BOOKED},
    AppointmentStatus.DID_NOT_ATTEND: {AppointmentStatus.BOOKED},
}


def arrival_opens(appointment: Appointment) -> datetime:
    """The earliest a visit can be marked arrived: the clinic's window before its start."""
    clinic = appointment.room.location.clinic
    return appointment.start - timedelta(minutes=clinic.arrival_window_minutes)


def appointment_set_status(
    appointment: Appointment, *, status: str, now: datetime | None = None
) -> Appointment:
    now = now or timezone.now()
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        allowed = _TRANSITIONS.get(locked.status, set())
        if status not in allowed:
            known = status in AppointmentStatus.values
            wanted = AppointmentStatus(status).label if known else status
            raise Conflict(
                "invalid_status_change",
                f"This appointment is marked “{locked.get_status_display()}”; "
                f"it cannot be changed to “{wanted}”.",
            )
        if status == AppointmentStatus.DID_NOT_ATTEND and locked.start > now:
            raise Conflict("not_yet_due", "An appointment cannot be missed before it starts.")
        if status == AppointmentStatus.ARRIVED and now < arrival_opens(locked):
            opens = timezone.localtime(arrival_opens(locked))
            raise Conflict(
                "too_early_to_arrive",
                f"This visit starts {format_datetime(timezone.localtime(locked.start))}: the "
                f"patient can be marked arrived from {opens:%H:%M} "
                f"({locked.room.location.clinic.arrival_window_minutes} minutes before).",
            )
        old, locked.status = locked.status, status
        locked.save(update_fields=["status", "updated_at"])
        audit.record(AuditAction.CHANGE, locked, changed_fields=["status"], detail=status)
        visit_status_changed.send(sender=Appointment, appointment=locked, old=old, new=status)
    return locked


def appointment_set_notes(appointment: Appointment, *, notes: str) -> Appointment:
    """Replace the front-desk notes (administrative only: never clinical content)."""
    with transaction.atomic():
        locked = Appointment.objects.select_for_update().get(pk=appointment.pk)
        if locked.notes == notes:
            return locked
        locked.notes = notes
        locked.save(update_fields=["notes", "updated_at"])
        audit.record(AuditAction.CHANGE, locked, changed_fields=["notes"])
    return locked


def appointment_update(
    appointment: Appointment,
    *,
    start: datetime | None = None,
    practitioner: Practitioner | None = None,
    room: Room | None = None,
    notes: str | None = None,
    status: str | None = None,
    extra_session: bool = False,
) -> Appointment:
    """Several changes to one appointment at once, all or none: move, notes, then status.

    Only what differs is changed, so a client may send back what it read plus its edit.
    """
    moves = (
        (start is not None and start != appointment.start)
        or (practitioner is not None and practitioner.pk != appointment.practitioner_id)
        or (room is not None and room.pk != appointment.room_id)
    )
    try:
        with transaction.atomic():
            if moves:
                appointment = appointment_move(
                    appointment,
                    start=start or appointment.start,
                    practitioner=practitioner,
                    room=room,
                    extra_session=extra_session,
                )
            if notes is not None:
                appointment = appointment_set_notes(appointment, notes=notes)
            if status is not None and status != appointment.status:
                appointment = appointment_set_status(appointment, status=status)
    except IntegrityError as exc:
        # PostgreSQL's overlap constraint caught a clash the checks missed.
        raise Conflict("slot_taken", "That time has just been taken.") from exc
    return appointment

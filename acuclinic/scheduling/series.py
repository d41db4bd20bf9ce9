"""Courses of sessions: book a series in one action; move or cancel the rest of it.

Acupuncture for chronic pain is a course — typically six weekly sessions — so a series
is planned and booked as one thing. Every session is checked, not only the first few;
where one is not free the plan proposes the nearest free alternative for that date
(same practitioner first); the user confirms, and all the sessions are booked or none
is. Sessions fall on the same weekday at the same local time, so a weekly 10:00 stays
at 10:00 across the clock change.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Room, Service
from acuclinic.core.errors import Conflict, InvalidRequest, ServiceError
from acuclinic.core.formats import format_datetime
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling import queries, services, slots
from acuclinic.scheduling.choices import AppointmentStatus, CancelledBy, Channel
from acuclinic.scheduling.models import (
    MAX_SERIES_INTERVAL_WEEKS,
    MAX_SERIES_SESSIONS,
    Appointment,
    Series,
)


@dataclass(frozen=True)
class Choice:
    """Who, where and when one session is booked for."""

    start: datetime
    practitioner: Practitioner
    room: Room


@dataclass
class PlannedSession:
    """One session of a plan: the time it would have, and whether that is free."""

    index: int  # 1-based, as in "session 3 of 6"
    wanted: Choice
    end: datetime
    problem: ServiceError | None = None
    alternative: queries.FreeSlot | None = None
    appointment: Appointment | None = None  # the session being moved, when moving

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def start_display(self) -> str:
        return format_datetime(self.wanted.start, self.wanted.start.tzinfo)


@dataclass
class Plan:
    sessions: list[PlannedSession] = field(default_factory=list)

    @property
    def all_free(self) -> bool:
        return all(s.ok for s in self.sessions)

    @property
    def bookable(self) -> bool:
        """Every session is free or has an alternative to take instead."""
        return all(s.ok or s.alternative is not None for s in self.sessions)

    @property
    def first_problem(self) -> PlannedSession | None:
        return next((s for s in self.sessions if not s.ok), None)

    def alternatives_taken(self) -> dict[int, Choice]:
        """Choices that book every session that is not free at its alternative."""
        return {
            s.index: Choice(s.alternative.start, s.alternative.practitioner, s.alternative.room)
            for s in self.sessions
            if not s.ok and s.alternative is not None
        }

    def as_json(self) -> list[dict]:
        return [_session_json(s) for s in self.sessions]


def _session_json(s: PlannedSession) -> dict:
    tz = s.wanted.start.tzinfo
    return {
        "index": s.index,
        "appointment": s.appointment.pk if s.appointment is not None else None,
        "start": s.wanted.start.isoformat(),
        "end": s.end.astimezone(tz).isoformat(),
        "start_display": s.start_display,
        "practitioner": {"id": s.wanted.practitioner.pk, "name": s.wanted.practitioner.name},
        "room": {"id": s.wanted.room.pk, "name": s.wanted.room.name},
        "ok": s.ok,
        "problem": None if s.ok else {"code": s.problem.code, "message": s.problem.message},
        "alternative": s.alternative.as_json() if s.alternative is not None else None,
    }


# Planning ----------------------------------------------------------------------------


def check_shape(*, sessions: int, interval_weeks: int) -> None:
    if sessions > MAX_SERIES_SESSIONS:
        raise InvalidRequest(
            "series_too_long",
            f"A series can have at most {MAX_SERIES_SESSIONS} sessions (a year of weekly "
            "sessions); plan a review before booking further.",
            field="sessions",
        )
    if sessions < 2:
        raise InvalidRequest(
            "series_too_short", "A series has at least two sessions.", field="sessions"
        )
    if not 1 <= interval_weeks <= MAX_SERIES_INTERVAL_WEEKS:
        raise InvalidRequest(
            "invalid_interval",
            f"Sessions can be every 1 to {MAX_SERIES_INTERVAL_WEEKS} weeks.",
            field="interval_weeks",
        )


def session_starts(first_start: datetime, *, sessions: int, interval_weeks: int, tz) -> list:
    """Each session's start: the first one's weekday and wall-clock time, so 10:00 stays
    10:00 when the clocks change between sessions."""
    local = first_start.astimezone(tz)
    return [
        datetime.combine(day, local.time(), tzinfo=tz)
        for day in slots.recurring_days(local.date(), sessions, interval_weeks)
    ]


def _slot(choice: Choice, service: Service, length: timedelta) -> services.Slot:
    return services.Slot(
        choice.practitioner, choice.room, service, choice.start, choice.start + length
    )


def _problem(
    slot: services.Slot, *, patient: Patient, now: datetime, ignore_ids: Iterable[int] = ()
) -> ServiceError | None:
    """Why this session cannot be booked, or None when it can."""
    try:
        services.check_slot(slot, now=now)
    except InvalidRequest as exc:
        return exc
    found = services.clash(slot, patient=patient, ignore_ids=list(ignore_ids))
    return Conflict(*found) if found else None


def _nearest(slot: services.Slot, *, patient: Patient, ignore=None):
    found = queries.nearest_free(
        service=slot.service,
        location=slot.location,
        wanted=slot.start,
        practitioner=slot.practitioner,
        patient=patient,
        ignore=ignore,
        limit=1,
    )
    return found[0] if found else None


def _check_request(*, practitioner, room, service, first_start, now) -> services.Slot:
    """What refuses every session alike refuses the request: bad times, an unknown or
    unqualified practitioner, a room that is closed or lacks a couch."""
    first = services.Slot(
        practitioner,
        room,
        service,
        first_start,
        first_start + timedelta(minutes=service.duration_minutes),
    )
    services.check_times(first.start, first.end, now=now, tz=room.location.tz)
    services.check_parties(first)
    return first


def series_plan(
    *,
    patient: Patient,
    practitioner: Practitioner,
    room: Room,
    service: Service,
    first_start: datetime,
    sessions: int,
    interval_weeks: int = 1,
    now: datetime | None = None,
) -> Plan:
    """Check every session of the series asked for; for each one that cannot be booked,
    say why and offer the nearest free alternative that day (same practitioner first)."""
    now = now or timezone.now()
    check_shape(sessions=sessions, interval_weeks=interval_weeks)
    _check_request(
        practitioner=practitioner, room=room, service=service, first_start=first_start, now=now
    )
    length = timedelta(minutes=service.duration_minutes)
    tz = room.location.tz
    plan = Plan()
    starts = session_starts(first_start, sessions=sessions, interval_weeks=interval_weeks, tz=tz)
    for index, start in enumerate(starts, start=1):
        wanted = Choice(start, practitioner, room)
        slot = _slot(wanted, service, length)
        session = PlannedSession(index, wanted, slot.end)
        session.problem = _problem(slot, patient=patient, now=now)
        if session.problem is not None:
            session.alternative = _nearest(slot, patient=patient)
        plan.sessions.append(session)
    return plan


def _lock_all(chosen: Iterable[services.Slot]) -> None:
    """Lock every practitioner and room involved, in id order so writers never deadlock."""
    chosen = list(chosen)
    for pk in sorted({s.practitioner.pk for s in chosen}):
        list(Practitioner.objects.select_for_update().filter(pk=pk))
    for pk in sorted({s.room.pk for s in chosen}):
        list(Room.objects.select_for_update().filter(pk=pk))


def series_book(
    *,
    patient: Patient,
    practitioner: Practitioner,
    room: Room,
    service: Service,
    first_start: datetime,
    sessions: int,
    interval_weeks: int = 1,
    choices: dict[int, Choice] | None = None,
    channel: str = Channel.PHONE,
    notes: str = "",
    user=None,
    now: datetime | None = None,
) -> Series:
    """Book every session, or none: each at the series' weekday and time unless
    ``choices`` gives another slot for it (an alternative the user accepted).

    Everything is checked again inside one transaction; if any session is no longer
    free, nothing is booked and the ``Conflict`` carries a fresh plan.
    """
    now = now or timezone.now()
    choices = choices or {}
    check_shape(sessions=sessions, interval_weeks=interval_weeks)
    unknown = sorted(set(choices) - set(range(1, sessions + 1)))
    if unknown:
        raise InvalidRequest(
            "unknown_session",
            f"The series has sessions 1 to {sessions}; there is no session {unknown[0]}.",
            field="choices",
        )
    if channel not in Channel.values:
        raise InvalidRequest("invalid_channel", f"Unknown channel “{channel}”.", field="channel")
    _check_request(
        practitioner=practitioner, room=room, service=service, first_start=first_start, now=now
    )
    for choice in choices.values():
        _check_request(
            practitioner=choice.practitioner,
            room=choice.room,
            service=service,
            first_start=choice.start,
            now=now,
        )
    length = timedelta(minutes=service.duration_minutes)
    tz = room.location.tz
    starts = session_starts(first_start, sessions=sessions, interval_weeks=interval_weeks, tz=tz)
    chosen = [
        _slot(choices.get(index) or Choice(start, practitioner, room), service, length)
        for index, start in enumerate(starts, start=1)
    ]

    def refused(index: int, problem: ServiceError) -> Conflict:
        fresh = series_plan(
            patient=patient,
            practitioner=practitioner,
            room=room,
            service=service,
            first_start=first_start,
            sessions=sessions,
            interval_weeks=interval_weeks,
            now=now,
        )
        return Conflict(
            "series_conflict",
            f"Session {index} ({format_datetime(chosen[index - 1].start, tz)}) cannot be "
            f"booked: {problem.message} Nothing was booked.",
            extra={"session": index, "reason": problem.code, "plan": fresh.as_json()},
        )

    for index, slot in enumerate(chosen, start=1):
        try:
            services.check_slot(slot, now=now)
        except InvalidRequest as exc:
            raise refused(index, exc) from exc
    try:
        with transaction.atomic():
            _lock_all(chosen)
            series = Series.objects.create(
                patient=patient,
                practitioner=practitioner,
                service=service,
                location=room.location,
                weekday=starts[0].weekday(),
                local_time=starts[0].time(),
                interval_weeks=interval_weeks,
                sessions=sessions,
                created_by=user if user is not None and user.is_authenticated else None,
            )
            audit.record(
                AuditAction.CREATE, series, detail=f"{sessions} sessions {series.cadence_display}"
            )
            for index, slot in enumerate(chosen, start=1):
                found = services.clash(slot, patient=patient)
                if found is not None:
                    raise refused(index, Conflict(*found))
                services.insert(
                    slot,
                    patient=patient,
                    channel=channel,
                    notes=notes,
                    user=user,
                    series=series,
                    series_index=index,
                )
    except IntegrityError as exc:
        # PostgreSQL's overlap constraint caught a booking made in between.
        raise Conflict(
            "series_conflict", "A session has just been taken. Nothing was booked."
        ) from exc
    return series


# The rest of a series ------------------------------------------------------------------


def rest_of_series(appointment: Appointment) -> list[Appointment]:
    """This session and the later booked ones of its series, in order."""
    if appointment.series_id is None:
        raise InvalidRequest("not_in_series", "This appointment is not part of a series.")
    return list(
        Appointment.objects.filter(
            series_id=appointment.series_id,
            status=AppointmentStatus.BOOKED,
            start__gte=appointment.start,
        )
        .select_related("practitioner__user", "room__location__clinic", "service", "patient")
        .order_by("start")
    )


def series_cancel_rest(
    appointment: Appointment,
    *,
    reason: str = "",
    cancelled_by: str = CancelledBy.PATIENT,
    now: datetime | None = None,
) -> list[Appointment]:
    """Cancel this session and every later booked one of its series, all or none. Each
    is late or not on its own (only the nearest can be inside the notice period)."""
    now = now or timezone.now()
    if cancelled_by not in CancelledBy.values:
        raise InvalidRequest(
            "invalid_choice", "Say whether the patient or the clinic cancelled.", field="by"
        )
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict("not_cancellable", "Only a booked session can be cancelled.")
    with transaction.atomic():
        rest = rest_of_series(appointment)
        locked = {
            a.pk: a
            for a in Appointment.objects.select_for_update()
            .filter(pk__in=[a.pk for a in rest])
            .select_related("room__location__clinic")
        }
        for session in rest:
            services.cancel_locked(
                locked[session.pk], reason=reason, cancelled_by=cancelled_by, now=now
            )
    return [locked[a.pk] for a in rest]


def series_move_rest(
    appointment: Appointment,
    *,
    start: datetime,
    practitioner: Practitioner | None = None,
    room: Room | None = None,
    dry_run: bool = False,
    now: datetime | None = None,
) -> Plan:
    """Move this session to ``start`` and every later booked one by the same number of
    days to the same new local time (and practitioner or room, if given): all or none.

    With ``dry_run`` nothing changes: the plan says, session by session, whether the new
    time is free and, if not, offers the nearest alternative.
    """
    now = now or timezone.now()
    if timezone.is_naive(start):
        raise InvalidRequest(
            "naive_datetime", "Times must include a time zone offset.", field="start"
        )
    if appointment.status != AppointmentStatus.BOOKED:
        raise Conflict("not_movable", "Only a booked session can be moved.")
    rest = rest_of_series(appointment)
    tz = appointment.room.location.tz
    new_local = start.astimezone(tz)
    shift = new_local.date() - appointment.start.astimezone(tz).date()
    moving = [a.pk for a in rest]
    plan = Plan()
    for session in rest:
        when = datetime.combine(
            session.start.astimezone(tz).date() + shift, new_local.time(), tzinfo=tz
        )
        to = Choice(when, practitioner or session.practitioner, room or session.room)
        slot = _slot(to, session.service, session.end - session.start)
        if session.pk == appointment.pk:
            services.check_times(slot.start, slot.end, now=now, tz=tz)
            services.check_parties(slot)
        planned = PlannedSession(session.series_index, to, slot.end, appointment=session)
        # Sessions of this series that move too are not in the way.
        planned.problem = _problem(slot, patient=session.patient, now=now, ignore_ids=moving)
        if planned.problem is not None:
            planned.alternative = _nearest(slot, patient=session.patient, ignore=session)
        plan.sessions.append(planned)
    if dry_run:
        return plan
    bad = plan.first_problem
    if bad is not None:
        raise Conflict(
            "series_conflict",
            f"Session {bad.index} ({bad.start_display}) cannot move: {bad.problem.message} "
            "Nothing was moved.",
            extra={"session": bad.index, "reason": bad.problem.code, "plan": plan.as_json()},
        )
    _apply_moves(plan, moving=moving)
    return plan


def _apply_moves(plan: Plan, *, moving: list[int]) -> None:
    chosen = [_slot(s.wanted, s.appointment.service, s.end - s.wanted.start) for s in plan.sessions]
    try:
        with transaction.atomic():
            _lock_all(chosen)
            locked = {
                a.pk: a
                for a in Appointment.objects.select_for_update().filter(
                    pk__in=moving, status=AppointmentStatus.BOOKED
                )
            }
            if len(locked) != len(moving):
                raise Conflict(
                    "series_changed",
                    "A session of the series changed meanwhile; nothing was moved.",
                )
            pairs = list(zip(plan.sessions, chosen, strict=True))
            if pairs and pairs[0][1].start > pairs[0][0].appointment.start:
                # Moving later: the last session first, so each one moves into time its
                # successor has already left (PostgreSQL checks overlaps row by row).
                pairs.reverse()
            for session, slot in pairs:
                found = services.clash(slot, patient=session.appointment.patient, ignore_ids=moving)
                if found is not None:
                    raise Conflict(
                        "series_conflict",
                        f"Session {session.index} ({session.start_display}) has just been "
                        f"taken: {found[1]} Nothing was moved.",
                        extra={"session": session.index, "reason": found[0]},
                    )
                services.move_locked(
                    locked[session.appointment.pk],
                    slot,
                    extra_session=False,
                    why="moved with the rest of its series",
                )
    except IntegrityError as exc:
        raise Conflict(
            "series_conflict", "A new time has just been taken. Nothing was moved."
        ) from exc

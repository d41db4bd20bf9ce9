"""Reads for scheduling: the availability engine's inputs, loaded in a few queries, and
what the pages and the API show about a patient's attendance.

``find_slots`` is what the diary, the booking service (for alternatives), the API and
the online booking pages call: it turns database rows into the plain values of
``scheduling.slots`` and the engine's answer back into practitioners and rooms.
"""

from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from acuclinic.clinic.models import Clinic, Location, OpeningHours, Room, Service
from acuclinic.core.formats import format_datetime
from acuclinic.people.credentials import CredentialFacts
from acuclinic.people.models import Credential, Patient, Practitioner, licensing_of
from acuclinic.scheduling import slots
from acuclinic.scheduling.choices import AppointmentStatus, CancelledBy, ExceptionKind
from acuclinic.scheduling.models import (
    VISIT_RELATIONS,
    Appointment,
    RoomClosure,
    WorkingException,
    WorkingPattern,
)

# Staff may book up to two years ahead (further is a typing mistake: 2062 for 2026).
STAFF_HORIZON = timedelta(days=730)
# Days are searched a week at a time, so "the next free slots" reads one week of the
# diary, not the whole window, when the first week has enough.
CHUNK_DAYS = 7


class FreeSlot(NamedTuple):
    """A free slot with its practitioner and room, times in the location's zone.

    A named tuple, not a dataclass: a search of a quiet six weeks makes thousands, and a
    tuple is made at C speed."""

    start: datetime
    end: datetime
    practitioner: Practitioner
    room: Room

    @property
    def start_display(self) -> str:
        return format_datetime(self.start, self.start.tzinfo)

    def as_json(self) -> dict:
        """How a slot travels in API answers, e.g. in a clash's ``alternatives``."""
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "start_display": self.start_display,
            "practitioner": {"id": self.practitioner.pk, "name": self.practitioner.name},
            "room": {"id": self.room.pk, "name": self.room.name},
        }


@dataclass(frozen=True)
class BookingWindow:
    """The earliest and the latest start a booking may have."""

    earliest: datetime
    latest: datetime


def booking_window(clinic: Clinic, *, now: datetime, online: bool) -> BookingWindow:
    """Patients booking online need the clinic's minimum notice and may book only as far
    ahead as it opens; staff may book from now on, up to two years ahead."""
    if online:
        return BookingWindow(
            earliest=now + timedelta(hours=clinic.min_booking_notice_hours),
            latest=now + timedelta(days=clinic.booking_horizon_days),
        )
    return BookingWindow(earliest=now, latest=now + STAFF_HORIZON)


def local_day_bounds(location: Location, first_day: date, last_day: date) -> tuple:
    """The instants from the start of ``first_day`` to the end of ``last_day``, locally."""
    tz = location.tz
    begin = datetime.combine(first_day, time.min, tzinfo=tz).astimezone(UTC)
    end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return begin, end


def location_facts(location: Location) -> slots.Location:
    hours = OpeningHours.objects.filter(location=location).values_list("weekday", "opens", "closes")
    return slots.Location(time_zone=location.time_zone, opening=tuple(hours))


def _change(row) -> slots.DayChange:
    kind, first_day, last_day, starts, ends = row
    return slots.DayChange(
        first_day=first_day,
        last_day=last_day,
        adds=kind == ExceptionKind.EXTRA,
        starts=starts,
        ends=ends,
    )


def working_time_facts(
    location: Location, first_day: date, last_day: date, practitioner_ids=None
) -> dict[int, tuple[tuple, tuple]]:
    """Each practitioner's weekly hours at ``location`` and the exceptions that apply
    there between two days, as the engine takes them: two queries. Practitioners with
    only exceptions (an extra session) are included; those without any are not."""
    patterns = WorkingPattern.objects.filter(location=location, valid_from__lte=last_day).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=first_day)
    )
    changes = WorkingException.objects.filter(
        first_day__lte=last_day, last_day__gte=first_day
    ).filter(Q(location__isnull=True) | Q(location=location))
    if practitioner_ids is not None:
        patterns = patterns.filter(practitioner_id__in=practitioner_ids)
        changes = changes.filter(
            Q(practitioner__isnull=True) | Q(practitioner_id__in=practitioner_ids)
        )
    weekly = defaultdict(list)
    for pid, weekday, starts, ends, valid_from, valid_until in patterns.values_list(
        "practitioner_id", "weekday", "starts", "ends", "valid_from", "valid_until"
    ):
        weekly[pid].append(slots.WeeklyHours(weekday, starts, ends, valid_from, valid_until))
    everyone, own = [], defaultdict(list)
    for pid, *row in changes.values_list(
        "practitioner_id", "kind", "first_day", "last_day", "starts", "ends"
    ):
        (everyone if pid is None else own[pid]).append(_change(row))
    wanted = set(weekly) | set(own) | set(practitioner_ids or ())
    return {pid: (tuple(weekly[pid]), tuple(everyone + own[pid])) for pid in wanted}


def working_hours(
    location: Location, practitioner_ids: list[int], days: list[date]
) -> dict[tuple[int, date], list[tuple[time, time]]]:
    """When each practitioner works at ``location`` on each of ``days``, as local times
    (for the diary): usual hours plus extra sessions, minus time off, inside opening."""
    if not days:
        return {}
    facts = location_facts(location)
    working = working_time_facts(location, min(days), max(days), practitioner_ids)
    hours = {}
    for pid in practitioner_ids:
        weekly, changes = working.get(pid, ((), ()))
        who = slots.Practitioner(id=pid, weekly=weekly, changes=changes)
        for day in days:
            hours[(pid, day)] = [
                (_clock(start), _clock(end))
                for start, end in slots.working_periods(facts, who, day)
            ]
    return hours


def _clock(seconds: int) -> time:
    """Local seconds as a time of day; the end of the day is the last second of it."""
    seconds = min(seconds, 24 * 3600 - 1)
    return time(seconds // 3600, seconds // 60 % 60, seconds % 60)


def _held_rows(held: QuerySet) -> list[tuple]:
    """(practitioner id, room id, start, held until) of each of ``held``, as the ORM's
    ``values_list`` would give them, read with the database cursor directly: for the
    thousand or more bookings a search reads, the ORM's converters (a chain of calls
    for each value) cost more than the query.

    On SQLite the driver already parses the datetimes, naive in the connection's zone;
    they are made aware as the ORM's converter makes them. PostgreSQL's come aware."""
    rows = held.values_list("practitioner_id", "room_id", "start", "held_until")
    connection = connections[rows.db]
    try:
        sql, params = rows.query.get_compiler(using=rows.db).as_sql()
    except EmptyResultSet:  # nobody and no room to look for
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    if not fetched or fetched[0][2].tzinfo is not None:
        return fetched
    zone = connection.timezone
    return [
        (pid, room_id, start.replace(tzinfo=zone), until.replace(tzinfo=zone))
        for pid, room_id, start, until in fetched
    ]


class _Loader:
    """Loads what the engine needs for one service at one location."""

    def __init__(
        self,
        *,
        service: Service,
        location: Location,
        first_day: date,
        last_day: date,
        practitioner_ids: list[int] | None,
        patient: Patient | None,
        ignore: Appointment | None,
    ) -> None:
        self.service = service
        self.location = location
        self.ignore = ignore
        self.patient = patient
        self.facts = location_facts(location)
        if service.needs_acupuncture_qualification:
            # The council's licensing there: who needs its registration, and the premises'.
            self.facts = replace(self.facts, licensing=licensing_of(location))
        working = working_time_facts(location, first_day, last_day, practitioner_ids)
        # Only those who could work here in the window: a pattern or an extra session.
        here = {
            pid
            for pid, (weekly, changes) in working.items()
            if weekly or any(change.adds for change in changes)
        }
        self.practitioners = {
            p.pk: p
            for p in Practitioner.objects.filter(pk__in=here, is_active=True).select_related("user")
        }
        credentials = defaultdict(list)
        if service.needs_acupuncture_qualification and self.practitioners:
            for pid, *row in Credential.objects.filter(
                practitioner_id__in=self.practitioners
            ).values_list("practitioner_id", "kind", "body", "valid_from", "valid_until"):
                credentials[pid].append(CredentialFacts(*row))
        self.base = {
            pid: slots.Practitioner(
                id=pid,
                weekly=working[pid][0],
                changes=working[pid][1],
                qualified=p.is_qualified_for(service.needling),
                profession=p.profession,
                credentials=tuple(credentials[pid]),
            )
            for pid, p in self.practitioners.items()
        }
        self.rooms = {
            r.pk: r
            for r in Room.objects.filter(location=location, is_active=True).select_related(
                "location"
            )
        }
        begin, end = local_day_bounds(location, first_day, last_day)
        closures = defaultdict(list)
        for room_id, starts, ends in RoomClosure.objects.filter(
            room_id__in=self.rooms, starts__lt=end, ends__gt=begin
        ).values_list("room_id", "starts", "ends"):
            closures[room_id].append(slots.Span(starts, ends))
        self.closures = closures

    def engine_inputs(self, first_day: date, last_day: date):
        """Practitioners and rooms with what they hold between ``first_day`` and
        ``last_day``: one query for the bookings, one for the patient's."""
        begin, end = local_day_bounds(self.location, first_day, last_day)
        held = (
            Appointment.objects.active()
            .holding(begin, end)
            .filter(Q(practitioner_id__in=self.base) | Q(room_id__in=self.rooms))
            .order_by()
        )
        if self.ignore is not None:
            held = held.exclude(pk=self.ignore.pk)
        by_practitioner, by_room = defaultdict(list), defaultdict(list)
        for pid, room_id, start, until in _held_rows(held):
            span = slots.Span(start, until)
            by_practitioner[pid].append(span)
            by_room[room_id].append(span)
        practitioners = [
            slots.Practitioner(**{**base.__dict__, "busy": tuple(by_practitioner[pid])})
            for pid, base in self.base.items()
        ]
        rooms = [
            slots.Room(
                id=room_id,
                suitable=room.has_couch or not self.service.needs_couch,
                closed=tuple(self.closures[room_id]),
                busy=tuple(by_room[room_id]),
            )
            for room_id, room in self.rooms.items()
        ]
        patient_busy = ()
        if self.patient is not None:
            visits = (
                Appointment.objects.active()
                .filter(patient=self.patient)
                .overlapping(begin, end)
                .order_by()
            )
            if self.ignore is not None:
                visits = visits.exclude(pk=self.ignore.pk)
            patient_busy = tuple(slots.Span(s, e) for s, e in visits.values_list("start", "end"))
        return practitioners, rooms, patient_busy

    def resolve(self, found: list[slots.Slot]) -> list[FreeSlot]:
        """The engine's slots with their practitioners and rooms, times in the
        location's zone. Slots share start and end times (several practitioners free at
        10:00, one visit's end another's start): each instant is converted once."""
        tz = self.location.tz
        local: dict[datetime, datetime] = {}
        practitioners, rooms = self.practitioners, self.rooms
        resolved = []
        append = resolved.append
        make = tuple.__new__  # FreeSlot(...) without the named tuple's Python-level __new__
        for start, practitioner_id, room_id, end in found:  # slots.Slot's fields
            local_start = local.get(start)
            if local_start is None:
                local_start = local[start] = start.astimezone(tz)
            local_end = local.get(end)
            if local_end is None:
                local_end = local[end] = end.astimezone(tz)
            free = (local_start, local_end, practitioners[practitioner_id], rooms[room_id])
            append(make(FreeSlot, free))
        return resolved


def _search(
    service, location, first_day, last_day, practitioner, patient, ignore, online, now
) -> tuple[_Loader, BookingWindow]:
    """The loader for a search and the window of time it may offer."""
    window = booking_window(location.clinic, now=now or timezone.now(), online=online)
    loader = _Loader(
        service=service,
        location=location,
        first_day=first_day,
        last_day=last_day,
        practitioner_ids=[practitioner.pk] if practitioner is not None else None,
        patient=patient,
        ignore=ignore,
    )
    return loader, window


def _engine_request(
    service: Service,
    window: BookingWindow,
    first_day: date,
    last_day: date,
    patient_busy: tuple,
    limit: int | None = None,
) -> slots.Request:
    return slots.Request(
        duration=timedelta(minutes=service.duration_minutes),
        turnover=timedelta(minutes=service.turnover_minutes),
        first_day=first_day,
        last_day=last_day,
        earliest=window.earliest,
        latest=window.latest,
        needs_credentials=service.needs_acupuncture_qualification,
        patient_busy=patient_busy,
        limit=limit,
    )


def find_slots(
    *,
    service: Service,
    location: Location,
    first_day: date,
    last_day: date,
    practitioner: Practitioner | None = None,
    patient: Patient | None = None,
    online: bool = False,
    limit: int | None = None,
    now: datetime | None = None,
    ignore: Appointment | None = None,
) -> list[FreeSlot]:
    """Free slots for ``service`` at ``location`` on ``first_day``…``last_day`` (local
    days), earliest first; for one practitioner or anyone who works there.

    ``patient`` leaves out times they are already booked; ``ignore`` treats one
    appointment as not there (the one being moved); ``online`` applies the clinic's
    minimum notice and booking horizon.
    """
    loader, window = _search(
        service, location, first_day, last_day, practitioner, patient, ignore, online, now
    )
    found: list[FreeSlot] = []
    # Without a limit every day is searched: one chunk, so one query for the bookings.
    chunk_days = CHUNK_DAYS if limit is not None else (last_day - first_day).days + 1
    chunk_start = first_day
    while chunk_start <= last_day:
        chunk_end = min(last_day, chunk_start + timedelta(days=chunk_days - 1))
        practitioners, rooms, patient_busy = loader.engine_inputs(chunk_start, chunk_end)
        request = _engine_request(
            service,
            window,
            chunk_start,
            chunk_end,
            patient_busy,
            limit=None if limit is None else limit - len(found),
        )
        found += loader.resolve(slots.free_slots(request, loader.facts, practitioners, rooms))
        if limit is not None and len(found) >= limit:
            break
        chunk_start = chunk_end + timedelta(days=1)
    return found


def find_weekly(
    *,
    service: Service,
    location: Location,
    first_day: date,
    weeks: int,
    practitioner: Practitioner | None = None,
    patient: Patient | None = None,
    online: bool = False,
    now: datetime | None = None,
) -> list[FreeSlot]:
    """The first time for a weekly course: the earliest start in the week from
    ``first_day`` whose weekday and local time are free in each of the next ``weeks``
    weeks, with the practitioner or with anyone (the first free each week). One slot per
    week, or [] when no time in that week is free every week.

    What is held in all the weeks is read once; the engine then looks only at the days
    each candidate time needs (slots.first_weekly)."""
    last_day = first_day + timedelta(weeks=weeks, days=-1)
    loader, window = _search(
        service, location, first_day, last_day, practitioner, patient, None, online, now
    )
    practitioners, rooms, patient_busy = loader.engine_inputs(first_day, last_day)
    request = _engine_request(service, window, first_day, last_day, patient_busy)
    course = slots.first_weekly(request, loader.facts, practitioners, rooms, weeks=weeks)
    return loader.resolve(course)


def nearest_free(
    *,
    service: Service,
    location: Location,
    wanted: datetime,
    practitioner: Practitioner,
    patient: Patient | None = None,
    ignore: Appointment | None = None,
    now: datetime | None = None,
    limit: int = 3,
    days_either_side: int = 3,
) -> list[FreeSlot]:
    """The free slots nearest ``wanted``: with ``practitioner`` first, then colleagues.

    The same day is searched first; only if it has nothing, the days either side too.
    """
    day = wanted.astimezone(location.tz).date()
    for spread in (0, days_either_side):
        found = find_slots(
            service=service,
            location=location,
            first_day=day - timedelta(days=spread),
            last_day=day + timedelta(days=spread),
            patient=patient,
            ignore=ignore,
            now=now,
        )
        by_key = {(f.start, f.practitioner.pk): f for f in found}
        engine_slots = [slots.Slot(f.start, f.practitioner.pk, f.room.pk, f.end) for f in found]
        chosen = slots.nearest(engine_slots, wanted, practitioner_id=practitioner.pk, limit=limit)
        if chosen:
            return [by_key[(s.start, s.practitioner_id)] for s in chosen]
    return []


# Attendance ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Attendance:
    """How reliably a patient turns up: late cancellations and missed visits count."""

    attended: int
    cancelled: int
    late_cancelled: int
    did_not_attend: int
    cancelled_by_clinic: int


def attendance(patient: Patient) -> Attendance:
    """Counts over all the patient's appointments, in one query. Cancellations the
    clinic made (a practitioner off sick) are counted apart and never against them."""
    counts = Appointment.objects.filter(patient=patient).aggregate(
        attended=Count("pk", filter=Q(status=AppointmentStatus.COMPLETED)),
        cancelled=Count(
            "pk",
            filter=Q(status=AppointmentStatus.CANCELLED) & ~Q(cancelled_by=CancelledBy.CLINIC),
        ),
        late_cancelled=Count("pk", filter=Q(status=AppointmentStatus.LATE_CANCELLED)),
        did_not_attend=Count("pk", filter=Q(status=AppointmentStatus.DID_NOT_ATTEND)),
        cancelled_by_clinic=Count("pk", filter=Q(cancelled_by=CancelledBy.CLINIC)),
    )
    return Attendance(**counts)


@dataclass(frozen=True)
class PatientVisits:
    """A patient's appointments as their record shows them: the latest hundred, split
    into those to come (soonest first) and those past (latest first)."""

    upcoming: list[Appointment]
    past: list[Appointment]

    @property
    def late_cancellations(self) -> int:
        return sum(a.status == AppointmentStatus.LATE_CANCELLED for a in self.upcoming + self.past)

    @property
    def missed(self) -> int:
        return sum(a.status == AppointmentStatus.DID_NOT_ATTEND for a in self.upcoming + self.past)


def patient_visits(patient: Patient, *, now: datetime) -> PatientVisits:
    # Through the patient's own relation, which gives each visit its patient without a
    # join, and with the rest read beside the visits, not joined: PostgreSQL took longer
    # to plan that join of eight tables (2–5 ms for the busiest record) than to run it,
    # and hashed every series to find a few. Reading the few practitioners, rooms and
    # services once each was 20–30% quicker on both databases (bench/profile_page.py).
    latest = list(patient.appointments.prefetch_related(*VISIT_RELATIONS).order_by("-start")[:100])
    return PatientVisits(
        upcoming=sorted((a for a in latest if a.start >= now), key=lambda a: a.start),
        past=[a for a in latest if a.start < now],
    )

"""The availability engine: free slots for a service at a location. Pure: no Django.

Everything it needs comes in as plain values — opening hours, each practitioner's weekly
hours and exceptions, what they and the rooms are already holding — and it answers with
free slots, earliest first. ``scheduling.queries`` loads those values from the database
in a few queries; the booking service uses the same rules to check a single booking.

The rules, in the order they are applied:

- A practitioner works, on a day, the hours of their weekly pattern at this location
  valid that day, plus any extra session, minus any time off (leave, training, a bank
  holiday); all of it inside the location's opening hours.
- They are offered only if qualified in the service's kind of acupuncture and, when the
  service needles, if their registration, membership and insurance hold that day, and
  so do the council's registrations or licences the location's licensing asks of them
  and of the premises (``people.credentials``).
- A visit must lie inside that working time. It holds the practitioner and a room for
  the visit plus the service's turnover (needles away, couch cleaned): that held time
  must not meet anything the practitioner or the room already holds, nor a room closure.
- The patient's own visits, when given, must not overlap the new visit.
- Starts fall on the local clock's steps (every 15 minutes: 09:00, 09:15…), no earlier
  than ``earliest`` (now, or now plus the minimum notice) and no later than ``latest``
  (how far ahead booking is open).

Working and opening hours are wall-clock times at the location, turned into instants day
by day with its time zone, so 10:00 is 10:00 in summer and in winter, and a time the
clock skips (01:30 on the spring change) is never offered. Inputs are never trusted to be
sorted: the answer is the same whatever order they come in.
"""

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from acuclinic.people.credentials import (
    NOT_LICENSED,
    CredentialFacts,
    Licensing,
    missing_credentials,
)

DAY_SECONDS = 24 * 60 * 60
STEP_MINUTES = 15

# Local periods of one day as seconds since local midnight: [(start, end), …].
Periods = list[tuple[int, int]]


@dataclass(frozen=True)
class Span:
    """A stretch of time between two aware instants, ``start`` included, ``end`` not."""

    start: datetime
    end: datetime


@dataclass(frozen=True)
class WeeklyHours:
    """A practitioner's usual hours on one weekday (Monday is 0), in local time."""

    weekday: int
    starts: time
    ends: time
    valid_from: date
    valid_until: date | None = None

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )


@dataclass(frozen=True)
class DayChange:
    """An exception on the days ``first_day``…``last_day``: an extra session when
    ``adds``, otherwise time off. Without times it is the whole of each day."""

    first_day: date
    last_day: date
    adds: bool
    starts: time | None = None
    ends: time | None = None

    def covers(self, day: date) -> bool:
        return self.first_day <= day <= self.last_day

    def periods(self) -> Periods:
        if self.starts is None or self.ends is None:
            return [(0, DAY_SECONDS)]
        return [(_seconds(self.starts), _seconds(self.ends))]


@dataclass(frozen=True)
class Location:
    time_zone: str
    # (weekday, opens, closes) in local time; a weekday may have several periods.
    opening: tuple[tuple[int, time, time], ...]
    # The council's licensing of acupuncture there, with the premises' registrations.
    licensing: Licensing = NOT_LICENSED

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.time_zone)


@dataclass(frozen=True)
class Practitioner:
    """One practitioner as the engine sees them at one location."""

    id: int
    weekly: tuple[WeeklyHours, ...] = ()  # their patterns at this location only
    changes: tuple[DayChange, ...] = ()  # exceptions that apply at this location
    busy: tuple[Span, ...] = ()  # what they already hold, anywhere: start to held-until
    qualified: bool = True  # in the service's kind of acupuncture (or it needles none)
    profession: str = ""
    credentials: tuple[CredentialFacts, ...] = ()


@dataclass(frozen=True)
class Room:
    id: int
    suitable: bool = True  # e.g. has the couch that needling needs
    closed: tuple[Span, ...] = ()
    busy: tuple[Span, ...] = ()


@dataclass(frozen=True)
class Request:
    """What is being looked for: a visit of ``duration`` on ``first_day``…``last_day``."""

    duration: timedelta
    first_day: date
    last_day: date
    earliest: datetime
    latest: datetime
    turnover: timedelta = timedelta(0)
    needs_credentials: bool = False
    patient_busy: tuple[Span, ...] = ()  # the patient's other visits
    step_minutes: int = STEP_MINUTES
    limit: int | None = None
    # Only these days of first_day…last_day (None: every day): a weekly course looks at
    # one weekday in each of several weeks, not at every day between.
    days: frozenset[date] | None = None


class Slot(NamedTuple):
    """A free visit: ``start``–``end`` with a practitioner, in a room (ordered by time).

    A named tuple, not a dataclass: a search may make thousands, and a tuple is made
    and compared at C speed."""

    start: datetime
    practitioner_id: int
    room_id: int
    end: datetime


# Local time helpers ------------------------------------------------------------------


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


def local_instant(day: date, seconds: int, tz: ZoneInfo) -> datetime | None:
    """The UTC instant of a wall-clock time on a local day; None if the clock skips it.

    ``seconds`` may be a whole day (24:00), meaning the next midnight.
    """
    if seconds >= DAY_SECONDS:
        day, seconds = day + timedelta(days=1), seconds - DAY_SECONDS
    wall = datetime.combine(day, time(seconds // 3600, seconds // 60 % 60, seconds % 60))
    instant = wall.replace(tzinfo=tz).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != wall:
        return None  # in the spring gap: that time does not exist that day
    return instant


def at_local(day: date, moment: time, tz: ZoneInfo) -> datetime | None:
    """``moment`` on ``day`` at the location, as a UTC instant (None in the spring gap)."""
    return local_instant(day, _seconds(moment), tz)


def recurring_days(first_day: date, count: int, interval_weeks: int = 1) -> list[date]:
    """The dates of a course: ``count`` sessions every ``interval_weeks`` from ``first_day``."""
    return [first_day + timedelta(weeks=interval_weeks * n) for n in range(count)]


# Periods arithmetic ------------------------------------------------------------------


def _union(periods: Iterable[tuple[int, int]]) -> Periods:
    merged: Periods = []
    for start, end in sorted(p for p in periods if p[1] > p[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def _subtract(periods: Periods, taken: Periods) -> Periods:
    left = []
    for start, end in periods:
        pieces = [(start, end)]
        for t_start, t_end in taken:
            pieces = [
                piece
                for a, b in pieces
                for piece in ((a, min(b, t_start)), (max(a, t_end), b))
                if piece[1] > piece[0]
            ]
        left += pieces
    return _union(left)


def _intersect(periods: Periods, within: Periods) -> Periods:
    return _union(
        (max(a, c), min(b, d)) for a, b in periods for c, d in within if min(b, d) > max(a, c)
    )


def opening_periods(location: Location, day: date) -> Periods:
    return _opening_on(location, day.weekday())


def _opening_on(location: Location, weekday: int) -> Periods:
    return _union(
        (_seconds(opens), _seconds(closes))
        for day_of_week, opens, closes in location.opening
        if day_of_week == weekday
    )


def working_periods(location: Location, practitioner: Practitioner, day: date) -> Periods:
    """When ``practitioner`` works at ``location`` on ``day``, in local seconds."""
    return _working_periods(
        practitioner.weekly, practitioner.changes, day, opening_periods(location, day)
    )


def _working_periods(
    weekly: Iterable[WeeklyHours], changes: Iterable[DayChange], day: date, opening: Periods
) -> Periods:
    """``working_periods`` from the practitioner's hours and exceptions that may apply on
    ``day`` and the location's opening periods that day."""
    if not opening:
        return []
    usual = [(_seconds(h.starts), _seconds(h.ends)) for h in weekly if h.applies_on(day)]
    today = [c for c in changes if c.covers(day)]
    if not usual and not any(c.adds for c in today):
        return []
    extra = [p for c in today if c.adds for p in c.periods()]
    off = _union(p for c in today if not c.adds for p in c.periods())
    working = _subtract(_union(usual + extra), off)
    return _intersect(working, opening)


def working_spans(location: Location, practitioner: Practitioner, day: date) -> list[Span]:
    """``working_periods`` as instants (a period starting in the spring gap starts when
    the clock resumes)."""
    tz = location.tz
    spans = []
    for start, end in working_periods(location, practitioner, day):
        begin = _first_instant_from(day, start, end, tz)
        finish = local_instant(day, end, tz) or _first_instant_from(day, end, DAY_SECONDS, tz)
        if begin is not None and finish is not None and finish > begin:
            spans.append(Span(begin, finish))
    return spans


def _first_instant_from(day: date, start: int, end: int, tz: ZoneInfo) -> datetime | None:
    for seconds in range(start, end + 1, 60):
        instant = local_instant(day, seconds, tz)
        if instant is not None:
            return instant
    return None


def within_working_time(
    location: Location, practitioner: Practitioner, start: datetime, end: datetime
) -> bool:
    """Whether the visit ``start``–``end`` lies inside one stretch of working time."""
    tz = location.tz
    day = start.astimezone(tz).date()
    return any(
        s.start <= start and end <= s.end for s in working_spans(location, practitioner, day)
    )


def away_during(
    location: Location, practitioner: Practitioner, start: datetime, end: datetime
) -> bool:
    """Whether time off (leave, training, a bank holiday) covers any of ``start``–``end``."""
    tz = location.tz
    local = start.astimezone(tz)
    off = _union(
        p
        for c in practitioner.changes
        if not c.adds and c.covers(local.date())
        for p in c.periods()
    )
    begin = _seconds(local.time())
    finish = begin + int((end - start).total_seconds())
    return any(a < finish and begin < b for a, b in off)


def within_opening_hours(location: Location, start: datetime, end: datetime) -> bool:
    tz = location.tz
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    if local_end.date() != local_start.date() and local_end.time() != time(0):
        return False
    begin = _seconds(local_start.time())
    finish = DAY_SECONDS if local_end.date() != local_start.date() else _seconds(local_end.time())
    return any(a <= begin and finish <= b for a, b in opening_periods(location, local_start.date()))


# Busy time ---------------------------------------------------------------------------


class _Busy:
    """Held stretches of time, merged, for a fast "does [a, b) meet any?" check."""

    def __init__(self, spans: Iterable[Span]) -> None:
        merged: list[list[datetime]] = []
        for span in sorted((s for s in spans if s.end > s.start), key=lambda s: s.start):
            if merged and span.start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], span.end)
            else:
                merged.append([span.start, span.end])
        self.starts = [m[0] for m in merged]
        self.ends = [m[1] for m in merged]

    def meets(self, start: datetime, end: datetime) -> bool:
        return self.blocked_until(start, end) is not None

    def blocked_until(self, start: datetime, end: datetime) -> datetime | None:
        """When the stretch that meets [start, end) ends; None if none does."""
        # The merged stretches are disjoint and sorted, so the last one starting before
        # ``end`` also ends latest among them.
        i = bisect_left(self.starts, end)
        if i > 0 and self.ends[i - 1] > start:
            return self.ends[i - 1]
        return None


class _DayClock:
    """Local seconds of one day as instants. On a day the offset does not change (every
    day but two a year) that is one addition, not a time zone look-up per step.

    ``visit`` gives a visit starting at a step as (start, end, held until), remembered
    in ``times``: every practitioner working that day shares the same instants."""

    def __init__(self, day: date, tz: ZoneInfo, duration=timedelta(0), hold=timedelta(0)):
        self.day, self.tz = day, tz
        midnight = datetime.combine(day, time(0), tzinfo=tz)
        last = datetime.combine(day, time(23, 59, 59), tzinfo=tz)
        self.steady = midnight.utcoffset() == last.utcoffset()
        self.midnight = midnight.astimezone(UTC)
        self.duration, self.hold = duration, hold
        self.times: dict[int, tuple] = {}

    def instant(self, seconds: int) -> datetime | None:
        if self.steady:
            return self.midnight + timedelta(seconds=seconds)
        return local_instant(self.day, seconds, self.tz)

    def visit(self, seconds: int) -> tuple:
        start = self.instant(seconds)
        if start is None:  # in the spring gap
            visit = (None, None, None)
        else:
            visit = (start, start + self.duration, start + self.hold)
        self.times[seconds] = visit
        return visit


@dataclass
class _Candidate:
    practitioner: Practitioner
    busy: _Busy
    # Their weekly hours by weekday, so each day looks only at its own.
    weekly: dict[int, tuple[WeeklyHours, ...]]


def _candidate(practitioner: Practitioner) -> _Candidate:
    weekly = {
        weekday: tuple(h for h in practitioner.weekly if h.weekday == weekday)
        for weekday in range(7)
    }
    return _Candidate(practitioner, _Busy(practitioner.busy), weekly)


def _start_of(slot: Slot) -> datetime:
    return slot.start


# The engine --------------------------------------------------------------------------


def free_slots(
    request: Request,
    location: Location,
    practitioners: Sequence[Practitioner],
    rooms: Sequence[Room],
) -> list[Slot]:
    """Every free slot, earliest first (then by practitioner), up to ``request.limit``."""
    limit = request.limit
    found: list[Slot] = []
    if limit is not None and limit <= 0:
        return found
    for day_slots in _free_days(request, location, practitioners, rooms):
        found += day_slots if limit is None else day_slots[: limit - len(found)]
        if limit is not None and len(found) >= limit:
            break
    return found


def _free_days(
    request: Request,
    location: Location,
    practitioners: Sequence[Practitioner],
    rooms: Sequence[Room],
) -> Iterator[list[Slot]]:
    """Each day's free slots, earliest first (then by practitioner), day by day."""
    tz = location.tz
    step = request.step_minutes * 60
    hold = request.duration + request.turnover
    candidates = [_candidate(p) for p in sorted(practitioners, key=lambda p: p.id) if p.qualified]
    # A closed room is as good as a booked one; the lowest id free room is offered.
    usable_rooms = []
    for room in sorted(rooms, key=lambda r: r.id):
        if room.suitable:
            busy = _Busy((*room.busy, *room.closed))
            usable_rooms.append((room.id, busy.starts, busy.ends))
    patient = _Busy(request.patient_busy)
    if not candidates or not usable_rooms:
        return
    opening = {weekday: _opening_on(location, weekday) for weekday in range(7)}

    day = request.first_day
    while day <= request.last_day:
        if request.days is not None and day not in request.days:
            day += timedelta(days=1)
            continue
        open_today = opening[day.weekday()]
        found: list[Slot] = []
        clock = _DayClock(day, tz, request.duration, hold) if open_today else None
        for candidate in candidates:
            periods = _working_periods(
                candidate.weekly[day.weekday()],
                candidate.practitioner.changes,
                day,
                open_today,
            )
            if periods:
                found += _slots_on(
                    clock,
                    candidate,
                    periods,
                    request,
                    step,
                    hold,
                    usable_rooms,
                    patient,
                    location.licensing,
                )
        # Each practitioner's slots come earliest first, practitioners in order of id:
        # a stable sort by start alone puts them in Slot order (start, then practitioner).
        found.sort(key=_start_of)
        yield found
        day += timedelta(days=1)


def _slots_on(
    clock: _DayClock,
    candidate: _Candidate,
    periods: Periods,
    request: Request,
    step: int,
    hold: timedelta,
    rooms: list[tuple[int, list[datetime], list[datetime]]],
    patient: _Busy,
    licensing: Licensing = NOT_LICENSED,
) -> list[Slot]:
    """One practitioner's free slots on the clock's day, inside their working
    ``periods`` that day (local seconds), earliest first."""
    practitioner = candidate.practitioner
    day, tz = clock.day, clock.tz
    if request.needs_credentials and missing_credentials(
        practitioner.profession, list(practitioner.credentials), day, licensing
    ):
        return []
    found: list[Slot] = []
    # This runs for every step of every working day searched: what it needs is looked up
    # once here, and the busy checks are ``_Busy.blocked_until`` written out.
    earliest, latest = request.earliest, request.latest
    busy_starts, busy_ends = candidate.busy.starts, candidate.busy.ends
    patient_meets = patient.meets if patient.starts else None
    pid = practitioner.id
    steady, times = clock.steady, clock.times
    make_slot = tuple.__new__  # Slot(...) without the named tuple's Python-level __new__
    for start_s, end_s in periods:
        period_end = clock.instant(end_s) if end_s < DAY_SECONDS else local_instant(day, end_s, tz)
        if period_end is None:
            continue
        seconds = -(-start_s // step) * step  # the first step on or after the period start
        while seconds < end_s:
            start, end, held = times.get(seconds) or clock.visit(seconds)
            if start is None or start < earliest:
                seconds += step
                continue
            if start > latest:
                return found
            if end > period_end:
                break
            i = bisect_left(busy_starts, held)
            if i and busy_ends[i - 1] > start:  # busy
                if steady:
                    # Jump to the first step at or after the booking's held time ends.
                    wait = (busy_ends[i - 1] - start).total_seconds()
                    seconds += max(step, -(-int(wait) // step) * step)
                else:
                    seconds += step
                continue
            if patient_meets is None or not patient_meets(start, end):
                for room_id, room_starts, room_ends in rooms:
                    j = bisect_left(room_starts, held)
                    if not j or room_ends[j - 1] <= start:
                        found.append(make_slot(Slot, (start, pid, room_id, end)))
                        break
            seconds += step
    return found


def first_weekly(
    request: Request,
    location: Location,
    practitioners: Sequence[Practitioner],
    rooms: Sequence[Room],
    *,
    weeks: int,
) -> list[Slot]:
    """A course of ``weeks`` weekly visits: the earliest start in the week from
    ``request.first_day`` whose weekday and local time are free in each of the
    ``weeks`` weeks, as one slot per week (the lowest practitioner id free then), or []
    when no time is. ``request.last_day`` must reach the last week.

    Day by day through the first week, each looking only at that weekday in the later
    weeks, so a search that finds a time early looks at ``weeks`` days, not all of them.
    """
    tz = location.tz
    last_first = min(request.first_day + timedelta(days=6), request.last_day)
    day = request.first_day
    while day <= last_first:
        dates = [day + timedelta(weeks=week) for week in range(weeks)]
        if dates[-1] > request.last_day:
            break
        on_those_days = replace(
            request, first_day=day, last_day=dates[-1], days=frozenset(dates), limit=None
        )
        # Each week's first slot at each local time (slots come earliest first).
        by_week: list[dict[time, Slot]] = [{} for _ in dates]
        for slot in free_slots(on_those_days, location, practitioners, rooms):
            local = slot.start.astimezone(tz)
            by_week[(local.date() - day).days // 7].setdefault(local.time(), slot)
        for at, first in by_week[0].items():  # earliest first: dicts keep insertion order
            course = [first]
            for later in by_week[1:]:
                slot = later.get(at)
                if slot is None:
                    break
                course.append(slot)
            if len(course) == weeks:
                return course
        day += timedelta(days=1)
    return []


# Choosing among slots ----------------------------------------------------------------


def one_per_start(slots: Iterable[Slot]) -> list[Slot]:
    """For "anyone": one slot per start time (the lowest practitioner id), earliest first."""
    chosen: dict[datetime, Slot] = {}
    for slot in sorted(slots):
        chosen.setdefault(slot.start, slot)
    return list(chosen.values())


def nearest(
    slots: Iterable[Slot], wanted: datetime, *, practitioner_id: int | None, limit: int = 3
) -> list[Slot]:
    """The slots nearest ``wanted``: up to ``limit`` with the practitioner asked for, then
    up to ``limit`` with others (one per start time), each group nearest first."""

    def distance(slot: Slot) -> tuple:
        return (abs(slot.start - wanted), slot.start, slot.practitioner_id)

    ordered = sorted(slots, key=distance)
    same = [s for s in ordered if s.practitioner_id == practitioner_id][:limit]
    others: list[Slot] = []
    starts: set[datetime] = set()
    for slot in ordered:
        if len(others) >= limit:
            break
        if slot.practitioner_id != practitioner_id and slot.start not in starts:
            others.append(slot)
            starts.add(slot.start)
    return same + others


# Parts of the day as patients ask for them ("mornings only"), by the local start time.
PARTS_OF_DAY = (
    ("morning", "Morning (before 12:00)"),
    ("afternoon", "Afternoon (12:00–17:00)"),
    ("evening", "Evening (from 17:00)"),
)


def part_of_day(local_start: time) -> str:
    """ "morning" before noon, "afternoon" until 17:00, "evening" after."""
    if local_start.hour < 12:
        return "morning"
    if local_start.hour < 17:
        return "afternoon"
    return "evening"


_ASKED = {
    "morning": ("morning", "mornings", "before work", "early"),
    "afternoon": ("afternoon", "afternoons", "lunchtime", "lunch time"),
    "evening": ("evening", "evenings", "after work", "after 5", "after 17"),
}


def parts_of_day_asked(text: str) -> list[str]:
    """The parts of the day a message asks for ("mornings are best" → ["morning"]), in
    the day's order; none named: []."""
    words = " ".join(text.lower().split())
    return [part for part, said in _ASKED.items() if any(phrase in words for phrase in said)]

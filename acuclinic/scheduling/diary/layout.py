"""Laying appointments out on the diary grid: rows of 15 minutes, one column per
practitioner or per room (day view) or per day (week view). Pure: no database access
here."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

STEP_MINUTES = 15


@dataclass
class Card:
    appointment: object
    row_start: int  # 1-based CSS grid line
    row_end: int
    lane: int = 1  # side-by-side position when cards overlap (week view, everyone)


@dataclass
class FreeSlot:
    row: int
    start: datetime


@dataclass
class Blocked:
    """Time in a column that cannot be booked, shown as such: a room closed for a while."""

    row_start: int
    row_end: int
    reason: str


@dataclass
class Column:
    label: str
    day: date
    practitioner: object | None
    cards: list[Card] = field(default_factory=list)
    free: list[FreeSlot] = field(default_factory=list)
    closed: bool = False
    lanes: int = 1
    # The practitioner's working time that day (local), when the column is theirs: free
    # times are offered only inside it. None: the location's opening hours.
    hours: list[tuple[time, time]] | None = None
    note: str = "Closed"  # what an empty column says
    # A room's column (the room view): its closures, (start, end, reason), are not free.
    room: object | None = None
    closures: list[tuple[datetime, datetime, str]] = field(default_factory=list)
    blocked: list[Blocked] = field(default_factory=list)


@dataclass
class Grid:
    first: time
    last: time
    times: list[str]  # row labels, "08:00", "08:15"…
    columns: list[Column]

    @property
    def rows(self) -> int:
        return len(self.times)


def span(opening: dict[int, list[tuple[time, time]]], days: list[date]) -> tuple[time, time]:
    """The earliest opening and latest closing over the days shown."""
    periods = [p for d in days for p in opening.get(d.weekday(), [])]
    if not periods:
        return time(9), time(17)
    return min(p[0] for p in periods), max(p[1] for p in periods)


def _row_of(moment: datetime, day: date, first: time, tz: ZoneInfo) -> int:
    local = moment.astimezone(tz)
    minutes = (local.hour * 60 + local.minute) - (first.hour * 60 + first.minute)
    if local.date() != day:
        minutes = -1 if local.date() < day else 24 * 60
    return minutes // STEP_MINUTES + 1


def assign_lanes(cards: list[Card]) -> int:
    """Give overlapping cards different lanes (first free lane, by start); return the count."""
    lane_ends: list[int] = []
    for card in sorted(cards, key=lambda c: (c.row_start, c.row_end, c.appointment.pk)):
        for i, end in enumerate(lane_ends):
            if end <= card.row_start:
                lane_ends[i] = card.row_end
                card.lane = i + 1
                break
        else:
            lane_ends.append(card.row_end)
            card.lane = len(lane_ends)
    return max(1, len(lane_ends))


def build_grid(
    *,
    columns: list[Column],
    appointments_by_column: list[list],
    opening: dict[int, list[tuple[time, time]]],
    tz: ZoneInfo,
    now: datetime,
    free_every_minutes: int = 30,
    moving: int | None = None,
) -> Grid:
    """Place each column's appointments and mark bookable free starts between them.

    ``moving`` is the id of an appointment being moved: the time it holds now is free
    for it (it may move half an hour later, into part of its own time)."""
    first, last = span(opening, [c.day for c in columns])
    first_minute = _minutes(first)
    total = (_minutes(last) - first_minute) // STEP_MINUTES
    step_rows = free_every_minutes // STEP_MINUTES
    times = [
        (datetime.combine(date.min, first) + timedelta(minutes=i * STEP_MINUTES)).strftime("%H:%M")
        for i in range(total)
    ]
    for column, appointments in zip(columns, appointments_by_column, strict=True):
        opened = opening.get(column.day.weekday(), [])
        periods = column.hours if column.hours is not None else opened
        column.closed = not periods
        if opened and not periods:
            column.note = "Not working"
        busy = [False] * total
        for starts, ends, reason in column.closures:
            top = _row_of(starts, column.day, first, tz)
            bottom = _row_of(ends - timedelta(microseconds=1), column.day, first, tz) + 1
            if top > total or bottom <= 1:
                continue  # not on this day's grid
            top, bottom = max(1, top), min(total + 1, bottom)
            column.blocked.append(Blocked(top, bottom, reason))
            for r in range(top - 1, bottom - 1):
                busy[r] = True
        for appt in appointments:
            # Clamped to the grid: opening hours can shrink after a visit was booked, and
            # a visit outside them must still show (on the first or last row), not vanish.
            start = min(total, max(1, _row_of(appt.start, column.day, first, tz)))
            end = min(total + 1, max(start + 1, _row_of(appt.end, column.day, first, tz)))
            column.cards.append(Card(appt, start, end))
            if appt.is_active and (moving is None or appt.pk != moving):
                # The turnover after a visit (needles away, couch cleaned) is busy too.
                held = getattr(appt, "held_until", None) or appt.end
                held_end = _row_of(held - timedelta(microseconds=1), column.day, first, tz) + 1
                # Rows are 1-based grid lines; busy[] is 0-based, so row r is busy[r - 1].
                for r in range(start - 1, min(total + 1, max(end, held_end)) - 1):
                    busy[r] = True
        column.lanes = assign_lanes(column.cards)
        # In minutes of the day (wall-clock), not datetimes: a week of twenty
        # practitioners has thousands of candidate times.
        hours = [(_minutes(p[0]), _minutes(p[1])) for p in periods]
        for r in range(0, total, step_rows):
            starts = first_minute + r * STEP_MINUTES
            if any(busy[r : r + step_rows]) or not any(
                opens <= starts and starts + free_every_minutes <= closes for opens, closes in hours
            ):
                continue
            local_start = datetime.combine(column.day, time(starts // 60, starts % 60), tz)
            if local_start > now:
                column.free.append(FreeSlot(r + 1, local_start))
    return Grid(first=first, last=last, times=times, columns=columns)


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def by_column(columns: list[Column], appointments: list, tz: ZoneInfo) -> list[list]:
    """Each column's appointments: those on its day (in ``tz``), with its practitioner
    and in its room when it has them. Grouped by day first, so that a week of many
    columns does not convert every appointment's time once per column."""
    on_day: dict[date, list] = {}
    for appt in appointments:
        on_day.setdefault(appt.start.astimezone(tz).date(), []).append(appt)
    return [
        [
            a
            for a in on_day.get(column.day, [])
            if (column.practitioner is None or a.practitioner_id == column.practitioner.pk)
            and (column.room is None or a.room_id == column.room.pk)
        ]
        for column in columns
    ]

"""Who is busy when, in 15-minute steps of local time, while the demo diary is filled.

Times are kept as wall-clock steps of a local day (step 40 is 10:00), so a patient's
weekly 10:00 stays 10:00 across the clock change; conversion to UTC happens only when
the appointment row is made.
"""

from collections import defaultdict
from collections.abc import Hashable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

STEP_MINUTES = 15
STEPS_PER_DAY = 24 * 60 // STEP_MINUTES


def window_mask(periods: list[tuple[int, int]]) -> int:
    """Open periods [(opens, closes)] in steps as one mask: bit n set when step n is open."""
    mask = 0
    for opens, closes in periods:
        mask |= ((1 << (closes - opens)) - 1) << opens
    return mask


def nearest_bit(mask: int, wanted: int) -> int | None:
    """The set bit nearest ``wanted``, the earlier of two equally near; None if none."""
    if not mask:
        return None
    for distance in range(STEPS_PER_DAY):
        for step in (wanted - distance, wanted + distance):
            if 0 <= step < STEPS_PER_DAY and mask >> step & 1:
                return step
    return None


def step_of(moment: time) -> int:
    """The step a wall-clock time falls on: 10:00 -> 40."""
    return (moment.hour * 60 + moment.minute) // STEP_MINUTES


def steps_for(minutes: int) -> int:
    """How many steps a service of this length holds (rounded up)."""
    return -(-minutes // STEP_MINUTES)


def local_moment(day: date, step: int, tz: ZoneInfo) -> datetime:
    """The UTC instant of a step on a local day (zoneinfo applies the day's offset)."""
    minutes = step * STEP_MINUTES
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=tz)
    return wall.astimezone(UTC)


class Occupancy:
    """Busy steps per (owner, day): a bit mask per day, so a clash check is one AND."""

    def __init__(self) -> None:
        self._busy: dict[tuple[Hashable, date], int] = defaultdict(int)

    @staticmethod
    def _mask(start: int, length: int) -> int:
        return ((1 << length) - 1) << start

    def is_free(self, owner: Hashable, day: date, start: int, length: int) -> bool:
        return not self._busy[(owner, day)] & self._mask(start, length)

    def free_starts(self, owner: Hashable, day: date, window: int, length: int) -> int:
        """A mask of the steps inside ``window`` where ``length`` free steps begin.

        ``window`` is the open steps as a mask, so a run never crosses a closed gap
        (a lunch break) or the end of the day.
        """
        free = window & ~self._busy.get((owner, day), 0)
        runs = free
        for shift in range(1, length):
            runs &= free >> shift
        return runs

    def take(self, owner: Hashable, day: date, start: int, length: int) -> None:
        key = (owner, day)
        mask = self._mask(start, length)
        if self._busy[key] & mask:
            raise ValueError(f"{owner} is already busy on {day} at step {start}")
        self._busy[key] |= mask

"""What demo clinic to build: counts, the window of history around "today", the seed.

The same spec always builds the same rows (apart from ids, password salts and the
``created_at``/``updated_at`` stamps Django sets on insert), so a benchmark or a bug report
can name its data by its spec.
"""

import calendar
from dataclasses import dataclass, replace
from datetime import date, time, timedelta

# The numbers the platform issue asks for at scale 1.
BASE_LOCATIONS = 2
BASE_ROOMS = 5
BASE_PRACTITIONERS = 6
BASE_PATIENTS = 300

MAX_SCALE = 200
MAX_MONTHS_BACK = 120
# The booking service refuses appointments more than two years ahead.
MAX_MONTHS_AHEAD = 24


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (or earlier), clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class DemoSpec:
    """Everything that decides the demo clinic's rows."""

    today: date
    seed: int = 2026
    scale: int = 1
    locations: int = BASE_LOCATIONS
    rooms: int = BASE_ROOMS
    practitioners: int = BASE_PRACTITIONERS
    patients: int = BASE_PATIENTS
    months_back: int = 6
    months_ahead: int = 1
    # The local time the demo treats as now on ``today``: visits that began well before
    # it have happened (arrived, or completed once over). None: the start of the day,
    # so nothing today has happened yet. `acuclinic demo` and `setup` pass the time.
    clock: time | None = None
    # Every practitioner works this many weekdays; None: the team pattern's mix of full
    # and part time (staff.TEAM). The scheduling benchmark's busy clinic works full time.
    days_a_week: int | None = None

    @classmethod
    def at_scale(cls, scale: int, *, today: date, **fields) -> "DemoSpec":
        """The issue's clinic multiplied by ``scale`` (locations too, so each room keeps
        the same share of practitioners and patients as at scale 1)."""
        spec = cls(
            today=today,
            scale=scale,
            locations=BASE_LOCATIONS * scale,
            rooms=BASE_ROOMS * scale,
            practitioners=BASE_PRACTITIONERS * scale,
            patients=BASE_PATIENTS * scale,
        )
        return replace(spec, **fields)

    def __post_init__(self) -> None:
        problems = self.problems()
        if problems:
            raise ValueError("; ".join(problems))

    def problems(self) -> list[str]:
        found = []
        if not 1 <= self.scale <= MAX_SCALE:
            found.append(f"scale must be between 1 and {MAX_SCALE}")
        if self.locations < 1:
            found.append("there must be at least one location")
        if self.rooms < self.locations:
            found.append("every location needs at least one room")
        if self.practitioners < 2:
            # One medical and one traditional acupuncturist, at least.
            found.append("there must be at least two practitioners")
        if self.patients < 1:
            found.append("there must be at least one patient")
        if not 0 <= self.months_back <= MAX_MONTHS_BACK:
            found.append(f"months back must be between 0 and {MAX_MONTHS_BACK}")
        if not 0 <= self.months_ahead <= MAX_MONTHS_AHEAD:
            found.append(f"months ahead must be between 0 and {MAX_MONTHS_AHEAD}")
        if self.days_a_week is not None and not 1 <= self.days_a_week <= 5:
            found.append("days a week must be between 1 and 5")
        if self.months_back + self.months_ahead == 0:
            found.append("the demo needs at least one month of appointments")
        return found

    @property
    def history_start(self) -> date:
        """The first day with appointments."""
        return add_months(self.today, -self.months_back)

    @property
    def horizon(self) -> date:
        """The first day after the last day with appointments."""
        return add_months(self.today, self.months_ahead) + timedelta(days=1)

    def describe(self) -> str:
        at = f" at {self.clock:%H:%M}" if self.clock is not None else ""
        return (
            f"scale {self.scale}, seed {self.seed}, {self.months_back} months back and "
            f"{self.months_ahead} ahead of {self.today.isoformat()}{at}"
        )

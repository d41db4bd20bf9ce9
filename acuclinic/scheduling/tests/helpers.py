"""Small helpers for the scheduling tests: UK times and the next dates of a kind."""

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from acuclinic.core.formats import LONDON


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` UK time on ``day``."""
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def next_weekday(weekday: int, *, days_ahead: int = 7) -> date:
    """The first such weekday (Monday is 0) at least ``days_ahead`` days from today."""
    day = timezone.localdate() + timedelta(days=days_ahead)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def next_clock_change(month: int, *, days_ahead: int = 28) -> date:
    """The next UK clock change in ``month`` (3: spring, 10: autumn), the last Sunday of
    the month, at least ``days_ahead`` days from today."""
    today = timezone.localdate()
    for year in (today.year, today.year + 1, today.year + 2):
        last = date(year, month, 31)
        sunday = last - timedelta(days=(last.weekday() - 6) % 7)
        if sunday >= today + timedelta(days=days_ahead):
            return sunday
    raise AssertionError("no clock change within two years")

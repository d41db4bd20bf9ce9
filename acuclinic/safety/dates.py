"""Calendar arithmetic the screening periods need. Pure."""

import calendar
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day of the month ``months`` later, or the month's last day if shorter
    (31 Aug + 6 months = 28 or 29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )

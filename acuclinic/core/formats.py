"""UK date display, one place: 'Tue 3 Mar 2026, 10:00' in the location's time zone."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


def format_date(value: date) -> str:
    return f"{value:%a} {value.day} {value:%b %Y}"


def format_datetime(value: datetime, tz: ZoneInfo = LONDON) -> str:
    local = value.astimezone(tz)
    return f"{format_date(local)}, {local:%H:%M}"

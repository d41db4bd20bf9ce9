"""FHIR search values, parsed without Django: dates with prefixes, counts, references.

A date search value (``ge2026-03``, ``lt2026-03-03T10:00:00Z``) is an interval at the
precision it was written in; each prefix compares the stored value with that interval
(FHIR R4 §3.1.1.5.7, "date"). Anything malformed raises ``SearchError`` with a message
for the OperationOutcome.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le")
SUPPORTED_PREFIXES = ("eq", "gt", "lt", "ge", "le")

_DATE = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")
_DATETIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$"
)


class SearchError(ValueError):
    """A search value the server cannot understand; the message says why."""


@dataclass(frozen=True)
class DateBound:
    """One comparison: ``op`` (gte or lt) against ``moment`` (an aware datetime)."""

    op: str
    moment: datetime


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def date_interval(value: str, zone: tzinfo) -> tuple[datetime, datetime]:
    """The half-open interval ``value`` names; a date without a time is a local day."""
    m = _DATE.match(value)
    if m:
        year, month, day = m.group(1), m.group(2), m.group(3)
        try:
            y = int(year)
            if month is None:
                start, end = date(y, 1, 1), date(y + 1, 1, 1)
            elif day is None:
                mo = int(month)
                start = date(y, mo, 1)
                ny, nm = _next_month(y, mo)
                end = date(ny, nm, 1)
            else:
                start = date(y, int(month), int(day))
                end = start + timedelta(days=1)
        except ValueError as exc:
            raise SearchError(f"“{value}” is not a real date.") from exc
        return (
            datetime.combine(start, datetime.min.time(), tzinfo=zone),
            datetime.combine(end, datetime.min.time(), tzinfo=zone),
        )
    m = _DATETIME.match(value)
    if m:
        text = value.replace("Z", "+00:00")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError as exc:
            raise SearchError(f"“{value}” is not a real date and time.") from exc
        step = timedelta(seconds=1) if m.group(6) is not None else timedelta(minutes=1)
        return moment, moment + step
    raise SearchError(
        f"“{value}” is not a FHIR date: use YYYY, YYYY-MM, YYYY-MM-DD or "
        "YYYY-MM-DDThh:mm:ssZ (with a time zone), after an optional prefix "
        "(eq, gt, ge, lt, le)."
    )


def date_bounds(raw: str, zone: tzinfo) -> list[DateBound]:
    """The comparisons one ``date=`` value asks for."""
    prefix, value = "eq", raw
    if raw[:2] in PREFIXES and not raw[:2].isdigit():
        prefix, value = raw[:2], raw[2:]
    if prefix not in SUPPORTED_PREFIXES:
        raise SearchError(f"The date prefix “{prefix}” is not supported here.")
    start, end = date_interval(value, zone)
    if prefix == "eq":
        return [DateBound("gte", start), DateBound("lt", end)]
    if prefix == "ge":
        return [DateBound("gte", start)]
    if prefix == "gt":
        return [DateBound("gte", end)]
    if prefix == "lt":
        return [DateBound("lt", start)]
    return [DateBound("lt", end)]  # le


def parse_count(raw: str, *, maximum: int) -> int:
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise SearchError(f"_count must be a whole number from 1 to {maximum}.")
    return int(raw)


def parse_offset(raw: str) -> int:
    if not raw.isdigit():
        raise SearchError("_offset must be a whole number, 0 or more.")
    return int(raw)


def parse_reference(raw: str, resource_type: str) -> str:
    """``Patient/12`` or ``12`` → ``"12"``; anything else is refused."""
    value = raw.removeprefix(f"{resource_type}/")
    if not re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", value):
        raise SearchError(f"“{raw}” is not a reference to a {resource_type}.")
    return value


def parse_ids(raw: str) -> list[str]:
    ids = [part.strip() for part in raw.split(",")]
    for value in ids:
        if not re.fullmatch(r"[A-Za-z0-9\-.]{1,64}", value):
            raise SearchError(f"“{value}” is not a FHIR id.")
    return ids

"""Input types, pages and look-ups that every API endpoint shares.

The types here turn input the database would choke on (a NUL in a string, year 9999, an
id past 2⁶³) into a clear 4xx instead of a 500 deep in the ORM.
"""

from datetime import date, datetime, time
from typing import Annotated, Generic, TypeVar

from django.db.models import Model, QuerySet
from ninja import Schema
from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictInt,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from acuclinic.core.errors import NotFound

# Ids are 64-bit; a bigger number cannot be a row and overflows the database driver.
MAX_ID = 2**63 - 1
# Far enough to hold any real date of birth or booking; close enough that adding a
# day or an appointment's length can never overflow Python's datetime.
MIN_YEAR, MAX_YEAR = 1900, 2999


class InputSchema(Schema):
    """A request body. An unknown field is an error: a typo must not be silently ignored."""

    model_config = ConfigDict(extra="forbid")


def _no_nul(value: str) -> str:
    # PostgreSQL text cannot hold NUL; SQLite can. Refuse it on both so they agree.
    if "\x00" in value:
        raise PydanticCustomError("text_has_nul", "Text cannot contain NUL characters.")
    return value


def text(max_length: int | None = None):
    """A string field of at most ``max_length`` characters."""
    return Annotated[str, Field(max_length=max_length), AfterValidator(_no_nul)]


def _in_supported_years(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise PydanticCustomError(
            "date_out_of_range",
            "Dates must fall between the years {low} and {high}.",
            {"low": MIN_YEAR, "high": MAX_YEAR},
        )
    return value


def _aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise PydanticCustomError(
            "naive_datetime",
            "Include a time zone offset, e.g. 2026-03-03T10:00:00+00:00.",
        )
    return _in_supported_years(value)


def _date_or_aware_datetime(value) -> date | datetime:
    # A bare date (2026-03-03) means that whole day in the clinic's time zone; anything
    # longer must be a full ISO 8601 datetime with an offset.
    text_value = value.strip() if isinstance(value, str) else ""
    try:
        if "T" not in text_value and " " not in text_value:
            return _in_supported_years(date.fromisoformat(text_value))
        return _aware(datetime.fromisoformat(text_value))
    except PydanticCustomError:
        raise
    except ValueError as exc:
        raise PydanticCustomError(
            "invalid",
            "Give a date (2026-03-03) or a datetime with an offset (2026-03-03T10:00:00+00:00).",
        ) from exc


def _wall_clock(value: time) -> time:
    if value.tzinfo is not None:
        raise PydanticCustomError(
            "invalid", "Give a local time of day without an offset, e.g. 09:00."
        )
    return value


AwareDateTime = Annotated[datetime, AfterValidator(_aware)]
# A time of day on the location's clock ("09:30", written back as "09:30:00"), without an
# offset: it holds across the clock change. JSON Schema's "time" format is RFC 3339's
# full-time, which must carry an offset, so the document gives the shape as a pattern.
WallClockTime = Annotated[
    time,
    AfterValidator(_wall_clock),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$",
            "examples": ["09:30"],
        }
    ),
]
BirthDate = Annotated[date, AfterValidator(_in_supported_years)]
# Any other calendar day (a registration's start or end), in the same years.
Day = Annotated[date, AfterValidator(_in_supported_years)]
DateOrAwareDateTime = Annotated[
    date | datetime, PlainValidator(_date_or_aware_datetime, json_schema_input_type=str)
]
# In a JSON body an id is a number, not "12"; a boolean is true/false, not "yes".
Id = StrictInt
Flag = StrictBool
# In a query string everything is text, so ids are parsed, but must fit the column.
QueryId = Annotated[int, Field(ge=1, le=MAX_ID)]


T = TypeVar("T")


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=200, description="How many items to return (1–200).")
    offset: int = Field(0, ge=0, le=1_000_000, description="How many items to skip.")


class Page(Schema, Generic[T]):
    """One page of a list; ``count`` is the total across all pages."""

    count: int
    limit: int
    offset: int
    items: list[T]


def page_of(queryset: QuerySet, query: PageQuery) -> dict:
    items = list(queryset[query.offset : query.offset + query.limit])
    return {"count": queryset.count(), "limit": query.limit, "offset": query.offset, "items": items}


def not_found(what: str, pk) -> NotFound:
    """The 404 for a ``what`` with id ``pk`` that is not there: ``unknown_<what>``."""
    return NotFound(
        f"unknown_{what}", f"There is no {what.replace('_', ' ')} with id {pk}.", field=what
    )


def valid_id(pk) -> bool:
    """Whether ``pk`` can be an id at all (a positive 64-bit integer)."""
    return isinstance(pk, int) and 1 <= pk <= MAX_ID


def get_or_404(source: type[Model] | QuerySet, pk: int, what: str):
    """The row with id ``pk``, or a 404 with the code ``unknown_<what>``."""
    queryset = source if isinstance(source, QuerySet) else source.objects.all()
    unknown = not_found(what, pk)
    if not valid_id(pk):
        raise unknown
    try:
        return queryset.get(pk=pk)
    except queryset.model.DoesNotExist as exc:
        raise unknown from exc

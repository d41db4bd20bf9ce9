"""Working time as JSON: weekly patterns, exceptions (time off, extra sessions) and room
closures. Clinic admins manage everyone's; a practitioner sees their own.

Times of day are local wall-clock times at the location ("09:00"), without an offset:
a pattern holds across the clock change. A change that leaves booked appointments
outside working time (time off, an ended pattern, a closed room) is made, and the
answer lists those appointments so they can be moved.
"""

from datetime import date, datetime, time
from typing import Annotated

from django.db.models import Q
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Location, Room
from acuclinic.core.api_auth import require
from acuclinic.core.api_errors import ERRORS
from acuclinic.core.api_types import (
    MAX_YEAR,
    MIN_YEAR,
    AwareDateTime,
    Id,
    InputSchema,
    QueryId,
    WallClockTime,
    get_or_404,
    text,
)
from acuclinic.core.errors import Forbidden
from acuclinic.core.formats import format_datetime
from acuclinic.people.models import Practitioner
from acuclinic.scheduling import working_time
from acuclinic.scheduling.choices import ExceptionKind
from acuclinic.scheduling.models import Appointment, RoomClosure, WorkingException, WorkingPattern

router = Router(tags=["working time"])


def _day(value: date) -> date:
    if not MIN_YEAR <= value.year <= MAX_YEAR:
        raise PydanticCustomError(
            "date_out_of_range", f"Dates must fall between {MIN_YEAR} and {MAX_YEAR}."
        )
    return value


LocalTime = WallClockTime
Day = Annotated[date, AfterValidator(_day)]


class Ref(Schema):
    id: int
    name: str


class PatternOut(Schema):
    id: int
    practitioner: Ref
    location: Ref
    weekday: int = Field(description="0 is Monday.")
    weekday_display: str
    starts: str = Field(description="Local time at the location, e.g. 09:00.")
    ends: str
    valid_from: date
    valid_until: date | None

    @staticmethod
    def resolve_weekday_display(obj: WorkingPattern) -> str:
        return obj.get_weekday_display()

    @staticmethod
    def resolve_starts(obj: WorkingPattern) -> str:
        return f"{obj.starts:%H:%M}"

    @staticmethod
    def resolve_ends(obj: WorkingPattern) -> str:
        return f"{obj.ends:%H:%M}"


class ExceptionOut(Schema):
    id: int
    kind: ExceptionKind
    kind_display: str
    practitioner: Ref | None = Field(description="Null: everyone.")
    location: Ref | None = Field(description="Null: every location.")
    first_day: date
    last_day: date
    starts: str | None = Field(description="Null: the whole day.")
    ends: str | None
    note: str

    @staticmethod
    def resolve_kind_display(obj: WorkingException) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_starts(obj: WorkingException) -> str | None:
        return f"{obj.starts:%H:%M}" if obj.starts else None

    @staticmethod
    def resolve_ends(obj: WorkingException) -> str | None:
        return f"{obj.ends:%H:%M}" if obj.ends else None


class ClosureOut(Schema):
    id: int
    room: Ref
    location: Ref
    starts: datetime
    ends: datetime
    reason: str

    @staticmethod
    def resolve_location(obj: RoomClosure) -> dict:
        return {"id": obj.room.location_id, "name": obj.room.location.name}

    @staticmethod
    def resolve_starts(obj: RoomClosure) -> datetime:
        return obj.starts.astimezone(obj.room.location.tz)

    @staticmethod
    def resolve_ends(obj: RoomClosure) -> datetime:
        return obj.ends.astimezone(obj.room.location.tz)


class AffectedOut(Schema):
    """A booked appointment a change leaves outside working time (or in a closed room)."""

    id: int
    start: datetime
    start_display: str
    patient: Ref
    practitioner: Ref
    room: Ref

    @staticmethod
    def resolve_start(obj: Appointment) -> datetime:
        return obj.start.astimezone(obj.room.location.tz)

    @staticmethod
    def resolve_start_display(obj: Appointment) -> str:
        return format_datetime(obj.start, obj.room.location.tz)

    @staticmethod
    def resolve_patient(obj: Appointment) -> dict:
        return {"id": obj.patient_id, "name": obj.patient.full_name}


class PatternChangeOut(Schema):
    pattern: PatternOut | None
    affected_appointments: list[AffectedOut]


class ExceptionChangeOut(Schema):
    exception: ExceptionOut | None
    affected_appointments: list[AffectedOut]


class ClosureChangeOut(Schema):
    closure: ClosureOut | None
    affected_appointments: list[AffectedOut]


def _refuse(request) -> Forbidden:
    audit.record(AuditAction.DENIED, object_type="api", detail=f"{request.method} {request.path}")
    return Forbidden("forbidden", "Your role lets you see only your own working time.")


def _visible(request, queryset, practitioner_id: int | None, *, field: str = "practitioner"):
    """Narrow to whose working time the caller may see; asking for another's is a 403."""
    visible = working_time.visible_practitioner_ids(request.auth)
    if practitioner_id is not None:
        practitioner = get_or_404(Practitioner, practitioner_id, "practitioner")
        if visible is not None and practitioner.pk not in visible:
            raise _refuse(request)
        return queryset.filter(**{f"{field}_id": practitioner.pk})
    if visible is None:
        return queryset
    return queryset.filter(**{f"{field}_id__in": visible})


# Patterns ----------------------------------------------------------------------------


class PatternFilters(Schema):
    practitioner: QueryId | None = None
    location: QueryId | None = None
    current_on: Day | None = Field(None, description="Only patterns that apply on this day.")


class PatternIn(InputSchema):
    practitioner: Id
    location: Id
    weekday: Id = Field(description="0 is Monday, 6 is Sunday.")
    starts: LocalTime
    ends: LocalTime
    valid_from: Day
    valid_until: Day | None = None


class PatternEndIn(InputSchema):
    last_day: Day


@router.get(
    "/working-patterns",
    response={200: list[PatternOut], **ERRORS},
    auth=require("scheduling.view_workingpattern"),
    summary="Weekly working patterns",
)
def list_patterns(request, filters: Query[PatternFilters]):
    patterns = _visible(
        request,
        WorkingPattern.objects.select_related("practitioner__user", "location"),
        filters.practitioner,
    )
    if filters.location is not None:
        patterns = patterns.filter(location_id=filters.location)
    if filters.current_on is not None:
        day = filters.current_on
        patterns = patterns.filter(weekday=day.weekday(), valid_from__lte=day).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=day)
        )
    return list(patterns.order_by("practitioner_id", "weekday", "starts", "valid_from"))


@router.post(
    "/working-patterns",
    response={201: PatternOut, **ERRORS},
    auth=require("scheduling.add_workingpattern"),
    summary="Add a weekly working pattern",
)
def add_pattern(request, payload: PatternIn):
    """409 ``pattern_overlaps`` if it overlaps another of the practitioner's patterns
    (at any location); 422 ``outside_opening_hours`` if the location is shut then."""
    pattern = working_time.pattern_add(
        practitioner=get_or_404(Practitioner, payload.practitioner, "practitioner"),
        location=get_or_404(
            Location.objects.prefetch_related("opening_hours"), payload.location, "location"
        ),
        weekday=payload.weekday,
        starts=payload.starts,
        ends=payload.ends,
        valid_from=payload.valid_from,
        valid_until=payload.valid_until,
        user=request.auth,
    )
    return Status(201, pattern)


def _pattern(pattern_id: int) -> WorkingPattern:
    return get_or_404(
        WorkingPattern.objects.select_related("practitioner__user", "location"),
        pattern_id,
        "pattern",
    )


@router.post(
    "/working-patterns/{pattern_id}/end",
    response={200: PatternChangeOut, **ERRORS},
    auth=require("scheduling.change_workingpattern"),
    summary="End a pattern after a day (a change of rota)",
)
def end_pattern(request, pattern_id: int, payload: PatternEndIn):
    pattern, affected = working_time.pattern_end(
        _pattern(pattern_id), last_day=payload.last_day, user=request.auth
    )
    return {"pattern": pattern, "affected_appointments": affected}


@router.delete(
    "/working-patterns/{pattern_id}",
    response={200: PatternChangeOut, **ERRORS},
    auth=require("scheduling.delete_workingpattern"),
    summary="Remove a pattern entered by mistake",
)
def delete_pattern(request, pattern_id: int):
    affected = working_time.pattern_delete(_pattern(pattern_id), user=request.auth)
    return {"pattern": None, "affected_appointments": affected}


# Exceptions ----------------------------------------------------------------------------


class ExceptionFilters(Schema):
    practitioner: QueryId | None = Field(
        None, description="Theirs, and those for everyone (bank holidays)."
    )
    start_from: Day | None = Field(None, description="Default today.")
    start_to: Day | None = None


class ExceptionIn(InputSchema):
    kind: ExceptionKind
    practitioner: Id | None = Field(None, description="Leave out for everyone.")
    location: Id | None = Field(None, description="Leave out for every location.")
    first_day: Day
    last_day: Day
    starts: LocalTime | None = Field(None, description="Leave both times out for whole days.")
    ends: LocalTime | None = None
    note: text(200) = ""


@router.get(
    "/working-exceptions",
    response={200: list[ExceptionOut], **ERRORS},
    auth=require("scheduling.view_workingexception"),
    summary="Time off and extra sessions",
)
def list_exceptions(request, filters: Query[ExceptionFilters]):
    first = filters.start_from or timezone.localdate()
    changes = WorkingException.objects.select_related("practitioner__user", "location").filter(
        last_day__gte=first
    )
    if filters.start_to is not None:
        changes = changes.filter(first_day__lte=filters.start_to)
    everyone = changes.filter(practitioner__isnull=True)
    own = _visible(request, changes.filter(practitioner__isnull=False), filters.practitioner)
    return sorted([*everyone, *own], key=lambda c: (c.first_day, c.starts or time.min, c.pk))


@router.post(
    "/working-exceptions",
    response={201: ExceptionChangeOut, **ERRORS},
    auth=require("scheduling.add_workingexception"),
    summary="Record time off or an extra session",
)
def add_exception(request, payload: ExceptionIn):
    exception, affected = working_time.exception_add(
        kind=payload.kind.value,
        practitioner=(
            get_or_404(Practitioner, payload.practitioner, "practitioner")
            if payload.practitioner is not None
            else None
        ),
        location=(
            get_or_404(Location, payload.location, "location")
            if payload.location is not None
            else None
        ),
        first_day=payload.first_day,
        last_day=payload.last_day,
        starts=payload.starts,
        ends=payload.ends,
        note=payload.note,
        user=request.auth,
    )
    return Status(201, {"exception": exception, "affected_appointments": affected})


@router.delete(
    "/working-exceptions/{exception_id}",
    response={200: ExceptionChangeOut, **ERRORS},
    auth=require("scheduling.delete_workingexception"),
    summary="Remove time off or an extra session",
)
def delete_exception(request, exception_id: int):
    exception = get_or_404(WorkingException, exception_id, "exception")
    affected = working_time.exception_delete(exception, user=request.auth)
    return {"exception": None, "affected_appointments": affected}


# Room closures -------------------------------------------------------------------------


class ClosureFilters(Schema):
    room: QueryId | None = None
    location: QueryId | None = None
    include_past: bool = False


class ClosureIn(InputSchema):
    room: Id
    starts: AwareDateTime
    ends: AwareDateTime
    reason: text(200) = ""


@router.get(
    "/room-closures",
    response={200: list[ClosureOut], **ERRORS},
    auth=require("scheduling.view_roomclosure"),
    summary="Rooms out of use",
)
def list_closures(request, filters: Query[ClosureFilters]):
    closures = RoomClosure.objects.select_related("room__location")
    if not filters.include_past:
        closures = closures.filter(ends__gt=timezone.now())
    if filters.room is not None:
        closures = closures.filter(room_id=filters.room)
    if filters.location is not None:
        closures = closures.filter(room__location_id=filters.location)
    return list(closures.order_by("starts", "pk"))


@router.post(
    "/room-closures",
    response={201: ClosureChangeOut, **ERRORS},
    auth=require("scheduling.add_roomclosure"),
    summary="Take a room out of use for a while",
)
def add_closure(request, payload: ClosureIn):
    closure, affected = working_time.room_closure_add(
        room=get_or_404(Room.objects.select_related("location"), payload.room, "room"),
        starts=payload.starts,
        ends=payload.ends,
        reason=payload.reason,
        user=request.auth,
    )
    return Status(201, {"closure": closure, "affected_appointments": affected})


@router.delete(
    "/room-closures/{closure_id}",
    response={200: ClosureChangeOut, **ERRORS},
    auth=require("scheduling.delete_roomclosure"),
    summary="Put a closed room back into use",
)
def delete_closure(request, closure_id: int):
    closure = get_or_404(RoomClosure.objects.select_related("room"), closure_id, "closure")
    working_time.room_closure_delete(closure, user=request.auth)
    return {"closure": None, "affected_appointments": []}

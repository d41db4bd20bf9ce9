"""Courses of sessions as JSON: preview every session, book them all or none (safe to
retry with an ``Idempotency-Key``), and move or cancel the rest of a course."""

from datetime import datetime
from typing import Annotated

from ninja import Header, Router, Schema
from pydantic import Field

from acuclinic.clinic.models import Room, Service
from acuclinic.core.api_auth import require
from acuclinic.core.api_errors import ERRORS
from acuclinic.core.api_types import AwareDateTime, Flag, Id, InputSchema, get_or_404, text
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling import idempotency, series
from acuclinic.scheduling.api.schemas import (
    AppointmentOut,
    CancelIn,
    LocationRef,
    PatientRef,
    PractitionerRef,
    RoomRef,
    ServiceRef,
    SlotOut,
    appointment_or_404,
)
from acuclinic.scheduling.choices import Channel
from acuclinic.scheduling.models import Series

router = Router(tags=["series"])


class SeriesIn(InputSchema):
    patient: Id
    practitioner: Id
    room: Id
    service: Id
    first_start: AwareDateTime
    sessions: Id = Field(description="How many sessions (2 to 52).")
    interval_weeks: Id = Field(1, description="Weeks between sessions (1 to 4).")


class ChoiceIn(InputSchema):
    """Book session ``index`` at another slot, e.g. the alternative a preview offered."""

    index: Id
    start: AwareDateTime
    practitioner: Id
    room: Id


class SeriesBookIn(SeriesIn):
    choices: list[ChoiceIn] = Field(
        default_factory=list, description="Sessions to book at an alternative slot."
    )
    channel: Channel = Channel.PHONE
    notes: text(2000) = ""


class ProblemOut(Schema):
    code: str
    message: str


class PlannedSessionOut(Schema):
    index: int
    appointment: int | None = None
    start: datetime
    end: datetime
    start_display: str
    practitioner: PractitionerRef
    room: RoomRef
    ok: bool
    problem: ProblemOut | None
    alternative: SlotOut | None


class PlanOut(Schema):
    all_free: bool
    bookable: bool = Field(description="Every session is free or has an alternative.")
    sessions: list[PlannedSessionOut]


class SeriesOut(Schema):
    id: int
    patient: PatientRef
    practitioner: PractitionerRef
    service: ServiceRef
    location: LocationRef
    cadence: str
    interval_weeks: int
    sessions: int
    appointments: list[AppointmentOut]

    @staticmethod
    def resolve_cadence(obj: Series) -> str:
        return obj.cadence_display

    @staticmethod
    def resolve_appointments(obj: Series) -> list:
        return list(obj.appointments.for_diary().order_by("series_index"))


class RestMoveIn(InputSchema):
    start: AwareDateTime = Field(description="The new time of this session.")
    practitioner: Id | None = None
    room: Id | None = None
    dry_run: Flag = Field(False, description="Only say what would happen.")


class MoveRestOut(Schema):
    moved: bool
    plan: PlanOut


def _series_parties(payload: SeriesIn) -> dict:
    return {
        "patient": get_or_404(Patient, payload.patient, "patient"),
        "practitioner": get_or_404(
            Practitioner.objects.select_related("user"), payload.practitioner, "practitioner"
        ),
        "room": get_or_404(Room.objects.select_related("location__clinic"), payload.room, "room"),
        "service": get_or_404(Service, payload.service, "service"),
    }


def _plan_out(plan: series.Plan) -> dict:
    return {"all_free": plan.all_free, "bookable": plan.bookable, "sessions": plan.as_json()}


@router.post(
    "/series/preview",
    response={200: PlanOut, **ERRORS},
    auth=require("scheduling.add_appointment"),
    summary="Check every session of a course before booking it",
)
def preview_series(request, payload: SeriesIn):
    """Each session at the first one's weekday and local time, every ``interval_weeks``:
    ``ok``, or the ``problem`` and the nearest free ``alternative`` that day (same
    practitioner first). Nothing is written. Book with ``POST /series``, giving in
    ``choices`` the alternatives to take."""
    plan = series.series_plan(
        **_series_parties(payload),
        first_start=payload.first_start,
        sessions=payload.sessions,
        interval_weeks=payload.interval_weeks,
    )
    return _plan_out(plan)


@router.post(
    "/series",
    response={201: SeriesOut, **ERRORS},
    auth=require("scheduling.add_appointment"),
    summary="Book a course of sessions, all or none",
)
def book_series(
    request,
    payload: SeriesBookIn,
    idempotency_key: Annotated[
        str | None, Header(alias=idempotency.HEADER, description="As for one appointment.")
    ] = None,
):
    """Every session is booked, or none: if one is no longer free the answer is 409
    ``series_conflict`` naming the ``session``, with a fresh ``plan``."""

    def book():
        parties = _series_parties(payload)
        choices = {
            c.index: series.Choice(
                start=c.start,
                practitioner=get_or_404(
                    Practitioner.objects.select_related("user"), c.practitioner, "practitioner"
                ),
                room=get_or_404(Room.objects.select_related("location"), c.room, "room"),
            )
            for c in payload.choices
        }
        booked = series.series_book(
            **parties,
            first_start=payload.first_start,
            sessions=payload.sessions,
            interval_weeks=payload.interval_weeks,
            choices=choices,
            channel=payload.channel.value,
            notes=payload.notes,
            user=request.auth,
        )
        return 201, SeriesOut.from_orm(_series(booked.pk)).model_dump()

    return idempotency.run_once(request, payload=payload.model_dump(mode="json"), run=book)


def _series(series_id: int) -> Series:
    return get_or_404(
        Series.objects.select_related("patient", "practitioner__user", "service", "location"),
        series_id,
        "series",
    )


@router.get(
    "/series/{series_id}",
    response={200: SeriesOut, **ERRORS},
    auth=require("scheduling.view_appointment"),
    summary="A course of sessions with its appointments",
)
def get_series(request, series_id: int):
    return _series(series_id)


@router.post(
    "/appointments/{appointment_id}/cancel-rest",
    response={200: list[AppointmentOut], **ERRORS},
    auth=require("scheduling.change_appointment"),
    summary="Cancel this session and the rest of its series",
)
def cancel_rest(request, appointment_id: int, payload: CancelIn | None = None):
    """This session and every later booked one; each late or not on its own."""
    payload = payload or CancelIn()
    cancelled = series.series_cancel_rest(
        appointment_or_404(appointment_id), reason=payload.reason, cancelled_by=payload.by.value
    )
    return [appointment_or_404(a.pk) for a in cancelled]


@router.post(
    "/appointments/{appointment_id}/move-rest",
    response={200: MoveRestOut, **ERRORS},
    auth=require("scheduling.change_appointment"),
    summary="Move this session and the rest of its series",
)
def move_rest(request, appointment_id: int, payload: RestMoveIn):
    """This session moves to ``start``; each later booked one moves by the same number
    of days, to the same new local time; all or none (409 ``series_conflict`` with the
    ``plan``). With ``dry_run`` nothing moves: the plan says what would."""
    plan = series.series_move_rest(
        appointment_or_404(appointment_id),
        start=payload.start,
        practitioner=(
            get_or_404(Practitioner, payload.practitioner, "practitioner")
            if payload.practitioner is not None
            else None
        ),
        room=(
            get_or_404(Room.objects.select_related("location"), payload.room, "room")
            if payload.room is not None
            else None
        ),
        dry_run=payload.dry_run,
    )
    return {"moved": not payload.dry_run, "plan": _plan_out(plan)}

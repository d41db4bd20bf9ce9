"""Outcomes as JSON: the measures catalogue, a patient's measures and course plan, course
reviews and closing, and the clinic report.

The same services as the pages, under the same permissions. Reception gets no clinical
outcome: only the catalogue and whether a patient has measures due (how many, not which:
a measure's name would tell the condition). Reads of a patient's outcomes are audited.
"""

from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field, StrictInt

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.api_auth import require
from acuclinic.core.api_errors import ERRORS
from acuclinic.core.api_types import InputSchema, get_or_404, text
from acuclinic.core.errors import InvalidRequest, NotFound
from acuclinic.core.formats import format_date
from acuclinic.outcomes import catalogue, queries, report, scoring, services
from acuclinic.outcomes.choices import EndReason, ReviewDecision
from acuclinic.outcomes.models import Course, Measurement
from acuclinic.people.models import Patient

router = Router()

CLINICAL = "people.view_clinical"
READ = (CLINICAL, "outcomes.view_course")
RECORD = (CLINICAL, "outcomes.add_measurement")
DECIDE = (CLINICAL, "outcomes.change_course")
TAGS = ["outcomes"]


def _patient(patient_id: int) -> Patient:
    return get_or_404(Patient, patient_id, "patient")


# ── The catalogue ────────────────────────────────────────────────────────────────────


class MeasureOut(Schema):
    code: str
    name: str
    scoring: str
    items: int
    item_range: list[int] = Field(description="The lowest and highest answer to an item.")
    score_range: list[int]
    better: str = Field(description="lower or higher")
    mcid: str
    mcid_points: int
    mcid_percent: int
    mcid_range: list[Decimal] | None = Field(
        description="Where published MCIDs differ (NDI, HIT-6): the smallest and the largest, "
        "in points; mcid_points and mcid_percent are then 0."
    )
    mcid_source: str
    mdc: str = Field(description="The smallest detectable change, where published; else empty.")
    mdc_source: str
    conditions: list[str] = Field(
        description="The presenting conditions it is offered for, or ['any']."
    )
    licence: str
    licence_note: str
    completed_by: str = Field(description="patient (on the portal) or clinician")
    takes_total: bool = Field(description="Whether a total from a licensed copy is accepted.")
    missing_rule: str


@router.get(
    "/measures",
    response={200: list[MeasureOut], **ERRORS},
    auth=require("people.view_patient"),
    tags=TAGS,
    summary="The outcome measures, their MCIDs and licences",
)
def list_measures(request):
    return [
        {
            "code": m.code,
            "name": m.name,
            "scoring": m.scoring,
            "items": m.items,
            "item_range": [m.item_min, m.item_max],
            "score_range": [m.score_min, m.score_max],
            "better": m.better,
            "mcid": m.mcid_text,
            "mcid_points": m.mcid_points,
            "mcid_percent": m.mcid_percent,
            "mcid_range": list(m.mcid_range) if m.mcid_range else None,
            "mcid_source": m.mcid_source,
            "mdc": m.mdc_text,
            "mdc_source": m.mdc_source,
            "conditions": list(m.conditions),
            "licence": m.licence,
            "licence_note": m.licence_note,
            "completed_by": m.completed_by,
            "takes_total": m.takes_total,
            "missing_rule": m.missing_rule,
        }
        for m in catalogue.current().measures.values()
    ]


# ── A patient's measures ─────────────────────────────────────────────────────────────


class MeasurementOut(Schema):
    id: int
    measure: str
    taken_on: date
    taken_on_display: str
    score: Decimal
    answers: list
    missing: int
    entry: str = Field(description="items (scored from the answers) or total")
    source: str = Field(description="clinician or patient")
    timepoint: str
    note: str
    risk_group: str = Field(
        description="For a screening tool (STarT Back): low, medium or high; else empty."
    )


def _measurement_json(m: Measurement) -> dict:
    measure = catalogue.current().measure(m.measure)
    return {
        "id": m.pk,
        "measure": m.measure,
        "taken_on": m.taken_on,
        "taken_on_display": format_date(m.taken_on),
        "score": m.score,
        "answers": m.answers,
        "missing": m.missing,
        "entry": m.entry,
        "source": m.source,
        "timepoint": m.timepoint,
        "note": m.note,
        "risk_group": scoring.risk_group(measure, m.answers) if measure else "",
    }


@router.get(
    "/patients/{patient_id}/measurements",
    response={200: list[MeasurementOut], **ERRORS},
    auth=require(*READ),
    tags=TAGS,
    summary="A patient's questionnaires and pain diary, oldest first",
)
def list_measurements(request, patient_id: int):
    patient = _patient(patient_id)
    audit.record(AuditAction.VIEW, patient, object_type="outcomes.measurement", detail="api")
    return [_measurement_json(m) for m in queries.measurements_for(patient)]


class ActivityIn(InputSchema):
    activity: text(100)
    rating: StrictInt | None = None


class MeasurementIn(InputSchema):
    measure: text(20)
    taken_on: date
    answers: list[bool | StrictInt | None] | None = Field(
        None,
        max_length=50,
        description="Item answers in order (null for unanswered): true/false for the "
        "RMDQ and STarT Back, whole numbers for the others (the MYMOP2: symptom 1, symptom 2 "
        "or null, activity, wellbeing).",
    )
    activities: list[ActivityIn] | None = Field(
        None, max_length=10, description="PSFS: the activities and their ratings."
    )
    total: Decimal | None = Field(
        None, description="The total from a licensed copy, instead of the answers."
    )
    note: text(500) = ""


@router.post(
    "/patients/{patient_id}/measurements",
    response={201: MeasurementOut, **ERRORS},
    auth=require(*RECORD),
    tags=TAGS,
    summary="Record a questionnaire: its answers, or a licensed copy's total",
)
def record_measurement(request, patient_id: int, payload: MeasurementIn):
    """Scored here by the measure's own rule; too many unanswered items, a score out of
    range or a day in the future is a 422 naming the field, and nothing is written. Pain
    is not recorded here: it comes from the session notes and the patient's diary."""
    patient = _patient(patient_id)
    answers = payload.answers
    if payload.activities is not None:
        if answers is not None:
            raise InvalidRequest(
                "answers_or_activities", "Give the answers or the activities, not both."
            )
        answers = [(a.activity, a.rating) for a in payload.activities]
    measurement = services.measurement_record(
        patient,
        measure=payload.measure,
        taken_on=payload.taken_on,
        answers=answers,
        total=payload.total,
        note=payload.note,
        user=request.auth,
    )
    return Status(201, _measurement_json(measurement))


class DueOut(Schema):
    due: bool
    count: int
    online: int = Field(description="How many the patient can complete on the portal.")
    at_clinic: int = Field(description="How many are completed with a clinician.")


@router.get(
    "/patients/{patient_id}/outcomes-due",
    response={200: DueOut, **ERRORS},
    auth=require("people.view_patient"),
    tags=TAGS,
    summary="Whether a patient has measures due (how many, not which)",
)
def measures_due(request, patient_id: int):
    patient = _patient(patient_id)
    today = timezone.localdate()
    services.course_refresh(patient, today=today)  # a session signed just now counts
    due = queries.due_for(patient, today=today)
    online = sum(1 for d in due if d.measure.patient_can_complete)
    return {"due": bool(due), "count": len(due), "online": online, "at_clinic": len(due) - online}


# ── The course and its plan ──────────────────────────────────────────────────────────


class SessionOut(Schema):
    number: int
    day: date
    pain: int
    minutes: int
    phase: str
    series: int
    improved: bool
    session_note: int | None


class SpanOut(Schema):
    phase: str
    label: str
    series: int
    start: date
    end: date | None
    sessions: list[SessionOut]


class ChangeOut(Schema):
    day: date
    phase: str
    series: int
    sentence: str


class DecisionOut(Schema):
    action: str = Field(description="book, review, ended or wait")
    phase: str | None
    sentence: str
    interval_days: int | None
    next_date: date | None
    review_advised: bool = Field(
        description="NICE's recommended course for the condition is complete and no review "
        "has agreed to go on: the sentence asks for one. Booking stays open."
    )


class GuidanceOut(Schema):
    """The course against NICE's guidance for its presenting condition."""

    id: str = Field(description="ng193, cg150, ng59, secondary or unknown")
    kind: str = Field(description="contact_time, sessions, not_recommended or no_limit")
    name: str
    advice: str
    source: str
    why: str = Field(description="Why this guidance applies to the course's condition.")
    why_source: str
    limit_minutes: int | None
    limit_sessions: int | None
    weeks: list[int] | None = Field(description="CG150: the 5–8 weeks its sessions span.")
    status: str = Field(description="within, near, at, over, or none (no limit)")
    progress: str = Field(description="e.g. '2 h 15 min of 5 h used'")
    sentence: str
    complete: bool = Field(description="NICE's recommended course is complete.")
    reached_on: date | None
    reviewed_on: date | None = Field(description="A review since then agreed to go on.")
    minutes_used: int
    sessions: int
    week: int
    earlier_courses: int = Field(
        description="The patient's earlier courses under the same guidance (NG193: one course)."
    )


class DueMeasureOut(Schema):
    measure: str
    name: str
    timepoint: str
    since: date
    completed_by: str


class CourseOut(Schema):
    id: int
    started_on: date
    ended_on: date | None
    end_reason: str
    condition: str
    modality: str
    practitioner: dict
    phase: str
    series: int
    relapses: int
    non_responder: bool
    baseline_pain: int | None
    latest_pain: int | None
    first_mcid_session: int | None
    contact_minutes: int
    contact_cap_minutes: int | None = Field(
        description="The clinic's own cap for every course, if it set one; NICE's limit for "
        "the condition is in guidance."
    )
    warnings: list[str]
    guidance: GuidanceOut | None
    decision: DecisionOut
    spans: list[SpanOut]
    changes: list[ChangeOut]


class PlanOut(Schema):
    course: CourseOut | None = Field(description="The latest course; null before the first.")
    earlier_courses: int
    due: list[DueMeasureOut]


def _course_json(view) -> dict:
    course, plan = view.course, view.plan

    def session(m):
        return {
            "number": m.number,
            "day": m.day,
            "pain": m.pain,
            "minutes": m.minutes,
            "phase": m.phase.value,
            "series": m.series,
            "improved": m.improved,
            "session_note": m.ref,
        }

    decision = plan.decision
    standing = plan.standing
    found = None
    if standing is not None:
        g = standing.guidance
        found = {
            "id": g.id,
            "kind": g.kind,
            "name": g.name,
            "advice": g.advice,
            "source": g.source,
            "why": view.guidance.why if view.guidance else "",
            "why_source": view.guidance.why_source if view.guidance else "",
            "limit_minutes": g.limit_minutes,
            "limit_sessions": g.limit_sessions,
            "weeks": [g.weeks_min, g.weeks_max] if g.weeks_min else None,
            "status": standing.status.value,
            "progress": standing.progress,
            "sentence": standing.sentence,
            "complete": standing.complete,
            "reached_on": standing.reached_on,
            "reviewed_on": standing.reviewed_on,
            "minutes_used": standing.minutes,
            "sessions": standing.sessions,
            "week": standing.week,
            "earlier_courses": standing.earlier_courses,
        }
    return {
        "id": course.pk,
        "started_on": course.started_on,
        "ended_on": course.ended_on,
        "end_reason": course.end_reason,
        "condition": course.condition,
        "modality": course.modality,
        "practitioner": {"id": course.practitioner_id, "name": course.practitioner.name},
        "phase": plan.phase.value if plan.phase else "",
        "series": plan.series,
        "relapses": plan.relapses,
        "non_responder": plan.non_response,
        "baseline_pain": plan.baseline,
        "latest_pain": plan.latest_pain,
        "first_mcid_session": plan.first_mcid_session,
        "contact_minutes": plan.contact_minutes,
        "contact_cap_minutes": view.rules.contact_cap_minutes,
        "warnings": plan.warnings,
        "guidance": found,
        "decision": {
            "action": decision.action.value,
            "phase": decision.phase.value if decision.phase else None,
            "sentence": decision.sentence,
            "interval_days": decision.interval_days,
            "next_date": decision.next_date,
            "review_advised": decision.review_advised,
        },
        "spans": [
            {
                "phase": s.phase.value,
                "label": s.label,
                "series": s.series,
                "start": s.start,
                "end": s.end,
                "sessions": [session(m) for m in s.sessions],
            }
            for s in plan.spans
        ],
        "changes": [
            {"day": c.day, "phase": c.phase.value, "series": c.series, "sentence": c.sentence}
            for c in plan.changes
        ],
    }


@router.get(
    "/patients/{patient_id}/course-plan",
    response={200: PlanOut, **ERRORS},
    auth=require(*READ),
    tags=TAGS,
    summary="The patient's course: phases, the planner's decision and what is due",
)
def course_plan(request, patient_id: int):
    """The latest course as the planner reads it: its phases and sessions (pain from the
    session notes), the decision with its sentence and the proposed next date, where the
    course stands against NICE's guidance for its condition (professional time, sessions
    and weeks, or a note where NICE sets no limit), and the measures due."""
    patient = _patient(patient_id)
    today = timezone.localdate()
    services.course_refresh(patient, today=today)
    views = queries.course_views(patient, today=today)
    audit.record(AuditAction.VIEW, patient, object_type="outcomes.course", detail="api")
    due = queries.due_for(patient, today=today, views=views)
    return {
        "course": _course_json(views[-1]) if views else None,
        "earlier_courses": max(0, len(views) - 1),
        "due": [
            {
                "measure": d.code,
                "name": d.measure.name,
                "timepoint": d.timepoint,
                "since": d.since,
                "completed_by": d.measure.completed_by,
            }
            for d in due
        ],
    }


class ReviewIn(InputSchema):
    decision: ReviewDecision
    note: text(500) = ""


class ReviewOut(Schema):
    id: int
    course: int
    reviewed_on: date
    decision: str
    note: str


def _course(course_id: int) -> Course:
    return get_or_404(Course.objects.select_related("patient", "clinic"), course_id, "course")


@router.post(
    "/courses/{course_id}/review",
    response={201: ReviewOut, **ERRORS},
    auth=require(*DECIDE),
    tags=TAGS,
    summary="Record the review the planner asked for",
)
def review_course(request, course_id: int, payload: ReviewIn):
    """Only when the planner asks for one (409 ``no_review_due`` otherwise): after a
    trial without response, or once NICE's recommended course is complete
    (``review_advised``). ``continue`` goes on (a further trial of weekly sessions after
    no response; past NICE's course), ``discharge`` closes the course."""
    review = services.course_review(
        _course(course_id), decision=payload.decision.value, note=payload.note, user=request.auth
    )
    return Status(
        201,
        {
            "id": review.pk,
            "course": review.course_id,
            "reviewed_on": review.reviewed_on,
            "decision": review.decision,
            "note": review.note,
        },
    )


class CloseIn(InputSchema):
    reason: EndReason = EndReason.DISCHARGED
    ended_on: date | None = None


class ClosedOut(Schema):
    id: int
    ended_on: date
    end_reason: str


@router.post(
    "/courses/{course_id}/close",
    response={200: ClosedOut, **ERRORS},
    auth=require(*DECIDE),
    tags=TAGS,
    summary="Close a course (discharge)",
)
def close_course(request, course_id: int, payload: CloseIn):
    course = services.course_close(
        _course(course_id),
        reason=payload.reason.value,
        ended_on=payload.ended_on,
        user=request.auth,
    )
    return {"id": course.pk, "ended_on": course.ended_on, "end_reason": course.end_reason}


# ── The clinic report ────────────────────────────────────────────────────────────────


class ReportQuery(Schema):
    start: date | None = Field(None, description="Courses started from (default: a year ago).")
    end: date | None = Field(None, description="… to (default: today).")


class RowOut(Schema):
    group: str
    courses: int
    reached_mcid: int
    mean_session_reaching_mcid: float | None
    mean_change_in_pain: float | None
    courses_with_relapse: int
    relapses: int
    non_responders: int
    mean_sessions: float | None
    mean_contact_minutes: float | None


class ReportOut(Schema):
    start: date
    end: date
    overall: RowOut
    by_condition: list[RowOut]
    by_practitioner: list[RowOut]
    by_modality: list[RowOut]
    by_session: dict[str, int] = Field(
        description="How many courses first reached the MCID at each session."
    )


def _row_json(row: report.Row) -> dict:
    return {
        "group": row.label,
        "courses": row.courses,
        "reached_mcid": row.reached,
        "mean_session_reaching_mcid": row.mean_session,
        "mean_change_in_pain": row.mean_change,
        "courses_with_relapse": row.relapsed,
        "relapses": row.relapses,
        "non_responders": row.non_responders,
        "mean_sessions": row.mean_sessions,
        "mean_contact_minutes": row.mean_contact,
    }


@router.get(
    "/outcomes/report",
    response={200: ReportOut, **ERRORS},
    auth=require(*READ),
    tags=TAGS,
    summary="The clinic outcomes report for courses started in a period",
)
def outcomes_report(request, period: Query[ReportQuery]):
    today = timezone.localdate()
    start = period.start or today - timedelta(days=365)
    end = period.end or today
    if start > end:
        raise InvalidRequest(
            "invalid_period", "The period's start comes after its end.", field="end"
        )
    clinic = queries.default_clinic()
    if clinic is None:
        raise NotFound("no_clinic", "No clinic is set up yet: there is nothing to report.")
    services.courses_catch_up(clinic)
    result = report.outcomes_report(clinic, start=start, end=end)
    return {
        "start": start,
        "end": end,
        "overall": _row_json(result.overall),
        "by_condition": [_row_json(r) for r in result.groups["condition"]],
        "by_practitioner": [_row_json(r) for r in result.groups["practitioner"]],
        "by_modality": [_row_json(r) for r in result.groups["modality"]],
        "by_session": dict(result.by_session),
    }

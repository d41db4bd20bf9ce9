"""The treatment record as JSON: session notes, the point catalogue, needle lots, adverse
events and the recall search.

The same services as the pages, under the same permissions: reception reaches needle
stock and nothing clinical; practitioners chart their own sessions; clinic admins read
notes and run stock, recalls and follow-ups. Reads of clinical content are audited.
"""

from datetime import date, datetime, timedelta
from typing import Literal

from django.db.models import Count
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from pydantic import Field

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.api_auth import require
from acuclinic.core.api_errors import ERRORS
from acuclinic.core.api_types import (
    Flag,
    Id,
    InputSchema,
    Page,
    PageQuery,
    QueryId,
    get_or_404,
    page_of,
    text,
)
from acuclinic.core.errors import InvalidRequest
from acuclinic.core.formats import format_date, format_datetime
from acuclinic.scheduling.models import Appointment
from acuclinic.treatment import catalogue, queries, services
from acuclinic.treatment.choices import EventType, Severity, Side, Stimulation
from acuclinic.treatment.models import (
    AdverseEvent,
    NeedledPoint,
    NeedleLot,
    NoteAddendum,
    SessionNote,
)
from acuclinic.treatment.presenting import flag_lines

router = Router()

CLINICAL = "people.view_clinical"
READ_NOTES = (CLINICAL, "treatment.view_sessionnote")
CHART = (CLINICAL, "treatment.add_sessionnote")

# ── The catalogue ────────────────────────────────────────────────────────────────────


class PointOut(Schema):
    code: str
    kind: str
    name: str
    meridian: str = Field(description="LU … CV for WHO points; empty otherwise.")
    regions: list[str]
    sides: str = Field(description="midline or paired")
    area: str = ""
    note: str = ""
    source: str


class PointSearch(PageQuery):
    q: text(100) = Field("", description="A code (BL23, EX-B2, TP-QL) or a name.")
    kind: str | None = Field(None, description="acupoint, extra or trigger_point")


class _Listed(list):
    """A catalogue search result that page_of can slice and count like a queryset."""

    def count(self) -> int:  # type: ignore[override]
        return len(self)


@router.get(
    "/points",
    response={200: Page[PointOut], **ERRORS},
    auth=require(CLINICAL),
    tags=["treatment"],
    summary="Search the point and trigger-point catalogues",
)
def list_points(request, search: Query[PointSearch]):
    """Search by code or name; without ``q``, every entry in catalogue order: the 361
    WHO points, then extra points, then trigger-point muscles."""
    cat = catalogue.current()
    if search.kind is not None and search.kind not in catalogue.KIND_LABELS:
        raise InvalidRequest(
            "invalid_kind", "kind is acupoint, extra or trigger_point.", field="kind"
        )
    if search.q.strip():
        found = cat.search(search.q, kind=search.kind, limit=len(cat.entries))
    else:
        found = [e for e in cat.entries if search.kind in (None, e.kind)]
    return page_of(_Listed(found), search)


# ── Session notes ────────────────────────────────────────────────────────────────────


class PersonRef(Schema):
    id: int
    name: str


class NeedledPointOut(Schema):
    id: int
    number: int
    code: str
    name: str
    side: Side
    depth_mm: int
    retention_minutes: int
    stimulation: Stimulation
    overridden: list[str] = Field(description="The safety checks it was needled despite.")
    override_reason: str


class LotRef(Schema):
    id: int
    manufacturer: str
    size: str
    lot_number: str
    expires_on: date


class NeedleUseOut(Schema):
    id: int
    lot: LotRef
    count: int


class FollowUpOut(Schema):
    opened_at: datetime
    closed_at: datetime | None
    closed_by: str
    outcome: str


class AdverseEventOut(Schema):
    id: int
    note: int
    event_type: EventType
    severity: Severity
    description: str
    action_taken: str
    severe_or_lasting: bool | None = Field(
        description="The practitioner's answer to “was it severe, unusual or lasting?”; "
        "null when not asked (recorded before the question, or settled by type or severity)."
    )
    significant: bool = Field(
        description="Counted as significant, as the 2001 surveys counted events (the rule is "
        "in GET /adverse-events/report)."
    )
    significant_because: Literal["type", "severity", "judged", ""] = Field(
        description="Why: its type, its severity, or the practitioner's answer; empty if not."
    )
    significance: str = Field(description="The marking in words.")
    recorded_by: str
    recorded_at: datetime
    follow_up: FollowUpOut | None


class AddendumOut(Schema):
    id: int
    text: str
    written_by: str
    written_at: datetime


class SignProblem(Schema):
    code: str
    message: str


class NoteSummaryOut(Schema):
    id: int
    appointment: int
    patient: PersonRef
    practitioner: PersonRef
    session_date: date
    session_date_display: str
    modality: str
    signed_at: datetime | None
    points: int


class NoteOut(NoteSummaryOut):
    pain_before: int | None
    findings: str
    aftercare: list[str]
    aftercare_notes: str
    plan: str
    needles_out: int | None
    needles_in: int | None
    signed_by: str
    needled: list[NeedledPointOut]
    needle_uses: list[NeedleUseOut]
    adverse_events: list[AdverseEventOut]
    addenda: list[AddendumOut]
    to_sign: list[SignProblem] = Field(description="What stops signing; empty when ready.")
    flags: list[str] = Field(description="The patient's charting limits in words.")


def _person(patient_or_practitioner) -> dict:
    name = getattr(patient_or_practitioner, "full_name", None) or patient_or_practitioner.name
    return {"id": patient_or_practitioner.pk, "name": name}


def _lot_ref(lot: NeedleLot) -> dict:
    return {
        "id": lot.pk,
        "manufacturer": lot.manufacturer,
        "size": lot.size_display,
        "lot_number": lot.lot_number,
        "expires_on": lot.expires_on,
    }


def _point_json(number: int, point: NeedledPoint) -> dict:
    entry = catalogue.current().entry(point.code)
    return {
        "id": point.pk,
        "number": number,
        "code": point.code,
        "name": entry.name if entry else "",
        "side": point.side,
        "depth_mm": point.depth_mm,
        "retention_minutes": point.retention_minutes,
        "stimulation": point.stimulation,
        "overridden": point.overridden_codes,
        "override_reason": point.override_reason,
    }


def _event_json(event: AdverseEvent) -> dict:
    # No follow-up is a reverse one-to-one that raises AttributeError: getattr's default.
    follow_up = getattr(event, "follow_up", None)
    return {
        "id": event.pk,
        "note": event.note_id,
        "event_type": event.event_type,
        "severity": event.severity,
        "description": event.description,
        "action_taken": event.action_taken,
        "severe_or_lasting": event.severe_or_lasting,
        "significant": event.is_significant,
        "significant_because": event.significance_reason,
        "significance": event.significance_text,
        "recorded_by": event.recorded_by.display_name,
        "recorded_at": event.recorded_at,
        "follow_up": None
        if follow_up is None
        else {
            "opened_at": follow_up.opened_at,
            "closed_at": follow_up.closed_at,
            "closed_by": follow_up.closed_by.display_name if follow_up.closed_by else "",
            "outcome": follow_up.outcome,
        },
    }


def _summary_json(note: SessionNote, points: int) -> dict:
    return {
        "id": note.pk,
        "appointment": note.appointment_id,
        "patient": _person(note.patient),
        "practitioner": _person(note.practitioner),
        "session_date": note.session_date,
        "session_date_display": format_date(note.session_date),
        "modality": note.modality,
        "signed_at": note.signed_at,
        "points": points,
    }


def _note_json(note_id: int) -> dict:
    note = get_or_404(
        SessionNote.objects.select_related(
            "patient", "practitioner__user", "signed_by", "appointment", "clinic"
        ),
        note_id,
        "session_note",
    )
    points = queries.points_of(note)
    restrictions = queries.restrictions_for(note.patient, day=note.session_date, clinic=note.clinic)
    return {
        **_summary_json(note, len(points)),
        "pain_before": note.pain_before,
        "findings": note.findings,
        "aftercare": note.aftercare,
        "aftercare_notes": note.aftercare_notes,
        "plan": note.plan,
        "needles_out": note.needles_out,
        "needles_in": note.needles_in,
        "signed_by": note.signed_by.display_name if note.signed_by else "",
        "needled": [_point_json(n, p) for n, p in enumerate(points, start=1)],
        "needle_uses": [
            {"id": u.pk, "lot": _lot_ref(u.lot), "count": u.count}
            for u in queries.needle_uses_of(note)
        ],
        "adverse_events": [_event_json(e) for e in queries.events_of(note)],
        "addenda": [
            {
                "id": a.pk,
                "text": a.text,
                "written_by": a.written_by.display_name,
                "written_at": a.written_at,
            }
            for a in note.addenda.select_related("written_by").order_by("written_at", "id")
        ],
        "to_sign": [
            {"code": code, "message": message}
            for code, message in (services.sign_problems(note) if not note.is_signed else [])
        ],
        "flags": flag_lines(restrictions),
    }


def _note(note_id: int) -> SessionNote:
    return get_or_404(
        SessionNote.objects.select_related(
            "patient", "practitioner__user", "appointment__practitioner", "clinic"
        ),
        note_id,
        "session_note",
    )


class NoteFilters(PageQuery):
    patient: QueryId | None = None
    appointment: QueryId | None = None
    signed: bool | None = Field(None, description="true: signed only; false: drafts only.")


@router.get(
    "/session-notes",
    response={200: Page[NoteSummaryOut], **ERRORS},
    auth=require(*READ_NOTES),
    tags=["treatment"],
    summary="List session notes, latest first",
)
def list_notes(request, filters: Query[NoteFilters]):
    notes = SessionNote.objects.select_related("patient", "practitioner__user").annotate(
        point_count=Count("points")
    )
    if filters.patient is not None:
        notes = notes.filter(patient_id=filters.patient)
    if filters.appointment is not None:
        notes = notes.filter(appointment_id=filters.appointment)
    if filters.signed is not None:
        notes = notes.filter(signed_at__isnull=not filters.signed)
    page = page_of(notes.order_by("-session_date", "-id"), filters)
    audit.record(
        AuditAction.SEARCH, object_type="treatment.sessionnote", detail=f"{page['count']} found"
    )
    page["items"] = [_summary_json(n, n.point_count) for n in page["items"]]
    return page


class NoteStartIn(InputSchema):
    appointment: Id


@router.post(
    "/session-notes",
    response={201: NoteOut, **ERRORS},
    auth=require(*CHART),
    tags=["treatment"],
    summary="Start the session note of a visit",
)
def start_note(request, payload: NoteStartIn):
    """For a visit that took place (arrived or completed) and passes the safety gate
    today; a closed gate is a 409 ``needling_not_allowed`` listing every failure."""
    appointment = get_or_404(
        Appointment.objects.select_related(
            "patient", "practitioner__user", "service__clinic", "room__location"
        ),
        payload.appointment,
        "appointment",
    )
    note = services.session_note_start(appointment, user=request.auth)
    return Status(201, _note_json(note.pk))


@router.get(
    "/session-notes/{note_id}",
    response={200: NoteOut, **ERRORS},
    auth=require(*READ_NOTES),
    tags=["treatment"],
    summary="One session note, with its points, needles, events and addenda",
)
def get_note(request, note_id: int):
    note = _note(note_id)
    audit.record(AuditAction.VIEW, note, detail="session note (API)")
    return _note_json(note.pk)


class NoteChange(InputSchema):
    """Send only what changes. A signed note refuses every change (409 ``note_signed``)."""

    pain_before: int | None = Field(None, description="0 to 10")
    findings: text(10_000) | None = None
    aftercare: list[text(40)] | None = Field(None, description="Ids of the advice given.")
    aftercare_notes: text(10_000) | None = None
    plan: text(10_000) | None = None
    needles_out: int | None = None
    needles_in: int | None = None


@router.patch(
    "/session-notes/{note_id}",
    response={200: NoteOut, **ERRORS},
    auth=require(*CHART),
    tags=["treatment"],
    summary="Change a draft note's findings, pain, counts, aftercare or plan",
)
def change_note(request, note_id: int, payload: NoteChange):
    note = _note(note_id)
    services.session_note_update(note, user=request.auth, **payload.model_dump(exclude_unset=True))
    return _note_json(note.pk)


class PointIn(InputSchema):
    code: text(20)
    side: Side | None = Field(
        None, description="Left, right or bilateral; midline points: midline."
    )
    depth_mm: int
    retention_minutes: int
    stimulation: Stimulation = Stimulation.MANUAL


class PointsIn(InputSchema):
    points: list[PointIn] = Field(..., max_length=60)
    override_reason: text(2000) = Field(
        "", description="Why points that meet the patient's safety flags are needled anyway."
    )


class PointsOut(Schema):
    points: list[NeedledPointOut]


@router.post(
    "/session-notes/{note_id}/points",
    response={201: PointsOut, **ERRORS},
    auth=require(*CHART),
    tags=["treatment"],
    summary="Chart points or trigger points, all or none",
)
def add_points(request, note_id: int, payload: PointsIn):
    """Each point is checked against the patient's flags; one that meets a flag without
    ``override_reason`` refuses the whole batch (409 ``safety_override_needed``, with
    ``problems`` per point)."""
    note = _note(note_id)
    specs = [
        services.PointSpec(
            p.code,
            p.side.value if p.side else "",
            p.depth_mm,
            p.retention_minutes,
            p.stimulation.value,
        )
        for p in payload.points
    ]
    before = NeedledPoint.objects.filter(note=note).count()
    added = services.needled_points_add(
        note, specs, user=request.auth, override_reason=payload.override_reason
    )
    numbered = enumerate(added, start=before + 1)
    return Status(201, {"points": [_point_json(n, p) for n, p in numbered]})


@router.delete(
    "/session-notes/{note_id}/points/{point_id}",
    response={204: None, **ERRORS},
    auth=require(*CHART),
    tags=["treatment"],
    summary="Take a point off a draft note",
)
def remove_point(request, note_id: int, point_id: int):
    note = _note(note_id)
    services.needled_point_remove(note, point_id, user=request.auth)
    return Status(204, None)


class NeedlesIn(InputSchema):
    lot: Id
    count: int


@router.post(
    "/session-notes/{note_id}/needles",
    response={201: NeedleUseOut, **ERRORS},
    auth=require(*CHART),
    tags=["treatment"],
    summary="Record needles taken from a lot",
)
def add_needles(request, note_id: int, payload: NeedlesIn):
    """The lot's stock goes down at once. An expired or recalled lot is a 409; another
    clinic's lot a 422 ``lot_other_clinic``."""
    note = _note(note_id)
    lot = get_or_404(NeedleLot, payload.lot, "lot")
    use = services.needle_use_record(note, lot=lot, count=payload.count, user=request.auth)
    return Status(201, {"id": use.pk, "lot": _lot_ref(use.lot), "count": use.count})


@router.post(
    "/session-notes/{note_id}/sign",
    response={200: NoteOut, **ERRORS},
    auth=require(*CHART),
    tags=["treatment"],
    summary="Sign the note: from then on it is final",
)
def sign_note(request, note_id: int):
    """Refused (409 ``note_not_ready``, with ``problems``) until the pain score is
    recorded and the needles counted out, counted back in and recorded by lot agree."""
    note = _note(note_id)
    services.session_note_sign(note, user=request.auth)
    return _note_json(note.pk)


class AddendumIn(InputSchema):
    text: text(10_000)


@router.post(
    "/session-notes/{note_id}/addenda",
    response={201: AddendumOut, **ERRORS},
    auth=require(CLINICAL, "treatment.add_noteaddendum"),
    tags=["treatment"],
    summary="Add a dated addendum to a signed note",
)
def add_addendum(request, note_id: int, payload: AddendumIn):
    note = _note(note_id)
    addendum: NoteAddendum = services.addendum_add(note, text=payload.text, user=request.auth)
    return Status(
        201,
        {
            "id": addendum.pk,
            "text": addendum.text,
            "written_by": addendum.written_by.display_name,
            "written_at": addendum.written_at,
        },
    )


class AdverseEventIn(InputSchema):
    event_type: EventType
    severity: Severity
    action_taken: text(10_000)
    description: text(10_000) = ""
    severe_or_lasting: Flag | None = Field(
        None,
        description="Was it severe, unusual or lasting? Required (400 "
        "`severe_or_lasting_required`) unless the type or severity already makes the event "
        "significant.",
    )


@router.post(
    "/session-notes/{note_id}/adverse-events",
    response={201: AdverseEventOut, **ERRORS},
    auth=require(CLINICAL, "treatment.add_adverseevent"),
    tags=["treatment"],
    summary="Record an adverse event of a session",
)
def add_adverse_event(request, note_id: int, payload: AdverseEventIn):
    """A serious event opens a follow-up that a clinic admin must close."""
    note = _note(note_id)
    event = services.adverse_event_record(
        note,
        event_type=payload.event_type.value,
        severity=payload.severity.value,
        description=payload.description,
        action_taken=payload.action_taken,
        severe_or_lasting=payload.severe_or_lasting,
        user=request.auth,
    )
    return Status(201, _event_json(_event(event.pk)))


# ── Adverse events ───────────────────────────────────────────────────────────────────


def _event(event_id: int) -> AdverseEvent:
    return get_or_404(
        AdverseEvent.objects.select_related("recorded_by", "follow_up__closed_by", "note"),
        event_id,
        "adverse_event",
    )


class EventFilters(PageQuery):
    open_follow_up: bool | None = Field(None, description="true: only events awaiting an admin.")


@router.get(
    "/adverse-events",
    response={200: Page[AdverseEventOut], **ERRORS},
    auth=require(CLINICAL, "treatment.view_adverseevent"),
    tags=["treatment"],
    summary="List adverse events, latest first",
)
def list_adverse_events(request, filters: Query[EventFilters]):
    events = AdverseEvent.objects.select_related("recorded_by", "follow_up__closed_by")
    if filters.open_follow_up is True:
        events = events.filter(follow_up__isnull=False, follow_up__closed_at__isnull=True)
    elif filters.open_follow_up is False:
        events = events.exclude(follow_up__isnull=False, follow_up__closed_at__isnull=True)
    page = page_of(events.order_by("-recorded_at", "-id"), filters)
    audit.record(
        AuditAction.SEARCH, object_type="treatment.adverseevent", detail=f"{page['count']} found"
    )
    page["items"] = [_event_json(e) for e in page["items"]]
    return page


# ── The adverse-event report ─────────────────────────────────────────────────────────


class EventReportQuery(Schema):
    start: date | None = Field(None, description="Sessions from (default: a year ago).")
    end: date | None = Field(None, description="… to, inclusive (default: today).")


class PublishedOut(Schema):
    study: str
    name: str
    counted: Literal["significant", "every"] = Field(
        description="What the study counted: significant events only, or every reaction."
    )
    value: float = Field(description="Per 1,000, in the study's own unit.")
    unit: str
    count: int | None
    of: int | None
    ci_low: float | None = Field(description="95% confidence interval, where the source gives it.")
    ci_high: float | None
    text: str


class ComparisonOut(Schema):
    id: str
    label: str
    counts: Literal["significant", "every"]
    per: Literal["event", "session", "patient"] = Field(
        description="event: events per 1,000 sessions; session: sessions with at least one "
        "per 1,000 sessions; patient: patients with at least one per 1,000 patients."
    )
    description: str
    count: int
    denominator: int
    denominator_unit: Literal["sessions", "patients"]
    per_1000: float | None = Field(description="One decimal place; null when nothing to divide.")
    rate: str = Field(description="The rate in words, with its denominator.")
    published: list[PublishedOut] = Field(description="Only studies that counted the same way.")


class TypeCountOut(Schema):
    event_type: EventType
    label: str
    events: int
    significant: int
    by_severity: dict[str, int]
    per_1000_sessions: float | None


class RuleOut(Schema):
    types: list[EventType] = Field(description="Types that are always significant.")
    severities: list[Severity] = Field(description="Severities that are always significant.")
    question: str
    text: str
    source: str


class EventReportOut(Schema):
    start: date
    end: date
    sessions: int = Field(description="Signed sessions in the period.")
    patients: int = Field(description="Patients with at least one of them.")
    significant_rule: RuleOut
    significant: list[ComparisonOut] = Field(
        description="The clinic's significant events, beside the surveys that counted only those."
    )
    every: list[ComparisonOut] = Field(
        description="Every event, beside the studies that counted every reaction."
    )
    by_type: list[TypeCountOut]
    unanswered: int = Field(
        description="Events recorded before the question “severe, unusual or lasting?” was "
        "asked that type and severity do not make significant: counted as not significant."
    )


def _rate(value) -> float | None:
    return None if value is None else float(value)


def _comparison_json(row: queries.ComparisonRow) -> dict:
    comparison = row.comparison
    return {
        "id": comparison.id,
        "label": comparison.label,
        "counts": comparison.counts,
        "per": comparison.per,
        "description": comparison.description,
        "count": row.count,
        "denominator": row.denominator,
        "denominator_unit": row.denominator_unit,
        "per_1000": _rate(row.per_1000),
        "rate": row.rate_text,
        "published": [
            {
                "study": study.id,
                "name": study.name,
                "counted": study.counted,
                "value": figure.value,
                "unit": figure.unit,
                "count": figure.count,
                "of": figure.of,
                "ci_low": figure.low,
                "ci_high": figure.high,
                "text": figure.text,
            }
            for study, figure in row.published
        ],
    }


@router.get(
    "/adverse-events/report",
    response={200: EventReportOut, **ERRORS},
    auth=require(CLINICAL, "treatment.view_adverseevent"),
    tags=["treatment"],
    summary="The clinic's adverse-event rates beside the published studies",
)
def adverse_event_report(request, period: Query[EventReportQuery]):
    """Significant events per 1,000 signed sessions beside the two 2001 surveys (which
    counted only those); every event, per session or per patient, beside the studies
    that counted every reaction. Counts only: no patient is named."""
    today = timezone.localdate()
    start = period.start or today - timedelta(days=365)
    end = period.end or today
    if start > end:
        raise InvalidRequest(
            "invalid_period", "The period's start comes after its end.", field="end"
        )
    result = queries.adverse_event_report(queries.default_clinic(), start=start, end=end)
    rule = result.rule
    return {
        "start": result.start,
        "end": result.end,
        "sessions": result.sessions,
        "patients": result.patients,
        "significant_rule": {
            "types": [t for t in EventType.values if t in rule.types],
            "severities": [s for s in Severity.values if s in rule.severities],
            "question": rule.question,
            "text": result.rule_text,
            "source": rule.source,
        },
        "significant": [_comparison_json(row) for row in result.significant],
        "every": [_comparison_json(row) for row in result.every],
        "by_type": [
            {
                "event_type": row.key,
                "label": row.label,
                "events": row.count,
                "significant": row.significant,
                "by_severity": row.by_severity,
                "per_1000_sessions": _rate(row.per_1000),
            }
            for row in result.types
        ],
        "unanswered": result.unanswered,
    }


class FollowUpCloseIn(InputSchema):
    outcome: text(10_000)


@router.post(
    "/adverse-events/{event_id}/close-follow-up",
    response={200: AdverseEventOut, **ERRORS},
    auth=require(CLINICAL, "treatment.change_followup"),
    tags=["treatment"],
    summary="Close a serious event's follow-up (clinic admins)",
)
def close_follow_up(request, event_id: int, payload: FollowUpCloseIn):
    event = _event(event_id)
    follow_up = getattr(event, "follow_up", None)
    if follow_up is None:
        raise InvalidRequest(
            "no_follow_up", "Only a serious event has a follow-up to close.", field="event"
        )
    services.follow_up_close(follow_up, outcome=payload.outcome, user=request.auth)
    return _event_json(_event(event_id))


# ── Needle lots ──────────────────────────────────────────────────────────────────────


class LotOut(LotRef):
    diameter_um: int
    length_mm: int
    received_on: date
    quantity_received: int
    quantity_in_stock: int
    recalled_at: datetime | None
    recall_reason: str
    usable_today: bool


def _lot_json(lot: NeedleLot) -> dict:
    return {
        **_lot_ref(lot),
        "diameter_um": lot.diameter_um,
        "length_mm": lot.length_mm,
        "received_on": lot.received_on,
        "quantity_received": lot.quantity_received,
        "quantity_in_stock": lot.quantity_in_stock,
        "recalled_at": lot.recalled_at,
        "recall_reason": lot.recall_reason,
        "usable_today": lot.usable_on(timezone.localdate()),
    }


@router.get(
    "/needle-lots",
    response={200: Page[LotOut], **ERRORS},
    auth=require("treatment.view_needlelot"),
    tags=["needle lots"],
    summary="Needle stock, soonest to expire first",
)
def list_lots(request, page: Query[PageQuery]):
    lots = NeedleLot.objects.order_by("recalled_at", "expires_on", "manufacturer", "lot_number")
    result = page_of(lots, page)
    result["items"] = [_lot_json(lot) for lot in result["items"]]
    return result


class LotIn(InputSchema):
    manufacturer: text(80)
    diameter_um: int = Field(description="Diameter in micrometres: 250 for 0.25 mm.")
    length_mm: int
    lot_number: text(40)
    expires_on: date
    received_on: date | None = Field(None, description="Defaults to today.")
    quantity: int


@router.post(
    "/needle-lots",
    response={201: LotOut, **ERRORS},
    auth=require("treatment.add_needlelot"),
    tags=["needle lots"],
    summary="Receive a delivery of needles into stock",
)
def receive_lot(request, payload: LotIn):
    clinic = queries.default_clinic()
    if clinic is None:
        raise InvalidRequest("no_clinic", "Set up the clinic before stocking needles.")
    lot = services.needle_lot_receive(clinic, user=request.auth, **payload.model_dump())
    return Status(201, _lot_json(lot))


@router.get(
    "/needle-lots/{lot_id}",
    response={200: LotOut, **ERRORS},
    auth=require("treatment.view_needlelot"),
    tags=["needle lots"],
    summary="One needle lot",
)
def get_lot(request, lot_id: int):
    return _lot_json(get_or_404(NeedleLot, lot_id, "lot"))


class RecallIn(InputSchema):
    reason: text(200)


@router.post(
    "/needle-lots/{lot_id}/recall",
    response={200: LotOut, **ERRORS},
    auth=require("treatment.change_needlelot"),
    tags=["needle lots"],
    summary="Recall a lot: it can no longer be recorded",
)
def recall_lot(request, lot_id: int, payload: RecallIn):
    lot = services.needle_lot_recall(
        get_or_404(NeedleLot, lot_id, "lot"), reason=payload.reason, user=request.auth
    )
    return _lot_json(lot)


class RecallSessionOut(Schema):
    note: int
    session_date: date
    session_start: str
    patient: PersonRef
    patient_phone: str
    patient_email: str
    practitioner: PersonRef
    needles: int


@router.get(
    "/needle-lots/{lot_id}/sessions",
    response={200: list[RecallSessionOut], **ERRORS},
    auth=require("treatment.view_lot_recall"),
    tags=["needle lots"],
    summary="The recall search: every session and patient that used a lot",
)
def lot_sessions(request, lot_id: int):
    lot = get_or_404(NeedleLot, lot_id, "lot")
    found = services.recall_search(lot, user=request.auth)
    # The API has always answered oldest first, the whole list at once.
    uses = found.with_practitioners(found.uses.reverse()) if found.sessions else []
    return [
        {
            "note": use.note_id,
            "session_date": use.note.session_date,
            "session_start": format_datetime(use.note.appointment.start),
            "patient": _person(use.note.patient),
            "patient_phone": use.note.patient.phone,
            "patient_email": use.note.patient.email,
            "practitioner": _person(use.note.practitioner),
            "needles": use.count,
        }
        for use in uses
    ]

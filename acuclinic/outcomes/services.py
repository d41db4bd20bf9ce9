"""Everything a person does with outcomes, one function each, and keeping each course's
summary in step with its facts.

Every write checks its input first (a refusal writes nothing), runs in one transaction
and is audited in that transaction. Pages, the portal and the API call these functions.
"""

from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Clinic
from acuclinic.core.errors import Conflict, Forbidden, InvalidRequest
from acuclinic.core.formats import format_date
from acuclinic.outcomes import catalogue, planner, queries, scoring
from acuclinic.outcomes.catalogue import PAIN, Measure
from acuclinic.outcomes.choices import (
    EndReason,
    Entry,
    PainRuleKind,
    ReviewDecision,
    Source,
    Timepoint,
)
from acuclinic.outcomes.models import (
    LIMITS,
    Course,
    CourseReview,
    Measurement,
    OutcomesPolicy,
    SummaryMark,
)
from acuclinic.people.models import Patient
from acuclinic.scheduling.services import appointment_book
from acuclinic.treatment.models import SessionNote

# How far back a clinician may enter a questionnaire from paper, and a patient a diary day.
STAFF_BACKDATE = timedelta(days=365)
DIARY_BACKDATE = timedelta(days=28)
# Summaries are caught up from a little before the last mark, so a note being signed while
# the last catch-up ran (its time stamped before the mark, committed after) is not missed.
CATCH_UP_OVERLAP = timedelta(minutes=10)
NOTE_MAX = 500


# ── Keeping course summaries in step ─────────────────────────────────────────────────


def _summary(plan: planner.Plan) -> dict:
    return {
        "phase": plan.phase.value if plan.phase else "",
        "series": plan.series,
        "sessions": plan.sessions,
        "contact_minutes": plan.contact_minutes,
        "baseline_pain": plan.baseline,
        "latest_pain": plan.latest_pain,
        "first_mcid_session": plan.first_mcid_session,
        "relapses": plan.relapses,
        "non_responder": plan.non_response,
        "left_initial_on": plan.left_initial_on,
        "last_session_on": plan.marks[-1].day if plan.marks else None,
    }


def course_refresh(patient: Patient, *, today: date | None = None, now=None) -> list[Course]:
    """Open a course for signed sessions that belong to none, and bring every course's
    summary up to date with its sessions, diary and reviews. Oldest first.

    Idempotent, and safe to run at any time: it only writes what changed.
    """
    refresh_courses([patient.pk], today=today, now=now)
    return list(Course.objects.filter(patient=patient).order_by("started_on", "id"))


REFRESH_CHUNK = 1000


def refresh_courses(
    patient_ids, *, today: date | None = None, now=None, audited: bool = True
) -> int:
    """``course_refresh`` for many patients at once, reading their facts a chunk at a
    time; the number of course summaries written. ``audited=False`` is for the demo's
    history, which, like the rest of the demo, writes no audit entries."""
    today = today or timezone.localdate()
    now = now or timezone.now()
    ids = sorted(set(patient_ids))
    written = 0
    rules: dict[int, planner.Rules] = {}
    for start in range(0, len(ids), REFRESH_CHUNK):
        chunk = ids[start : start + REFRESH_CHUNK]
        with transaction.atomic():
            # One refresh of a patient at a time (in id order, so two never deadlock), so
            # two cannot both open a course for the same sessions.
            list(
                Patient.objects.select_for_update()
                .filter(pk__in=chunk)
                .order_by("pk")
                .values_list("pk")
            )
            written += _refresh_chunk(chunk, today=today, now=now, audited=audited, rules=rules)
    return written


def _refresh_chunk(chunk, *, today: date, now, audited: bool, rules: dict) -> int:
    notes = queries.signed_notes(chunk)
    diary = queries.diary_entries(chunk)
    courses: dict[int, list[Course]] = {pk: [] for pk in chunk}
    for course in Course.objects.filter(patient_id__in=chunk).order_by("started_on", "id"):
        courses[course.patient_id].append(course)
    conditions = queries.conditions_of(chunk)
    opened: list[Course] = []
    for patient_id in chunk:
        mine, found = courses[patient_id], notes.get(patient_id, [])
        closed_until = max((c.ended_on for c in mine if c.ended_on), default=None)
        loose = [n for n in found if closed_until is None or n.day > closed_until]
        current = next((c for c in mine if c.ended_on is None), None)
        if current is None and loose:
            first = loose[0]
            course = Course(
                patient_id=patient_id,
                clinic_id=first.clinic_id,
                practitioner_id=first.practitioner_id,
                modality=first.modality,
                condition=conditions.get(patient_id, ""),
                started_on=first.day,
                refreshed_at=now,
            )
            opened.append(course)
            mine.append(course)
        elif current is not None and loose and loose[0].day < current.started_on:
            # A session signed late, dated before the course's first: the course starts there.
            _restart(current, loose[0], audited=audited)
    Course.objects.bulk_create(opened, batch_size=1000)
    if audited:
        for course in opened:
            audit.record(
                AuditAction.CREATE,
                course,
                detail=f"opened by the signed session of {format_date(course.started_on)}",
            )
    every = [c for mine in courses.values() for c in mine]
    reviews = queries.continue_reviews([c.pk for c in every])
    changed = []
    for mine in courses.values():
        for index, course in enumerate(mine):
            if course.clinic_id not in rules:
                rules[course.clinic_id] = queries.policy_for(course.clinic).rules()
            plan = queries.plan_for(
                course,
                notes=notes.get(course.patient_id, []),
                diary=diary.get(course.patient_id, []),
                reviews=reviews.get(course.pk, []),
                rules=rules[course.clinic_id],
                today=today,
                earlier=mine[:index],
            )
            if _apply(course, plan, now):
                changed.append(course)
    Course.objects.bulk_update(changed, [*SUMMARY_FIELDS, "refreshed_at"], batch_size=1000)
    return len(changed)


SUMMARY_FIELDS = (
    "phase",
    "series",
    "sessions",
    "contact_minutes",
    "baseline_pain",
    "latest_pain",
    "first_mcid_session",
    "relapses",
    "non_responder",
    "left_initial_on",
    "last_session_on",
)


def _apply(course: Course, plan: planner.Plan, now: datetime) -> bool:
    """Set the plan's reading on ``course`` if it changed; whether it did."""
    fields = _summary(plan)
    if all(getattr(course, name) == value for name, value in fields.items()):
        return False
    for name, value in fields.items():
        setattr(course, name, value)
    course.refreshed_at = now
    return True


def _restart(course: Course, first: queries.NoteFact, *, audited: bool) -> None:
    course.started_on = first.day
    course.practitioner_id = first.practitioner_id
    course.modality = first.modality
    Course.objects.filter(pk=course.pk).update(
        started_on=first.day, practitioner_id=first.practitioner_id, modality=first.modality
    )
    if audited:
        audit.record(
            AuditAction.CHANGE,
            course,
            changed_fields=["started_on"],
            detail="an earlier session was signed",
        )


def courses_catch_up(clinic: Clinic, *, now: datetime | None = None) -> int:
    """Refresh the courses of every patient with a session note signed since the last
    catch-up; the number of patients refreshed. The clinic report runs it first, so its
    figures include sessions signed through any page or the API."""
    now = now or timezone.now()
    with transaction.atomic():
        mark = SummaryMark.objects.select_for_update().filter(clinic=clinic).first()
        signed = SessionNote.objects.filter(clinic=clinic, signed_at__isnull=False)
        if mark is not None:
            signed = signed.filter(signed_at__gte=mark.notes_signed_before - CATCH_UP_OVERLAP)
        patient_ids = set(signed.values_list("patient_id", flat=True))
        refresh_courses(patient_ids, today=timezone.localdate(now), now=now)
        SummaryMark.objects.update_or_create(clinic=clinic, defaults={"notes_signed_before": now})
    return len(patient_ids)


# ── Recording measures ───────────────────────────────────────────────────────────────


def _measure(code, *, field: str = "measure") -> Measure:
    measure = catalogue.current().measure(code) if isinstance(code, str) else None
    if measure is None:
        known = ", ".join(sorted(catalogue.current().measures))
        raise InvalidRequest(
            "unknown_measure", f"Unknown measure: use one of {known}.", field=field
        )
    return measure


def _day(value, *, today: date, earliest: date, field: str, what: str) -> date:
    if not isinstance(value, date) or isinstance(value, datetime):
        raise InvalidRequest("invalid_date", f"Give the day {what} as a date.", field=field)
    if value > today:
        raise InvalidRequest(
            "date_in_future", f"The day {what} cannot be in the future.", field=field
        )
    if value < earliest:
        raise InvalidRequest(
            "date_too_old",
            f"The day {what} cannot be before {format_date(earliest)}.",
            field=field,
        )
    return value


def _scored(measure: Measure, *, answers, total) -> tuple[scoring.Score, str, list]:
    if (answers is None) == (total is None):
        raise InvalidRequest(
            "answers_or_total",
            "Give either the answers or, from a licensed copy, the total — one of the two.",
            field="answers",
        )
    try:
        if total is not None:
            return scoring.score_total(measure, total), Entry.TOTAL, []
        if not isinstance(answers, (list, tuple)):
            raise scoring.ScoringError("wrong_item_count", "Give the answers as a list.")
        score = scoring.score_items(measure, answers)
    except scoring.ScoringError as exc:
        raise InvalidRequest(exc.code, exc.message, field=exc.field) from exc
    if measure.scoring == catalogue.MEAN:
        kept = [[a.strip(), r] for a, r in answers if isinstance(a, str) and a.strip()]
        return score, Entry.ITEMS, kept
    return score, Entry.ITEMS, list(answers)


def _timepoint(patient: Patient, code: str, *, today: date) -> str:
    """The time point a measure taken on ``today`` answers: the one it is due for, if any."""
    course_refresh(patient, today=today)  # a session signed just now may open the course
    for due in queries.due_for(patient, today=today):
        if due.code == code:
            return due.timepoint
    return Timepoint.OTHER


def _note(value) -> str:
    if not isinstance(value, str):
        raise InvalidRequest("invalid_note", "The note must be text.", field="note")
    value = value.strip()
    if len(value) > NOTE_MAX or "\x00" in value:
        raise InvalidRequest(
            "invalid_note", f"Keep the note under {NOTE_MAX} characters.", field="note"
        )
    return value


def measurement_record(
    patient: Patient,
    *,
    measure: str,
    taken_on: date,
    user,
    answers=None,
    total=None,
    note: str = "",
    today: date | None = None,
) -> Measurement:
    """A clinician records a questionnaire: its answers (scored here) or, for a licensed
    instrument, the total from the clinic's copy."""
    today = today or timezone.localdate()
    definition = _measure(measure)
    if definition.code == PAIN:
        raise InvalidRequest(
            "pain_from_session_note",
            "Pain at a session is recorded on its session note, and pain between sessions "
            "in the patient's own diary; it is not entered here.",
            field="measure",
        )
    taken_on = _day(
        taken_on,
        today=today,
        earliest=today - STAFF_BACKDATE,
        field="taken_on",
        what="it was taken",
    )
    if total is not None and not definition.takes_total:
        raise InvalidRequest(
            "items_needed",
            f"The {definition.name} is scored from its answers, not entered as a total.",
            field="total",
        )
    score, entry, kept = _scored(definition, answers=answers, total=total)
    note = _note(note)
    with transaction.atomic():
        measurement = Measurement.objects.create(
            patient=patient,
            measure=definition.code,
            taken_on=taken_on,
            score=score.value,
            answers=kept,
            missing=score.missing,
            entry=entry,
            source=Source.CLINICIAN,
            timepoint=_timepoint(patient, definition.code, today=taken_on),
            note=note,
            recorded_by=user,
            recorded_at=timezone.now(),
        )
        audit.record(AuditAction.CREATE, measurement, detail=f"{definition.short}: {score.value}")
    return measurement


def patient_measure_record(
    patient: Patient, *, measure: str, answers, today: date | None = None
) -> Measurement:
    """A patient completes a questionnaire on the portal (only those whose wording may be
    shown to them), dated today."""
    today = today or timezone.localdate()
    definition = _measure(measure)
    if not definition.patient_can_complete or definition.code == PAIN:
        raise Forbidden(
            "not_for_patients",
            "This questionnaire is completed with your practitioner at the clinic.",
            field="measure",
        )
    score, entry, kept = _scored(definition, answers=answers, total=None)
    with transaction.atomic():
        measurement = Measurement.objects.create(
            patient=patient,
            measure=definition.code,
            taken_on=today,
            score=score.value,
            answers=kept,
            missing=score.missing,
            entry=entry,
            source=Source.PATIENT,
            timepoint=_timepoint(patient, definition.code, today=today),
            recorded_at=timezone.now(),
        )
        audit.record(AuditAction.CREATE, measurement, detail=f"{definition.short} by the patient")
    return measurement


def diary_entry_record(
    patient: Patient, *, pain, taken_on: date, note: str = "", today: date | None = None
) -> Measurement:
    """A patient's pain diary: a 0–10 rating for a day, today or in the last four weeks."""
    today = today or timezone.localdate()
    if isinstance(pain, bool) or not isinstance(pain, int) or not 0 <= pain <= 10:
        raise InvalidRequest(
            "score_out_of_range", "Choose a pain score from 0 to 10.", field="pain"
        )
    taken_on = _day(
        taken_on,
        today=today,
        earliest=today - DIARY_BACKDATE,
        field="taken_on",
        what="of a diary entry",
    )
    note = _note(note)
    with transaction.atomic():
        entry = Measurement.objects.create(
            patient=patient,
            measure=PAIN,
            taken_on=taken_on,
            score=Decimal(pain),
            answers=[pain],
            entry=Entry.ITEMS,
            source=Source.PATIENT,
            timepoint=Timepoint.DIARY,
            note=note,
            recorded_at=timezone.now(),
        )
        audit.record(AuditAction.CREATE, entry, detail="pain diary entry by the patient")
        # A diary entry can show a relapse: the course's summary follows at once.
        course_refresh(patient, today=today)
    return entry


# ── Deciding about a course ──────────────────────────────────────────────────────────


def _open(course: Course) -> Course:
    locked = Course.objects.select_for_update().get(pk=course.pk)
    if not locked.is_open:
        raise Conflict(
            "course_closed", f"This course was closed on {format_date(locked.ended_on)}."
        )
    return locked


def _close(course: Course, *, reason: str, ended_on: date, user) -> None:
    Course.objects.filter(pk=course.pk).update(ended_on=ended_on, end_reason=reason, ended_by=user)
    course.ended_on, course.end_reason, course.ended_by = ended_on, reason, user
    audit.record(
        AuditAction.CHANGE,
        course,
        changed_fields=["ended_on", "end_reason"],
        detail=f"closed: {EndReason(reason).label.lower()}",
        user=user,
    )


def course_review(
    course: Course, *, decision: str, user, note: str = "", today: date | None = None
) -> CourseReview:
    """Record the review the planner asked for: after no response to a trial, or once
    NICE's recommended course is complete. Continue (a further trial; past NICE's
    course) or stop (the course closes)."""
    today = today or timezone.localdate()
    if decision not in ReviewDecision.values:
        raise InvalidRequest(
            "invalid_decision", "Decide to continue or to stop the course.", field="decision"
        )
    note = _note(note)
    with transaction.atomic():
        locked = _open(course)
        plan = _fresh_plan(locked, today=today)
        if plan.decision.action != planner.Action.REVIEW and not plan.decision.review_advised:
            raise Conflict(
                "no_review_due",
                "This course is not waiting for a review: the planner proposes the next "
                "session. To end it, close the course.",
            )
        review = CourseReview.objects.create(
            course=locked,
            reviewed_on=today,
            decision=decision,
            note=note,
            reviewed_by=user,
            created_at=timezone.now(),
        )
        audit.record(AuditAction.CREATE, review, detail=f"review: {decision}", user=user)
        if decision == ReviewDecision.DISCHARGE:
            _close(locked, reason=EndReason.AFTER_REVIEW, ended_on=today, user=user)
        course_refresh(locked.patient, today=today)
    return review


def course_close(
    course: Course,
    *,
    user,
    reason: str = EndReason.DISCHARGED,
    ended_on: date | None = None,
    today: date | None = None,
) -> Course:
    """Close a course (a discharge, or the patient stopped coming): the discharge
    measures fall due, and the next signed session opens a new course."""
    today = today or timezone.localdate()
    ended_on = ended_on or today
    if reason not in EndReason.values:
        raise InvalidRequest("invalid_reason", "Say why the course ends.", field="reason")
    with transaction.atomic():
        locked = _open(course)
        last = locked.last_session_on or locked.started_on
        _day(ended_on, today=today, earliest=last, field="ended_on", what="the course ended")
        _close(locked, reason=reason, ended_on=ended_on, user=user)
        course_refresh(locked.patient, today=today)
    return locked


def _fresh_plan(course: Course, *, today: date) -> planner.Plan:
    for view in queries.course_views(course.patient, today=today):
        if view.course.pk == course.pk:
            return view.plan
    raise Conflict("course_closed", "This course is no longer open.")


# ── The clinic's settings ────────────────────────────────────────────────────────────

POLICY_FIELDS = ("pain_mcid_kind", *LIMITS)


def policy_update(clinic: Clinic, *, user, **fields) -> OutcomesPolicy:
    """Change the planner's thresholds; every course's summary follows at the next
    catch-up (the report runs it)."""
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise InvalidRequest("unknown_field", f"Unknown setting: {', '.join(sorted(unknown))}.")
    if "pain_mcid_kind" in fields and fields["pain_mcid_kind"] not in PainRuleKind.values:
        raise InvalidRequest(
            "invalid_choice", "Choose points or a percentage.", field="pain_mcid_kind"
        )
    for name, value in fields.items():
        if name not in LIMITS:
            continue
        low, high = LIMITS[name]
        if value is None and name == "contact_cap_minutes":
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidRequest(
                "out_of_range", f"Give a whole number from {low} to {high}.", field=name
            )
    with transaction.atomic():
        policy, _ = OutcomesPolicy.objects.select_for_update().get_or_create(clinic=clinic)
        before = audit.snapshot(policy, fields)
        for name, value in fields.items():
            setattr(policy, name, value)
        policy.save()
        changed = audit.changed_field_names(before, policy, fields)
        if changed:
            audit.record(AuditAction.CHANGE, policy, changed_fields=changed, user=user)
            # The thresholds change how every course reads: redo every summary now.
            refresh_courses(
                Course.objects.filter(clinic=clinic).values_list("patient_id", flat=True)
            )
    return policy


# ── From plan to diary ───────────────────────────────────────────────────────────────


def next_session_book(
    course: Course,
    *,
    practitioner,
    room,
    service,
    start: datetime,
    user,
    today: date | None = None,
):
    """Book the session the planner proposed, through the booking service (its checks,
    its lock, its alternatives on a clash). Refused while the course waits for a review:
    the planner asks for a review instead of another booking."""
    today = today or timezone.localdate()
    with transaction.atomic():
        # Read afresh and held: a course closed, or reviewed, since the page was drawn
        # is judged as it stands now.
        locked = _open(course)
        plan = _fresh_plan(locked, today=today)
        if plan.decision.action == planner.Action.REVIEW:
            raise Conflict(
                "review_due",
                "No response after the trial: review the course before booking another session.",
            )
        return appointment_book(
            patient=locked.patient,
            practitioner=practitioner,
            room=room,
            service=service,
            start=start,
            user=user,
        )

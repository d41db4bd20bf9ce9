"""Demo outcomes: every patient's course read from their signed session notes, the
questionnaires taken along the way and the pain diaries kept between sessions.

Courses open and are summarised by the same code the clinic runs
(outcomes.services.refresh_courses), so the planner reads the pain the treatment demo
wrote on each note. A course whose last session is long past was closed then: after a
review the planner asked for, as a discharge once improved, or because the patient
stopped coming. Where sessions went on after a course reached NICE's limit for its
condition (NG193's 5 hours, CG150's 10 sessions over 5–8 weeks), the practitioner had
reviewed it with the patient the next day and agreed to go on; a course whose latest
session reached the limit still asks for that review. The questionnaires follow the
schedule (the condition's disability measure and the PSFS at baseline, after the first
weekly series and at discharge; the PGIC after the first series and at discharge; the
STarT Back screen at baseline for low back pain) with scores that go with the pain on
the nearest session, as they do in practice (disability tracks pain closely but not
exactly); a few were never done, so the due lists have something in them. Where the
condition has no disability measure of its own (musculoskeletal, post-surgery and other
pain), most practitioners took the MYMOP2 at those times, rating by rating. About two
patients in three keep a pain diary between sessions, each entry between the pain at
the sessions either side, so the diary agrees with the notes.

Like the other parts, it writes history with ``bulk_create`` and no audit entries.
"""

import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from itertools import pairwise

from django.utils import timezone

from acuclinic.core.formats import LONDON
from acuclinic.demo.clinic import ClinicPlan
from acuclinic.demo.patients import PatientPlan
from acuclinic.demo.spec import DemoSpec
from acuclinic.demo.timeline import local_moment
from acuclinic.outcomes import catalogue, queries, scoring, services
from acuclinic.outcomes.choices import (
    CoursePhase,
    EndReason,
    Entry,
    ReviewDecision,
    Source,
    Timepoint,
)
from acuclinic.outcomes.models import Course, CourseReview, Measurement, SummaryMark

# A course with no session for this long (two missed monthly visits) was over when its
# last session ended.
CLOSED_AFTER = timedelta(days=60)
# Of the questionnaires due, the share never done; of patients, those keeping a diary.
NOT_DONE = 0.12
KEEPS_DIARY = 0.65
DIARY_EVERY = 7
CHUNK = 2000
ACTIVITIES = (
    "Sitting at work",
    "Walking the dog",
    "Gardening",
    "Lifting shopping",
    "Getting dressed",
    "Driving",
    "Sleeping through",
    "Playing with the children",
    "Climbing stairs",
    "Cycling",
)


@dataclass
class OutcomesDemo:
    courses: int = 0
    closed: int = 0
    measurements: int = 0
    diary_entries: int = 0


def build_outcomes(
    spec: DemoSpec, rng: random.Random, clinic: ClinicPlan, patients: list[PatientPlan]
) -> OutcomesDemo:
    summary = OutcomesDemo()
    ids = [plan.patient.pk for plan in patients]
    now = local_moment(spec.today, 0, LONDON)
    services.refresh_courses(ids, today=spec.today, now=now, audited=False)
    continued = []
    for start in range(0, len(ids), CHUNK):
        continued += _reviews_that_continued(ids[start : start + CHUNK], spec, now)
    CourseReview.objects.bulk_create(continued, batch_size=1000)
    past_nice = []
    for start in range(0, len(ids), CHUNK):
        past_nice += _reviews_past_nice(ids[start : start + CHUNK], spec, now)
    CourseReview.objects.bulk_create(past_nice, batch_size=1000)
    services.refresh_courses(
        {r.course.patient_id for r in continued + past_nice},
        today=spec.today,
        now=now,
        audited=False,
    )
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        summary.closed += _close_old_courses(chunk, spec, rng, now)
        notes = queries.signed_notes(chunk)
        measurements = []
        courses = (
            Course.objects.filter(patient_id__in=chunk)
            .select_related("practitioner")
            .order_by("patient_id", "id")
        )
        for course in courses:
            found = notes.get(course.patient_id, [])
            mine = [n for n in found if queries.in_course(course, n.day)]
            if mine:
                measurements += _questionnaires(course, mine, rng, spec)
                measurements += _diary(course, mine, rng, spec)
        Measurement.objects.bulk_create(measurements, batch_size=2000)
        summary.measurements += sum(m.timepoint != Timepoint.DIARY for m in measurements)
        summary.diary_entries += sum(m.timepoint == Timepoint.DIARY for m in measurements)
    # Diary entries can show a relapse between sessions: read every course once more.
    services.refresh_courses(ids, today=spec.today, now=now, audited=False)
    summary.courses = Course.objects.count()
    # Every note so far is read into its course: the report need not catch up on them.
    SummaryMark.objects.update_or_create(
        clinic=clinic.clinic, defaults={"notes_signed_before": timezone.now()}
    )
    return summary


def _reviews_that_continued(chunk, spec: DemoSpec, now: datetime) -> list[CourseReview]:
    """Where sessions went on after the planner asked for a review, the practitioner had
    reviewed the course and agreed a further trial: that review, on the day it was due."""
    courses = list(
        Course.objects.filter(
            patient_id__in=chunk, ended_on__isnull=True, phase=CoursePhase.REVIEW
        ).select_related("practitioner")
    )
    notes = queries.signed_notes([c.patient_id for c in courses])
    rules = {}
    found = []
    for course in courses:
        if course.clinic_id not in rules:
            rules[course.clinic_id] = queries.policy_for(course.clinic).rules()
        mine = [n for n in notes.get(course.patient_id, []) if queries.in_course(course, n.day)]
        days: list[date] = []
        while True:
            plan = queries.plan_for(
                course,
                notes=mine,
                diary=[],
                reviews=days,
                rules=rules[course.clinic_id],
                today=spec.today,
            )
            asked = next(
                (c.day for c in reversed(plan.changes) if c.phase == CoursePhase.REVIEW), None
            )
            if plan.phase != CoursePhase.REVIEW or asked is None or mine[-1].day <= asked:
                break
            days.append(asked + timedelta(days=1))
        found += [
            CourseReview(
                course=course,
                reviewed_on=day,
                decision=ReviewDecision.CONTINUE,
                note="Some change in sleep and activity; agreed a further trial of sessions.",
                reviewed_by_id=course.practitioner.user_id,
                created_at=now,
            )
            for day in days
        ]
    return found


def _reviews_past_nice(chunk, spec: DemoSpec, now: datetime) -> list[CourseReview]:
    """Where sessions went on after a course reached NICE's limit for its condition, the
    review that agreed to go on: the day after the session that reached it."""
    courses = defaultdict(list)
    for course in (
        Course.objects.filter(patient_id__in=chunk)
        .select_related("practitioner")
        .order_by("patient_id", "started_on", "id")
    ):
        courses[course.patient_id].append(course)
    notes = queries.signed_notes(list(courses))
    reviews = queries.continue_reviews([c.pk for mine in courses.values() for c in mine])
    rules = {}
    found = []
    for patient_id, mine in courses.items():
        for index, course in enumerate(mine):
            if course.clinic_id not in rules:
                rules[course.clinic_id] = queries.policy_for(course.clinic).rules()
            plan = queries.plan_for(
                course,
                notes=notes.get(patient_id, []),
                diary=[],
                reviews=reviews.get(course.pk, []),
                rules=rules[course.clinic_id],
                today=spec.today,
                earlier=mine[:index],
            )
            standing = plan.standing
            if standing is None or not standing.review_advised or not plan.marks:
                continue
            day = standing.reached_on + timedelta(days=1)
            if plan.marks[-1].day < day:
                continue  # the latest session reached it: the review is still to come
            found.append(
                CourseReview(
                    course=course,
                    reviewed_on=day,
                    decision=ReviewDecision.CONTINUE,
                    note="NICE's recommended course is complete; still improving, so we agreed "
                    "to go on and review again at each monthly session.",
                    reviewed_by_id=course.practitioner.user_id,
                    created_at=now,
                )
            )
    return found


def _close_old_courses(chunk, spec: DemoSpec, rng: random.Random, now: datetime) -> int:
    stale = list(
        Course.objects.filter(
            patient_id__in=chunk,
            ended_on__isnull=True,
            last_session_on__lt=spec.today - CLOSED_AFTER,
        ).select_related("practitioner")
    )
    reviews = []
    for course in stale:
        course.ended_on = course.last_session_on
        course.ended_by_id = course.practitioner.user_id
        if course.phase == CoursePhase.REVIEW:
            course.end_reason = EndReason.AFTER_REVIEW
            reviews.append(
                CourseReview(
                    course=course,
                    reviewed_on=course.last_session_on,
                    decision=ReviewDecision.DISCHARGE,
                    note="No worthwhile change after a fair trial; agreed to stop and see the GP.",
                    reviewed_by_id=course.practitioner.user_id,
                    created_at=now,
                )
            )
        elif course.phase in (CoursePhase.TAPER, CoursePhase.MAINTENANCE):
            course.end_reason = EndReason.DISCHARGED
        else:
            course.end_reason = EndReason.STOPPED_ATTENDING
    Course.objects.bulk_update(stale, ["ended_on", "end_reason", "ended_by"], batch_size=1000)
    CourseReview.objects.bulk_create(reviews, batch_size=1000)
    return len(stale)


def _pain_near(notes, day: date) -> int:
    return min(notes, key=lambda n: abs((n.day - day).days)).pain


def _clamp(value: float, low: int, high: int) -> Decimal:
    return Decimal(max(low, min(high, round(value))))


def _score(code: str, pain: int, rng: random.Random) -> Decimal:
    """A score for ``code`` that goes with a pain of ``pain``, as disability does."""
    level = pain / 10
    if code == "rmdq":
        return _clamp(level * 22 + rng.uniform(-2.5, 2.5), 0, 24)
    if code == "ndi":
        return _clamp(level * 38 + rng.uniform(-4, 4), 0, 50)
    if code == "hit6":
        return _clamp(44 + level * 26 + rng.uniform(-3, 3), 36, 78)
    if code == "fiqr":
        return _clamp(level * 80 + rng.uniform(-6, 6), 0, 100)
    if code == "odi":
        return _clamp(level * 60 + rng.uniform(-6, 6), 0, 100)
    raise ValueError(code)


def _psfs(pain: int, rng: random.Random, chosen: list[str]) -> tuple[Decimal, list]:
    ratings = [int(_clamp(10 - pain + rng.uniform(-1.5, 1.5), 0, 10)) for _ in chosen]
    pairs = [[name, rating] for name, rating in zip(chosen, ratings, strict=True)]
    return (Decimal(sum(ratings)) / len(ratings)).quantize(Decimal("0.1")), pairs


def _pgic(baseline: int, pain: int) -> int:
    fall = baseline - pain
    if fall >= 4:
        return 1
    if fall >= 2:
        return 2
    if fall == 1:
        return 3
    return 4 if fall == 0 else 5


def _questionnaires(course: Course, notes, rng: random.Random, spec: DemoSpec) -> list:
    cat = catalogue.current()
    points = [(Timepoint.BASELINE, course.started_on)]
    if course.left_initial_on is not None:
        points.append((Timepoint.AFTER_INITIAL, course.left_initial_on))
    if course.ended_on is not None:
        points.append((Timepoint.DISCHARGE, course.ended_on))
    activities = rng.sample(ACTIVITIES, rng.choice((3, 3, 4, 5)))
    by = course.practitioner.user_id
    baseline = notes[0].pain
    found = []
    for timepoint, day in points:
        if day > spec.today:
            continue
        pain = _pain_near(notes, day)
        codes = [*cat.disability_for(course.condition), *cat.every_course]
        if timepoint != Timepoint.BASELINE:
            codes += cat.after_treatment
        for code in codes:
            if rng.random() < NOT_DONE:
                continue
            measure = cat.measures[code]
            at = local_moment(day, rng.randint(36, 64), LONDON)
            if code == "psfs":
                score, answers = _psfs(pain, rng, activities)
                entry, source = Entry.ITEMS, Source.PATIENT
            elif code == "pgic":
                value = _pgic(baseline, pain)
                score, answers = Decimal(value), [value]
                entry, source = Entry.ITEMS, Source.PATIENT
            else:
                score, answers = _score(code, pain, rng), []
                entry, source = Entry.TOTAL, Source.CLINICIAN
            found.append(
                Measurement(
                    patient_id=course.patient_id,
                    measure=measure.code,
                    taken_on=day,
                    score=score,
                    answers=answers,
                    entry=entry,
                    source=source,
                    timepoint=timepoint,
                    recorded_by_id=by if source == Source.CLINICIAN else None,
                    recorded_at=at,
                )
            )
    found += _screens(course, baseline, spec)
    found += _profiles(course, notes, points, spec)
    return found


# Of the courses whose condition has no disability measure, the share given the MYMOP2.
TAKES_MYMOP = 0.7


def _profiles(course: Course, notes, points, spec: DemoSpec) -> list:
    """The MYMOP2 at the schedule's time points where the condition has no disability
    measure of its own, entered rating by rating by the practitioner from the clinic's
    licensed copy. Its own generator, so the rest of the demo is the same without it."""
    cat = catalogue.current()
    if cat.disability_for(course.condition):
        return []
    rng = random.Random(f"{spec.seed}-mymop-{course.patient_id}-{course.started_on}")
    if rng.random() >= TAKES_MYMOP:
        return []
    two_symptoms = rng.random() < 0.6
    found = []
    for timepoint, day in points:
        if day > spec.today or rng.random() < NOT_DONE:
            continue
        level = _pain_near(notes, day) * 0.6  # a pain of 10 is about a 6 ("as bad as can be")
        ratings = [int(_clamp(level + rng.uniform(-1, 1), 0, 6)) for _ in range(4)]
        if not two_symptoms:
            ratings[1] = None
        score = scoring.score_items(cat.measures["mymop2"], ratings)
        found.append(
            Measurement(
                patient_id=course.patient_id,
                measure="mymop2",
                taken_on=day,
                score=score.value,
                answers=ratings,
                missing=score.missing,
                entry=Entry.ITEMS,
                source=Source.CLINICIAN,
                timepoint=timepoint,
                recorded_by_id=course.practitioner.user_id,
                recorded_at=local_moment(day, rng.randint(36, 64), LONDON),
            )
        )
    return found


def _screens(course: Course, pain: int, spec: DemoSpec) -> list:
    """The screening tools taken once at baseline (STarT Back for low back pain), entered
    statement by statement by the practitioner. Drawn from a generator of their own, so
    the rest of the demo is the same with or without them."""
    cat = catalogue.current()
    rng = random.Random(f"{spec.seed}-screen-{course.patient_id}-{course.started_on}")
    found = []
    for code in cat.baseline_only_for(course.condition):
        if course.started_on > spec.today or rng.random() < NOT_DONE:
            continue
        measure = cat.measures[code]
        # Worse pain goes with more of the statements agreed, the distress ones less so.
        answers = [
            rng.random() < pain / (10 if n < measure.subscale_first else 16)
            for n in range(1, measure.items + 1)
        ]
        found.append(
            Measurement(
                patient_id=course.patient_id,
                measure=code,
                taken_on=course.started_on,
                score=Decimal(sum(answers)),
                answers=answers,
                entry=Entry.ITEMS,
                source=Source.CLINICIAN,
                timepoint=Timepoint.BASELINE,
                recorded_by_id=course.practitioner.user_id,
                recorded_at=local_moment(course.started_on, rng.randint(36, 64), LONDON),
            )
        )
    return found


def _diary(course: Course, notes, rng: random.Random, spec: DemoSpec) -> list:
    """Weekly entries in the gaps between sessions, each between the pains either side."""
    if rng.random() >= KEEPS_DIARY:
        return []
    until = min(spec.today, course.ended_on or spec.today)
    stops = [(n.day, n.pain) for n in notes]
    if course.ended_on is None:
        stops.append((until + timedelta(days=1), notes[-1].pain))
    found = []
    for (day, pain), (next_day, next_pain) in pairwise(stops):
        entry_day = day + timedelta(days=DIARY_EVERY)
        low, high = sorted((pain, next_pain))
        while entry_day < next_day and entry_day <= until:
            value = rng.randint(low, high)
            found.append(
                Measurement(
                    patient_id=course.patient_id,
                    measure=catalogue.PAIN,
                    taken_on=entry_day,
                    score=Decimal(value),
                    answers=[value],
                    entry=Entry.ITEMS,
                    source=Source.PATIENT,
                    timepoint=Timepoint.DIARY,
                    recorded_at=local_moment(entry_day, rng.randint(72, 88), LONDON),
                )
            )
            entry_day += timedelta(days=DIARY_EVERY + rng.choice((-1, 0, 0, 1)))
    return found

"""Reads the outcome pages, tags, API and services share: a patient's facts for the
planner, their courses, measures and what is due."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from acuclinic.clinic.models import Clinic
from acuclinic.outcomes import catalogue, guidance, planner, schedule
from acuclinic.outcomes.catalogue import PAIN
from acuclinic.outcomes.choices import ReviewDecision, Timepoint
from acuclinic.outcomes.guidance import ConditionGuidance
from acuclinic.outcomes.models import Course, CourseReview, Measurement, OutcomesPolicy
from acuclinic.people.models import ClinicalSummary, Patient
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.treatment.models import SessionNote


def default_clinic() -> Clinic | None:
    """An installation runs one clinic (DESIGN.md); its first row."""
    return Clinic.objects.order_by("pk").first()


def policy_for(clinic: Clinic | None) -> OutcomesPolicy:
    """The clinic's planner settings; the defaults when it has not changed any."""
    if clinic is None:
        return OutcomesPolicy()
    return OutcomesPolicy.objects.filter(clinic=clinic).first() or OutcomesPolicy(clinic=clinic)


@dataclass(frozen=True)
class NoteFact:
    """A signed session note as the planner needs it."""

    id: int
    day: date
    pain: int
    minutes: int
    practitioner_id: int
    modality: str
    clinic_id: int
    appointment_id: int

    def as_session(self) -> planner.Session:
        return planner.Session(self.day, self.pain, self.minutes, ref=self.id)


def _minutes(start, end) -> int:
    return int((end - start).total_seconds() // 60)


def signed_notes(patient_ids) -> dict[int, list[NoteFact]]:
    """Each patient's signed session notes, oldest first: pain is read from the note."""
    rows = (
        SessionNote.objects.filter(patient_id__in=patient_ids, signed_at__isnull=False)
        .order_by("patient_id", "session_date", "id")
        .values_list(
            "id",
            "patient_id",
            "session_date",
            "pain_before",
            "appointment__start",
            "appointment__end",
            "practitioner_id",
            "modality",
            "clinic_id",
            "appointment_id",
        )
    )
    found = defaultdict(list)
    for pk, patient_id, day, pain, start, end, practitioner_id, modality, clinic_id, appt in rows:
        found[patient_id].append(
            NoteFact(
                pk, day, pain, _minutes(start, end), practitioner_id, modality, clinic_id, appt
            )
        )
    return found


def diary_entries(patient_ids) -> dict[int, list[planner.DiaryEntry]]:
    # Ordered by day here: the model's own order starts with the patient's name, which
    # joins every row to its patient only to sort them.
    rows = (
        Measurement.objects.filter(
            patient_id__in=patient_ids, measure=PAIN, timepoint=Timepoint.DIARY
        )
        .order_by("taken_on", "id")
        .values_list("patient_id", "taken_on", "score", "id")
    )
    found = defaultdict(list)
    for patient_id, day, score, pk in rows:
        found[patient_id].append(planner.DiaryEntry(day, int(score), ref=pk))
    return found


def continue_reviews(course_ids) -> dict[int, list[date]]:
    rows = (
        CourseReview.objects.filter(course_id__in=course_ids, decision=ReviewDecision.CONTINUE)
        .order_by("reviewed_on", "id")  # not the model's order, which joins each course
        .values_list("course_id", "reviewed_on")
    )
    found = defaultdict(list)
    for course_id, day in rows:
        found[course_id].append(day)
    return found


def conditions_of(patient_ids) -> dict[int, str]:
    """Each patient's presenting condition, from their clinical summary."""
    return dict(
        ClinicalSummary.objects.filter(patient_id__in=patient_ids).values_list(
            "patient_id", "presenting_condition"
        )
    )


def condition_of(patient: Patient) -> str:
    summary = ClinicalSummary.objects.filter(patient=patient).only("presenting_condition").first()
    return summary.presenting_condition if summary else ""


def in_course(course: Course, day: date) -> bool:
    return course.started_on <= day and (course.ended_on is None or day <= course.ended_on)


@dataclass
class CourseView:
    """A course with the planner's reading of it and what it is measured against."""

    course: Course
    plan: planner.Plan
    rules: planner.Rules
    notes: list[NoteFact]
    diary: list[planner.DiaryEntry]
    measurements: list[Measurement] = field(default_factory=list)
    guidance: ConditionGuidance | None = None


def guidance_for(course: Course) -> ConditionGuidance:
    """NICE's guidance for the course's presenting condition (data/guidance.toml)."""
    return guidance.current().for_condition(course.condition)


def plan_for(
    course: Course,
    *,
    notes: list[NoteFact],
    diary: list[planner.DiaryEntry],
    reviews: list[date],
    rules: planner.Rules,
    today: date,
    earlier: list[Course] = (),
) -> planner.Plan:
    """The planner's reading of ``course``; ``earlier`` are the patient's courses before
    it (NG193 recommends a single course: an earlier one under it counts)."""
    mine = [n for n in notes if in_course(course, n.day)]
    found = guidance_for(course).guidance
    return planner.plan_course(
        [n.as_session() for n in mine],
        rules=rules,
        today=today,
        diary=[d for d in diary if in_course(course, d.day)],
        reviews=reviews,
        ended_on=course.ended_on,
        guidance=found,
        earlier_courses=sum(1 for c in earlier if guidance_for(c).guidance.id == found.id),
    )


def measurements_for(patient: Patient) -> list[Measurement]:
    return list(
        Measurement.objects.filter(patient=patient)
        .select_related("recorded_by")
        .order_by("taken_on", "id")
    )


def course_views(patient: Patient, *, today: date) -> list[CourseView]:
    """Every course of the patient with its plan, oldest first, from the stored facts.

    Reads only: the courses themselves are opened and summarised by
    services.course_refresh.
    """
    return course_views_for([patient], today=today).get(patient.pk, [])


def course_views_for(patients, *, today: date) -> dict[int, list[CourseView]]:
    """``course_views`` of several patients (a day's visits) in the same few statements
    as one patient's, not a handful more for each: patients without a course are left
    out."""
    courses_of: dict[int, list[Course]] = defaultdict(list)
    for course in (
        Course.objects.filter(patient__in=[p.pk for p in patients])
        .select_related("practitioner__user", "clinic")
        .order_by("started_on", "id")
    ):
        courses_of[course.patient_id].append(course)
    if not courses_of:
        return {}
    ids = list(courses_of)
    notes_of = signed_notes(ids)
    diary_of = diary_entries(ids)
    reviews = continue_reviews([c.pk for courses in courses_of.values() for c in courses])
    measurements_of: dict[int, list[Measurement]] = defaultdict(list)
    for measurement in (
        Measurement.objects.filter(patient__in=ids)
        .select_related("recorded_by")
        .order_by("taken_on", "id")
    ):
        measurements_of[measurement.patient_id].append(measurement)
    rules_of: dict[int | None, object] = {}  # a clinic's rules, read once
    found = {}
    for patient_id, courses in courses_of.items():
        notes, diary = notes_of.get(patient_id, []), diary_of.get(patient_id, [])
        measurements = measurements_of[patient_id]
        views = []
        for index, course in enumerate(courses):
            if course.clinic_id not in rules_of:
                rules_of[course.clinic_id] = policy_for(course.clinic).rules()
            rules = rules_of[course.clinic_id]
            plan = plan_for(
                course,
                notes=notes,
                diary=diary,
                reviews=reviews.get(course.pk, []),
                rules=rules,
                today=today,
                earlier=courses[:index],
            )
            views.append(
                CourseView(
                    course=course,
                    plan=plan,
                    rules=rules,
                    notes=[n for n in notes if in_course(course, n.day)],
                    diary=[d for d in diary if in_course(course, d.day)],
                    measurements=[m for m in measurements if in_course(course, m.taken_on)],
                    guidance=guidance_for(course),
                )
            )
        found[patient_id] = views
    return found


def next_needling_visit(patient: Patient, *, today: date) -> Appointment | None:
    """The patient's next booked visit that may include needling (for a baseline due
    before the course opens)."""
    return (
        Appointment.objects.filter(
            patient=patient,
            status=AppointmentStatus.BOOKED,
            start__date__gte=today,
            start__date__lte=today + schedule.BASELINE_BEFORE,
        )
        .exclude(service__needling="")
        .order_by("start")
        .first()
    )


def due_for(patient: Patient, *, today: date, views: list[CourseView] | None = None):
    """The measures due today for the patient's latest course, or for the course their
    next needling visit will open."""
    views = course_views(patient, today=today) if views is None else views
    cat = catalogue.current()
    taken = list(
        Measurement.objects.filter(patient=patient)
        .order_by("taken_on", "id")  # one patient's: the model's order would join them
        .values_list("measure", "taken_on")
    )
    latest = views[-1] if views else None
    if latest is not None and (
        latest.course.is_open or latest.course.ended_on + schedule.DISCHARGE_FOR >= today
    ):
        course, plan = latest.course, latest.plan
        pain_days = [m.day for m in plan.marks] + [d.day for d in latest.diary]
        facts = schedule.CourseFacts(
            condition=course.condition,
            starts=course.started_on,
            started=True,
            left_initial_on=plan.left_initial_on,
            ended_on=course.ended_on,
            in_review=plan.decision.action == planner.Action.REVIEW,
            last_pain_day=max(pain_days) if pain_days else None,
        )
        policy = policy_for(course.clinic)
        return schedule.due_measures(
            facts,
            catalogue=cat,
            taken=taken,
            today=today,
            diary_every_days=policy.diary_every_days,
        )
    visit = next_needling_visit(patient, today=today)
    if visit is None:
        return []
    facts = schedule.CourseFacts(
        condition=condition_of(patient),
        starts=timezone.localdate(visit.start),
        started=False,
    )
    return schedule.due_measures(facts, catalogue=cat, taken=taken, today=today)


def pain_series(view: CourseView) -> list[tuple[date, int, str]]:
    """(day, pain, "session" or "diary") for a chart, in date order."""
    points = [(m.day, m.pain, "session") for m in view.plan.marks]
    points += [(d.day, d.pain, "diary") for d in view.diary]
    return sorted(points, key=lambda p: (p[0], p[2] != "session"))

"""The demo clinic's outcomes: a course for every patient with signed sessions, read from
their notes; questionnaires on the schedule; diaries that agree with the notes; and a
report with something in every column.

The scale-1 demo is built once for the module (and the other modules that read it)
inside a transaction that is rolled back at the end (acuclinic/testing/module_db.py);
each test runs in a savepoint inside it.
"""

from collections import defaultdict
from datetime import date

import pytest

from acuclinic.demo.spec import DemoSpec
from acuclinic.outcomes import catalogue, queries, report, scoring, services
from acuclinic.outcomes.choices import Timepoint
from acuclinic.outcomes.models import Course, CourseReview, Measurement
from acuclinic.testing.module_db import module_demo
from acuclinic.treatment.models import SessionNote

TODAY = date(2026, 4, 15)
SPEC = DemoSpec.at_scale(1, today=TODAY)

pytestmark = pytest.mark.django_db
demo = module_demo(SPEC)


def test_every_patient_with_a_signed_session_has_a_course_that_holds_it(demo):
    signed = SessionNote.objects.filter(signed_at__isnull=False)
    patients = set(signed.values_list("patient_id", flat=True))
    assert set(Course.objects.values_list("patient_id", flat=True)) == patients
    courses = defaultdict(list)
    for course in Course.objects.all():
        courses[course.patient_id].append(course)
    for note in signed.only("patient_id", "session_date"):
        assert any(queries.in_course(c, note.session_date) for c in courses[note.patient_id])


def test_the_stored_summaries_are_what_the_planner_reads_from_the_notes(demo):
    # Refreshing changes nothing: the demo's courses are already up to date.
    ids = Course.objects.values_list("patient_id", flat=True)
    assert services.refresh_courses(ids, today=TODAY) == 0
    for course in Course.objects.order_by("pk")[:40]:
        first = SessionNote.objects.filter(
            patient_id=course.patient_id, signed_at__isnull=False, session_date=course.started_on
        ).first()
        assert course.baseline_pain == first.pain_before


def test_the_demo_has_courses_in_every_phase_and_each_kind_of_ending(demo):
    phases = set(Course.objects.values_list("phase", flat=True))
    assert {"initial", "taper", "maintenance"} <= phases
    reasons = set(Course.objects.exclude(end_reason="").values_list("end_reason", flat=True))
    assert reasons == {"discharged", "after_review", "stopped_attending"}
    assert Course.objects.filter(relapses__gt=0).exists()
    assert Course.objects.filter(non_responder=True).exists()
    assert CourseReview.objects.filter(decision="continue").exists()


def test_questionnaires_follow_the_schedule_and_their_ranges(demo):
    cat = catalogue.current()
    taken = Measurement.objects.exclude(timepoint=Timepoint.DIARY)
    assert taken.filter(timepoint=Timepoint.BASELINE, measure="rmdq").exists()
    assert taken.filter(timepoint=Timepoint.AFTER_INITIAL, measure="pgic").exists()
    assert not taken.filter(timepoint=Timepoint.BASELINE, measure="pgic").exists()
    for m in taken:
        measure = cat.measures[m.measure]
        assert measure.score_min <= m.score <= measure.score_max, m
    # Licensed instruments are clinician-entered totals, never answers.
    assert not taken.filter(measure__in=["rmdq", "ndi", "hit6", "fiqr"], entry="items").exists()


def test_low_back_courses_are_screened_once_at_baseline_statement_by_statement(demo):
    cat = catalogue.current()
    screens = Measurement.objects.filter(measure="startback")
    assert screens.exists()
    groups = set()
    for screen in screens.select_related("patient"):
        assert screen.timepoint == Timepoint.BASELINE and screen.entry == "items"
        assert len(screen.answers) == 9 and screen.score == sum(screen.answers)
        groups.add(scoring.risk_group(cat.measures["startback"], screen.answers))
    assert groups == {"low", "medium", "high"}
    conditions = set(
        Course.objects.filter(patient__measurements__measure="startback").values_list(
            "condition", flat=True
        )
    )
    assert conditions <= {"low_back", "sciatica"}


def test_diary_entries_lie_between_the_pain_at_the_sessions_either_side(demo):
    notes = queries.signed_notes(Course.objects.values_list("patient_id", flat=True))
    entries = Measurement.objects.filter(timepoint=Timepoint.DIARY)
    assert entries.count() > 100
    for entry in entries[:500]:
        mine = notes[entry.patient_id]
        before = [n.pain for n in mine if n.day <= entry.taken_on][-1:]
        after = [n.pain for n in mine if n.day > entry.taken_on][:1]
        around = before + after
        assert min(around) <= entry.score <= max(around)
        assert entry.taken_on <= TODAY


def test_the_report_has_something_in_every_column(demo):
    clinic = Course.objects.first().clinic
    assert services.courses_catch_up(clinic) == 0  # the demo left nothing to catch up
    result = report.outcomes_report(clinic, start=date(2025, 10, 15), end=TODAY)
    row = result.overall
    assert row.courses > 50
    assert 0 < row.reached < row.courses
    assert row.mean_change > 0
    assert row.relapsed and row.non_responders
    assert {r.label for r in result.groups["modality"]} == {
        "Medical (western) acupuncture",
        "Traditional acupuncture",
    }


def test_courses_past_nices_limit_were_reviewed_and_the_mymop2_was_taken(demo):
    # Sessions after NICE's limit for the condition follow a review that agreed to go on.
    past = CourseReview.objects.filter(note__startswith="NICE's recommended course is complete")
    assert past.exists()
    for review in past.select_related("course")[:50]:
        [view] = [
            v
            for v in queries.course_views(review.course.patient, today=TODAY)
            if v.course.pk == review.course_id
        ]
        standing = view.plan.standing
        assert standing.complete and standing.reviewed_on == review.reviewed_on
        assert view.plan.marks[-1].day >= review.reviewed_on
        assert not view.plan.decision.review_advised
    # The MYMOP2, rating by rating, where the condition has no disability measure.
    cat = catalogue.current()
    profiles = Measurement.objects.filter(measure="mymop2").select_related("patient")
    assert profiles.exists()
    for m in profiles[:200]:
        assert m.entry == "items" and len(m.answers) == 4
        assert m.score == scoring.score_items(cat.measures["mymop2"], m.answers).value
    conditions = set(
        Course.objects.filter(patient__measurements__measure="mymop2").values_list(
            "condition", flat=True
        )
    )
    assert conditions and not {"low_back", "sciatica", "headache"} & conditions


def test_a_clinical_summary_states_the_baseline_the_chart_uses(demo):
    from acuclinic.people.models import ClinicalSummary

    first = {}
    for course in Course.objects.exclude(baseline_pain=None).order_by("started_on", "pk"):
        first.setdefault(course.patient_id, course.baseline_pain)
    stated = {
        s.patient_id: s.history
        for s in ClinicalSummary.objects.filter(patient_id__in=first, history__contains="Baseline")
    }
    assert len(stated) > 50
    for patient_id, history in stated.items():
        assert f"Baseline pain {first[patient_id]}/10." in history

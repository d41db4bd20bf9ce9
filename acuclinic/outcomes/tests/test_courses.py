"""Courses open from signed sessions, and their summaries follow the facts."""

from datetime import timedelta

import pytest
from django.db import IntegrityError
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.outcomes import queries, services
from acuclinic.outcomes.models import Course, OutcomesPolicy
from acuclinic.testing import factories


def test_the_first_signed_session_opens_a_course_with_its_pain_as_baseline(sessions, low_back):
    sessions(7)
    [course] = services.course_refresh(low_back)
    assert (course.baseline_pain, course.sessions, course.phase) == (7, 1, "initial")
    assert course.condition == "low_back"
    assert course.modality == "medical"
    assert AuditEntry.objects.filter(object_type="outcomes.course", action="create").count() == 1


def test_a_patient_with_no_signed_session_has_no_course(low_back):
    assert services.course_refresh(low_back) == []


def test_the_summary_follows_new_sessions_and_only_writes_when_it_changes(sessions, low_back):
    sessions(7, 6, 5, 4)
    [course] = services.course_refresh(low_back)
    assert (course.phase, course.first_mcid_session, course.latest_pain) == ("taper", 3, 4)
    stamp = course.refreshed_at
    [again] = services.course_refresh(low_back)
    assert again.refreshed_at == stamp


def test_pain_comes_from_the_session_note_and_is_never_entered_twice(sessions, low_back):
    sessions(8, 5)
    view = queries.course_views(low_back, today=timezone.localdate())
    assert view == []  # nothing is read until a course exists
    services.course_refresh(low_back)
    [view] = queries.course_views(low_back, today=timezone.localdate())
    assert [m.pain for m in view.plan.marks] == [8, 5]


def test_a_closed_course_keeps_its_sessions_and_the_next_session_opens_another(
    sessions, low_back, practitioner, practitioner_user
):
    sessions(7, 5, 4)
    [course] = services.course_refresh(low_back)
    services.course_close(course, user=practitioner_user)
    tomorrow = timezone.localdate() + timedelta(days=1)
    factories.signed_session(low_back, practitioner, day=tomorrow, pain=6)
    first, second = services.course_refresh(low_back, today=tomorrow)
    assert (first.sessions, first.end_reason) == (3, "discharged")
    assert (second.sessions, second.baseline_pain, second.started_on) == (1, 6, tomorrow)


def test_the_database_refuses_two_open_courses_for_one_patient(sessions, low_back):
    sessions(7)
    [course] = services.course_refresh(low_back)
    duplicate = Course(
        patient=low_back,
        clinic=course.clinic,
        practitioner=course.practitioner,
        modality="medical",
        started_on=course.started_on,
        refreshed_at=timezone.now(),
    )
    with pytest.raises(IntegrityError):
        duplicate.save()


def test_contact_time_adds_up_each_appointment_length(sessions, low_back):
    sessions(7, 7, 7, minutes=45)
    [course] = services.course_refresh(low_back)
    assert course.contact_minutes == 135


def test_changing_the_clinics_thresholds_rereads_every_course(
    sessions, low_back, clinic, admin_user
):
    sessions(10, 8, 8)
    [course] = services.course_refresh(low_back)
    assert course.phase == "taper"  # 2 points, the default
    services.policy_update(clinic, user=admin_user, pain_mcid_kind="percent")
    course.refresh_from_db()
    assert course.phase == "initial"  # 8 is not 30% below 10
    assert OutcomesPolicy.objects.get(clinic=clinic).pain_mcid_kind == "percent"


def test_the_catch_up_reads_sessions_signed_since_the_last_one(
    low_back, practitioner, clinic, weeks_ago
):
    factories.signed_session(low_back, practitioner, day=weeks_ago(3), pain=7)
    assert services.courses_catch_up(clinic) == 1
    assert services.courses_catch_up(clinic) == 0  # nothing signed since
    factories.signed_session(
        low_back, practitioner, day=weeks_ago(2), pain=5, signed_at=timezone.now()
    )
    assert services.courses_catch_up(clinic) == 1
    assert Course.objects.get(patient=low_back).sessions == 2

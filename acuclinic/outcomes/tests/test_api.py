"""The outcomes API: recording measures (and refusing what cannot be scored), the course
plan, what reception may know, and the clinic report."""

from datetime import timedelta

import pytest
from django.utils import timezone

from acuclinic.outcomes import services
from acuclinic.outcomes.models import Measurement
from acuclinic.testing.api_client import as_user


def _record(user, patient, **body):
    body.setdefault("taken_on", timezone.localdate().isoformat())
    return as_user(user).post(f"/patients/{patient.pk}/measurements", body)


def test_a_practitioner_records_an_odi_by_its_sections(practitioner_user, low_back):
    response = _record(
        practitioner_user, low_back, measure="odi", answers=[2, 2, 2, 2, 2, 2, 2, 1, 1, None]
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["score"], body["missing"], body["entry"]) == ("35.6", 1, "items")


def test_a_psfs_is_recorded_from_its_activities(practitioner_user, low_back):
    activities = [
        {"activity": "Walking", "rating": 3},
        {"activity": "Gardening", "rating": 5},
        {"activity": "Lifting", "rating": 4},
    ]
    response = _record(practitioner_user, low_back, measure="psfs", activities=activities)
    assert response.status_code == 201
    assert response.json()["score"] == "4.0"


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"measure": "odi", "answers": [2] * 8 + [None, None]}, "items_missing", "items"),
        ({"measure": "odi", "answers": [2] * 9 + [6]}, "score_out_of_range", "item_10"),
        ({"measure": "rmdq", "total": 30}, "score_out_of_range", "total"),
        ({"measure": "hit6", "total": 60.5}, "not_a_whole_number", "total"),
        ({"measure": "hit6", "answers": [6] * 6}, "total_only", "total"),
        ({"measure": "psfs", "total": 5}, "items_needed", "total"),
        ({"measure": "nprs", "answers": [4]}, "pain_from_session_note", "measure"),
        ({"measure": "sf36", "total": 50}, "unknown_measure", "measure"),
        ({"measure": "odi"}, "answers_or_total", "answers"),
        ({"measure": "odi", "total": 30, "answers": [1] * 10}, "answers_or_total", "answers"),
    ],
)
def test_what_cannot_be_scored_is_a_clear_422_and_nothing_is_written(
    practitioner_user, low_back, body, code, field
):
    response = _record(practitioner_user, low_back, **body)
    assert response.status_code == 422, response.json()
    assert (response.json()["code"], response.json()["field"]) == (code, field)
    assert not Measurement.objects.exists()


def test_a_measure_dated_in_the_future_is_refused(practitioner_user, low_back):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = _record(practitioner_user, low_back, measure="rmdq", total=10, taken_on=tomorrow)
    assert (response.status_code, response.json()["code"]) == (422, "date_in_future")
    assert not Measurement.objects.exists()


def test_the_course_plan_explains_the_decision_and_lists_what_is_due(
    practitioner_user, sessions, low_back
):
    sessions(7, 6, 5, 4)
    response = as_user(practitioner_user).get(f"/patients/{low_back.pk}/course-plan")
    assert response.status_code == 200
    course = response.json()["course"]
    assert course["decision"]["action"] == "book"
    assert course["decision"]["sentence"] == (
        "Pain 4/10 vs baseline 7/10 at two sessions: moving to every other week."
    )
    assert course["decision"]["interval_days"] == 14
    assert [s["label"] for s in course["spans"]] == ["Weekly (initial)", "Every other week"]
    assert course["contact_minutes"] == 120
    assert {d["measure"] for d in response.json()["due"]} == {"rmdq", "psfs", "pgic"}


def test_reception_learns_only_how_many_measures_are_due(reception_user, sessions, low_back):
    sessions(7, 6, 5, 4)
    services.course_refresh(low_back)
    response = as_user(reception_user).get(f"/patients/{low_back.pk}/outcomes-due")
    assert response.json() == {"due": True, "count": 3, "online": 2, "at_clinic": 1}
    assert "Roland" not in response.content.decode()
    refused = as_user(reception_user).get(f"/patients/{low_back.pk}/course-plan")
    assert refused.status_code == 403


def test_a_review_when_none_is_due_is_a_409(practitioner_user, sessions, low_back):
    sessions(7, 5, 4)
    [course] = services.course_refresh(low_back)
    response = as_user(practitioner_user).post(
        f"/courses/{course.pk}/review", {"decision": "continue"}
    )
    assert (response.status_code, response.json()["code"]) == (409, "no_review_due")


def test_the_report_counts_who_reached_the_mcid_and_the_non_responders(
    admin_user, practitioner, sessions, low_back
):
    sessions(7, 6, 5, 4)  # reaches the MCID at session 3
    stuck = services.course_refresh  # the second patient: six sessions without change
    from acuclinic.testing import factories

    other = factories.patient()
    first = timezone.localdate() - timedelta(weeks=5)
    factories.weekly_sessions(other, practitioner, [6, 6, 6, 6, 6, 6], first_day=first, hour=14)
    stuck(low_back)
    response = as_user(admin_user).get("/outcomes/report")
    overall = response.json()["overall"]
    assert (overall["courses"], overall["reached_mcid"], overall["non_responders"]) == (2, 1, 1)
    assert overall["mean_session_reaching_mcid"] == 3
    assert overall["mean_change_in_pain"] == 1.5  # (3 + 0) / 2
    assert overall["mean_sessions"] == 5
    assert response.json()["by_session"]["3"] == 1


def test_a_report_period_that_ends_before_it_starts_is_refused(admin_user):
    response = as_user(admin_user).get(
        "/outcomes/report", {"start": "2026-05-01", "end": "2026-04-01"}
    )
    assert (response.status_code, response.json()["code"]) == (422, "invalid_period")


def test_a_start_back_screen_is_answered_with_its_risk_group(practitioner_user, low_back):
    agreed = [n in (1, 3, 5, 6, 9) for n in range(1, 10)]
    response = _record(practitioner_user, low_back, measure="startback", answers=agreed)
    assert response.status_code == 201
    body = response.json()
    assert (body["score"], body["risk_group"], body["answers"]) == ("5", "medium", agreed)
    refused = _record(practitioner_user, low_back, measure="startback", total=5)
    assert (refused.status_code, refused.json()["code"]) == (422, "items_needed")

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


# ── Issue 12: NICE's guidance per condition, and the measures ───────────────────────


def test_the_course_plan_says_where_the_course_stands_against_nice(
    practitioner_user, patient, course_of
):
    course_of("fibromyalgia", 7, 6, 5, minutes=45)
    course = as_user(practitioner_user).get(f"/patients/{patient.pk}/course-plan").json()["course"]
    found = course["guidance"]
    assert (found["id"], found["kind"], found["status"]) == ("ng193", "contact_time", "within")
    assert (found["limit_minutes"], found["minutes_used"]) == (300, 135)
    assert found["progress"] == "2 h 15 min of 5 h used"
    assert found["why"].startswith("NG193 names fibromyalgia")
    assert "1.2.5" in found["source"]
    assert course["decision"]["review_advised"] is False
    assert course["contact_cap_minutes"] is None  # the clinic set no cap of its own


def test_at_nices_limit_a_review_is_advised_and_recorded_through_the_api(
    practitioner_user, patient, course_of
):
    course_of("headache", 7, 5, 4, 4, 4, 4, 4, 4, 4, 4, every_days=5)
    client = as_user(practitioner_user)
    course = client.get(f"/patients/{patient.pk}/course-plan").json()["course"]
    assert course["guidance"]["progress"] == "session 10 of up to 10, week 7 (5–8 weeks)"
    assert course["guidance"]["complete"] is True
    assert course["decision"]["action"] == "book"  # booking stays open
    assert course["decision"]["review_advised"] is True
    assert course["decision"]["sentence"].endswith(
        "the course NICE recommends is complete. Review with the patient whether to go on."
    )
    response = client.post(f"/courses/{course['id']}/review", {"decision": "continue"})
    assert response.status_code == 201, response.json()
    after = client.get(f"/patients/{patient.pk}/course-plan").json()["course"]
    assert after["decision"]["review_advised"] is False
    assert after["guidance"]["reviewed_on"] == timezone.localdate().isoformat()


def test_low_back_pain_has_ng59s_note_and_no_limit_in_the_api(
    practitioner_user, sessions, low_back
):
    sessions(7, 6)
    found = as_user(practitioner_user).get(f"/patients/{low_back.pk}/course-plan").json()
    guidance = found["course"]["guidance"]
    assert (guidance["id"], guidance["kind"], guidance["status"]) == (
        "ng59",
        "not_recommended",
        "none",
    )
    assert guidance["limit_minutes"] is None and guidance["progress"] == ""
    assert guidance["sentence"].startswith("NICE does not recommend acupuncture")


def test_the_catalogue_gives_the_contested_ranges_the_detectable_change_and_the_mymop2(
    practitioner_user,
):
    measures = {m["code"]: m for m in as_user(practitioner_user).get("/measures").json()}
    assert measures["hit6"]["mcid_range"] == ["2.5", "6"]
    assert measures["ndi"]["mcid_range"] == ["5", "9.5"]
    assert measures["rmdq"]["mcid_range"] is None
    assert measures["psfs"]["mdc"].startswith("2 points for the mean")
    assert measures["psfs"]["mdc_source"].startswith("Stratford")
    assert measures["psfs"]["mcid_source"].startswith("Moseng")
    mymop = measures["mymop2"]
    assert (mymop["scoring"], mymop["conditions"], mymop["completed_by"]) == (
        "profile",
        ["any"],
        "clinician",
    )
    assert measures["hit6"]["conditions"] == ["headache"]


def test_a_mymop2_is_recorded_through_the_api(practitioner_user, low_back):
    response = _record(practitioner_user, low_back, measure="mymop2", answers=[4, None, 5, 3])
    assert response.status_code == 201, response.json()
    assert (response.json()["score"], response.json()["missing"]) == ("4.0", 1)
    refused = _record(practitioner_user, low_back, measure="mymop2", answers=[4, 3, None, 3])
    assert (refused.status_code, refused.json()["code"], refused.json()["field"]) == (
        422,
        "items_missing",
        "item_3",
    )
    assert Measurement.objects.count() == 1

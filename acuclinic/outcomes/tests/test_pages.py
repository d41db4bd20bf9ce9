"""The outcome pages staff use: the course and its timeline, recording questionnaires,
reviews, closing a course, and the patient record's section."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.outcomes import services
from acuclinic.outcomes.models import Course, CourseReview, Measurement, OutcomesPolicy


def _page(client, user, patient):
    client.force_login(user)
    return client.get(f"/outcomes/patients/{patient.pk}/")


def test_a_practitioner_sees_the_planners_sentence_and_the_course_timeline(
    client, practitioner_user, sessions, low_back
):
    sessions(7, 6, 5, 4)
    page = _page(client, practitioner_user, low_back).content.decode()
    assert "Pain 4/10 vs baseline 7/10 at two sessions: moving to every other week." in page
    assert "Weekly (initial)" in page and "Every other week" in page
    assert "first reached at session 3" in page
    assert "2 h of the clinic's cap of 5 h" in page
    assert AuditEntry.objects.filter(
        action="view", object_type="outcomes.course", patient_id=low_back.pk
    ).exists()


def test_the_chart_is_labelled_and_has_its_numbers_in_a_table(
    client, practitioner_user, sessions, low_back
):
    sessions(8, 6, 5)
    page = _page(client, practitioner_user, low_back).content.decode()
    assert 'role="img" aria-labelledby="chart-pain-title chart-pain-desc"' in page
    assert '<title id="chart-pain-title">Pain (0–10) over the course' in page
    assert "Baseline 8; latest 5. Improved by 2 points at or below: 6." in page
    assert "<td>8</td><td>Session</td>" in page


def test_reception_sees_no_outcomes_on_the_patient_record(
    client, reception_user, practitioner_user, sessions, low_back
):
    sessions(7, 6)
    client.force_login(reception_user)
    record = client.get(f"/patients/{low_back.pk}/").content.decode()
    assert "Course and outcomes" not in record
    assert "baseline" not in record.lower()
    client.force_login(practitioner_user)
    record = client.get(f"/patients/{low_back.pk}/").content.decode()
    assert "Course and outcomes" in record
    assert "Pain 6/10 vs baseline 7/10 after two sessions" in record


def test_recording_an_rmdq_from_the_statements_ticked_scores_it(
    client, practitioner_user, sessions, low_back
):
    sessions(7)
    client.force_login(practitioner_user)
    response = client.post(
        f"/outcomes/patients/{low_back.pk}/measures/rmdq/",
        {"taken_on": timezone.localdate().isoformat(), "ticked": "2, 5, 9 and 14"},
    )
    assert response.status_code == 302
    measurement = Measurement.objects.get(patient=low_back)
    assert (measurement.measure, measurement.score, measurement.timepoint) == (
        "rmdq",
        4,
        "baseline",
    )
    assert measurement.recorded_by == practitioner_user
    assert AuditEntry.objects.filter(object_type="outcomes.measurement", action="create").exists()


def test_the_rmdq_statements_themselves_are_never_shown(client, practitioner_user, low_back):
    client.force_login(practitioner_user)
    page = client.get(f"/outcomes/patients/{low_back.pk}/measures/rmdq/").content.decode()
    assert "Statements ticked" in page
    assert "stay at home" not in page.lower()


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        # Three left unanswered: the RMDQ allows two.
        ({"ticked": "1, 2", "unanswered": "3, 4, 5"}, "3 items unanswered"),
        ({"ticked": "1, 25"}, "“25” is not a statement number"),
        ({"ticked": "1", "unanswered": "1"}, "Statement 1 is also marked as ticked"),
        ({"total": "25"}, "The Roland-Morris Disability Questionnaire total runs from 0 to 24"),
        ({"total": "12", "ticked": "3"}, "Enter either the answers or the total, not both"),
    ],
)
def test_a_questionnaire_that_cannot_be_scored_is_refused_and_nothing_is_written(
    client, practitioner_user, low_back, data, field_error
):
    client.force_login(practitioner_user)
    response = client.post(
        f"/outcomes/patients/{low_back.pk}/measures/rmdq/",
        {"taken_on": timezone.localdate().isoformat(), **data},
    )
    assert response.status_code in (400, 422)
    assert field_error in response.content.decode()
    assert not Measurement.objects.exists()


def test_a_questionnaire_dated_in_the_future_is_refused(client, practitioner_user, low_back):
    client.force_login(practitioner_user)
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        f"/outcomes/patients/{low_back.pk}/measures/odi/",
        {"taken_on": tomorrow.isoformat(), "total": "30"},
    )
    assert response.status_code == 422
    assert "cannot be in the future" in response.content.decode()
    assert not Measurement.objects.exists()


def test_an_odi_with_one_section_left_out_is_scored_over_45(client, practitioner_user, low_back):
    client.force_login(practitioner_user)
    data = {f"item_{n}": "2" for n in range(1, 10)}
    client.post(
        f"/outcomes/patients/{low_back.pk}/measures/odi/",
        {"taken_on": timezone.localdate().isoformat(), **data},
    )
    measurement = Measurement.objects.get()
    assert (measurement.score, measurement.missing) == (40, 1)


def test_pain_is_not_a_questionnaire_to_record(client, practitioner_user, low_back):
    client.force_login(practitioner_user)
    assert client.get(f"/outcomes/patients/{low_back.pk}/measures/nprs/").status_code == 404


def test_no_response_after_the_trial_asks_for_a_review_and_offers_no_booking(
    client, practitioner_user, sessions, low_back
):
    sessions(7, 7, 6, 7, 7, 7)
    page = _page(client, practitioner_user, low_back).content.decode()
    assert "No response after six sessions" in page
    assert "Record the review" in page
    assert "One click books it" not in page


def test_a_review_that_continues_starts_a_further_trial(
    client, practitioner_user, sessions, low_back
):
    sessions(7, 7, 6, 7, 7, 7)
    [course] = services.course_refresh(low_back)
    client.force_login(practitioner_user)
    response = client.post(
        f"/outcomes/courses/{course.pk}/review/",
        {"decision": "continue", "note": "Sleeping better; agreed four more."},
    )
    assert response.status_code == 302
    assert CourseReview.objects.get(course=course).decision == "continue"
    page = client.get(f"/outcomes/patients/{low_back.pk}/").content.decode()
    assert "Reviewed: a further trial" in page
    assert "One click books it" in page


def test_a_review_that_stops_closes_the_course(client, practitioner_user, sessions, low_back):
    sessions(7, 7, 6, 7, 7, 7)
    [course] = services.course_refresh(low_back)
    client.force_login(practitioner_user)
    client.post(f"/outcomes/courses/{course.pk}/review/", {"decision": "discharge"})
    course.refresh_from_db()
    assert (course.ended_on, course.end_reason) == (timezone.localdate(), "after_review")


def test_a_review_is_refused_when_none_is_due(client, practitioner_user, sessions, low_back):
    sessions(7, 5, 4)
    [course] = services.course_refresh(low_back)
    client.force_login(practitioner_user)
    response = client.post(f"/outcomes/courses/{course.pk}/review/", {"decision": "continue"})
    assert response.status_code == 302
    assert not CourseReview.objects.exists()
    page = client.get(response["Location"]).content.decode()
    assert "This course is not waiting for a review" in page


def test_closing_a_course_makes_the_discharge_measures_due(
    client, practitioner_user, sessions, low_back
):
    sessions(7, 5, 4, 3)
    [course] = services.course_refresh(low_back)
    client.force_login(practitioner_user)
    response = client.post(
        f"/outcomes/courses/{course.pk}/close/",
        {"reason": "discharged", "ended_on": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Roland-Morris Disability Questionnaire</strong> at discharge" in page
    assert "Patient Global Impression of Change</strong> at discharge" in page


def test_a_course_cannot_close_before_its_last_session(
    client, practitioner_user, sessions, low_back
):
    sessions(7, 5)
    [course] = services.course_refresh(low_back)
    client.force_login(practitioner_user)
    early = timezone.localdate() - timedelta(days=30)
    client.post(
        f"/outcomes/courses/{course.pk}/close/",
        {"reason": "discharged", "ended_on": early.isoformat()},
    )
    assert Course.objects.get(pk=course.pk).ended_on is None


def test_the_printable_summary_has_the_chart_and_its_table_open(
    client, practitioner_user, sessions, low_back
):
    sessions(7, 5)
    client.force_login(practitioner_user)
    page = client.get(f"/outcomes/patients/{low_back.pk}/summary/").content.decode()
    assert 'id="print-pain-title"' in page
    assert "<details open>" in page
    assert "Close the course" not in page


def test_an_admin_changes_the_planners_thresholds_and_a_bad_value_changes_nothing(
    client, admin_user, clinic
):
    client.force_login(admin_user)
    form = {
        "pain_mcid_kind": "percent",
        "pain_mcid_points": "2",
        "pain_mcid_percent": "30",
        "improving_sessions": "2",
        "taper_sessions": "2",
        "relapse_measures": "2",
        "trial_sessions": "6",
        "initial_interval_days": "7",
        "taper_interval_days": "14",
        "maintenance_interval_days": "28",
        "contact_cap_minutes": "",
        "diary_every_days": "7",
    }
    bad = client.post("/outcomes/settings/", {**form, "trial_sessions": "40"})
    assert bad.status_code == 400
    assert "less than or equal to 12" in bad.content.decode()
    assert not OutcomesPolicy.objects.exists()
    assert client.post("/outcomes/settings/", form).status_code == 302
    clinic.refresh_from_db()
    policy = clinic.outcomes_policy
    assert (policy.pain_mcid_kind, policy.contact_cap_minutes) == ("percent", None)


def test_signing_opens_the_course_for_the_next_session_on_the_note_page(
    client, clinic, practitioner, practitioner_user, low_back
):
    from acuclinic.testing import treatment as treatment

    lot = treatment.needle_lot(clinic)
    visit = treatment.ready_visit(low_back, practitioner)
    note = treatment.signed_note(visit, lot)
    client.force_login(practitioner_user)
    page = client.get(f"/treatment/notes/{note.pk}/").content.decode()
    assert "Next session" in page
    assert Course.objects.get(patient=low_back).baseline_pain == 6


def test_the_patient_record_shows_the_course_as_a_timeline_of_phases_and_sessions(
    client, practitioner_user, sessions, low_back
):
    sessions(7, 5, 4, 4, 6)
    client.force_login(practitioner_user)
    record = client.get(f"/patients/{low_back.pk}/").content.decode()
    timeline = record.split('<ol class="timeline"')[1].split("</ol>")[0]
    phases = re.findall(r"<strong>(.*?)</strong>", timeline)
    assert phases == ["Weekly (initial)", "Every other week", "Weekly series 2"]
    sessions_shown = re.findall(r"Session (\d), [^:]+: pain (\d+)/10", timeline)
    assert sessions_shown == [("1", "7"), ("2", "5"), ("3", "4"), ("4", "4"), ("5", "6")]
    assert "Pain 4/10 vs baseline 7/10 at two sessions: moving to every other week." in timeline
    assert "so a relapse: starting weekly series 2." in timeline


def test_the_contact_time_cap_warning_is_on_the_record_the_outcomes_page_and_the_note(
    client, practitioner_user, sessions, low_back
):
    notes = sessions(7, 5, 4, 4, 4, 4, 4, 4, 4)  # nine half-hour sessions: 4 h 30 min
    warning = "Contact time 4 h 30 min of the 5 h cap: another 30 min session would reach it."
    client.force_login(practitioner_user)
    for url in (
        f"/patients/{low_back.pk}/",
        f"/outcomes/patients/{low_back.pk}/",
        f"/treatment/notes/{notes[-1].pk}/",
    ):
        assert warning in client.get(url).content.decode(), url


def test_the_start_back_screen_is_recorded_by_statement_and_shows_the_risk_group(
    client, practitioner_user, sessions, low_back
):
    sessions(7)
    client.force_login(practitioner_user)
    url = f"/outcomes/patients/{low_back.pk}/measures/startback/"
    form = client.get(url).content.decode()
    assert "Statements agreed with" in form
    assert 'name="total"' not in form  # the group needs the answers, not just a count
    page = client.get(f"/outcomes/patients/{low_back.pk}/").content.decode()
    assert "Keele STarT Back Screening Tool</strong> at the start of the course" in page
    response = client.post(
        url, {"taken_on": timezone.localdate().isoformat(), "ticked": "1, 5, 6, 7, 8"}
    )
    assert response.status_code == 302
    measurement = Measurement.objects.get(measure="startback")
    assert (measurement.score, measurement.timepoint) == (5, "baseline")
    page = client.get(f"/outcomes/patients/{low_back.pk}/").content.decode()
    assert "<td>5/9 (high risk)</td>" in page
    assert "Keele STarT Back Screening Tool</strong> at the start" not in page
    assert 'id="chart-startback-title"' not in page  # a screen taken once is not charted


def test_a_start_back_form_with_a_statement_unanswered_is_refused(
    client, practitioner_user, low_back
):
    client.force_login(practitioner_user)
    response = client.post(
        f"/outcomes/patients/{low_back.pk}/measures/startback/",
        {"taken_on": timezone.localdate().isoformat(), "ticked": "1, 5", "unanswered": "7"},
    )
    assert response.status_code == 422
    assert "1 item unanswered; the Keele STarT Back Screening Tool allows at most 0" in (
        response.content.decode()
    )
    assert not Measurement.objects.exists()


def test_an_empty_form_sent_says_what_is_missing_rather_than_showing_a_blank_form(
    client, practitioner_user, low_back
):
    client.force_login(practitioner_user)
    response = client.post(f"/outcomes/patients/{low_back.pk}/measures/pgic/", {})
    assert response.status_code == 400
    assert 'id="id_taken_on_error"' in response.content.decode()
    assert not Measurement.objects.exists()

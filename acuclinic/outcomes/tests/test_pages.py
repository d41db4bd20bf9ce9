"""The outcome pages staff use: the course and its timeline, recording questionnaires,
reviews, closing a course, and the patient record's section."""

import re
from datetime import timedelta
from decimal import Decimal

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
    assert "<dd>2 h (booked length of the signed sessions)</dd>" in page
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


def test_the_clinics_own_contact_cap_warns_on_the_record_the_outcomes_page_and_the_note(
    client, practitioner_user, admin_user, clinic, sessions, low_back
):
    services.policy_update(clinic, user=admin_user, contact_cap_minutes=300)
    notes = sessions(7, 5, 4, 4, 4, 4, 4, 4, 4)  # nine half-hour sessions: 4 h 30 min
    warning = "Contact time 4 h 30 min of the 5 h cap: another 30 min session would reach it."
    client.force_login(practitioner_user)
    for url in (
        f"/patients/{low_back.pk}/",
        f"/outcomes/patients/{low_back.pk}/",
        f"/treatment/notes/{notes[-1].pk}/",
    ):
        assert warning in client.get(url).content.decode(), url


# ── NICE's guidance per condition (issue 12, point 10) ───────────────────────────────

PAGES = ("/patients/{pk}/", "/outcomes/patients/{pk}/", "/treatment/notes/{note}/")


def _pages(client, user, patient, note):
    client.force_login(user)
    for url in PAGES:
        url = url.format(pk=patient.pk, note=note.pk)
        yield url, client.get(url).content.decode()


def test_chronic_primary_pain_shows_the_time_used_against_ng193_on_every_page(
    client, practitioner_user, patient, course_of
):
    notes = course_of("fibromyalgia", 7, 6, 5, minutes=45)
    for url, page in _pages(client, practitioner_user, patient, notes[-1]):
        assert "NICE NG193 (2021): chronic primary pain" in page, url
        assert "2 h 15 min of 5 h used" in page, url
        assert "2 h 45 min left of NICE NG193&#x27;s 5 h of professional time." in page, url
        assert "Professional time is the booked length of each signed session." in page, url
    page = client.get(f"/outcomes/patients/{patient.pk}/").content.decode()
    assert "NG193 names fibromyalgia (chronic widespread pain)" in page  # why, with source
    assert "recommendation 1.2.5" in page


def test_at_ng193s_limit_the_planner_asks_for_a_review_but_booking_stays_open(
    client, practitioner_user, patient, course_of
):
    notes = course_of("msk", 7, 5, 4, 4, 4, 4, 4, 4, 4, 4)  # ten half-hour sessions: 5 h
    complete = (
        "All 5 h of professional time in NICE NG193&#x27;s course are used: the course NICE "
        "recommends is complete. Review with the patient whether to go on."
    )
    for url, page in _pages(client, practitioner_user, patient, notes[-1]):
        assert complete in page, url
        assert "5 h of 5 h used" in page, url
    page = client.get(f"/outcomes/patients/{patient.pk}/").content.decode()
    assert "Continue: go on past NICE&#x27;s recommended course" in page
    assert "Record the review" in page
    assert "Next session proposed on" in page
    assert "One click books it" in page  # the clinic may still book


def test_a_review_that_goes_on_past_nice_is_recorded_and_not_asked_for_again(
    client, practitioner_user, patient, course_of
):
    course_of("fibromyalgia", 7, 5, 4, 4, 4, 4, 4, 4, 4, 4)
    [course] = services.course_refresh(patient)
    client.force_login(practitioner_user)
    response = client.post(
        f"/outcomes/courses/{course.pk}/review/",
        {"decision": "continue", "note": "Improving; agreed monthly sessions at her own cost."},
    )
    assert response.status_code == 302
    page = client.get(f"/outcomes/patients/{patient.pk}/").content.decode()
    assert "A review agreed to go on past NICE NG193&#x27;s recommended course." in page
    assert "Record the review" not in page
    assert "the course NICE recommends is complete" not in page
    assert CourseReview.objects.get(course=course).decision == "continue"


def test_headaches_show_the_session_and_the_week_against_cg150(
    client, practitioner_user, patient, course_of
):
    notes = course_of("headache", 7, 6, 6, 5, 5, 5, every_days=5)
    for url, page in _pages(client, practitioner_user, patient, notes[-1]):
        assert "NICE CG150 (2012): headaches" in page, url
        assert "Session 6 of up to 10, week 4 (5–8 weeks)" in page, url


def test_low_back_pain_carries_ng59s_note_on_the_course_and_planner_pages(
    client, practitioner_user, sessions, low_back
):
    notes = sessions(7, 6)
    for url, page in _pages(client, practitioner_user, low_back, notes[-1]):
        assert "NICE NG59 (2016): low back pain and sciatica" in page, url
        assert "NICE does not recommend acupuncture for low back pain" in page, url
        assert "outcomes, not habit, decide whether a course goes on" in page, url
    summary = client.get(f"/outcomes/patients/{low_back.pk}/summary/").content.decode()
    assert "NICE does not recommend acupuncture for low back pain" in summary


def test_a_condition_with_no_nice_limit_says_so_rather_than_invent_one(
    client, practitioner_user, patient, course_of
):
    course_of("whiplash", *[6] * 12)
    client.force_login(practitioner_user)
    page = client.get(f"/outcomes/patients/{patient.pk}/").content.decode()
    assert "No NICE course: chronic secondary pain" in page
    assert "No NICE guideline sets a course of acupuncture for this pain" in page
    assert " used" not in page.split('id="guidance"')[1].split("</div>")[0]


# ── The measures (issue 12, point 11) ────────────────────────────────────────────────


def test_the_record_list_puts_the_conditions_measures_and_the_mymop2_first(
    client, practitioner_user, patient, course_of
):
    course_of("headache", 7)
    client.force_login(practitioner_user)
    page = client.get(f"/outcomes/patients/{patient.pk}/").content.decode()
    suggested, others = page.split("<h3>For headaches, or any condition</h3>")[1].split(
        "<h3>For other conditions</h3>"
    )
    suggested = suggested.split("</ul>")[0]
    assert "Headache Impact Test" in suggested and "MYMOP2" in suggested
    assert "Roland-Morris" not in suggested and "Roland-Morris" in others


def test_a_mymop2_is_recorded_from_its_ratings_by_number(
    client, practitioner_user, patient, course_of
):
    course_of("other", 6)
    client.force_login(practitioner_user)
    url = f"/outcomes/patients/{patient.pk}/measures/mymop2/"
    form = client.get(url).content.decode()
    assert "Meaningful Measures" in form  # the licence, and why the form is not shown
    assert "Symptom 2 (if the patient chose a second)" in form
    assert "Or the profile score (0–6)" in form
    refused = client.post(url, {"taken_on": timezone.localdate().isoformat(), "item_2": "3"})
    assert refused.status_code == 422
    assert "Rate symptom 1, activity, wellbeing" in refused.content.decode()
    assert not Measurement.objects.exists()
    data = {"taken_on": timezone.localdate().isoformat(), "item_1": "4", "item_3": "5"}
    response = client.post(url, {**data, "item_4": "3", "note": "Knee ache; gardening."})
    assert response.status_code == 302
    measurement = Measurement.objects.get(measure="mymop2")
    assert (measurement.score, measurement.answers) == (4, [4, None, 5, 3])
    page = client.get(f"/outcomes/patients/{patient.pk}/").content.decode()
    assert "<td>4/6</td>" in page
    assert "symptom 2 not chosen" in page


def test_the_psfs_form_gives_moseng_for_the_mcid_and_stratford_for_detectable_change(
    client, practitioner_user, low_back
):
    client.force_login(practitioner_user)
    form = client.get(f"/outcomes/patients/{low_back.pk}/measures/psfs/").content.decode()
    assert "MCID: 2 points on the mean of the activities. <em>Moseng T" in form
    assert "Smallest detectable change: 2 points for the mean of the activities, 3 points" in form
    assert "<em>Stratford P" in form


def test_an_ndi_chart_draws_both_ends_of_its_contested_mcid(
    client, practitioner_user, admin_user, patient, course_of
):
    course_of("whiplash", 7, 6, 5, every_days=14)
    for weeks, total in ((4, "30"), (0, "22")):
        services.measurement_record(
            patient,
            measure="ndi",
            taken_on=timezone.localdate() - timedelta(weeks=weeks),
            total=Decimal(total),
            user=practitioner_user,
        )
    client.force_login(practitioner_user)
    page = client.get(f"/outcomes/patients/{patient.pk}/").content.decode()
    assert (
        "Important change by the smallest estimate at: 25. "
        "Important change by the largest estimate at: 20.5." in page
    )
    assert 'class="threshold far"' in page


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

"""The patient's progress in the portal: their own chart and diary, the questionnaires
they may complete, and nothing of anyone else's."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.test import RequestFactory
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.outcomes import services
from acuclinic.outcomes.models import Course, Measurement
from acuclinic.portal import testing as portal
from acuclinic.testing import factories


@pytest.fixture
def signed_in(client, low_back):
    portal.sign_in(client, low_back)
    return client


def test_a_patient_sees_their_own_pain_chart_and_diary(signed_in, sessions, low_back):
    sessions(7, 6, 5)
    services.course_refresh(low_back)
    services.diary_entry_record(low_back, pain=4, taken_on=timezone.localdate(), note="Walked")
    page = signed_in.get("/portal/progress/").content.decode()
    assert "Your pain was 7/10 before your first session and 5/10 at your latest" in page
    assert 'aria-labelledby="mine-pain-title mine-pain-desc"' in page
    assert "Walked" in page


def test_a_patient_never_sees_another_patients_progress(
    signed_in, sessions, low_back, practitioner
):
    other = factories.patient(given_name="Imogen", family_name="Otherton")
    factories.weekly_sessions(other, practitioner, [9, 3], first_day=timezone.localdate())
    services.course_refresh(other)
    services.diary_entry_record(other, pain=2, taken_on=timezone.localdate(), note="Secret")
    page = signed_in.get("/portal/progress/").content.decode()
    assert "Otherton" not in page and "Secret" not in page and "9/10" not in page
    assert "Your chart starts at your first acupuncture session" in page


def test_a_diary_entry_is_recorded_for_the_patient_signed_in(signed_in, low_back):
    response = signed_in.post(
        "/portal/progress/diary/",
        {"pain": "3", "taken_on": timezone.localdate().isoformat(), "note": "Good day"},
    )
    assert response.status_code == 302
    entry = Measurement.objects.get()
    assert (entry.patient, entry.score, entry.source, entry.timepoint) == (
        low_back,
        3,
        "patient",
        "diary",
    )
    assert AuditEntry.objects.filter(
        object_type="outcomes.measurement", via="portal", patient_id=low_back.pk
    ).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"pain": "4", "days": 1}, "cannot be in the future"),
        ({"pain": "4", "days": -40}, "cannot be before"),
        ({"pain": "11", "days": 0}, "Select a valid choice"),
        ({"days": 0}, "Choose a pain score from 0 to 10"),
    ],
)
def test_a_diary_entry_that_cannot_be_kept_is_refused_and_nothing_is_written(
    signed_in, data, message
):
    day = timezone.localdate() + timedelta(days=data.pop("days"))
    response = signed_in.post("/portal/progress/diary/", {**data, "taken_on": day.isoformat()})
    assert response.status_code in (400, 422)
    assert message in response.content.decode()
    assert not Measurement.objects.exists()


def test_a_diary_entry_can_show_a_relapse_at_once(signed_in, low_back, practitioner):
    today = timezone.localdate()
    factories.weekly_sessions(low_back, practitioner, [8, 5, 4], first_day=today - timedelta(16))
    services.course_refresh(low_back)  # every other week since two days ago, at 4/10
    services.diary_entry_record(low_back, pain=6, taken_on=today - timedelta(days=1))
    assert Course.objects.get(patient=low_back).relapses == 0  # one bad day is not a relapse
    signed_in.post("/portal/progress/diary/", {"pain": "6", "taken_on": today.isoformat()})
    course = Course.objects.get(patient=low_back)
    assert (course.relapses, course.series, course.phase) == (1, 2, "initial")


def test_a_patient_completes_the_psfs_in_their_own_words(signed_in, low_back):
    response = signed_in.post(
        "/portal/progress/questionnaires/psfs/",
        {
            "activity_1": "Walking the dog",
            "item_1": "3",
            "activity_2": "Gardening",
            "item_2": "4",
            "activity_3": "Sitting at work",
            "item_3": "4",
        },
    )
    assert response.status_code == 302
    measurement = Measurement.objects.get()
    assert (measurement.measure, str(measurement.score), measurement.source) == (
        "psfs",
        "3.7",
        "patient",
    )
    assert measurement.answers[0] == ["Walking the dog", 3]


def test_a_psfs_with_two_activities_is_refused(signed_in):
    response = signed_in.post(
        "/portal/progress/questionnaires/psfs/",
        {"activity_1": "Walking", "item_1": "3", "activity_2": "Gardening", "item_2": "4"},
    )
    assert response.status_code == 422
    assert "at least 3 activities" in response.content.decode()
    assert not Measurement.objects.exists()


def test_licensed_questionnaires_are_not_offered_to_patients(signed_in):
    for code in ("rmdq", "odi", "ndi", "hit6", "fiqr", "nprs", "sf36"):
        response = signed_in.get(f"/portal/progress/questionnaires/{code}/")
        assert response.status_code == 404, code
        assert "completed with your practitioner" in response.content.decode()


def test_staff_are_sent_to_the_portal_sign_in(client, practitioner_user):
    client.force_login(practitioner_user)
    response = client.get("/portal/progress/")
    assert (response.status_code, response["Location"]) == (302, "/portal/sign-in/")


def _render(tag: str, patient, *, signed_in_as):
    request = RequestFactory().get("/portal/")
    request.patient = signed_in_as
    return Template("{% load outcomes_tags %}" + tag).render(
        Context({"request": request, "patient": patient})
    )


def test_the_home_page_tags_show_what_is_due_and_the_patients_pain_so_far(sessions, low_back):
    sessions(7, 5, 4, 4)
    services.course_refresh(low_back)
    due = _render("{% due_measures patient %}", low_back, signed_in_as=low_back)
    assert "Patient-Specific Functional Scale" in due
    assert "Roland-Morris" not in due  # licensed: done with the practitioner
    assert "go through a short questionnaire with you at your next visit" in due
    summary = _render("{% progress_summary patient %}", low_back, signed_in_as=low_back)
    assert "Your pain was 7/10 at your first session and 4/10 at your latest" in summary


def test_the_home_page_tags_show_nothing_for_anyone_but_the_patient_signed_in(sessions, low_back):
    sessions(7, 5)
    services.course_refresh(low_back)
    stranger = factories.patient()
    assert _render("{% due_measures patient %}", low_back, signed_in_as=stranger).strip() == ""
    assert _render("{% progress_summary patient %}", low_back, signed_in_as=None).strip() == ""


def test_sessions_signed_before_any_page_read_them_show_on_the_patients_pages(
    signed_in, sessions, low_back
):
    sessions(7, 5)  # signed (say through the API): no staff page has opened the course
    assert not Course.objects.exists()
    home = signed_in.get("/portal/").content.decode()
    assert "Your pain was 7/10 at your first session and 5/10 at your latest" in home
    page = signed_in.get("/portal/progress/").content.decode()
    assert 'aria-labelledby="mine-pain-title mine-pain-desc"' in page


def test_a_patient_answers_the_global_impression_of_change_in_words(signed_in, low_back):
    page = signed_in.get("/portal/progress/questionnaires/pgic/").content.decode()
    assert "Much better" in page and "Very much worse" in page
    refused = signed_in.post("/portal/progress/questionnaires/pgic/", {})
    assert refused.status_code == 422, refused.content.decode()[-3000:]
    assert "A single answer: it cannot be left out." in refused.content.decode()
    out_of_range = signed_in.post("/portal/progress/questionnaires/pgic/", {"item_1": "8"})
    assert out_of_range.status_code == 400
    assert not Measurement.objects.exists()
    assert (
        signed_in.post("/portal/progress/questionnaires/pgic/", {"item_1": "2"}).status_code == 302
    )
    measurement = Measurement.objects.get()
    assert (measurement.measure, measurement.score, measurement.patient) == ("pgic", 2, low_back)

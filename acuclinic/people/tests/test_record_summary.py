"""The patient record: a summary on top (current course and where it stands, next visit
with its session number, last pain score), then its parts as tabs."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from acuclinic.outcomes import services as outcomes
from acuclinic.testing import factories
from acuclinic.testing import treatment as testing


def test_the_record_opens_with_a_summary_and_its_parts_as_tabs(
    client, patient, practitioner, clinic, reception_user
):
    visit = testing.ready_visit(patient, practitioner, hour=0)
    testing.signed_note(visit, testing.needle_lot(clinic))  # pain 6 before the session
    outcomes.course_refresh(patient)
    factories.appointment(
        patient=patient, practitioner=practitioner, start=factories.next_weekday_at(10)
    )
    client.force_login(practitioner.user)
    page = client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    summary = page[page.index('class="record-summary"') : page.index('class="record-tabs"')]
    assert "Current course" in summary and "1 session" in summary
    assert "Last pain score</dt><dd>6/10" in summary
    assert "(session 2 of the course)" in summary
    for part in ("details", "treatment", "outcomes", "appointments"):
        assert f'href="#part-{part}"' in page and f'id="part-{part}"' in page

    client.force_login(reception_user)
    page = client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    summary = page[page.index('class="record-summary"') : page.index('class="record-tabs"')]
    assert "Next visit" in summary
    assert "Last pain score" not in summary and "Current course" not in summary
    assert 'href="#part-treatment"' not in page


def test_the_summary_shows_a_course_the_record_opens_and_reads_it_once(
    client, patient, practitioner, clinic
):
    """A note signed since the record was last opened belongs to no course until the
    courses are refreshed. The summary at the top is written before the outcomes section
    lower down, so it must not show the courses from before that refresh: it used to say
    "None open" while the section below showed the new course."""
    visit = testing.ready_visit(patient, practitioner, hour=0)
    testing.signed_note(visit, testing.needle_lot(clinic))  # no course_refresh yet
    client.force_login(practitioner.user)
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    summary = page[page.index('class="record-summary"') : page.index('class="record-tabs"')]
    assert "Current course" in summary and "1 session" in summary
    assert "None open" not in summary
    # The summary and the outcomes section share one refresh and one read of the courses.
    course_reads = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().startswith("SELECT")
        and '"outcomes_course"."started_on"' in q["sql"]
        and 'FROM "outcomes_course"' in q["sql"]
    ]
    assert len(course_reads) == 2  # the refresh's, then the views'

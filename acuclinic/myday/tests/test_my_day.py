"""My day: a practitioner signs in to their own visits of the day, in order, each with
the safety glance, the questionnaire, the session number of the course, the planner's
suggestion and one click to the session note; the clinic's diary is one click away."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from acuclinic.outcomes import services as outcomes
from acuclinic.testing import factories
from acuclinic.testing import treatment as testing

NOON = timezone.make_aware(datetime.combine(timezone.localdate(), time(12)))


@pytest.fixture
@time_machine.travel(NOON, tick=True)
def day_of_visits(patient, practitioner, clinic):
    lot = testing.needle_lot(clinic)
    earlier = testing.ready_visit(patient, practitioner, hour=9)
    testing.signed_note(earlier, lot)
    outcomes.course_refresh(patient)
    arrived = testing.ready_visit(patient, practitioner, hour=11)
    later = factories.appointment(
        patient=factories.patient(given_name="Ivy", family_name="Later"),
        practitioner=practitioner,
        start=NOON + timedelta(hours=4),
    )
    other = factories.practitioner("someone-else")
    factories.appointment(
        patient=factories.patient(given_name="Not", family_name="Mine"),
        practitioner=other,
        start=NOON + timedelta(hours=2),
    )
    return arrived, later


@time_machine.travel(NOON, tick=True)
def test_a_practitioner_signs_in_to_their_own_day_in_order(client, practitioner, day_of_visits):
    arrived, later = day_of_visits
    response = client.post(
        reverse("login"), {"username": "prac", "password": factories.PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == reverse("my_day")
    page = response.content.decode()
    assert page.index(f'id="visit-{arrived.pk}"') < page.index(f'id="visit-{later.pk}"')
    assert "Not Mine" not in page
    assert "Session 2 of the course" in page and "Session 1 of the course" in page
    assert reverse("treatment_note_start", args=[arrived.pk]) in page  # one click
    assert "mark the patient as arrived first" in page  # the later visit
    assert "Planner:" in page
    assert reverse("diary") in page


def test_staff_who_are_not_practitioners_go_to_the_diary(client, admin_user, reception_user):
    client.force_login(admin_user)
    assert client.get(reverse("home"))["Location"] == reverse("diary")
    assert client.get(reverse("my_day"))["Location"] == reverse("diary")
    client.force_login(reception_user)
    assert client.get(reverse("my_day")).status_code == 403


@time_machine.travel(NOON, tick=True)
def test_the_day_is_read_in_statements_that_do_not_grow_with_its_visits(
    client, practitioner, day_of_visits, django_assert_max_num_queries
):
    # Each visit's course plan and note link used to be read visit by visit (100 and
    # more statements for a full day); they are read for the whole day at once.
    client.force_login(practitioner.user)
    url = reverse("my_day")
    client.get(url)
    with CaptureQueriesContext(connection) as two_visits:
        client.get(url)
    for hour, name in [(13, "Ada"), (15, "Bea")]:
        patient = factories.patient(given_name=name, family_name="Added")
        factories.signed_session(
            patient, practitioner, day=timezone.localdate() - timedelta(days=7), pain=6
        )
        outcomes.course_refresh(patient)
        testing.ready_visit(patient, practitioner, hour=hour)
    with django_assert_max_num_queries(len(two_visits)):
        page = client.get(url).content.decode()
    assert "Ada Added" in page and "Bea Added" in page
    assert page.count("Planner:") == 4  # the first patient has two visits today

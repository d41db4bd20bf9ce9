"""The front desk's day in a browser (issue 15): booking from an enquiry that asks for
mornings, cancelling a course as the clinic (counted against nobody), and a clinic
admin adding a service; axe-core finds nothing on each page."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from acuclinic.clinic.models import Room, Service
from acuclinic.enquiries import services as enquiries
from acuclinic.scheduling import series
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def desk(transactional_db):
    factories.build_clinic()
    sarah = factories.practitioner("sarah", qualified_medical=True)
    sarah.user.first_name, sarah.user.last_name = "Sarah", "Patel"
    sarah.user.save()
    front = factories.staff_user("front", role="Reception", first_name="Rita", last_name="Desk")
    factories.staff_user("boss", role="Clinic admin", first_name="Ada", last_name="Admin")
    return sarah, front


def sign_in(page, base_url, username: str):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(base_url + reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_reception_books_an_enquirer_who_asked_for_mornings(live_server, page, desk):
    _sarah, front = desk
    enquiry = enquiries.enquiry_receive_web(
        name="Vera Asking",
        email="vera.asking@example.test",
        phone="",
        message="Do you treat knee pain? Mornings only, please.",
    )
    patient = factories.patient(given_name="Vera", family_name="Asking")
    enquiries.enquiry_link_patient(enquiry, patient=patient, user=front)
    week = timezone.localtime(factories.next_weekday_at(9, days_ahead=3)).date()
    sign_in(page, live_server.url, "front")

    page.goto(live_server.url + reverse("enquiry_book", args=[enquiry.pk]))
    expect(page.get_by_label("Morning (before 12:00)")).to_be_checked()
    expect(page.get_by_label("Evening (from 17:00)")).not_to_be_checked()
    page.get_by_label("Service").select_option(label="Medical acupuncture")
    page.get_by_label("Location").select_option(index=1)
    page.get_by_label("Week from").fill(week.isoformat())
    page.get_by_role("button", name="Find free times").click()

    times = page.locator("ul.free-times button")
    expect(times.first).to_be_visible()
    hours = {int(t.split(":")[0]) for t in times.all_inner_texts()}
    assert hours and max(hours) < 12
    assert_accessible(page)
    times.first.click()

    expect(page.get_by_role("status").first).to_contain_text("Booked")
    booked = Appointment.objects.get(patient=patient)
    assert timezone.localtime(booked.start).hour < 12


def test_the_clinic_cancels_a_course_and_it_counts_against_nobody(live_server, page, desk):
    sarah, _front = desk
    patient = factories.patient(given_name="Tom", family_name="Ashdown")
    course = series.series_book(
        patient=patient,
        practitioner=sarah,
        room=Room.objects.get(name="Room 1"),
        service=Service.objects.get(name="Medical acupuncture"),
        first_start=factories.next_weekday_at(10, days_ahead=1),
        sessions=3,
    )
    first = course.appointments.order_by("start").first()
    sign_in(page, live_server.url, "front")

    page.goto(live_server.url + reverse("appointment_detail", args=[first.pk]))
    rest = page.get_by_role("region", name="This and the rest of the course")
    rest.get_by_text("The clinic", exact=True).click()  # the label ticks its own radio
    expect(rest.get_by_label("The clinic", exact=True)).to_be_checked()
    # The button sits at the start of its own words' line, not floating away from them.
    button = rest.get_by_label("The clinic", exact=True).bounding_box()
    words = rest.locator("label", has_text="The clinic").bounding_box()
    assert words["x"] <= button["x"] <= words["x"] + 10
    assert abs((button["y"] + button["height"] / 2) - (words["y"] + words["height"] / 2)) < 6
    assert_accessible(page)
    rest.get_by_role("button", name=re.compile("Cancel this and the 2 later")).click()

    expect(page.get_by_role("status").first).to_contain_text("Cancelled 3 sessions")
    statuses = set(course.appointments.values_list("status", "cancelled_by"))
    assert statuses == {("cancelled", "clinic")}


def test_a_clinic_admin_adds_a_service_with_its_price(live_server, page, desk):
    sign_in(page, live_server.url, "boss")

    page.goto(live_server.url + reverse("service_list"))
    page.get_by_role("link", name="Add a service").click()
    page.get_by_label("Name").fill("Cupping")
    page.get_by_label("Kind of visit").select_option(label="Follow-up")
    page.get_by_label("Length (minutes)").fill("40")
    page.get_by_label("Base price (£)").fill("42.50")
    assert_accessible(page)
    page.get_by_role("button", name="Save service").click()

    expect(page.get_by_role("status").first).to_contain_text("Saved Cupping")
    row = page.get_by_role("row", name=re.compile("Cupping"))
    expect(row).to_contain_text("£42.50")
    expect(row).to_contain_text("40 min")
    assert_accessible(page)
    assert Service.objects.get(name="Cupping").price_pence == 4250

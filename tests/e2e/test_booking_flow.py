"""Reception signs in, finds a patient, books an appointment and sees it in the diary."""

import re

import pytest
from playwright.sync_api import expect

from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def clinic_with_people(transactional_db):
    factories.build_clinic()
    prac = factories.practitioner("sarah", qualified_medical=True)
    prac.user.first_name, prac.user.last_name = "Sarah", "Patel"
    prac.user.save()
    factories.staff_user("front", role="Reception", first_name="Rita", last_name="Desk")
    patient = factories.patient(given_name="Margaret", family_name="Okafor", phone="07700 900321")
    return prac, patient


def test_reception_books_an_appointment_and_sees_it_in_the_diary(
    live_server, page, clinic_with_people
):
    _prac, patient = clinic_with_people
    when = factories.next_weekday_at(11, days_ahead=3)

    page.goto(live_server.url + "/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Username").fill("front")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diary")

    page.get_by_role("link", name="Patients").click()
    page.get_by_label("Find a patient").fill("okafor")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name=re.compile("OKAFOR, Margaret")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Margaret Okafor")
    # Reception never sees clinical content.
    expect(page.get_by_text("Clinical summary")).to_have_count(0)

    page.get_by_role("link", name="Book appointment").click()
    page.get_by_label("Service").select_option(label="Medical acupuncture")
    page.get_by_label("Practitioner").select_option(label="Sarah Patel")
    page.get_by_label("Room").select_option(label="Room 1 (Riverside)")
    page.get_by_label("Date").fill(when.strftime("%Y-%m-%d"))
    page.get_by_label("Time").fill("11:00")
    page.get_by_role("button", name="Book").click()

    expect(page.get_by_role("status").first).to_contain_text("Booked Margaret Okafor")
    appointment = Appointment.objects.get(patient=patient)
    # The calendar draws the day from the diary's feed, with the new visit on it.
    card = page.locator(f'#diary-calendar .ec-event[data-appointment="{appointment.pk}"]')
    expect(card).to_contain_text("Margaret Okafor", timeout=60_000)
    expect(card).to_contain_text("11:00")


def test_the_core_flow_works_with_the_keyboard_alone(live_server, page, clinic_with_people):
    page.goto(live_server.url + "/login/")
    # The username field takes focus on load, so signing in is type, Tab, type, Enter.
    expect(page.get_by_label("Username")).to_be_focused()
    page.keyboard.type("front")
    page.keyboard.press("Tab")
    page.keyboard.type(factories.PASSWORD)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diary")
    # On every page the first Tab reaches the skip link, which jumps past the navigation.
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()

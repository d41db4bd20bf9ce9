"""A patient books online on a phone, with JavaScript off: chooses what and where, a free
time, types their details, confirms, and gets an email whose calendar file, questionnaire
link and cancel link all work. A time taken while they typed offers the nearest others."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from icalendar import Calendar
from playwright.sync_api import expect

from acuclinic.clinic.models import Room, Service
from acuclinic.notifications.models import Message
from acuclinic.scheduling import services
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

# An everyday phone: narrow, touch, and here without JavaScript, so nothing depends on it.
PHONE = {"width": 390, "height": 844}
# Apple's and Google's smallest comfortable touch target, in CSS pixels.
TOUCH_TARGET = 44


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="en-GB",
        timezone_id="Europe/London",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def open_clinic(transactional_db, settings):
    # The bot check wants a few seconds between showing the form and sending it; a test
    # types faster than any person.
    settings.ACUCLINIC_FORM_MIN_SECONDS = 0
    factories.build_clinic()
    sarah = factories.practitioner("sarah", qualified_medical=True)
    sarah.user.first_name, sarah.user.last_name = "Sarah", "Patel"
    sarah.user.save()
    return sarah


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _type_details(page) -> None:
    page.get_by_label("First name").fill("Rowan")
    page.get_by_label("Last name").fill("Ashby")
    page.get_by_label("Day").fill("7")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("1982")
    page.get_by_label("Email address").fill("rowan.ashby@example.test")
    page.get_by_label("Mobile number").fill("07700 900372")
    page.get_by_label("What would you like help with?").select_option(label="Back pain")
    page.get_by_label(re.compile("Remind me about appointments")).check()


def test_a_patient_books_on_a_phone_and_everything_in_the_email_works(
    live_server, phone, open_clinic
):
    page = phone
    page.goto(live_server.url + reverse("online_start"))
    assert_accessible(page, signed_in=False)
    assert _fits_the_screen(page)
    page.get_by_label("Assessment and acupuncture").check()
    expect(page.get_by_label("Riverside")).to_be_checked()
    page.get_by_role("button", name="See free times").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a time")
    assert_accessible(page, signed_in=False)
    assert _fits_the_screen(page)
    # Next week: far enough ahead to cancel online afterwards.
    page.get_by_role("link", name="Later week").click()
    # The first day with free times is open; the others open with a tap.
    expect(page.locator("details.day").first).to_have_attribute("open", "")
    first_time = page.locator("details[open] ul.times a").first
    box = first_time.bounding_box()
    assert box["height"] >= TOUCH_TARGET and box["width"] >= TOUCH_TARGET
    first_time.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your details")
    assert_accessible(page, signed_in=False)
    assert _fits_the_screen(page)
    _type_details(page)
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    expect(page.get_by_role("status")).to_contain_text("with Sarah Patel")
    assert _fits_the_screen(page)
    appointment = Appointment.objects.get()
    assert appointment.channel == "web"
    assert appointment.patient.family_name == "Ashby"

    email = Message.objects.get(kind="online_booking_confirmation")
    assert email.recipient == "rowan.ashby@example.test"
    (event,) = Calendar.from_ical(bytes(email.attachments.get().content)).walk("VEVENT")
    assert event.decoded("dtstart") == appointment.start
    questionnaire = re.search(r"http://\S+/safety/q/\S+/", email.body)[0]
    page.goto(questionnaire)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your health questionnaire")
    cancel = re.search(r"http://\S+/book/manage/\S+/", email.body)[0]
    page.goto(cancel)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your appointment")
    assert_accessible(page, signed_in=False)
    page.get_by_role("button", name="Cancel this appointment").click()
    expect(page.get_by_role("status")).to_contain_text("This appointment is cancelled")
    appointment.refresh_from_db()
    assert appointment.status == "cancelled"


def test_a_time_taken_while_the_patient_typed_offers_the_nearest_others(
    live_server, phone, open_clinic
):
    page = phone
    service = Service.objects.get(name="Assessment and acupuncture")
    start = factories.next_weekday_at(10)
    page.goto(
        live_server.url
        + reverse("online_details")
        + f"?service={service.pk}&location={Room.objects.first().location_id}"
        + f"&practitioner={open_clinic.pk}&time={start.isoformat().replace('+', '%2B')}"
    )
    _type_details(page)
    # Someone at the front desk books that very time.
    services.appointment_book(
        patient=factories.patient(),
        practitioner=open_clinic,
        room=Room.objects.order_by("pk").first(),
        service=service,
        start=start,
    )

    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_role("alert")).to_contain_text("that time has just been taken")
    choices = page.get_by_role("group", name="Choose one of the nearest free times")
    expect(choices.get_by_role("radio").first).to_be_checked()
    assert _fits_the_screen(page)
    page.get_by_role("button", name="Confirm booking").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    mine = Appointment.objects.get(patient__family_name="Ashby")
    assert mine.start != start
    assert abs(mine.start - start) <= timedelta(days=3)


def test_the_contact_form_works_on_a_phone(live_server, phone, open_clinic):
    page = phone
    page.goto(live_server.url + reverse("online_contact"))
    assert_accessible(page, signed_in=False)
    page.get_by_label("Your name").fill("Vera Asking")
    page.get_by_label("Email address").fill("vera@example.test")
    page.get_by_label("Your message").fill("Do you see people on Saturdays?")
    page.get_by_role("button", name="Send message").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("your message has been sent")
    assert _fits_the_screen(page)

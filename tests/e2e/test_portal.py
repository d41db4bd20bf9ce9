"""A patient on a phone, with JavaScript switched off: asks for a sign-in link, signs in
with it from the email, sees their appointments, cancels one late (warned first), moves
another to a free time with the same practitioner, and signs out."""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from acuclinic.core.formats import format_datetime
from acuclinic.notifications import delivery
from acuclinic.notifications.models import Message
from acuclinic.portal import services
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_no_axe_violations

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
FITS_THE_SCREEN = "() => document.documentElement.scrollWidth <= window.innerWidth"
UNLABELLED_CONTROLS = """
() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter(el => !["hidden", "submit", "button"].includes(el.type))
  .filter(el => !Array.from(el.labels || []).map(l => l.textContent.trim()).join(""))
  .map(el => el.name || el.id)
"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="en-GB",
        timezone_id="Europe/London",
        java_script_enabled=False,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def margaret(transactional_db):
    factories.build_clinic()
    sarah = factories.practitioner("sarah", qualified_medical=True)
    sarah.user.first_name, sarah.user.last_name = "Sarah", "Patel"
    sarah.user.save()
    patient = factories.patient(
        given_name="Margaret", family_name="Okafor", email="margaret.okafor@example.test"
    )
    next_week = factories.appointment(
        patient=patient, practitioner=sarah, start=factories.next_weekday_at(10)
    )
    # In three hours: inside the clinic's 24 hours' notice.
    soon = (timezone.now() + timedelta(hours=3)).replace(second=0, microsecond=0)
    today = factories.appointment(patient=patient, practitioner=sarah, start=soon)
    return patient, next_week, today


def _fits(page) -> bool:
    """Nothing wider than the phone's screen, every field labelled, one heading and the
    page's landmarks, and nothing axe-core objects to. (JavaScript is off for the page;
    Playwright's own checks and axe still run.)"""
    assert_no_axe_violations(page)
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    for landmark in ("banner", "main", "contentinfo"):
        expect(page.get_by_role(landmark)).to_have_count(1)
    return page.evaluate(FITS_THE_SCREEN)


def test_a_patient_signs_in_by_emailed_link_then_cancels_and_moves_on_a_phone(
    live_server, phone, margaret, mailoutbox
):
    patient, next_week, today = margaret
    page = phone

    page.goto(live_server.url + "/portal/")
    expect(page).to_have_url(re.compile(r"/portal/sign-in/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to see your appointments")
    assert _fits(page)
    page.get_by_label("Email address").fill("margaret.okafor@example.test")
    born = patient.date_of_birth
    page.get_by_label("Day").fill(str(born.day))
    page.get_by_label("Month").fill(str(born.month))
    page.get_by_label("Year").fill(str(born.year))
    page.get_by_role("button", name="Email me a sign-in link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")

    # The worker hands the queued email to the mail server; the patient opens it.
    message = Message.objects.get(kind="portal_sign_in")
    assert delivery.deliver(message.pk) == "sent"
    assert mailoutbox[0].to == ["margaret.okafor@example.test"]
    link = re.search(r"http://\S+/portal/sign-in/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Hello Margaret")
    later, sooner = format_datetime(next_week.start), format_datetime(today.start)
    expect(page.get_by_role("heading", level=3, name=later)).to_be_visible()
    expect(page.get_by_role("heading", level=3, name=sooner)).to_be_visible()
    expect(page.locator(f"#visit-{today.pk}")).to_contain_text("late cancellation")
    assert _fits(page)

    # Cancel today's: the page says it will be late before anything is done.
    page.get_by_role("link", name=f"Cancel the appointment on {sooner}").click()
    expect(page.get_by_role("heading", name="This will be a late cancellation")).to_be_visible()
    assert Appointment.objects.get(pk=today.pk).status == AppointmentStatus.BOOKED
    assert _fits(page)
    page.get_by_role("button", name="Cancel it anyway (late cancellation)").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"Your appointment on {sooner} is cancelled. It was a late cancellation"
    )
    expect(page.locator(f"#visit-{today.pk}")).to_have_count(0)
    assert Appointment.objects.get(pk=today.pk).status == AppointmentStatus.LATE_CANCELLED

    # Move next week's to the first free time offered with Sarah Patel.
    page.get_by_role("link", name=f"Move the appointment on {later}").click()
    expect(page.get_by_role("heading", name="Free times with Sarah Patel")).to_be_visible()
    assert _fits(page)
    first = page.get_by_role("button", name=re.compile(r"^Move to ")).first
    chosen = first.get_attribute("value")
    first.click()
    expect(page.get_by_role("status")).to_contain_text("Moved: your appointment is now on")
    moved = Appointment.objects.get(pk=next_week.pk)
    assert moved.start == datetime.fromisoformat(chosen)
    expect(page.get_by_role("status")).to_contain_text(
        f"Moved: your appointment is now on {format_datetime(moved.start)} with Sarah Patel."
    )
    expect(page.get_by_role("heading", level=3, name=format_datetime(moved.start))).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    page.goto(live_server.url + "/portal/")
    expect(page).to_have_url(re.compile(r"/portal/sign-in/$"))


def test_a_used_link_tells_the_patient_how_to_get_a_new_one(live_server, phone, margaret):
    patient, _, _ = margaret
    tokens = []
    services.sign_in_link_request(
        email=patient.email,
        date_of_birth=patient.date_of_birth,
        client_address=None,
        url_for=lambda token: tokens.append(token) or token,
    )
    link = f"{live_server.url}/portal/sign-in/{tokens[0]}/"
    phone.goto(link)
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Hello Margaret")
    phone.get_by_role("button", name="Sign out").click()

    phone.goto(link)
    expect(phone.get_by_role("heading", level=1)).to_have_text("This link has already been used")
    expect(phone.get_by_text("You are not signed in, and nothing has changed.")).to_be_visible()
    phone.get_by_role("link", name="Ask for a new link").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Sign in to see your appointments")

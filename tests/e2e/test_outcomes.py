"""The course of treatment in a browser: the practitioner reads the course on the patient
record and books the next session the planner proposes with one click; the patient, on a
phone with JavaScript off, keeps a pain diary, completes a questionnaire and sees their
own progress chart."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from acuclinic.outcomes.models import Measurement
from acuclinic.portal import services as portal
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
FITS_THE_SCREEN = "() => document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def course(transactional_db):
    """Margaret, with low back pain: weekly sessions with Sarah Patel at 7, 5, 4 out of 10,
    the last one today."""
    factories.build_clinic()
    sarah = factories.practitioner("sarah", qualified_medical=True)
    sarah.user.first_name, sarah.user.last_name = "Sarah", "Patel"
    sarah.user.save()
    margaret = factories.patient(
        given_name="Margaret", family_name="Okafor", email="margaret.okafor@example.test"
    )
    factories.clinical_summary(margaret, by=sarah.user, presenting_condition="low_back")
    first = timezone.localdate() - timedelta(weeks=2)
    factories.weekly_sessions(margaret, sarah, [7, 5, 4], first_day=first)
    return sarah, margaret


def test_the_practitioner_reads_the_course_and_books_the_next_session_in_one_click(
    live_server, page, course
):
    sarah, margaret = course
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("sarah")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/patients/{margaret.pk}/")
    # The record opens on its details; the course is one tab away.
    page.get_by_role("navigation", name="Parts of the record").get_by_role(
        "link", name="Course and outcomes"
    ).click()
    section = page.get_by_role("region", name="Course and outcomes")
    expect(section).to_contain_text(
        "Pain 4/10 vs baseline 7/10 at two sessions: moving to every other week."
    )
    expect(
        section.get_by_role("img", name=re.compile(r"^Pain \(0–10\) over the course"))
    ).to_be_visible()
    timeline = section.get_by_role("list", name="Timeline")
    expect(timeline).to_contain_text("Weekly (initial)")
    expect(timeline).to_contain_text("Every other week")

    section.get_by_role("link", name="Outcomes, timeline and next session").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outcomes")
    book = page.get_by_role("button", name=re.compile(r"^Book ")).first
    expect(book).to_contain_text(", 10:00")  # the time of day of her sessions
    book.click()
    expect(page.get_by_role("status").first).to_contain_text("Booked ")
    expect(page.get_by_text("Next session already booked")).to_be_visible()
    booked = Appointment.objects.get(patient=margaret, status=AppointmentStatus.BOOKED)
    assert booked.practitioner == sarah
    assert timezone.localdate(booked.start) >= timezone.localdate() + timedelta(days=14)

    page.get_by_role("link", name="Printable summary").click()
    expect(
        page.get_by_role("img", name=re.compile(r"^Pain \(0–10\) over the course"))
    ).to_be_visible()


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


def test_the_patient_keeps_a_diary_fills_in_a_questionnaire_and_sees_their_progress(
    live_server, phone, course
):
    _, margaret = course
    tokens = []
    portal.sign_in_link_request(
        email=margaret.email,
        date_of_birth=margaret.date_of_birth,
        client_address=None,
        url_for=lambda token: tokens.append(token) or token,
    )
    page = phone
    page.goto(f"{live_server.url}/portal/sign-in/{tokens[0]}/")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello Margaret")
    expect(page.get_by_text("Your pain was 7/10 at your first session")).to_be_visible()

    page.get_by_role("link", name="Your progress and pain diary").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your progress")
    chart = page.get_by_role("img", name=re.compile(r"^Pain \(0–10\) over the course"))
    expect(chart).to_be_visible()
    assert page.evaluate(FITS_THE_SCREEN)

    # A diary entry for tomorrow is refused, and nothing is written.
    page.get_by_role("link", name="Add to your diary").click()
    page.get_by_label("3", exact=True).check()
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Day").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Add to my diary").click()
    expect(page.get_by_text("cannot be in the future").first).to_be_visible()
    assert not Measurement.objects.filter(patient=margaret).exists()

    page.get_by_label("3", exact=True).check()
    page.get_by_label("Day").fill(timezone.localdate().isoformat())
    page.get_by_label("Anything that made it better or worse?").fill("Walked to the shops")
    page.get_by_role("button", name="Add to my diary").click()
    expect(page.get_by_role("status").first).to_contain_text("Added to your pain diary")
    diary = page.get_by_role("table", name="Your latest diary entries")
    expect(diary).to_contain_text("3/10")
    expect(diary).to_contain_text("Walked to the shops")

    # The PSFS is due after the first weekly series: she names and rates three activities.
    page.get_by_role("link", name="Patient-Specific Functional Scale").click()
    for n, (activity, rating) in enumerate(
        [("Sitting at work", "5"), ("Walking the dog", "6"), ("Gardening", "4")], 1
    ):
        page.get_by_label(re.compile(rf"^Activity {n} \(optional\)")).fill(activity)
        page.get_by_label(re.compile(rf"^Activity {n}: how well now")).select_option(rating)
    assert page.evaluate(FITS_THE_SCREEN)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "your answers are with your practitioner"
    )
    psfs = Measurement.objects.get(patient=margaret, measure="psfs")
    assert (psfs.score, psfs.source) == (5, "patient")
    expect(page.get_by_role("link", name="Patient-Specific Functional Scale")).to_have_count(0)


@pytest.fixture
def at_nices_limit(transactional_db):
    """Joan, with fibromyalgia: ten half-hour sessions with Sarah Patel, the last today —
    NICE NG193's 5 hours of professional time are used."""
    factories.build_clinic()
    sarah = factories.practitioner("sarah", qualified_medical=True)
    joan = factories.patient(given_name="Joan", family_name="Adeyemi")
    factories.clinical_summary(joan, by=sarah.user, presenting_condition="fibromyalgia")
    first = timezone.localdate() - timedelta(weeks=9)
    factories.weekly_sessions(joan, sarah, [7, 5, 4, 4, 4, 4, 4, 4, 4, 4], first_day=first)
    return sarah, joan


def test_at_nices_limit_the_practitioner_sees_it_reviews_and_may_still_book(
    live_server, page, at_nices_limit
):
    from tests.e2e.test_accessibility import assert_accessible

    _, joan = at_nices_limit
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("sarah")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(f"{live_server.url}/patients/{joan.pk}/")
    # The record opens on its details; the course is one tab away.
    page.get_by_role("navigation", name="Parts of the record").get_by_role(
        "link", name="Course and outcomes"
    ).click()
    section = page.get_by_role("region", name="Course and outcomes")
    note = section.get_by_role("note", name="NICE NG193 (2021): chronic primary pain")
    expect(note).to_contain_text("5 h of 5 h used")
    expect(section).to_contain_text("the course NICE recommends is complete")

    section.get_by_role("link", name="Outcomes, timeline and next session").click()
    assert_accessible(page)
    note = page.get_by_role("note", name="NICE NG193 (2021): chronic primary pain")
    expect(note).to_contain_text("Review with the patient whether to go on.")
    note.get_by_text("Why this guidance, and its source").click()
    expect(note).to_contain_text("NG193 names fibromyalgia (chronic widespread pain)")
    # The clinic may still book: the times are offered beside the request for a review.
    expect(page.get_by_role("button", name=re.compile(r"^Book ")).first).to_be_visible()

    page.get_by_label("Continue: go on past NICE's recommended course").check()
    page.get_by_label("Reasons (discussed with the patient)").fill("Improving; she chose to go on.")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_role("status").first).to_contain_text("Review recorded: the course goes on.")
    expect(
        page.get_by_role("note", name="NICE NG193 (2021): chronic primary pain")
    ).to_contain_text("A review agreed to go on past NICE NG193's recommended course.")
    expect(page.get_by_role("button", name="Record the review")).to_have_count(0)
    assert_accessible(page)

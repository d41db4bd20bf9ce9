"""Reception moves a visit in the diary: by dragging its card in the calendar onto a free
time, confirmed (naming the patient and both times) and undone; refused with free times
offered when the time has gone meanwhile; and with the keyboard alone."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from acuclinic.clinic.models import Room
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_diary_calendar import card, drag, open_diary

pytestmark = pytest.mark.browser


@pytest.fixture
def diary_day(transactional_db):
    """Sarah Patel sees Margaret Okafor at 10:00 on a weekday next week."""
    factories.build_clinic()
    sarah = factories.practitioner("sarah", qualified_medical=True)
    sarah.user.first_name, sarah.user.last_name = "Sarah", "Patel"
    sarah.user.save()
    factories.staff_user("front", role="Reception", first_name="Rita", last_name="Desk")
    patient = factories.patient(given_name="Margaret", family_name="Okafor")
    start = factories.next_weekday_at(10, days_ahead=3)
    visit = factories.appointment(patient=patient, practitioner=sarah, start=start)
    return sarah, visit


def sign_in_to_the_day(page, base_url, visit):
    # Tall enough for the whole day: a drag that scrolls the page part-way picks up
    # whatever is under the pointer after the scroll.
    page.set_viewport_size({"width": 1280, "height": 2200})
    page.goto(base_url + reverse("login"))
    page.get_by_label("Username").fill("front")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diary")
    day = timezone.localtime(visit.start).date()
    open_diary(page, base_url, date=day.isoformat())


def free_time(page, practitioner_name: str, hhmm: str):
    return page.locator("#diary-calendar").get_by_role(
        "link", name=f"Book {practitioner_name} at {hhmm}"
    )


def test_a_dragged_card_is_confirmed_moved_and_undone(live_server, page, diary_day):
    """The drag moves the visit grabbed and no other: the confirmation names its patient
    and both times; once moved, Undo puts it back."""
    sarah, visit = diary_day
    other = factories.appointment(
        patient=factories.patient(given_name="Tom", family_name="Ashdown"),
        practitioner=sarah,
        room=Room.objects.get(name="Room 2"),
        start=visit.start + timedelta(hours=1),
    )
    sign_in_to_the_day(page, live_server.url, visit)
    shown = card(page, visit)
    expect(shown).to_contain_text("10:00")
    # Free time shows without hovering (it used to be transparent text until hovered).
    expect(free_time(page, "Sarah Patel", "15:00")).not_to_have_css("color", "rgba(0, 0, 0, 0)")

    drag(page, shown, free_time(page, "Sarah Patel", "15:00"))

    expect(page.get_by_role("heading", level=1)).to_have_text("Move Margaret Okafor's appointment?")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("10:00")
    expect(facts).to_contain_text("15:00")
    expect(page.get_by_label("Tell the patient by email")).to_be_checked()
    assert_accessible(page)
    assert timezone.localtime(Appointment.objects.get(pk=visit.pk).start).hour == 10
    page.get_by_role("button", name="Yes, move it").click()

    expect(page.get_by_role("status").first).to_contain_text("Appointment moved.")
    assert timezone.localtime(Appointment.objects.get(pk=visit.pk).start).hour == 15
    assert Appointment.objects.get(pk=other.pk).start == other.start

    assert_accessible(page)  # the diary with its undo offer
    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status").first).to_contain_text("Undone: Margaret Okafor")
    assert Appointment.objects.get(pk=visit.pk).start == visit.start


def test_a_time_taken_meanwhile_is_refused_with_free_times_to_choose(live_server, page, diary_day):
    sarah, visit = diary_day
    sign_in_to_the_day(page, live_server.url, visit)
    drag(page, card(page, visit), free_time(page, "Sarah Patel", "15:00"))
    expect(page.get_by_role("button", name="Yes, move it")).to_be_visible()
    # A colleague at another desk books 15:00 while this one reads the confirmation.
    factories.appointment(
        patient=factories.patient(),
        practitioner=sarah,
        room=Room.objects.get(name="Room 2"),
        start=visit.start.replace(hour=visit.start.hour + 5),
    )

    page.get_by_role("button", name="Yes, move it").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Move an appointment")
    expect(page.locator(".notice")).to_contain_text("Nearest free times")
    assert timezone.localtime(Appointment.objects.get(pk=visit.pk).start).hour == 10


def _tab_to(page, test: str, limit: int = 200) -> None:
    """Press Tab until ``test`` (JavaScript, given the focused element) is true."""
    for _ in range(limit):
        if page.evaluate(f"(el => {test})(document.activeElement)"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached an element where {test}")


def test_a_visit_is_moved_with_the_keyboard_alone(live_server, page, diary_day):
    _sarah, visit = diary_day
    sign_in_to_the_day(page, live_server.url, visit)

    # The calendar's card is a link to the appointment, whose page has the move form.
    _tab_to(page, f"el.closest('[data-appointment=\"{visit.pk}\"]') && el.tagName === 'A'")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=2, name="Move")).to_be_visible()

    _tab_to(page, "el.id === 'id_time'")
    page.keyboard.type("1600")  # a time input takes the digits, hours then minutes
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Move Margaret Okafor")
    _tab_to(page, "el.textContent.trim() === 'Yes, move it'")
    page.keyboard.press("Enter")

    expect(page.get_by_role("status").first).to_contain_text("Appointment moved.")
    start = timezone.localtime(Appointment.objects.get(pk=visit.pk).start)
    assert (start.hour, start.minute) == (16, 0)
    assert start.date() == timezone.localtime(visit.start).date()
    assert start - visit.start == timedelta(hours=6)

"""The diary drawn by the JavaScript calendar (EventCalendar over /diary/feed/): a week
of eight practitioners that stays readable at 1366 px, a free time booked with one click,
a visit dragged to a free time, confirmed and undone, moving that visit and no other."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from acuclinic.clinic.models import Room, Service
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

STAFF_WIDTH = 1366

# Long names on purpose: a card that has room for these has room for most.
PRACTITIONERS = [
    ("Sarah", "Patel"),
    ("Alexandra", "Montgomery-Hughes"),
    ("Tom", "Ashdown"),
    ("Oluwaseun", "Adeyemi-Clarke"),
    ("Mei", "Chen"),
    ("Bartholomew", "Fitzgerald"),
    ("Priya", "Raghunathan"),
    ("Eilidh", "MacLeod"),
]
PATIENTS = [
    ("Margaret", "Okafor-Whitfield"),
    ("Christopher", "Barker"),
    ("Siobhan", "Lefèvre"),
    ("Jo", "Ng"),
    ("Anastasia", "Papadopoulou"),
    ("Tom", "Ashby"),
    ("Gwen", "Morgan"),
    ("Kwame", "Mensah"),
    ("Isla", "Pearce"),
    ("Rhys", "Llewellyn-Jones"),
]
# (hour, minute, service) of each practitioner's visits, every weekday.
DAY_PLAN = [
    (9, 0, "Medical acupuncture"),
    (10, 0, "Traditional acupuncture"),
    (11, 30, "Follow-up"),
    (14, 0, "Assessment and acupuncture"),
    (16, 30, "Medical acupuncture"),
]


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _practitioner(n, given, family):
    who = factories.practitioner(f"p{n}", qualified_medical=True, qualified_traditional=True)
    who.user.first_name, who.user.last_name = given, family
    who.user.save()
    return who


@pytest.fixture
def busy_week(transactional_db):
    """Eight practitioners, each with five visits every weekday of a week next week; no
    patient is booked twice at once (more patients than practitioners)."""
    factories.build_clinic()
    factories.staff_user("front", role="Reception", first_name="Rita", last_name="Desk")
    location = Room.objects.order_by("pk").first().location
    monday = factories.next_weekday_at(10).date()
    monday -= timedelta(days=monday.weekday())
    monday += timedelta(days=7)  # wholly in the future: every free time can be booked
    services = {s.name: s for s in Service.objects.all()}
    patients = [factories.patient(given_name=g, family_name=f) for g, f in PATIENTS]
    visits = []
    for n, (given, family) in enumerate(PRACTITIONERS):
        who = _practitioner(n, given, family)
        room = Room.objects.create(location=location, name=f"Treatment room {n + 1}")
        for d in range(5):
            for k, (hour, minute, service) in enumerate(DAY_PLAN):
                visits.append(
                    factories.appointment(
                        patient=patients[(n + d + k) % len(patients)],
                        practitioner=who,
                        room=room,
                        service=services[service],
                        start=at(monday + timedelta(days=d), hour, minute),
                    )
                )
    return monday, visits


def sign_in(page, base_url, *, height=900):
    page.set_viewport_size({"width": STAFF_WIDTH, "height": height})
    page.goto(base_url + reverse("login"))
    page.get_by_label("Username").fill("front")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diary")


def open_diary(page, base_url, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    page.goto(f"{base_url}{reverse('diary')}?{query}")
    calendar = page.locator("#diary-calendar[data-ready]")
    # The calendar draws after the page has loaded, once the feed has answered.
    expect(calendar).to_be_visible(timeout=60_000)
    # With JavaScript the calendar replaces the server's grid (kept for pages without it).
    expect(page.locator(".diary[data-replaced-by-calendar]")).to_be_hidden()
    return calendar


def card(page, appointment):
    return page.locator(f'#diary-calendar .ec-event[data-appointment="{appointment.pk}"]')


# Each card's time, patient and kind of visit, and whether any of them is cut off by the
# card; in the week, also anything else on the card, and the card by its day's cell. (A
# half-hour card in a day of eight columns can be shorter than its tags: they show in
# full on the appointment it opens.)
CLIPPED_CARDS = """
(week) => Array.from(document.querySelectorAll('#diary-calendar .ec-event.visit')).flatMap(card => {
  const box = card.getBoundingClientRect();
  const problems = [];
  const overflows = card.scrollHeight > card.clientHeight + 1
    || card.scrollWidth > card.clientWidth + 1;
  if (week && overflows) {
    problems.push(card.dataset.appointment + ': content overflows the card');
  }
  for (const part of card.querySelectorAll('.t, .who, .what')) {
    const r = part.getBoundingClientRect();
    if (!part.textContent.trim() || r.width === 0 || r.height === 0 ||
        r.left < box.left - 0.5 || r.right > box.right + 0.5 ||
        r.top < box.top - 0.5 || r.bottom > box.bottom + 0.5) {
      problems.push(card.dataset.appointment + ': ' + part.className + ' cut off');
    }
  }
  if (!week) {
    return problems;
  }
  const day = document.querySelector(
    '#diary-calendar .ec-col-head time[datetime="' + card.dataset.start.slice(0, 10) + '"]'
  ).closest('.ec-col-head').getBoundingClientRect();
  if (box.left < day.left - 0.5 || box.right > day.right + 0.5) {
    problems.push(card.dataset.appointment + ': wider than its day');
  }
  return problems;
})
"""


def test_a_week_of_eight_practitioners_at_1366_px_shows_name_time_and_kind_on_every_card(
    live_server, page, busy_week
):
    monday, visits = busy_week
    sign_in(page, live_server.url)
    calendar = open_diary(page, live_server.url, date=monday.isoformat(), view="week")

    # A row per practitioner, a column per day the clinic opens (not Sunday).
    for given, family in PRACTITIONERS:
        expect(calendar.locator(".ec-sidebar").get_by_text(f"{given} {family}")).to_be_visible()
    expect(calendar.locator(".ec-header .ec-col-head")).to_have_count(6)
    assert page.evaluate("document.documentElement.scrollWidth") <= STAFF_WIDTH

    cards = calendar.locator(".ec-event.visit")
    expect(cards).to_have_count(len(visits))
    for visit in visits[:: len(DAY_PLAN) - 1]:  # a spread of days, times and kinds
        shown = card(page, visit)
        local = timezone.localtime(visit.start)
        expect(shown.locator(".t")).to_have_text(f"{local:%H:%M}")
        expect(shown.locator(".who")).to_have_text(visit.patient.full_name)
        expect(shown.locator(".what")).to_have_text(visit.service.name)
    assert page.evaluate(CLIPPED_CARDS, True) == []
    # Free time shows between the visits, as links that book it.
    free = calendar.get_by_role("link", name=re.compile(r"^Book Sarah Patel at \d\d:\d\d on "))
    expect(free.first).to_be_visible()
    assert_accessible(page)


def test_the_day_has_a_column_per_practitioner_with_every_card_readable(
    live_server, page, busy_week
):
    monday, _visits = busy_week
    sign_in(page, live_server.url)
    calendar = open_diary(page, live_server.url, date=monday.isoformat())

    heads = calendar.locator(".ec-header .ec-col-head")
    expect(heads).to_have_count(len(PRACTITIONERS))
    assert sorted(heads.all_inner_texts()) == sorted(f"{g} {f}" for g, f in PRACTITIONERS)
    expect(calendar.locator(".ec-event.visit")).to_have_count(len(PRACTITIONERS) * len(DAY_PLAN))
    assert page.evaluate(CLIPPED_CARDS, False) == []
    assert_accessible(page)


def test_a_free_time_is_booked_with_one_click(live_server, page, busy_week):
    monday, _visits = busy_week
    sign_in(page, live_server.url)
    open_diary(page, live_server.url, date=monday.isoformat())

    page.get_by_role("link", name="Book Sarah Patel at 15:00").click()

    # The booking form, with the practitioner and the time from the diary: only the
    # patient is left to choose.
    page.get_by_label("Find a patient").fill("okafor")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Book for Margaret").click()
    expect(page.get_by_label("Time")).to_have_value("15:00")
    expect(page.get_by_label("Date")).to_have_value(monday.isoformat())
    expect(page.get_by_label("Practitioner")).to_have_value(
        str(Appointment.objects.filter(practitioner__user__username="p0").first().practitioner_id)
    )
    page.get_by_label("Service").select_option(label="Medical acupuncture")
    page.get_by_role("button", name="Book").click()

    expect(page.get_by_role("status").first).to_contain_text("Booked Margaret Okafor-Whitfield")
    booked = Appointment.objects.get(
        practitioner__user__username="p0", start=at(monday, 15), status="booked"
    )
    assert booked.patient.family_name == "Okafor-Whitfield"


def drag(page, source, target) -> None:
    """Press near the top of ``source``, move in small steps until that point is just
    inside the top of ``target``, and let go: as a hand does."""
    source.scroll_into_view_if_needed()
    start, end = source.bounding_box(), target.bounding_box()
    x0, y0 = start["x"] + start["width"] / 2, start["y"] + 6
    x1, y1 = end["x"] + min(end["width"] / 2, 40), end["y"] + 10
    page.mouse.move(x0, y0)
    page.mouse.down()
    for step in range(1, 11):
        page.mouse.move(x0 + (x1 - x0) * step / 10, y0 + (y1 - y0) * step / 10)
    page.mouse.up()


def test_a_dragged_visit_is_confirmed_moved_and_undone_and_no_other_moves(
    live_server, page, busy_week
):
    monday, visits = busy_week
    sarahs = [v for v in visits if v.practitioner.user.username == "p0"]
    grabbed = next(v for v in sarahs if timezone.localtime(v.start).hour == 9)
    before = {a.pk: (a.start, a.practitioner_id, a.room_id) for a in Appointment.objects.all()}
    sign_in(page, live_server.url, height=2200)
    open_diary(page, live_server.url, date=monday.isoformat())
    shown = card(page, grabbed)
    expect(shown).to_contain_text("09:00")
    free = page.get_by_role("link", name="Book Sarah Patel at 15:00")

    drag(page, shown, free)

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Move {grabbed.patient.full_name}'s appointment?"
    )
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("09:00")
    expect(facts).to_contain_text("15:00")
    expect(page.get_by_label("Tell the patient by email")).to_be_checked()
    assert_accessible(page)
    # Nothing moves before the confirmation.
    assert {
        a.pk: (a.start, a.practitioner_id, a.room_id) for a in Appointment.objects.all()
    } == before
    page.get_by_role("button", name="Yes, move it").click()

    expect(page.get_by_role("status").first).to_contain_text("Appointment moved.")
    after = {a.pk: (a.start, a.practitioner_id, a.room_id) for a in Appointment.objects.all()}
    assert after[grabbed.pk][0] == at(monday, 15)
    assert {pk: v for pk, v in after.items() if pk != grabbed.pk} == {
        pk: v for pk, v in before.items() if pk != grabbed.pk
    }

    page.get_by_role("button", name="Undo").click()
    expect(page.get_by_role("status").first).to_contain_text(f"Undone: {grabbed.patient.full_name}")
    assert {
        a.pk: (a.start, a.practitioner_id, a.room_id) for a in Appointment.objects.all()
    } == before


def test_a_visit_dropped_on_a_busy_time_goes_back_and_nothing_moves(live_server, page, busy_week):
    monday, visits = busy_week
    sarahs = sorted(
        (v for v in visits if v.practitioner.user.username == "p0" and v.start.date() == monday),
        key=lambda v: v.start,
    )
    grabbed, busy = sarahs[0], sarahs[3]  # 09:00, dropped on the 14:00 visit
    sign_in(page, live_server.url, height=2200)
    open_diary(page, live_server.url, date=monday.isoformat())

    drag(page, card(page, grabbed), card(page, busy))

    expect(page.get_by_role("alert")).to_contain_text("Drop")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diary")
    expect(card(page, grabbed)).to_contain_text("09:00")
    assert Appointment.objects.get(pk=grabbed.pk).start == grabbed.start

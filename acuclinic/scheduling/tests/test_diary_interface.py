"""The diary as reception and clinicians use it: columns by room, colours with a key and
the status in words, the course a visit belongs to, each patient's safety at a glance
by role, and a day for a location of twenty practitioners in a fixed number of queries."""

import re
from datetime import datetime, time, timedelta
from html import escape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Room, Service
from acuclinic.scheduling import series
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import RoomClosure
from acuclinic.testing import factories
from acuclinic.testing.queries import audit_chain_lock

DIARY = reverse("diary")
SECRET_DETAIL = "Mild von Willebrand disease, under Dr Okafor"


@pytest.fixture
def day(clinic):
    """A weekday next week, when the clinic is open 08:00–20:00."""
    return timezone.localtime(factories.next_weekday_at(10)).date()


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def visit(practitioner, day, hour, minute=0, **fields):
    return factories.appointment(
        patient=fields.pop("patient", None) or factories.patient(),
        practitioner=practitioner,
        start=at(day, hour, minute),
        **fields,
    )


def show(client, user, **params):
    client.force_login(user)
    response = client.get(DIARY, {k: str(v) for k, v in params.items()})
    assert response.status_code == 200
    return response


def card_html(response, appointment) -> str:
    page = response.content.decode()
    found = re.search(rf'<li id="appt-{appointment.pk}".*?</li>\n', page, re.S)
    assert found, f"no card for appointment {appointment.pk}"
    return found.group(0)


# ── By room ───────────────────────────────────────────────────────────────────────────


def test_the_room_view_has_a_column_per_room_with_whoever_is_booked_in_it(
    client, reception_user, practitioner, day
):
    colleague = factories.practitioner("tom", qualified_medical=True)
    room_1, room_2 = Room.objects.order_by("name")
    in_1 = visit(practitioner, day, 10, room=room_1)
    in_2 = visit(colleague, day, 10, room=room_2)
    also_in_2 = visit(practitioner, day, 12, room=room_2)
    response = show(client, reception_user, date=day.isoformat(), by="room")
    columns = response.context["grid"].columns
    assert [c.label for c in columns] == ["Room 1", "Room 2"]
    assert [x.appointment for x in columns[0].cards] == [in_1]
    assert [x.appointment for x in columns[1].cards] == [in_2, also_in_2]
    # In a room's column the card names the practitioner rather than the room.
    assert escape(colleague.name) in card_html(response, in_2)


def test_choosing_a_room_shows_its_week(client, reception_user, practitioner, day):
    room_1, room_2 = Room.objects.order_by("name")
    mine = visit(practitioner, day, 10, room=room_2)
    visit(practitioner, day, 12, room=room_1)
    response = show(client, reception_user, date=day.isoformat(), by="room", room=room_2.pk)
    page = response.content.decode()
    assert "Room 2</span></h1>" in page
    day_view = response.context["grid"].columns
    assert [c.label for c in day_view] == ["Room 2"]
    assert [x.appointment for x in day_view[0].cards] == [mine]
    week = show(
        client, reception_user, date=day.isoformat(), by="room", room=room_2.pk, view="week"
    )
    cards = [x.appointment for c in week.context["grid"].columns for x in c.cards]
    assert cards == [mine]
    assert f"room={room_2.pk}" in week.context["next_url"]
    assert "by=room" in week.context["next_url"]


def test_a_free_time_in_a_room_books_that_room(client, reception_user, practitioner, day):
    room_2 = Room.objects.get(name="Room 2")
    response = show(client, reception_user, date=day.isoformat(), by="room", room=room_2.pk)
    links = re.findall(
        r'<li class="free"[^>]*><a href="([^"]+)" aria-label="([^"]+)"', response.content.decode()
    )
    assert links
    href, label = links[0]
    assert f"room={room_2.pk}" in href
    assert label == "Book Room 2 at 08:00"


def test_a_closed_room_shows_the_closure_and_offers_no_free_time_then(
    client, reception_user, practitioner, day
):
    room_1 = Room.objects.get(name="Room 1")
    RoomClosure.objects.create(
        room=room_1, starts=at(day, 12), ends=at(day, 14), reason="New couch being fitted"
    )
    response = show(client, reception_user, date=day.isoformat(), by="room", room=room_1.pk)
    (column,) = response.context["grid"].columns
    assert [(b.reason, b.row_end - b.row_start) for b in column.blocked] == [
        ("New couch being fitted", 8)
    ]
    free = {timezone.localtime(s.start).strftime("%H:%M") for s in column.free}
    assert {"12:00", "12:30", "13:00", "13:30"}.isdisjoint(free)
    assert {"11:30", "14:00"} <= free
    assert "New couch being fitted" in response.content.decode()


def test_the_location_day_shows_only_who_works_there_that_day(
    client, reception_user, practitioner, day
):
    factories.practitioner("away", qualified_medical=True, works_opening_hours=False)
    response = show(client, reception_user, date=day.isoformat())
    assert [c.label for c in response.context["grid"].columns] == [practitioner.name]


def test_a_day_nobody_works_says_so(client, reception_user, practitioner, day):
    sunday = day + timedelta(days=6 - day.weekday())
    response = show(client, reception_user, date=sunday.isoformat())
    assert "Nobody works at Riverside on" in response.content.decode()


# ── Colours, status in words, the course ──────────────────────────────────────────────


def test_cards_carry_their_kind_and_status_and_say_the_status_in_words(
    client, reception_user, practitioner, day
):
    traditional = Service.objects.get(name="Traditional acupuncture")
    acupuncturist = factories.practitioner("lin", qualified_traditional=True)
    booked = visit(practitioner, day, 10)
    missed = visit(
        acupuncturist, day, 11, service=traditional, status=AppointmentStatus.DID_NOT_ATTEND
    )
    response = show(client, reception_user, date=day.isoformat())
    first, second = card_html(response, booked), card_html(response, missed)
    assert 'class="appt status-booked modality-medical"' in first
    assert '<span class="st">Booked</span>' in first
    assert 'class="appt status-dna modality-traditional"' in second
    assert '<span class="st">Did not attend</span>' in second


@pytest.mark.parametrize(
    ("colour", "key"),
    [
        (
            "modality",
            ["Assessment", "Traditional acupuncture", "Medical (western) acupuncture", "Follow-up"],
        ),
        ("status", ["Booked", "Arrived", "Completed", "Did not attend"]),
    ],
)
def test_the_key_explains_the_colours_chosen(
    client, reception_user, practitioner, day, colour, key
):
    response = show(client, reception_user, date=day.isoformat(), colour=colour)
    assert [label for _, label in response.context["legend"]] == key
    page = response.content.decode()
    assert f'<div class="diary-wrap colour-{colour}">' in page
    for css, label in response.context["legend"]:
        assert f'<span class="swatch {css}" aria-hidden="true"></span>{escape(label)}' in page


def test_an_unknown_colour_scheme_falls_back_to_the_kind_of_visit(
    client, reception_user, practitioner, day
):
    response = show(client, reception_user, date=day.isoformat(), colour="rainbow")
    assert response.context["choice"].colour == "modality"


def test_a_session_of_a_course_shows_its_place_in_it(client, reception_user, practitioner, day):
    course = series.series_book(
        patient=factories.patient(),
        practitioner=practitioner,
        room=Room.objects.get(name="Room 1"),
        service=Service.objects.get(name="Medical acupuncture"),
        first_start=at(day, 9),
        sessions=6,
    )
    third = course.appointments.get(series_index=3)
    two_weeks_on = timezone.localtime(third.start).date()
    assert two_weeks_on == day + timedelta(days=14)
    response = show(client, reception_user, date=two_weeks_on.isoformat())
    card = card_html(response, third)
    # One count of sessions (outcomes.numbering): the course's, as on the appointment.
    assert '<span class="series">session 3</span>' in card
    assert "Session 3 of the course." in card  # in the card's "More"


# ── Each patient's safety, by role ────────────────────────────────────────────────────


@pytest.fixture
def flagged_visit(practitioner, day):
    patient = factories.patient()
    factories.safety_questionnaire(
        patient,
        by=practitioner.user,
        pregnant="yes",
        pregnancy_weeks=14,
        anticoagulants=["apixaban"],
        bleeding_disorder=True,
        bleeding_disorder_detail=SECRET_DETAIL,
    )
    return visit(practitioner, day, 10, patient=patient)


@pytest.mark.parametrize("role", ["admin", "practitioner"])
def test_clinicians_see_the_patients_flags_in_the_cards_disclosure(
    client, users, flagged_visit, day, role
):
    card = card_html(show(client, users[role], date=day.isoformat()), flagged_visit)
    assert '<span class="flagged">Safety flags</span>' in card
    details = card[card.index("<details") :]
    assert "Pregnant, 14 weeks — avoid LI4, SP6, BL60, GB21…" in details
    assert "Apixaban — bleeding precaution" in details
    assert SECRET_DETAIL not in card


def test_reception_sees_only_that_there_are_flags_never_what_they_are(
    client, users, flagged_visit, day
):
    card = card_html(show(client, users["reception"], date=day.isoformat()), flagged_visit)
    assert '<span class="flagged">Safety flags</span>' in card
    assert "Has safety flags." in card
    for clinical in ("Pregnant", "Apixaban", "LI4", "Bleeding", SECRET_DETAIL):
        assert clinical not in card


def test_flags_shown_to_a_clinician_in_the_diary_are_audited_and_to_reception_are_not(
    client, users, flagged_visit, day
):
    shown = AuditEntry.objects.filter(
        detail="safety flags in the diary", patient_id=flagged_visit.patient_id
    )
    show(client, users["reception"], date=day.isoformat())
    assert not shown.exists()
    show(client, users["practitioner"], date=day.isoformat())
    assert shown.get().actor == users["practitioner"]


@pytest.mark.parametrize("role", ["admin", "practitioner"])
def test_the_week_tells_a_clinician_there_are_flags_and_the_day_puts_them_in_words(
    client, users, flagged_visit, day, role
):
    # A week's cards are too small for the flags: they say there are some, as they do
    # to reception, and point to where they are read. Nothing was read, so nothing is
    # audited; the day's cards list them, and that is audited.
    shown = AuditEntry.objects.filter(
        detail="safety flags in the diary", patient_id=flagged_visit.patient_id
    )
    card = card_html(show(client, users[role], date=day.isoformat(), view="week"), flagged_visit)
    assert '<span class="flagged">Safety flags</span>' in card
    assert "Has safety flags:</strong> the visit lists them." in card
    for clinical in ("Pregnant", "Apixaban", "LI4", "Bleeding", SECRET_DETAIL):
        assert clinical not in card
    assert not shown.exists()
    week = show(client, users[role], date=day.isoformat(), view="week").content.decode()
    assert "the patient has safety flags (the visit says which, to clinicians)" in week
    day_page = show(client, users[role], date=day.isoformat(), view="day")
    assert "(the visit says which, to clinicians, as does a card’s “More”)" in (
        day_page.content.decode()
    )
    assert "Apixaban — bleeding precaution" in card_html(day_page, flagged_visit)
    assert shown.get().actor == users[role]


@pytest.mark.parametrize("view", ["day", "week"])
def test_the_calendars_feed_says_only_whether_there_are_flags_and_audits_no_read(
    client, users, flagged_visit, day, view
):
    client.force_login(users["practitioner"])
    response = client.get(reverse("diary_feed"), {"date": day.isoformat(), "view": view})
    (event,) = [e for e in response.json()["events"] if e["id"] == str(flagged_visit.pk)]
    assert event["extendedProps"]["flagged"] is True
    for clinical in ("Pregnant", "Apixaban", "LI4", "Bleeding", SECRET_DETAIL):
        assert clinical not in response.content.decode()
    assert not AuditEntry.objects.filter(detail="safety flags in the diary").exists()


def test_a_visit_the_questionnaire_will_not_cover_says_it_is_due(
    client, reception_user, practitioner, day
):
    unscreened = visit(practitioner, day, 10)
    screened = visit(practitioner, day, 11)
    factories.safety_questionnaire(screened.patient, by=practitioner.user)
    response = show(client, reception_user, date=day.isoformat())
    assert '<span class="due">Questionnaire due</span>' in card_html(response, unscreened)
    assert "Questionnaire due" not in card_html(response, screened)
    assert "Health questionnaire not yet completed" in card_html(response, unscreened)


# ── Fast with twenty practitioners ────────────────────────────────────────────────────


def _busy_day(day, practitioners: int, start_index: int = 0) -> None:
    services = list(Service.objects.all())
    rooms = list(Room.objects.all())
    for n in range(start_index, start_index + practitioners):
        who = factories.practitioner(f"p{n}", qualified_medical=True, qualified_traditional=True)
        for k, hour in enumerate((8, 10, 12, 14, 16)):
            patient = factories.patient()
            if k % 2:
                factories.safety_questionnaire_on_file(patient, by=who.user, diabetes=k == 1)
            room = Room.objects.create(location=rooms[0].location, name=f"Room {n}-{k}")
            visit(who, day, hour, service=services[k % len(services)], room=room, patient=patient)
        if n % 3 == 0:
            series.series_book(
                patient=factories.patient(),
                practitioner=who,
                room=Room.objects.create(location=rooms[0].location, name=f"Course room {n}"),
                service=Service.objects.get(name="Medical acupuncture"),
                first_start=at(day, 18),
                sessions=3,
            )


@pytest.mark.parametrize("role", ["reception", "practitioner"])
def test_the_day_for_a_location_takes_the_same_queries_for_twenty_practitioners_as_for_two(
    client, users, day, role
):
    user = users[role]
    client.force_login(user)
    params = {"date": day.isoformat()}
    client.get(DIARY, params)  # the session and permissions, as on any later page

    _busy_day(day, 2)
    with CaptureQueriesContext(connection) as two:
        small = client.get(DIARY, params)
    _busy_day(day, 18, start_index=2)
    with CaptureQueriesContext(connection) as twenty:
        large = client.get(DIARY, params)

    assert len(small.context["grid"].columns) == 3  # the fixture's practitioner too
    assert len(large.context["grid"].columns) == 21
    assert large.context["count"] == 20 * 5 + len([n for n in range(20) if n % 3 == 0])
    assert len(twenty) == len(two), "\n".join(q["sql"][:150] for q in twenty.captured_queries)
    # 30, and 2 for outcomes' session numbers of the course on the cards (numbering.py).
    # +1 for the audit chain's last hash, +1 for the two-factor check (issue 17), and 2 for
    # billing's prepaid courses and insurance cover on the cards (issue 16).
    assert len(twenty) <= 36 + audit_chain_lock()


@pytest.mark.parametrize("role", ["reception", "practitioner"])
def test_the_week_for_a_location_takes_the_same_queries_however_many_visits_it_has(
    client, users, day, role
):
    client.force_login(users[role])
    monday = day - timedelta(days=day.weekday())
    params = {"date": day.isoformat(), "view": "week"}
    client.get(DIARY, params)  # the session and permissions, as on any later page

    _busy_day(monday, 2)
    with CaptureQueriesContext(connection) as quiet:
        small = client.get(DIARY, params)
    _busy_day(monday + timedelta(days=1), 18, start_index=2)
    with CaptureQueriesContext(connection) as busy:
        large = client.get(DIARY, params)

    assert large.context["count"] > small.context["count"] > 0
    assert len(busy) == len(quiet), "\n".join(q["sql"][:150] for q in busy.captured_queries)
    assert len(busy) <= 36 + audit_chain_lock()
    # Every visit of the week is on a card, each with its link and its patient.
    page = large.content.decode()
    assert page.count('<li id="appt-') == large.context["count"]


def test_a_visit_whose_practitioner_and_room_are_no_longer_active_still_shows_who_and_where(
    client, reception_user, practitioner, day
):
    booked = visit(practitioner, day, 10)
    practitioner.is_active = False
    practitioner.save()
    booked.room.is_active = False
    booked.room.save()

    response = show(client, reception_user, date=day.isoformat(), view="week")

    card = card_html(response, booked)
    assert f" · {escape(practitioner.name)}" in card
    assert f" · {escape(booked.room.name)}" in card

"""The diary's JSON feed for the JavaScript calendar: the same columns, visits and free
times as the page, only for staff who may see the diary, moves offered only to those who
may move, and the same number of queries for a busy day as for a quiet one."""

from datetime import datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from acuclinic.clinic.models import Room
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.testing import factories
from acuclinic.testing.queries import audit_chain_lock

FEED = reverse("diary_feed")


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


def feed(client, user, **params):
    client.force_login(user)
    response = client.get(FEED, {k: str(v) for k, v in params.items()})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()


def test_the_day_has_a_column_per_practitioner_with_their_visits_and_free_times(
    client, reception_user, practitioner, day
):
    colleague = factories.practitioner("tom", qualified_medical=True)
    mine = visit(practitioner, day, 10)
    theirs = visit(colleague, day, 11)

    data = feed(client, reception_user, date=day.isoformat())

    assert data["view"] == "day" and data["days"] == [day.isoformat()]
    assert {r["title"] for r in data["resources"]} == {practitioner.name, colleague.name}
    column = {r["practitioner"]: r["id"] for r in data["resources"]}
    events = {e["id"]: e for e in data["events"]}
    assert set(events) == {str(mine.pk), str(theirs.pk)}
    event = events[str(mine.pk)]
    assert event["resourceId"] == column[practitioner.pk]
    assert event["start"] == f"{day.isoformat()}T10:00"
    props = event["extendedProps"]
    assert props["who"] == mine.patient.full_name
    assert props["service"] == mine.service.name
    assert props["time"] == f"10:00–{timezone.localtime(mine.end):%H:%M}"
    # Free times: never while the practitioner is busy, each with its booking address.
    mine_free = [f["start"] for f in data["free"] if f["resourceId"] == column[practitioner.pk]]
    assert f"{day.isoformat()}T10:00" not in mine_free
    assert f"{day.isoformat()}T09:00" in mine_free
    slot = next(f for f in data["free"] if f["start"] == f"{day.isoformat()}T09:00")
    assert slot["start_offset"] == at(day, 9).isoformat()
    assert slot["book_url"].startswith(reverse("appointment_new") + "?")


def test_a_week_has_the_same_columns_every_day_and_every_visit_of_the_week(
    client, reception_user, practitioner, day
):
    monday = day - timedelta(days=day.weekday())
    early = visit(practitioner, monday, 9)
    late = visit(practitioner, monday + timedelta(days=4), 15)
    elsewhere = visit(practitioner, monday + timedelta(days=7), 9)  # the next week

    data = feed(client, reception_user, date=day.isoformat(), view="week")

    assert data["days"][0] == monday.isoformat() and len(data["days"]) == 7
    assert {e["id"] for e in data["events"]} == {str(early.pk), str(late.pk)}
    assert str(elsewhere.pk) not in {e["id"] for e in data["events"]}
    assert {f["start"][:10] for f in data["free"]} >= {
        (monday + timedelta(days=n)).isoformat() for n in range(5)
    }


def test_the_room_view_has_a_column_per_room(client, reception_user, practitioner, day):
    room_1, room_2 = Room.objects.order_by("name")
    in_2 = visit(practitioner, day, 10, room=room_2)

    data = feed(client, reception_user, date=day.isoformat(), by="room")

    assert [r["title"] for r in data["resources"]] == ["Room 1", "Room 2"]
    assert [r["room"] for r in data["resources"]] == [room_1.pk, room_2.pk]
    (event,) = data["events"]
    assert event["id"] == str(in_2.pk) and event["resourceId"] == f"r{room_2.pk}"


def test_cancelled_visits_are_left_out_and_only_booked_ones_can_be_dragged(
    client, reception_user, practitioner, day
):
    booked = visit(practitioner, day, 9)
    arrived = visit(practitioner, day, 11, status=AppointmentStatus.ARRIVED)
    visit(practitioner, day, 14, status=AppointmentStatus.CANCELLED, cancelled_at=timezone.now())

    data = feed(client, reception_user, date=day.isoformat())

    events = {e["id"]: e for e in data["events"]}
    assert set(events) == {str(booked.pk), str(arrived.pk)}
    assert events[str(booked.pk)]["startEditable"] is True
    assert events[str(booked.pk)]["extendedProps"]["confirm_url"] == reverse(
        "appointment_move_confirm", args=[booked.pk]
    )
    assert events[str(arrived.pk)]["startEditable"] is False
    assert "confirm_url" not in events[str(arrived.pk)]["extendedProps"]


@pytest.mark.parametrize("role", ["admin", "practitioner", "reception"])
def test_every_role_that_sees_the_diary_gets_the_feed(client, users, practitioner, day, role):
    visit(practitioner, day, 10)

    data = feed(client, users[role], date=day.isoformat())

    assert len(data["events"]) == 1


def test_a_user_without_the_diary_gets_no_feed_and_nobody_signed_out_does(
    client, outsider, practitioner, day
):
    visit(practitioner, day, 10)
    assert client.get(FEED, {"date": day.isoformat()}).status_code == 302  # to sign-in
    client.force_login(outsider)
    response = client.get(FEED, {"date": day.isoformat()})
    assert response.status_code == 403
    assert b"appointment" not in response.content.lower() or b"events" not in response.content


def test_bad_parameters_fall_back_to_the_defaults_as_on_the_page(
    client, reception_user, practitioner
):
    data = feed(client, reception_user, date="not-a-date", view="month", location="x")

    assert data["view"] == "day" and len(data["days"]) == 1


def _busy_week(day, practitioners, start_index=0):
    location_room = Room.objects.order_by("pk").first()
    monday = day - timedelta(days=day.weekday())
    for n in range(start_index, start_index + practitioners):
        who = factories.practitioner(f"f{n}", qualified_medical=True)
        for d in range(5):
            for hour in (9, 11, 14):
                room = Room.objects.create(location=location_room.location, name=f"R{n}-{d}-{hour}")
                visit(who, monday + timedelta(days=d), hour, room=room)


@pytest.mark.parametrize("view", ["day", "week"])
def test_the_feed_takes_the_same_queries_for_twenty_practitioners_as_for_two(
    client, reception_user, day, view
):
    client.force_login(reception_user)
    params = {"date": day.isoformat(), "view": view}
    client.get(FEED, params)  # the session and permissions, as on any later request

    _busy_week(day, 2)
    with CaptureQueriesContext(connection) as two:
        small = client.get(FEED, params).json()
    _busy_week(day, 18, start_index=2)
    with CaptureQueriesContext(connection) as twenty:
        large = client.get(FEED, params).json()

    assert len(large["events"]) > len(small["events"]) > 0
    assert len(large["resources"]) == 20
    assert len(twenty) == len(two), "\n".join(q["sql"][:150] for q in twenty.captured_queries)
    assert len(twenty) <= 36 + audit_chain_lock()

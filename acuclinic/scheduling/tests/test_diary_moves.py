"""Moving a visit from the diary: "Move" on a card leads to the move form, which takes a
free time picked in the diary; a card dragged onto a free time is moved through the
drop endpoint, which answers JSON and refuses with the move's own reasons and the
nearest free times."""

import json
import re
from datetime import datetime, time, timedelta
from html import escape
from urllib.parse import parse_qs, urlparse

import pytest
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Location, OpeningHours, Room
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment, RoomClosure
from acuclinic.testing import factories

DIARY = reverse("diary")


@pytest.fixture
def day(clinic):
    """A weekday next week, when the clinic is open 08:00–20:00."""
    return timezone.localtime(factories.next_weekday_at(10)).date()


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


@pytest.fixture
def booked(practitioner, day):
    return factories.appointment(
        patient=factories.patient(), practitioner=practitioner, start=at(day, 10)
    )


@pytest.fixture
def front_desk(client, reception_user):
    client.force_login(reception_user)
    return client


def drop(client, appointment, start, **fields):
    data = {"start": start.isoformat(), "location": appointment.room.location_id, **fields}
    response = client.post(reverse("appointment_drop", args=[appointment.pk]), data)
    assert response["Content-Type"] == "application/json"
    return response, json.loads(response.content)


def now_at(appointment) -> tuple:
    fresh = Appointment.objects.get(pk=appointment.pk)
    return timezone.localtime(fresh.start).strftime("%H:%M"), fresh.practitioner, fresh.room


# ── By click: "Move" on the card, then the form ───────────────────────────────────────


def test_each_booked_card_offers_move_leading_to_the_form_with_its_own_values(
    front_desk, booked, day
):
    page = front_desk.get(DIARY, {"date": day.isoformat()}).content.decode()
    move_url = reverse("appointment_move", args=[booked.pk])
    assert f'<a href="{move_url}">Move</a>' in page
    form = front_desk.get(move_url).context["move_form"]
    assert form.initial["date"] == day
    assert form.initial["time"] == time(10)
    assert form.initial["practitioner"] == booked.practitioner_id
    assert form.initial["room"] == booked.room_id


def test_a_visit_that_has_happened_cannot_be_moved_from_the_diary(front_desk, booked, day):
    booked.status = AppointmentStatus.ARRIVED
    booked.save()
    page = front_desk.get(DIARY, {"date": day.isoformat()}).content.decode()
    assert reverse("appointment_move", args=[booked.pk]) not in page
    assert 'draggable="true"' not in page


def test_the_move_form_takes_a_time_picked_in_the_diary(front_desk, booked, day, clinic):
    colleague = factories.practitioner("tom", qualified_medical=True)
    room_2 = Room.objects.get(name="Room 2")
    picked = {
        "date": (day + timedelta(days=1)).isoformat(),
        "time": "14:30",
        "practitioner": colleague.pk,
        "room": room_2.pk,
    }
    form = front_desk.get(reverse("appointment_move", args=[booked.pk]), picked).context[
        "move_form"
    ]
    assert form.initial == {
        "date": day + timedelta(days=1),
        "time": time(14, 30),
        "practitioner": colleague.pk,
        "room": room_2.pk,
    }


def test_a_picked_time_that_makes_no_sense_leaves_the_visits_own(front_desk, booked):
    nonsense = {"date": "2026-02-30", "time": "25:00", "practitioner": "99999", "room": "x"}
    response = front_desk.get(reverse("appointment_move", args=[booked.pk]), nonsense)
    assert response.status_code == 200
    assert response.context["move_form"].initial["time"] == time(10)
    assert response.context["move_form"].initial["practitioner"] == booked.practitioner_id


def test_moving_mode_turns_the_free_times_into_places_to_move_to(front_desk, booked, day):
    page = front_desk.get(DIARY, {"date": day.isoformat(), "moving": booked.pk}).content.decode()
    assert f"<strong>Moving {escape(booked.patient.full_name)}</strong>" in page
    links = re.findall(
        r'<li class="free moving-target"[^>]*><a href="([^"]+)" aria-label="([^"]+)"', page
    )
    by_label = {label: href for href, label in links}
    label = f"Move {escape(booked.patient.full_name)} to 10:30 with {booked.practitioner.name}"
    href = by_label[label].replace("&amp;", "&")
    url = urlparse(href)
    assert url.path == reverse("appointment_move", args=[booked.pk])
    assert parse_qs(url.query) == {
        "date": [day.isoformat()],
        "time": ["10:30"],
        "practitioner": [str(booked.practitioner_id)],
        "room": [str(booked.room_id)],
    }
    # Its own time is free for it (it may move half an hour later, into part of it).
    assert any(label.endswith("to 10:00 with " + booked.practitioner.name) for label in by_label)


def test_moving_mode_ignores_a_visit_that_cannot_be_moved(front_desk, booked, day):
    booked.status = AppointmentStatus.COMPLETED
    booked.save()
    response = front_desk.get(DIARY, {"date": day.isoformat(), "moving": booked.pk})
    assert response.context["choice"].moving is None
    assert "moving-target" not in response.content.decode()


def test_the_form_moves_it_and_the_diary_shows_it_there(front_desk, booked, day):
    data = {
        "date": day.isoformat(),
        "time": "15:00",
        "practitioner": booked.practitioner_id,
        "room": booked.room_id,
    }
    response = front_desk.post(reverse("appointment_move", args=[booked.pk]), data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"#appt-{booked.pk}")
    assert now_at(booked)[0] == "15:00"


def test_a_refused_move_on_the_form_offers_the_nearest_free_times_to_move_to(
    front_desk, booked, practitioner, day
):
    factories.appointment(patient=factories.patient(), practitioner=practitioner, start=at(day, 15))
    data = {
        "date": day.isoformat(),
        "time": "15:00",
        "practitioner": practitioner.pk,
        "room": Room.objects.get(name="Room 2").pk,
    }
    response = front_desk.post(reverse("appointment_move", args=[booked.pk]), data)
    assert response.status_code == 400
    assert response.context["move_form"].errors["time"]
    offered = response.context["alternatives"]
    assert offered
    first = urlparse(offered[0]["move_url"])
    assert first.path == reverse("appointment_move", args=[booked.pk])
    assert "Move to this time" in response.content.decode()
    assert now_at(booked)[0] == "10:00"


# ── By drag: the drop endpoint ───────────────────────────────────────────────────────


def test_a_card_dropped_on_a_free_time_moves_there_and_says_so(front_desk, booked, day):
    response, answer = drop(front_desk, booked, at(day, 15), practitioner=booked.practitioner_id)
    assert response.status_code == 200
    assert answer["moved"] is True
    assert answer["appointment"]["start_display"].endswith(", 15:00")
    assert answer["message"].startswith(f"Moved {booked.patient.full_name} to ")
    assert now_at(booked) == ("15:00", booked.practitioner, booked.room)
    # The diary it reloads says so, and the move is in the audit trail.
    page = front_desk.get(DIARY, {"date": day.isoformat()}).content.decode()
    assert escape(answer["message"]) in page
    assert AuditEntry.objects.filter(
        object_type="scheduling.appointment", object_id=str(booked.pk), detail="moved"
    ).exists()


def test_a_card_dropped_in_a_colleagues_column_moves_to_them(front_desk, booked, day):
    colleague = factories.practitioner("tom", qualified_medical=True)
    response, _ = drop(front_desk, booked, at(day, 10), practitioner=colleague.pk)
    assert response.status_code == 200
    assert now_at(booked) == ("10:00", colleague, booked.room)


def test_a_card_dropped_when_its_room_is_taken_goes_to_a_free_room(
    front_desk, booked, practitioner, day
):
    colleague = factories.practitioner("tom", qualified_medical=True)
    factories.appointment(
        patient=factories.patient(), practitioner=colleague, room=booked.room, start=at(day, 15)
    )
    response, _ = drop(front_desk, booked, at(day, 15), practitioner=practitioner.pk)
    assert response.status_code == 200
    assert now_at(booked) == ("15:00", practitioner, Room.objects.get(name="Room 2"))


def test_a_card_dropped_in_a_room_column_moves_into_that_room(front_desk, booked, day):
    room_2 = Room.objects.get(name="Room 2")
    response, _ = drop(front_desk, booked, at(day, 11), room=room_2.pk)
    assert response.status_code == 200
    assert now_at(booked) == ("11:00", booked.practitioner, room_2)


def test_a_drop_on_a_taken_time_is_refused_with_the_reason_and_the_nearest_free_times(
    front_desk, booked, practitioner, day
):
    factories.appointment(
        patient=factories.patient(),
        practitioner=practitioner,
        room=Room.objects.get(name="Room 2"),
        start=at(day, 15),
    )
    response, answer = drop(front_desk, booked, at(day, 15), practitioner=practitioner.pk)
    assert response.status_code == 409
    assert answer["code"] == "practitioner_busy"
    assert answer["message"]
    assert answer["alternatives"]
    first = answer["alternatives"][0]
    assert set(first) >= {"start", "start_display", "practitioner", "room", "move_url"}
    assert first["move_url"].startswith(reverse("appointment_move", args=[booked.pk]) + "?")
    assert now_at(booked)[0] == "10:00"


def test_a_drop_into_a_closed_room_is_refused(front_desk, booked, day):
    room_2 = Room.objects.get(name="Room 2")
    RoomClosure.objects.create(room=room_2, starts=at(day, 14), ends=at(day, 16))
    response, answer = drop(front_desk, booked, at(day, 15), room=room_2.pk)
    assert response.status_code in (409, 422)
    assert answer["code"] == "room_closed"
    assert now_at(booked)[0] == "10:00"


def test_a_drop_outside_working_hours_is_refused_with_the_services_code(
    front_desk, booked, day, clinic
):
    hilltop = Location.objects.create(
        clinic=clinic, name="Hilltop", address_line1="2 Hill Rd", town="Testford", postcode="TE3"
    )
    OpeningHours.objects.create(
        location=hilltop, weekday=day.weekday(), opens=time(9), closes=time(13)
    )
    Room.objects.create(location=hilltop, name="Upstairs")
    response, answer = drop(front_desk, booked, at(day, 15), location=hilltop.pk)
    assert response.status_code == 422
    assert answer["code"] == "outside_opening_hours"
    assert now_at(booked)[0] == "10:00"


def test_a_visit_that_has_happened_cannot_be_dropped_elsewhere(front_desk, booked, day):
    booked.status = AppointmentStatus.COMPLETED
    booked.save()
    response, answer = drop(front_desk, booked, at(day, 15))
    assert response.status_code == 409
    assert answer["code"] == "not_movable"


@pytest.mark.parametrize(
    ("start", "code"),
    [
        ("tomorrow at ten", "invalid_datetime"),
        ("2026-03-03T10:00:00", "naive_datetime"),
        ("", "required"),
    ],
)
def test_a_drop_with_a_bad_time_is_a_422_and_moves_nothing(front_desk, booked, start, code):
    url = reverse("appointment_drop", args=[booked.pk])
    response = front_desk.post(url, {"start": start, "location": booked.room.location_id})
    assert response.status_code == 422
    answer = json.loads(response.content)
    assert answer["code"] == "invalid"
    assert answer["errors"][0] == {"field": "start", "code": code, "message": answer["message"]}
    assert now_at(booked)[0] == "10:00"


def test_a_drop_naming_an_unknown_practitioner_or_location_is_a_422(front_desk, booked, day):
    response, answer = drop(front_desk, booked, at(day, 15), practitioner="999999")
    assert response.status_code == 422
    assert answer["errors"][0]["field"] == "practitioner"
    response, answer = drop(front_desk, booked, at(day, 15), location="-3")
    assert response.status_code == 422
    assert answer["errors"][0]["field"] == "location"


def test_a_drop_for_an_appointment_that_does_not_exist_is_a_404(front_desk, booked, day):
    url = reverse("appointment_drop", args=[booked.pk + 1000])
    response = front_desk.post(url, {"start": at(day, 15).isoformat(), "location": 1})
    assert response.status_code == 404
    assert json.loads(response.content)["code"] == "unknown_appointment"


def test_the_drop_endpoint_only_takes_posts(front_desk, booked):
    response = front_desk.get(reverse("appointment_drop", args=[booked.pk]))
    assert response.status_code == 405


def test_a_drop_without_the_csrf_token_is_refused(client, reception_user, booked, day):
    from django.test import Client

    checked = Client(enforce_csrf_checks=True)
    checked.force_login(reception_user)
    url = reverse("appointment_drop", args=[booked.pk])
    response = checked.post(url, {"start": at(day, 15).isoformat(), "location": 1})
    assert response.status_code == 403
    assert now_at(booked)[0] == "10:00"


def test_the_cards_carry_what_the_script_needs_to_drop_them(front_desk, booked, day):
    page = front_desk.get(DIARY, {"date": day.isoformat()}).content.decode()
    assert f'data-move="{reverse("appointment_drop", args=[booked.pk])}"' in page
    location = booked.room.location_id
    assert f'class="diary" style="--rows: 48; --cols: 1" data-location="{location}"' in page
    assert re.search(
        rf'<li class="free" [^>]*data-start="{day.isoformat()}T15:00:00[+-]\d\d:\d\d" '
        rf'data-practitioner="{booked.practitioner_id}">',
        page,
    )
    assert "/static/core/diary.js" in page

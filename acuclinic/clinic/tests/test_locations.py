"""Locations, their opening hours and rooms, set up in the browser and through the API
(issue 15, point 6): clinic admins only; a bad week of hours is refused whole and the old
week stays; a room with visits is retired, never deleted."""

from datetime import time

import pytest
from django.urls import reverse

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Location, OpeningHours, Room
from acuclinic.testing import factories
from acuclinic.testing.api_client import as_user

NEW_LOCATION = {
    "name": "Northgate",
    "address_line1": "12 Market Street",
    "address_line2": "",
    "town": "Testford",
    "postcode": "te2 2nd",
    "phone": "0161 496 0123",
    "is_active": "on",
}


def _week(**days) -> dict:
    """Form data: every field empty (closed) but the ones given, e.g. opens_0_1="08:00"."""
    data = {f"{kind}_{d}_{n}": "" for kind in ("opens", "closes") for d in range(7) for n in (1, 2)}
    data.update(days)
    return data


def _hours(location) -> list[tuple]:
    return list(location.opening_hours.values_list("weekday", "opens", "closes"))


def test_an_admin_adds_a_location_then_its_hours_and_a_room(client, admin_user):
    client.force_login(admin_user)

    added = client.post(reverse("location_new"), NEW_LOCATION)
    location = Location.objects.get(name="Northgate")
    hours = client.post(
        reverse("location_hours", args=[location.pk]),
        _week(
            opens_0_1="08:00",
            closes_0_1="12:00",
            opens_0_2="13:00",
            closes_0_2="18:30",
            opens_2_1="09:00",
            closes_2_1="17:00",
        ),
    )
    room = client.post(
        reverse("room_add", args=[location.pk]), {"room-name": "Room A", "room-has_couch": "on"}
    )

    assert added.status_code == hours.status_code == room.status_code == 302
    assert location.postcode == "TE2 2ND"
    assert _hours(location) == [
        (0, time(8), time(12)),
        (0, time(13), time(18, 30)),
        (2, time(9), time(17)),
    ]
    page = client.get(reverse("location_edit", args=[location.pk])).content.decode()
    assert "Monday 08:00–12:00, 13:00–18:30; Wednesday 09:00–17:00" in page
    assert "Room A" in page
    listing = client.get(reverse("location_list")).content.decode()
    assert "Northgate" in listing and "12 Market Street" in listing
    assert AuditEntry.objects.filter(object_type="clinic.location", action="change").exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [
        ({"opens_1_1": "18:00", "closes_1_1": "09:00"}, "closing time 09:00 must be after"),
        (
            {
                "opens_1_1": "08:00",
                "closes_1_1": "13:00",
                "opens_1_2": "12:00",
                "closes_1_2": "17:00",
            },
            "overlap",
        ),
        ({"opens_1_1": "08:00"}, "give both the opening and closing time"),
        ({"opens_1_1": "8 o'clock", "closes_1_1": "17:00"}, "Enter a time such as 08:30"),
    ],
)
def test_a_wrong_week_is_refused_with_its_reason_and_the_old_week_stays(
    client, admin_user, days, message
):
    location = Location.objects.get(name="Riverside")
    before = _hours(location)
    client.force_login(admin_user)

    response = client.post(reverse("location_hours", args=[location.pk]), _week(**days))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _hours(location) == before


def test_a_room_with_visits_cannot_be_deleted_and_the_page_says_to_retire_it(
    client, admin_user, practitioner, patient
):
    visit = factories.appointment(patient=patient, practitioner=practitioner)
    room = visit.room
    spare = Room.objects.create(location=room.location, name="Store room")
    client.force_login(admin_user)

    refused = client.post(reverse("room_delete", args=[room.pk]), follow=True)
    retired = client.post(reverse("room_retire", args=[room.pk]), {"retire": "1"}, follow=True)
    deleted = client.post(reverse("room_delete", args=[spare.pk]))

    assert "cannot be deleted: appointments were booked in it" in refused.content.decode()
    assert "Retire it instead" in refused.content.decode()
    assert Room.objects.filter(pk=room.pk).exists()
    assert "is retired" in retired.content.decode()
    assert not Room.objects.get(pk=room.pk).is_active
    assert deleted.status_code == 302 and not Room.objects.filter(pk=spare.pk).exists()


def test_a_room_is_renamed_but_not_to_another_rooms_name(client, admin_user):
    room = Room.objects.get(name="Room 1")
    client.force_login(admin_user)

    same = client.post(reverse("room_edit", args=[room.pk]), {"name": "room 2", "has_couch": "on"})
    renamed = client.post(reverse("room_edit", args=[room.pk]), {"name": "Garden room"})

    assert same.status_code == 400 and "already has a room called" in same.content.decode()
    assert renamed.status_code == 302
    room.refresh_from_db()
    assert (room.name, room.has_couch) == ("Garden room", False)


def test_only_clinic_admins_open_the_location_pages(client, reception_user, practitioner_user):
    location = Location.objects.get(name="Riverside")
    for user in (reception_user, practitioner_user):
        client.force_login(user)
        assert client.get(reverse("location_list")).status_code == 403
        refused = client.post(reverse("location_hours", args=[location.pk]), _week())
        assert refused.status_code == 403
    assert location.opening_hours.count() == 6


def test_the_api_adds_a_location_sets_its_week_and_manages_rooms(admin_user, clinic):
    api = as_user(admin_user)

    added = api.post(
        "/locations",
        {
            "name": "Northgate",
            "address_line1": "12 Market St",
            "town": "Testford",
            "postcode": "TE2 2ND",
        },
    )
    location_id = added.json()["id"]
    week = api.put(
        f"/locations/{location_id}/opening-hours",
        {"hours": [{"weekday": 4, "opens": "09:00", "closes": "17:00"}]},
    )
    overlapping = api.put(
        f"/locations/{location_id}/opening-hours",
        {
            "hours": [
                {"weekday": 4, "opens": "09:00", "closes": "13:00"},
                {"weekday": 4, "opens": "12:00", "closes": "17:00"},
            ]
        },
    )
    backwards = api.put(
        f"/locations/{location_id}/opening-hours",
        {"hours": [{"weekday": 1, "opens": "17:00", "closes": "09:00"}]},
    )
    room = api.post(f"/locations/{location_id}/rooms", {"name": "Room A", "has_couch": False})
    retired = api.patch(f"/rooms/{room.json()['id']}", {"is_active": False})
    renamed = api.patch(f"/locations/{location_id}", {"phone": "0161 496 0999"})

    assert added.status_code == 201 and added.json()["rooms"] == []
    assert week.status_code == 200
    assert week.json() == [
        {"weekday": 4, "weekday_display": "Friday", "opens": "09:00", "closes": "17:00"}
    ]
    assert overlapping.status_code == backwards.status_code == 422
    assert overlapping.json()["code"] == "overlapping_hours"
    assert backwards.json()["code"] == "closes_before_opens"
    kept = OpeningHours.objects.filter(location_id=location_id)
    assert list(kept.values_list("weekday", flat=True)) == [4]
    assert room.status_code == 201 and retired.json()["is_active"] is False
    assert renamed.json()["phone"] == "0161 496 0999"


def test_the_api_refuses_to_delete_a_room_with_visits(admin_user, practitioner, patient):
    visit = factories.appointment(patient=patient, practitioner=practitioner)

    response = as_user(admin_user).delete(f"/rooms/{visit.room_id}")

    assert response.status_code == 409
    assert response.json()["code"] == "room_in_use"
    assert Room.objects.filter(pk=visit.room_id).exists()


def test_reception_reads_locations_but_cannot_change_them(reception_user, clinic):
    api = as_user(reception_user)
    location = Location.objects.get(name="Riverside")

    read = api.get(f"/locations/{location.pk}")
    change = api.patch(f"/locations/{location.pk}", {"name": "Elsewhere"})
    add_room = api.post(f"/locations/{location.pk}/rooms", {"name": "Room 9"})

    assert read.status_code == 200 and len(read.json()["rooms"]) == 2
    assert change.status_code == add_room.status_code == 403
    assert Location.objects.get(pk=location.pk).name == "Riverside"

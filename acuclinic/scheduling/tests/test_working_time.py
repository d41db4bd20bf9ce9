"""Managing working time: patterns, time off, extra sessions and room closures — the
services, the JSON API and the pages, and who may see whose."""

from datetime import time, timedelta
from html import escape

import pytest
from django.urls import reverse

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Location, Room
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.scheduling import working_time
from acuclinic.scheduling.models import RoomClosure, WorkingException, WorkingPattern
from acuclinic.scheduling.tests.helpers import at, next_weekday
from acuclinic.testing import factories
from acuclinic.testing.api_client import as_user


@pytest.fixture
def location(clinic):
    return Location.objects.prefetch_related("opening_hours").get(name="Riverside")


@pytest.fixture
def newcomer(clinic):
    return factories.practitioner("newcomer", qualified_medical=True, works_opening_hours=False)


@pytest.fixture
def monday():
    return next_weekday(0)


def add(practitioner, location, **changes):
    fields = {
        "weekday": 1,
        "starts": time(9),
        "ends": time(17),
        "valid_from": next_weekday(0) - timedelta(days=7),
    }
    fields.update(changes)
    return working_time.pattern_add(practitioner=practitioner, location=location, **fields)


# Patterns ---------------------------------------------------------------------------------


def test_a_pattern_is_added_and_audited(newcomer, location, admin_user):
    pattern = add(newcomer, location, user=admin_user)
    assert str(pattern) == "Tuesday 09:00–17:00 at Riverside"
    entry = AuditEntry.objects.get(object_type="scheduling.workingpattern")
    assert entry.action == "create" and str(newcomer) in entry.detail


def test_overlapping_patterns_are_refused_even_at_another_location(newcomer, location, clinic):
    add(newcomer, location)
    elsewhere = Location.objects.create(
        clinic=clinic, name="Hillside", address_line1="2 Hill Rd", town="Testford", postcode="TE3"
    )
    from acuclinic.clinic.models import OpeningHours

    OpeningHours.objects.create(location=elsewhere, weekday=1, opens=time(8), closes=time(20))
    with pytest.raises(Conflict) as exc:
        add(newcomer, elsewhere, starts=time(16), ends=time(19))
    assert exc.value.code == "pattern_overlaps"
    assert WorkingPattern.objects.count() == 1
    # After the first one ends, the same hours elsewhere are fine.
    first = WorkingPattern.objects.get()
    working_time.pattern_end(first, last_day=next_weekday(0) + timedelta(days=20))
    later = add(newcomer, elsewhere, valid_from=next_weekday(0) + timedelta(days=21))
    assert later.location == elsewhere


def test_adjoining_patterns_are_not_an_overlap(newcomer, location):
    add(newcomer, location, starts=time(9), ends=time(13))
    add(newcomer, location, starts=time(13), ends=time(17))
    assert WorkingPattern.objects.count() == 2


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"weekday": 6}, "outside_opening_hours"),  # closed on Sundays
        ({"starts": time(21), "ends": time(22)}, "outside_opening_hours"),
        ({"starts": time(17), "ends": time(9)}, "end_before_start"),
        ({"weekday": 9}, "invalid_weekday"),
        (
            {"valid_until": next_weekday(0) - timedelta(days=30)},
            "range_reversed",
        ),
    ],
    ids=[
        "a closed day",
        "after closing",
        "end before start",
        "no such day",
        "ends before it starts",
    ],
)
def test_bad_patterns_are_refused(newcomer, location, changes, code):
    with pytest.raises(InvalidRequest) as exc:
        add(newcomer, location, **changes)
    assert exc.value.code == code
    assert not WorkingPattern.objects.exists()


def test_ending_a_pattern_names_the_appointments_it_strands(newcomer, location, patient):
    pattern = add(newcomer, location)
    tuesday = next_weekday(1)
    kept = factories.appointment(patient=patient, practitioner=newcomer, start=at(tuesday, 10))
    stranded = factories.appointment(
        patient=patient, practitioner=newcomer, start=at(tuesday + timedelta(weeks=2), 10)
    )
    _, affected = working_time.pattern_end(pattern, last_day=tuesday + timedelta(days=1))
    assert affected == [stranded]
    assert kept not in affected


def test_removing_a_pattern_entered_by_mistake(newcomer, location):
    pattern = add(newcomer, location)
    working_time.pattern_delete(pattern)
    assert not WorkingPattern.objects.exists()
    assert AuditEntry.objects.filter(
        object_type="scheduling.workingpattern", action="delete"
    ).exists()


# Exceptions ---------------------------------------------------------------------------------


def test_leave_over_booked_appointments_is_recorded_and_names_them(practitioner, patient, monday):
    booked = factories.appointment(patient=patient, practitioner=practitioner, start=at(monday, 10))
    exception, affected = working_time.exception_add(
        practitioner=practitioner,
        kind="leave",
        first_day=monday,
        last_day=monday + timedelta(days=4),
    )
    assert exception.is_absence and affected == [booked]


def test_an_extra_session_booked_as_such_is_not_stranded_by_leave(practitioner, patient, monday):
    factories.appointment(
        patient=patient, practitioner=practitioner, start=at(monday, 10), extra_session=True
    )
    _, affected = working_time.exception_add(
        practitioner=practitioner, kind="leave", first_day=monday, last_day=monday
    )
    assert affected == []


def test_a_bank_holiday_for_everyone_names_everyone_s_appointments(
    practitioner, patient, monday, clinic
):
    colleague = factories.practitioner("colleague", qualified_medical=True)
    a = factories.appointment(patient=patient, practitioner=practitioner, start=at(monday, 10))
    b = factories.appointment(
        patient=factories.patient(),
        practitioner=colleague,
        room=Room.objects.get(name="Room 2"),
        start=at(monday, 10),
    )
    _, affected = working_time.exception_add(kind="bank_holiday", first_day=monday, last_day=monday)
    assert set(affected) == {a, b}


def test_removing_an_extra_session_strands_what_was_booked_in_it(newcomer, location, patient):
    saturday = next_weekday(5)
    extra, _ = working_time.exception_add(
        practitioner=newcomer,
        location=location,
        kind="extra",
        first_day=saturday,
        last_day=saturday,
        starts=time(9),
        ends=time(12),
    )
    booked = factories.appointment(patient=patient, practitioner=newcomer, start=at(saturday, 9))
    assert working_time.exception_delete(extra) == [booked]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"kind": "extra"}, "extra_needs_who_and_where"),
        ({"kind": "holiday"}, "invalid_choice"),
        ({"starts": time(9)}, "times_incomplete"),
        ({"starts": time(12), "ends": time(9)}, "end_before_start"),
        ({"last_day": "first-1"}, "range_reversed"),
        ({"last_day": "first+400"}, "range_too_long"),
    ],
    ids=[
        "extra without a place",
        "unknown kind",
        "one time only",
        "end first",
        "reversed",
        "400 days",
    ],
)
def test_bad_exceptions_are_refused(practitioner, monday, changes, code):
    fields = {
        "practitioner": practitioner,
        "kind": "leave",
        "first_day": monday,
        "last_day": monday,
    }
    for key, value in changes.items():
        if isinstance(value, str) and value.startswith("first"):
            value = monday + timedelta(days=int(value[5:]))
        fields[key] = value
    with pytest.raises(InvalidRequest) as exc:
        working_time.exception_add(**fields)
    assert exc.value.code == code
    assert not WorkingException.objects.exists()


# Room closures ------------------------------------------------------------------------------


def test_closing_a_room_names_its_booked_appointments(practitioner, patient, monday, clinic):
    room = Room.objects.get(name="Room 1")
    inside = factories.appointment(patient=patient, practitioner=practitioner, start=at(monday, 10))
    closure, affected = working_time.room_closure_add(
        room=room, starts=at(monday, 9), ends=at(monday, 12), reason="Leak"
    )
    assert affected == [inside]
    assert RoomClosure.objects.get() == closure


def test_a_closure_without_a_zone_or_ending_first_is_refused(clinic, monday):
    room = Room.objects.get(name="Room 1")
    for starts, ends, code in (
        (at(monday, 9).replace(tzinfo=None), at(monday, 12), "naive_datetime"),
        (at(monday, 12), at(monday, 9), "end_before_start"),
    ):
        with pytest.raises(InvalidRequest) as exc:
            working_time.room_closure_add(room=room, starts=starts, ends=ends)
        assert exc.value.code == code
    assert not RoomClosure.objects.exists()


# The API: who sees whose ------------------------------------------------------------------------


def test_a_practitioner_sees_only_their_own_patterns(practitioner, newcomer, location):
    add(newcomer, location)
    api = as_user(practitioner.user)
    mine = api.get("/working-patterns").json()
    assert mine and {p["practitioner"]["id"] for p in mine} == {practitioner.pk}
    refused = api.get("/working-patterns", {"practitioner": newcomer.pk})
    assert (refused.status_code, refused.json()["code"]) == (403, "forbidden")
    assert AuditEntry.objects.filter(action="denied", actor=practitioner.user).exists()


def test_an_admin_sees_everyone_s_and_can_filter(admin_user, practitioner, newcomer, location):
    add(newcomer, location)
    api = as_user(admin_user)
    everyone = {p["practitioner"]["id"] for p in api.get("/working-patterns").json()}
    assert everyone == {practitioner.pk, newcomer.pk}
    theirs = api.get("/working-patterns", {"practitioner": newcomer.pk}).json()
    assert [(p["weekday_display"], p["starts"], p["ends"]) for p in theirs] == [
        ("Tuesday", "09:00", "17:00")
    ]


def test_an_admin_adds_a_pattern_by_the_api(admin_user, newcomer, location):
    body = {
        "practitioner": newcomer.pk,
        "location": location.pk,
        "weekday": 3,
        "starts": "08:30",
        "ends": "12:30",
        "valid_from": next_weekday(0).isoformat(),
    }
    response = as_user(admin_user).post("/working-patterns", body)
    assert response.status_code == 201
    assert response.json()["weekday_display"] == "Thursday"
    again = as_user(admin_user).post("/working-patterns", {**body, "starts": "10:00"})
    assert (again.status_code, again.json()["code"]) == (409, "pattern_overlaps")
    zoned = as_user(admin_user).post(
        "/working-patterns", {**body, "weekday": 4, "starts": "08:30+01:00"}
    )
    assert zoned.status_code == 422


def test_time_off_by_the_api_lists_the_appointments_inside_it(
    admin_user, practitioner, patient, monday
):
    booked = factories.appointment(patient=patient, practitioner=practitioner, start=at(monday, 10))
    response = as_user(admin_user).post(
        "/working-exceptions",
        {
            "kind": "leave",
            "practitioner": practitioner.pk,
            "first_day": monday.isoformat(),
            "last_day": monday.isoformat(),
            "note": "Dentist",
        },
    )
    assert response.status_code == 201
    assert [a["id"] for a in response.json()["affected_appointments"]] == [booked.pk]
    assert response.json()["exception"]["kind_display"] == "Leave"


def test_a_practitioner_sees_their_own_time_off_and_bank_holidays_only(
    practitioner, newcomer, monday
):
    WorkingException.objects.create(
        practitioner=newcomer, kind="leave", first_day=monday, last_day=monday
    )
    WorkingException.objects.create(kind="bank_holiday", first_day=monday, last_day=monday)
    WorkingException.objects.create(
        practitioner=practitioner, kind="training", first_day=monday, last_day=monday
    )
    seen = as_user(practitioner.user).get("/working-exceptions").json()
    assert sorted(e["kind"] for e in seen) == ["bank_holiday", "training"]


def test_reception_sees_room_closures_but_not_working_time(reception_user, clinic, monday):
    RoomClosure.objects.create(
        room=Room.objects.get(name="Room 1"), starts=at(monday, 9), ends=at(monday, 12)
    )
    api = as_user(reception_user)
    closures = api.get("/room-closures").json()
    assert [c["room"]["name"] for c in closures] == ["Room 1"]
    assert closures[0]["starts"] == at(monday, 9).isoformat()
    assert api.get("/working-patterns").status_code == 403


# The pages -------------------------------------------------------------------------------


def test_a_practitioner_is_sent_to_their_own_working_time_and_refused_another_s(
    client, practitioner, newcomer
):
    client.force_login(practitioner.user)
    response = client.get(reverse("working_time"))
    assert response["Location"] == reverse("working_time_practitioner", args=[practitioner.pk])
    own = client.get(response["Location"])
    assert "Tuesday 08:00–20:00 at Riverside" in own.content.decode()
    assert "Add to the pattern" not in own.content.decode()
    other = client.get(reverse("working_time_practitioner", args=[newcomer.pk]))
    assert other.status_code == 403
    assert AuditEntry.objects.filter(action="denied", actor=practitioner.user).exists()


def test_an_admin_adds_hours_and_a_clash_is_shown_on_the_form(
    client, admin_user, newcomer, location
):
    client.force_login(admin_user)
    url = reverse("working_pattern_add", args=[newcomer.pk])
    data = {
        "location": location.pk,
        "weekday": "1",
        "starts": "09:00",
        "ends": "13:00",
        "valid_from": next_weekday(0).isoformat(),
    }
    assert client.post(url, data).status_code == 302
    clash = client.post(url, {**data, "starts": "12:00", "ends": "15:00"})
    assert clash.status_code == 400
    assert "already works Tuesday 09:00–13:00" in clash.content.decode()
    page = client.get(reverse("working_time")).content.decode()
    assert "Tuesday 09:00–13:00 at Riverside" in page


def test_recording_leave_from_the_page_names_the_appointments_to_move(
    client, admin_user, practitioner, patient, monday
):
    factories.appointment(patient=patient, practitioner=practitioner, start=at(monday, 10))
    client.force_login(admin_user)
    response = client.post(
        reverse("working_exception_add"),
        {
            "practitioner": practitioner.pk,
            "kind": "leave",
            "first_day": monday.isoformat(),
            "last_day": monday.isoformat(),
        },
        follow=True,
    )
    text = " ".join(str(m) for m in response.context["messages"])
    assert "Booked appointment inside it: " in text and "Move it, or cancel as the clinic." in text
    assert escape(patient.full_name) in text


def test_a_bank_holiday_for_everyone_from_the_list_page(client, admin_user, monday):
    client.force_login(admin_user)
    client.post(
        reverse("working_exception_add"),
        {
            "kind": "bank_holiday",
            "first_day": monday.isoformat(),
            "last_day": monday.isoformat(),
            "note": "Spring bank holiday",
        },
    )
    exception = WorkingException.objects.get()
    assert exception.practitioner is None and exception.note == "Spring bank holiday"
    assert "Spring bank holiday" in client.get(reverse("working_time")).content.decode()


def test_closing_a_room_from_the_page(client, admin_user, clinic, monday):
    client.force_login(admin_user)
    response = client.post(
        reverse("room_closure_add"),
        {
            "room": Room.objects.get(name="Room 2").pk,
            "first_day": monday.isoformat(),
            "first_time": "09:00",
            "last_day": monday.isoformat(),
            "last_time": "08:00",
        },
        follow=True,
    )
    assert "The end must be after the start." in " ".join(
        str(m) for m in response.context["messages"]
    )
    assert not RoomClosure.objects.exists()

"""The rules a booking must keep beyond "no clash": working time, extra sessions, time
off, turnover, rooms, and the issue's list of bad input — by the service and the API,
each with a clear code and nothing written."""

from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Room, Service
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.scheduling import services
from acuclinic.scheduling.models import Appointment, RoomClosure, WorkingException, WorkingPattern
from acuclinic.scheduling.tests.helpers import at, next_weekday
from acuclinic.testing import factories
from acuclinic.testing.markers import only_postgres


@pytest.fixture
def follow_up(clinic):
    return Service.objects.get(name="Follow-up")


@pytest.fixture
def room(clinic):
    return Room.objects.get(name="Room 1")


@pytest.fixture
def tuesday():
    return next_weekday(1)


@pytest.fixture
def part_timer(clinic):
    """Works Tuesdays 09:00–13:00 only."""
    prac = factories.practitioner("parttime", qualified_medical=True, works_opening_hours=False)
    WorkingPattern.objects.create(
        practitioner=prac,
        location=Room.objects.get(name="Room 1").location,
        weekday=1,
        starts=time(9),
        ends=time(13),
        valid_from=next_weekday(1) - timedelta(days=30),
    )
    return prac


def book(patient, practitioner, room, service, start, **kw):
    return services.appointment_book(
        patient=patient, practitioner=practitioner, room=room, service=service, start=start, **kw
    )


def refused(code: str):
    """Expect a refusal with ``code`` that writes nothing."""

    class Refusal:
        def __enter__(self):
            self.before = (Appointment.objects.count(), AuditEntry.objects.count())
            self.raised = pytest.raises((InvalidRequest, Conflict))
            self.info = self.raised.__enter__()
            return self.info

        def __exit__(self, *exc):
            handled = self.raised.__exit__(*exc)
            assert self.info.value.code == code, self.info.value.message
            assert (Appointment.objects.count(), AuditEntry.objects.count()) == self.before
            return handled

    return Refusal()


# Working time ---------------------------------------------------------------------------


def test_a_booking_inside_working_time_is_made(patient, part_timer, room, medical, tuesday):
    appointment = book(patient, part_timer, room, medical, at(tuesday, 12, 30))
    assert appointment.extra_session is False


def test_a_booking_outside_working_time_is_refused_naming_the_practitioner(
    patient, part_timer, room, medical, tuesday
):
    with refused("outside_working_hours") as exc:
        book(patient, part_timer, room, medical, at(tuesday, 12, 45))  # ends 13:15
    assert part_timer.name in exc.value.message
    assert exc.value.field == "start"


def test_a_day_they_do_not_work_is_refused(patient, part_timer, room, medical, tuesday):
    with refused("outside_working_hours"):
        book(patient, part_timer, room, medical, at(tuesday + timedelta(days=1), 10))


def test_staff_may_book_an_extra_session_outside_working_time_and_it_says_so(
    patient, part_timer, room, medical, tuesday
):
    appointment = book(patient, part_timer, room, medical, at(tuesday, 15), extra_session=True)
    assert appointment.extra_session is True
    entry = AuditEntry.objects.get(object_type="scheduling.appointment", action="create")
    assert entry.detail == "booked by phone as an extra session"


def test_an_extra_session_still_keeps_to_opening_hours(patient, part_timer, room, medical, tuesday):
    with refused("outside_opening_hours"):
        book(patient, part_timer, room, medical, at(tuesday, 19, 45), extra_session=True)


def test_nobody_can_be_booked_while_on_leave_not_even_as_an_extra_session(
    patient, practitioner, room, medical, tuesday
):
    WorkingException.objects.create(
        practitioner=practitioner, kind="leave", first_day=tuesday, last_day=tuesday
    )
    with refused("practitioner_away"):
        book(patient, practitioner, room, medical, at(tuesday, 10))
    with refused("practitioner_away"):
        book(patient, practitioner, room, medical, at(tuesday, 10), extra_session=True)


def test_a_bank_holiday_for_everyone_stops_bookings_that_day(
    patient, practitioner, room, medical, tuesday
):
    WorkingException.objects.create(kind="bank_holiday", first_day=tuesday, last_day=tuesday)
    with refused("practitioner_away"):
        book(patient, practitioner, room, medical, at(tuesday, 10))


def test_part_day_training_blocks_only_its_hours(patient, practitioner, room, medical, tuesday):
    WorkingException.objects.create(
        practitioner=practitioner,
        kind="training",
        first_day=tuesday,
        last_day=tuesday,
        starts=time(9),
        ends=time(12),
    )
    with refused("practitioner_away"):
        book(patient, practitioner, room, medical, at(tuesday, 11, 45))
    assert book(patient, practitioner, room, medical, at(tuesday, 12)).pk


def test_an_extra_session_exception_opens_time_outside_the_pattern(
    patient, part_timer, room, medical, tuesday
):
    WorkingException.objects.create(
        practitioner=part_timer,
        location=room.location,
        kind="extra",
        first_day=tuesday,
        last_day=tuesday,
        starts=time(17),
        ends=time(19),
    )
    assert book(patient, part_timer, room, medical, at(tuesday, 17)).extra_session is False


def test_a_pattern_at_another_location_does_not_count_here(patient, clinic, room, medical, tuesday):
    from acuclinic.clinic.models import Location

    elsewhere = Location.objects.create(
        clinic=clinic, name="Hillside", address_line1="2 Hill Rd", town="Testford", postcode="TE3"
    )
    prac = factories.practitioner("roamer", qualified_medical=True, works_opening_hours=False)
    WorkingPattern.objects.create(
        practitioner=prac,
        location=elsewhere,
        weekday=1,
        starts=time(8),
        ends=time(20),
        valid_from=tuesday - timedelta(days=7),
    )
    with refused("outside_working_hours"):
        book(patient, prac, room, medical, at(tuesday, 10))


# Turnover --------------------------------------------------------------------------------


def test_the_turnover_after_a_visit_holds_the_practitioner_and_the_room(
    patient, practitioner, room, medical, tuesday
):
    medical.turnover_minutes = 10
    medical.save()
    first = book(patient, practitioner, room, medical, at(tuesday, 10))
    assert first.held_until == first.end + timedelta(minutes=10)
    other_room = Room.objects.get(name="Room 2")
    with refused("practitioner_busy") as exc:
        book(factories.patient(), practitioner, other_room, medical, at(tuesday, 10, 30))
    # Every offer with that practitioner keeps clear of the visit and both turnovers.
    same = [
        datetime.fromisoformat(a["start"])
        for a in exc.value.extra["alternatives"]
        if a["practitioner"]["id"] == practitioner.pk
    ]
    assert same
    assert all(s >= first.held_until or s + timedelta(minutes=40) <= first.start for s in same)
    colleague = factories.practitioner("colleague", qualified_medical=True)
    with refused("room_busy"):
        book(factories.patient(), colleague, room, medical, at(tuesday, 10, 30))
    assert book(factories.patient(), colleague, room, medical, at(tuesday, 10, 45)).pk
    assert book(factories.patient(), practitioner, other_room, medical, at(tuesday, 11)).pk


def test_a_visit_may_end_at_closing_time_with_its_turnover_after_it(
    patient, practitioner, room, medical, tuesday
):
    medical.turnover_minutes = 10
    medical.save()
    appointment = book(patient, practitioner, room, medical, at(tuesday, 19, 30))
    assert appointment.end == at(tuesday, 20)


@only_postgres
@pytest.mark.django_db(transaction=True)
def test_postgresql_itself_refuses_a_visit_inside_another_s_turnover(
    patient, practitioner, room, medical, tuesday
):
    start = at(tuesday, 10)
    Appointment.objects.create(
        patient=patient,
        practitioner=practitioner,
        room=room,
        service=medical,
        start=start,
        end=start + timedelta(minutes=30),
        held_until=start + timedelta(minutes=40),
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Appointment.objects.create(
            patient=factories.patient(),
            practitioner=practitioner,
            room=Room.objects.get(name="Room 2"),
            service=medical,
            start=start + timedelta(minutes=35),
            end=start + timedelta(minutes=65),
            held_until=start + timedelta(minutes=65),
        )
    assert connection.vendor == "postgresql"


# Rooms -----------------------------------------------------------------------------------


def test_acupuncture_needs_a_room_with_a_treatment_couch(
    patient, practitioner, clinic, medical, follow_up, tuesday
):
    office = Room.objects.create(
        location=Room.objects.first().location, name="Office", has_couch=False
    )
    with refused("room_unsuitable") as exc:
        book(patient, practitioner, office, medical, at(tuesday, 10))
    assert "couch" in exc.value.message and exc.value.field == "room"
    # A review without needles can be held there.
    assert book(patient, practitioner, office, follow_up, at(tuesday, 10)).pk


def test_a_room_closed_for_a_while_cannot_be_booked_then(
    patient, practitioner, room, medical, tuesday
):
    RoomClosure.objects.create(
        room=room, starts=at(tuesday, 9), ends=at(tuesday, 12), reason="New flooring"
    )
    with refused("room_closed") as exc:
        book(patient, practitioner, room, medical, at(tuesday, 11, 45))
    assert "New flooring" in exc.value.message
    assert book(patient, practitioner, room, medical, at(tuesday, 12)).pk


def test_a_room_out_of_use_cannot_be_booked(patient, practitioner, room, medical, tuesday):
    room.is_active = False
    room.save()
    with refused("room_closed"):
        book(patient, practitioner, room, medical, at(tuesday, 10))


# Bad input, by the service ---------------------------------------------------------------


def test_a_time_in_the_past_is_refused(patient, practitioner, room, medical):
    yesterday = next_weekday(1, days_ahead=0) - timedelta(days=7)
    with refused("in_the_past"):
        book(patient, practitioner, room, medical, at(yesterday, 10))


def test_a_walk_in_earlier_today_can_still_be_entered(patient, practitioner, room, medical):
    tuesday = next_weekday(1)
    with time_machine.travel(at(tuesday, 15), tick=False):
        appointment = book(patient, practitioner, room, medical, at(tuesday, 10))
    assert appointment.start == at(tuesday, 10)


def test_a_time_without_a_zone_is_refused(patient, practitioner, room, medical, tuesday):
    with refused("naive_datetime"):
        book(patient, practitioner, room, medical, at(tuesday, 10).replace(tzinfo=None))


def test_an_end_before_the_start_is_refused(patient, practitioner, room, medical, tuesday):
    with refused("end_before_start"):
        book(patient, practitioner, room, medical, at(tuesday, 10), end=at(tuesday, 9))


def test_an_unqualified_practitioner_is_refused(patient, room, clinic, tuesday):
    traditional = Service.objects.get(name="Traditional acupuncture")
    medic = factories.practitioner("medic", qualified_medical=True)
    with refused("not_qualified"):
        book(patient, medic, room, traditional, at(tuesday, 10))


# Bad input, by the API ---------------------------------------------------------------------


@pytest.fixture
def body(patient, part_timer, room, medical, tuesday):
    def make(**changes):
        booking = {
            "patient": patient.pk,
            "practitioner": part_timer.pk,
            "room": room.pk,
            "service": medical.pk,
            "start": at(tuesday, 10).isoformat(),
        }
        booking.update(changes)
        return booking

    return make


def _office(room) -> int:
    return Room.objects.create(location=room.location, name="Office", has_couch=False).pk


def _closed(room, tuesday) -> int:
    RoomClosure.objects.create(room=room, starts=at(tuesday, 9), ends=at(tuesday, 17))
    return room.pk


API_REFUSALS = [
    # (what is wrong, changes to a valid booking, status, code)
    (
        "a slot in the past",
        lambda r, t: {"start": at(t - timedelta(days=14), 10).isoformat()},
        422,
        "in_the_past",
    ),
    (
        "outside opening hours",
        lambda r, t: {"start": at(t, 7, 30).isoformat(), "extra_session": True},
        422,
        "outside_opening_hours",
    ),
    (
        "outside working time",
        lambda r, t: {"start": at(t, 14).isoformat()},
        422,
        "outside_working_hours",
    ),
    (
        "an unknown practitioner",
        lambda r, t: {"practitioner": 999_999},
        404,
        "unknown_practitioner",
    ),
    ("a room with no couch", lambda r, t: {"room": _office(r)}, 422, "room_unsuitable"),
    ("a closed room", lambda r, t: {"room": _closed(r, t)}, 422, "room_closed"),
    (
        "an end before the start",
        lambda r, t: {"end": at(t, 9).isoformat()},
        422,
        "end_before_start",
    ),
    (
        "a time without a zone",
        lambda r, t: {"start": f"{t.isoformat()}T10:00:00"},
        422,
        "naive_datetime",
    ),
    ("extra_session as text", lambda r, t: {"extra_session": "yes"}, 422, "invalid"),
]


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [case[1:] for case in API_REFUSALS],
    ids=[case[0] for case in API_REFUSALS],
)
def test_the_api_refuses_bad_bookings_with_a_code_and_writes_nothing(
    api, body, room, tuesday, changes, status, code
):
    response = api.post("/appointments", body(**changes(room, tuesday)))
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert not Appointment.objects.exists()
    assert not AuditEntry.objects.filter(object_type="scheduling.appointment").exists()


def test_the_api_refuses_an_unqualified_practitioner_on_the_practitioner_field(api, body, clinic):
    traditional = Service.objects.get(name="Traditional acupuncture")
    response = api.post("/appointments", body(service=traditional.pk))
    assert (response.status_code, response.json()["code"]) == (422, "not_qualified")
    assert response.json()["field"] == "practitioner"


def test_the_api_books_an_extra_session_and_shows_it(api, body, tuesday):
    response = api.post(
        "/appointments", body(start=at(tuesday, 15).isoformat(), extra_session=True)
    )
    assert response.status_code == 201
    assert response.json()["extra_session"] is True
    assert response.json()["held_until"] == response.json()["end"]


def test_the_api_says_each_service_s_turnover_and_which_rooms_have_a_couch(api, medical, room):
    medical.turnover_minutes = 10
    medical.save()
    Room.objects.create(location=room.location, name="Office", has_couch=False)
    services_out = {s["name"]: s for s in api.get("/services").json()}
    assert services_out["Medical acupuncture"]["turnover_minutes"] == 10
    rooms = {r["name"]: r["has_couch"] for r in api.get("/locations").json()[0]["rooms"]}
    assert rooms == {"Room 1": True, "Room 2": True, "Office": False}


# The booking page ------------------------------------------------------------------------


def test_the_booking_page_refuses_a_time_they_do_not_work_and_books_it_as_an_extra_session(
    client, reception_user, patient, part_timer, room, medical, tuesday
):
    from django.urls import reverse

    client.force_login(reception_user)
    data = {
        "patient": patient.pk,
        "service": medical.pk,
        "practitioner": part_timer.pk,
        "room": room.pk,
        "date": tuesday.isoformat(),
        "time": "15:00",
        "channel": "phone",
    }
    url = reverse("appointment_new") + f"?patient={patient.pk}"
    refused = client.post(url, data)
    assert "does not work at Riverside" in refused.context["form"].errors["time"][0]
    assert not Appointment.objects.exists()

    booked = client.post(url, {**data, "extra_session": "on"})
    assert booked.status_code == 302
    assert Appointment.objects.get().extra_session is True
    page = client.get(reverse("appointment_detail", args=[Appointment.objects.get().pk]))
    assert "an extra session outside working hours" in page.content.decode()

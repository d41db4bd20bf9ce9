"""Appointments through the JSON API: the diary list, booking, moving, marking, cancelling."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Room, Service
from acuclinic.core.formats import LONDON
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories
from acuclinic.testing.api_client import JsonClient, as_user


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)), LONDON)


def weekday_on_or_after(day: date) -> date:
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def next_date(month: int, day: int) -> date:
    """The next such date from today on: always less than a year ahead."""
    today = timezone.localdate()
    candidate = date(today.year, month, day)
    return candidate if candidate > today else date(today.year + 1, month, day)


@pytest.fixture
def service(clinic):
    return Service.objects.get(name="Medical acupuncture")


@pytest.fixture
def room(clinic):
    return Room.objects.get(name="Room 1")


@pytest.fixture
def other_room(clinic):
    return Room.objects.get(name="Room 2")


@pytest.fixture
def reception(reception_user):
    return as_user(reception_user)


@pytest.fixture
def body(patient, practitioner, room, service):
    """A valid booking at 10:00 on a weekday a week from now."""

    def make(**overrides) -> dict:
        booking = {
            "patient": patient.pk,
            "practitioner": practitioner.pk,
            "room": room.pk,
            "service": service.pk,
            "start": factories.next_weekday_at(10).isoformat(),
            "channel": "phone",
        }
        booking.update(overrides)
        return booking

    return make


@pytest.fixture
def booked(patient, practitioner, room, service):
    return factories.appointment(
        patient=patient,
        practitioner=practitioner,
        room=room,
        service=service,
        start=factories.next_weekday_at(10),
    )


def change_entries():
    return AuditEntry.objects.filter(object_type="scheduling.appointment", action="change")


# Booking -------------------------------------------------------------------------


def test_booking_answers_201_and_audits_the_token_user_as_the_booker(
    reception, reception_user, body, patient
):
    response = reception.post("/appointments", body(notes="Prefers the ground floor"))

    assert response.status_code == 201
    appointment = Appointment.objects.get(pk=response.json()["id"])
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.end - appointment.start == timedelta(minutes=30)
    assert appointment.created_by == reception_user
    assert appointment.notes == "Prefers the ground floor"
    entry = AuditEntry.objects.get(object_type="scheduling.appointment", action="create")
    assert (entry.actor, entry.via, entry.patient_id) == (reception_user, "api", patient.pk)
    assert response.json()["patient"] == {"id": patient.pk, "full_name": patient.full_name}


# What one booking with an Idempotency-Key sends inside a test's transaction: the token,
# the permissions, the key, the four rows it names, the facts its checks need, the
# clash check, the appointment, its audit entry (the chain's last hash before it),
# billing's settings and the kept answer; on PostgreSQL also the row locks on the
# practitioner and the room and the audit chain's lock; a savepoint and its release
# (the booking's transaction, inside the test's).
BOOKING_STATEMENTS = {"postgresql": 16, "sqlite": 13}


def test_a_booking_sends_no_more_statements_than_its_checks_need(reception, body):
    """A ceiling, not a timing: a change that adds a statement to every booking fails
    here (bench/scheduling.py measures what a booking costs)."""
    reception.get("/services")  # a token's first use records when it was used
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    keyed = JsonClient(reception.client, headers={**reception.headers, "Idempotency-Key": "k1"})
    with connection.execute_wrapper(count):
        response = keyed.post("/appointments", body())

    assert response.status_code == 201
    assert Appointment.objects.filter(pk=response.json()["id"]).exists()
    assert len(statements) <= BOOKING_STATEMENTS[connection.vendor], statements


@pytest.mark.parametrize(
    ("month", "day", "offset"), [(7, 1, "+01:00"), (1, 12, "+00:00")], ids=["summer", "winter"]
)
def test_times_read_in_uk_time_with_the_offset_of_the_day(reception, body, month, day, offset):
    # Follow-up needs no needling credentials, so any date within a year will do.
    follow_up = Service.objects.get(name="Follow-up")
    start = at(weekday_on_or_after(next_date(month, day)), 10)

    created = reception.post("/appointments", body(service=follow_up.pk, start=start.isoformat()))

    assert created.status_code == 201, created.json()
    assert created.json()["start"] == f"{start.date().isoformat()}T10:00:00{offset}"
    assert created.json()["end"] == f"{start.date().isoformat()}T10:30:00{offset}"
    assert created.json()["start_display"].endswith(", 10:00")


def test_a_start_sent_in_utc_is_the_same_moment(reception, body):
    start = factories.next_weekday_at(10)
    response = reception.post(
        "/appointments", body(start=start.astimezone(LONDON).isoformat().replace("+00:00", "Z"))
    )
    assert response.status_code == 201
    assert Appointment.objects.get().start == start


def test_an_explicit_end_sets_the_length(reception, body):
    start = factories.next_weekday_at(10)
    response = reception.post(
        "/appointments",
        body(start=start.isoformat(), end=(start + timedelta(minutes=45)).isoformat()),
    )
    assert response.status_code == 201
    assert Appointment.objects.get().end == start + timedelta(minutes=45)


def _start(days: int, hour: int = 10) -> str:
    return at(weekday_on_or_after(timezone.localdate() + timedelta(days=days)), hour).isoformat()


BAD_BOOKINGS = [
    # (what is wrong, changes to a valid booking, status, code)
    ("a time without an offset", {"start": "2030-03-05T10:00:00"}, 422, "naive_datetime"),
    ("a date, not a time", {"start": "2030-03-05"}, 422, "naive_datetime"),
    ("an end before the start", {"end": _start(7, 9)}, 422, "end_before_start"),
    ("an end at the start", {"end": _start(7)}, 422, "end_before_start"),
    ("an end without an offset", {"end": "2030-03-05T11:00:00"}, 422, "naive_datetime"),
    ("three years ahead", {"start": _start(3 * 365)}, 422, "too_far_ahead"),
    ("in the year 2999", {"start": "2999-03-05T10:00:00+00:00"}, 422, "too_far_ahead"),
    ("in the year 9999", {"start": "9999-12-31T23:59:00-12:00"}, 422, "date_out_of_range"),
    ("in the year 10000", {"start": "10000-01-01T10:00:00+00:00"}, 422, "invalid"),
    ("on 30 February", {"start": "2030-02-30T10:00:00+00:00"}, 422, "invalid"),
    ("two months ago", {"start": _start(-60)}, 422, "in_the_past"),
    (
        "yesterday",
        {"start": at(timezone.localdate() - timedelta(days=1), 10).isoformat()},
        422,
        "in_the_past",
    ),
    ("after closing time", {"start": _start(7, 20)}, 422, "outside_opening_hours"),
    ("an id as text", {"patient": "1"}, 422, "invalid"),
    ("an id with a fraction", {"room": 1.5}, 422, "invalid"),
    ("true as a time", {"start": True}, 422, "invalid"),
    ("an unknown channel", {"channel": "pigeon"}, 422, "invalid"),
    ("a number as notes", {"notes": 42}, 422, "invalid"),
    ("an unknown patient", {"patient": 987_654}, 404, "unknown_patient"),
    ("an unknown practitioner", {"practitioner": 987_654}, 404, "unknown_practitioner"),
    ("an unknown room", {"room": 987_654}, 404, "unknown_room"),
    ("an unknown service", {"service": 987_654}, 404, "unknown_service"),
    ("an id past 2⁶³", {"patient": 2**64}, 404, "unknown_patient"),
    ("a field nobody asked for", {"colour": "blue"}, 422, "invalid"),
]


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [case[1:] for case in BAD_BOOKINGS],
    ids=[case[0] for case in BAD_BOOKINGS],
)
def test_a_bad_booking_gets_a_json_error_and_writes_nothing(reception, body, changes, status, code):
    response = reception.post("/appointments", body(**changes))

    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.json()["message"]
    assert not Appointment.objects.exists()
    assert not AuditEntry.objects.filter(object_type="scheduling.appointment").exists()


def test_a_practitioner_not_qualified_in_the_modality_is_refused(reception, body):
    traditional = Service.objects.get(name="Traditional acupuncture")
    response = reception.post("/appointments", body(service=traditional.pk))
    assert response.status_code == 422
    assert response.json()["code"] == "not_qualified"
    assert response.json()["field"] == "practitioner"


@pytest.mark.parametrize(
    ("data", "content_type"),
    [('{"patient": 1, ', "application/json"), ("patient=1&room=1", "multipart/form-data")],
    ids=["cut short", "a form post"],
)
def test_a_booking_that_is_not_json_is_400(reception, clinic, data, content_type):
    response = reception.raw("post", "/appointments", data, content_type)
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert not Appointment.objects.exists()


def _clash_with(booked, clash: str, other_room) -> dict:
    """A booking 15 minutes into ``booked`` that shares only ``clash`` with it."""
    others = {
        "practitioner": factories.practitioner("second", qualified_medical=True).pk,
        "room": other_room.pk,
        "patient": factories.patient().pk,
    }
    others.pop(clash)
    return {"start": (booked.start + timedelta(minutes=15)).isoformat(), **others}


@pytest.mark.parametrize(
    ("clash", "code"), [("practitioner", "practitioner_busy"), ("room", "room_busy")]
)
def test_a_double_booking_is_409_with_free_times_nearby(
    reception, body, booked, other_room, clash, code
):
    response = reception.post("/appointments", body(**_clash_with(booked, clash, other_room)))

    assert response.status_code == 409
    error = response.json()
    assert error["code"] == code
    offered = error["alternatives"]
    assert offered
    for alternative in offered:
        start = datetime.fromisoformat(alternative["start"])
        shares = (
            alternative["practitioner"]["id"] == booked.practitioner_id
            or alternative["room"]["id"] == booked.room_id
        )
        assert start.tzinfo is not None
        assert not shares or start >= booked.end or start + timedelta(minutes=30) <= booked.start
    # In UK time, with the day's offset, as every other time the API gives.
    first = datetime.fromisoformat(offered[0]["start"])
    assert first.utcoffset() == first.astimezone(LONDON).utcoffset()
    assert offered[0]["start_display"].endswith(first.astimezone(LONDON).strftime(", %H:%M"))
    assert Appointment.objects.count() == 1


def test_the_alternatives_offer_the_same_practitioner_first_then_colleagues(
    reception, body, booked, practitioner, other_room
):
    colleague = factories.practitioner("second", qualified_medical=True)

    response = reception.post(
        "/appointments",
        body(start=booked.start.isoformat(), room=other_room.pk, patient=factories.patient().pk),
    )

    offered = response.json()["alternatives"]
    who = [a["practitioner"]["id"] for a in offered]
    assert who[0] == practitioner.pk
    assert colleague.pk in who
    assert who.index(colleague.pk) > max(i for i, p in enumerate(who) if p == practitioner.pk)
    # The colleague is free at the very time asked for, so they are offered it.
    assert any(
        a["practitioner"]["id"] == colleague.pk
        and datetime.fromisoformat(a["start"]) == booked.start
        for a in offered
    )


def test_booking_a_patient_twice_at_once_is_409(reception, body, booked, other_room):
    response = reception.post("/appointments", body(**_clash_with(booked, "patient", other_room)))
    assert response.status_code == 409
    assert response.json()["code"] == "patient_busy"
    assert "alternatives" in response.json()
    assert Appointment.objects.count() == 1


def test_an_offered_alternative_can_be_booked(reception, body, booked, other_room):
    colleague = factories.practitioner("second", qualified_medical=True)
    refused = reception.post("/appointments", body(start=booked.start.isoformat()))
    offered = refused.json()["alternatives"][-1]
    assert offered["practitioner"]["id"] == colleague.pk

    response = reception.post(
        "/appointments",
        body(
            start=offered["start"],
            practitioner=offered["practitioner"]["id"],
            room=offered["room"]["id"],
        ),
    )

    assert response.status_code == 201


def test_a_session_booking_without_the_csrf_token_is_refused(reception_user, body):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reception_user)
    response = JsonClient(client).post("/appointments", body())
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not Appointment.objects.exists()


# The diary list ------------------------------------------------------------------


@pytest.fixture
def week(patient, practitioner, room, other_room, service):
    """Four appointments on one weekday two weeks ahead, 09:00 to 12:00."""
    day = weekday_on_or_after(timezone.localdate() + timedelta(days=14))
    colleague = factories.practitioner("colleague", qualified_medical=True)
    rows = [
        (9, patient, practitioner, room, AppointmentStatus.BOOKED),
        (10, factories.patient(), colleague, other_room, AppointmentStatus.BOOKED),
        (11, factories.patient(), practitioner, room, AppointmentStatus.CANCELLED),
        (12, patient, colleague, other_room, AppointmentStatus.BOOKED),
    ]
    made = [
        factories.appointment(
            patient=who,
            practitioner=by,
            room=where,
            service=service,
            start=at(day, hour),
            status=status,
            cancelled_at=timezone.now() if status == AppointmentStatus.CANCELLED else None,
        )
        for hour, who, by, where, status in rows
    ]
    return day, made


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [a["id"] for a in response.json()["items"]]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, [0, 1, 2, 3]),
        ({"practitioner": "practitioner"}, [0, 2]),
        ({"patient": "patient"}, [0, 3]),
        ({"room": "room"}, [0, 2]),
        ({"status": "cancelled"}, [2]),
        ({"status": "booked", "practitioner": "practitioner"}, [0]),
    ],
)
def test_the_list_filters_the_diary(reception, week, request, filters, expected):
    day, made = week
    params = {"start_from": day.isoformat(), "start_to": day.isoformat()}
    for name, value in filters.items():
        params[name] = request.getfixturevalue(value).pk if name != "status" else value
    assert ids(reception.get("/appointments", params)) == [made[i].pk for i in expected]


def test_the_list_filters_by_location(reception, week, clinic):
    day, made = week
    mine = ids(reception.get("/appointments", {"start_from": day, "location": made[0].location.pk}))
    assert mine == [a.pk for a in made]
    assert ids(reception.get("/appointments", {"start_from": day, "location": 999})) == []


def test_a_datetime_window_includes_its_start_and_excludes_its_end(reception, week):
    day, made = week
    window = {"start_from": at(day, 10).isoformat(), "start_to": at(day, 12).isoformat()}
    assert ids(reception.get("/appointments", window)) == [made[1].pk, made[2].pk]


def test_a_window_given_in_utc_finds_the_same_appointments(reception, week):
    day, made = week
    utc = {
        "start_from": at(day, 10).astimezone(UTC).isoformat(),
        "start_to": at(day, 12).astimezone(UTC).isoformat(),
    }
    assert ids(reception.get("/appointments", utc)) == [made[1].pk, made[2].pk]


def test_without_a_window_the_list_shows_the_next_31_days(reception, patient, practitioner):
    soon = factories.appointment(
        patient=patient, practitioner=practitioner, start=factories.next_weekday_at(10)
    )
    factories.appointment(
        patient=patient,
        practitioner=practitioner,
        start=factories.next_weekday_at(10, days_ahead=40),
    )
    assert ids(reception.get("/appointments")) == [soon.pk]


def test_the_list_pages_with_a_total_count(reception, week):
    day, made = week
    response = reception.get("/appointments", {"start_from": day, "limit": 3, "offset": 2})
    assert response.json()["count"] == 4
    assert ids(response) == [made[2].pk, made[3].pk]


@pytest.mark.parametrize(
    ("params", "code", "field"),
    [
        ({"start_from": "2031-01-01", "start_to": "2031-04-04"}, "range_too_long", "start_to"),
        ({"start_from": "2031-03-01", "start_to": "2031-02-01"}, "range_reversed", "start_to"),
        ({"start_from": "2031-03-01T10:00"}, "naive_datetime", "start_from"),
        ({"start_from": "next tuesday"}, "invalid", "start_from"),
        ({"start_to": "9999-12-31"}, "date_out_of_range", "start_to"),
        ({"start_from": "2031-02-30"}, "invalid", "start_from"),
        ({"status": "lost"}, "invalid", "status"),
        ({"practitioner": "dr-jones"}, "invalid", "practitioner"),
        ({"room": str(2**64)}, "invalid", "room"),
        ({"offset": "-1"}, "invalid", "offset"),
    ],
    ids=[
        "94 days",
        "reversed",
        "no offset",
        "words",
        "year 9999",
        "30 February",
        "unknown status",
        "a name for an id",
        "id past 2⁶⁴",
        "negative offset",
    ],
)
def test_a_bad_filter_is_422_naming_it(reception, clinic, params, code, field):
    response = reception.get("/appointments", params)
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == (code, field)


def test_a_window_of_exactly_93_days_is_allowed(reception, clinic):
    response = reception.get(
        "/appointments", {"start_from": "2031-01-01", "start_to": "2031-04-03"}
    )
    assert response.status_code == 200


def test_the_list_takes_the_same_queries_for_few_or_many(
    reception, week, django_assert_max_num_queries
):
    day, _ = week
    with django_assert_max_num_queries(8):
        assert reception.get("/appointments", {"start_from": day}).json()["count"] == 4


# One appointment -----------------------------------------------------------------


def test_an_appointment_reads_with_everything_the_front_desk_needs(reception, booked):
    body = reception.get(f"/appointments/{booked.pk}").json()
    assert body["status"] == "booked"
    assert body["practitioner"]["id"] == booked.practitioner_id
    assert body["service"] == {
        "id": booked.service_id,
        "name": "Medical acupuncture",
        "modality": "medical",
        "price_pence": 5000,
        "price_display": "£50.00",
    }
    assert body["location"]["time_zone"] == "Europe/London"
    assert datetime.fromisoformat(body["start"]) == booked.start


def test_an_unknown_appointment_is_404(reception, clinic):
    response = reception.get("/appointments/5150")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_appointment"


# Changing ------------------------------------------------------------------------


def test_moving_an_appointment_keeps_its_length_and_is_audited(reception, reception_user, booked):
    new_start = booked.start + timedelta(hours=2)

    response = reception.patch(f"/appointments/{booked.pk}", {"start": new_start.isoformat()})

    assert response.status_code == 200
    booked.refresh_from_db()
    assert (booked.start, booked.end) == (new_start, new_start + timedelta(minutes=30))
    entry = change_entries().get()
    assert (entry.actor, entry.detail) == (reception_user, "moved")
    assert set(entry.changed_fields) == {"start", "end"}
    # The time held for turnover after the visit moves with it.
    assert booked.held_until == booked.end


def test_moving_onto_another_booking_is_409_and_changes_nothing(
    reception, booked, patient, practitioner, other_room
):
    later = factories.appointment(
        patient=factories.patient(),
        practitioner=practitioner,
        room=other_room,
        start=booked.start + timedelta(hours=2),
    )
    response = reception.patch(f"/appointments/{booked.pk}", {"start": later.start.isoformat()})

    assert response.status_code == 409
    assert response.json()["code"] == "practitioner_busy"
    assert response.json()["alternatives"]
    assert Appointment.objects.get(pk=booked.pk).start == booked.start


def test_a_change_is_all_or_nothing(reception, booked):
    # The move is fine; the status change is not (booked cannot jump to completed).
    response = reception.patch(
        f"/appointments/{booked.pk}",
        {
            "start": (booked.start + timedelta(hours=1)).isoformat(),
            "notes": "Moved",
            "status": "completed",
        },
    )

    assert response.status_code == 409
    assert response.json()["code"] == "invalid_status_change"
    unchanged = Appointment.objects.get(pk=booked.pk)
    assert (unchanged.start, unchanged.notes, unchanged.status) == (booked.start, "", "booked")
    assert not change_entries().exists()


def test_changing_the_notes_is_audited_by_field_name(reception, booked):
    response = reception.patch(f"/appointments/{booked.pk}", {"notes": "Running late"})
    assert response.json()["notes"] == "Running late"
    assert change_entries().get().changed_fields == ["notes"]


def test_the_front_desk_marks_arrival_then_completion(reception, booked):
    with time_machine.travel(booked.start - timedelta(minutes=10), tick=False):
        arrived = reception.patch(f"/appointments/{booked.pk}", {"status": "arrived"})
    assert arrived.status_code == 200
    response = reception.patch(f"/appointments/{booked.pk}", {"status": "completed"})
    assert response.json()["status"] == "completed"
    assert Appointment.objects.get(pk=booked.pk).status == AppointmentStatus.COMPLETED


def test_an_appointment_cannot_be_missed_before_it_starts(reception, booked):
    response = reception.patch(f"/appointments/{booked.pk}", {"status": "dna"})
    assert response.status_code == 409
    assert response.json()["code"] == "not_yet_due"


def test_sending_back_what_was_read_changes_nothing(reception, booked):
    current = reception.get(f"/appointments/{booked.pk}").json()
    response = reception.patch(
        f"/appointments/{booked.pk}",
        {
            "start": current["start"],
            "practitioner": current["practitioner"]["id"],
            "room": current["room"]["id"],
            "notes": current["notes"],
            "status": current["status"],
        },
    )
    assert response.status_code == 200
    assert not change_entries().exists()


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"start": "2031-03-05T10:00:00"}, 422, "naive_datetime"),
        ({"room": 777}, 404, "unknown_room"),
        ({"practitioner": 777}, 404, "unknown_practitioner"),
        ({"status": "vanished"}, 422, "invalid"),
        ({"end": "2031-03-05T11:00:00+00:00"}, 422, "invalid"),
    ],
    ids=["no offset", "unknown room", "unknown practitioner", "unknown status", "end given"],
)
def test_a_bad_change_leaves_the_appointment_as_it_was(reception, booked, changes, status, code):
    response = reception.patch(f"/appointments/{booked.pk}", changes)
    assert response.status_code == status
    assert response.json()["code"] == code
    unchanged = Appointment.objects.get(pk=booked.pk)
    assert (unchanged.start, unchanged.room_id) == (booked.start, booked.room_id)


def test_changing_an_unknown_appointment_is_404(reception, clinic):
    response = reception.patch("/appointments/5150", {"notes": "x"})
    assert response.status_code == 404


# Cancelling ----------------------------------------------------------------------


def test_cancelling_with_notice_records_the_reason_and_is_audited(reception, booked):
    response = reception.post(f"/appointments/{booked.pk}/cancel", {"reason": "Unwell"})

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancellation_reason"] == "Unwell"
    assert response.json()["cancelled_at"]
    entry = change_entries().get()
    assert entry.detail == "cancelled"
    assert Appointment.objects.get(pk=booked.pk).cancelled_by == "patient"


def test_cancelling_inside_the_notice_period_is_a_late_cancellation(
    reception, patient, practitioner
):
    soon = factories.appointment(
        patient=patient, practitioner=practitioner, start=timezone.now() + timedelta(hours=3)
    )
    response = reception.post(f"/appointments/{soon.pk}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "late_cancelled"


def test_cancelling_twice_is_409(reception, booked):
    reception.post(f"/appointments/{booked.pk}/cancel")
    response = reception.post(f"/appointments/{booked.pk}/cancel")
    assert response.status_code == 409
    assert response.json()["code"] == "not_cancellable"


def test_a_cancellation_reason_over_200_characters_is_refused(reception, booked):
    response = reception.post(f"/appointments/{booked.pk}/cancel", {"reason": "x" * 201})
    assert response.status_code == 422
    assert Appointment.objects.get(pk=booked.pk).status == AppointmentStatus.BOOKED


def test_a_cancelled_slot_can_be_booked_again(reception, booked, body):
    reception.post(f"/appointments/{booked.pk}/cancel")
    response = reception.post(
        "/appointments", body(patient=factories.patient().pk, start=booked.start.isoformat())
    )
    assert response.status_code == 201

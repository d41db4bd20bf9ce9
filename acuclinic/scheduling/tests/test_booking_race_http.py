"""Many clients racing through the HTTP API for one slot, each in its own thread with its
own database connection: exactly one wins; every loser gets 409 with free alternatives.
Runs on SQLite and on PostgreSQL like every test."""

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection

from acuclinic.clinic.models import Room, Service
from acuclinic.scheduling.models import Appointment
from acuclinic.scheduling.tests.helpers import at, next_weekday
from acuclinic.testing import factories
from acuclinic.testing.api_client import JsonClient, api_token

CLIENTS = 12


def race(calls) -> list:
    """Run each call in its own thread, all released at once; their answers, in order."""
    barrier = threading.Barrier(len(calls))
    answers: list = [None] * len(calls)

    def run(i: int) -> None:
        try:
            barrier.wait()
            response = calls[i]()
            answers[i] = (response.status_code, response.json())
        except Exception as exc:  # a crash must fail the test, not hang it
            answers[i] = ("crashed", repr(exc))
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    return answers


@pytest.fixture
def slot(clinic, practitioner):
    return {
        "practitioner": practitioner.pk,
        "service": Service.objects.get(name="Medical acupuncture").pk,
        "start": at(next_weekday(3), 10).isoformat(),
    }


@pytest.mark.django_db(transaction=True)
def test_of_many_clients_racing_for_one_slot_exactly_one_books_it(reception_user, slot):
    rooms = list(Room.objects.order_by("pk"))
    clients = [
        JsonClient(token=api_token(reception_user, name=f"Desk {i}")) for i in range(CLIENTS)
    ]
    bodies = [
        # Each for another patient; half in another room: the practitioner is the clash.
        {**slot, "patient": factories.patient().pk, "room": rooms[i % len(rooms)].pk}
        for i in range(CLIENTS)
    ]

    answers = race(
        [lambda c=c, b=b: c.post("/appointments", b) for c, b in zip(clients, bodies, strict=True)]
    )

    statuses = sorted(status for status, _ in answers)
    assert statuses == [201] + [409] * (CLIENTS - 1), answers
    winner = next(body for status, body in answers if status == 201)
    won_until = datetime.fromisoformat(winner["held_until"])
    won_from = datetime.fromisoformat(winner["start"])
    for status, body in answers:
        if status != 409:
            continue
        assert body["code"] in {"practitioner_busy", "room_busy", "slot_taken"}
        assert body["alternatives"], body
        for alternative in body["alternatives"]:
            start = datetime.fromisoformat(alternative["start"])
            if alternative["practitioner"]["id"] == slot["practitioner"]:
                assert start >= won_until or start + timedelta(minutes=30) <= won_from
    assert Appointment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_retries_racing_with_one_idempotency_key_book_once_and_all_get_the_first_answer(
    reception_user, patient, slot
):
    token = api_token(reception_user)
    room = Room.objects.order_by("pk").first()
    body = {**slot, "patient": patient.pk, "room": room.pk}
    clients = [
        JsonClient(token=token, headers={"Idempotency-Key": "retry-storm-1"}) for _ in range(6)
    ]

    answers = race([lambda c=c: c.post("/appointments", body) for c in clients])

    assert {status for status, _ in answers} == {201}, answers
    assert len({str(answer) for _, answer in answers}) == 1
    assert Appointment.objects.count() == 1

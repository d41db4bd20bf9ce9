"""A booking holds its transaction (on SQLite, the whole database's write lock) only for
the clash check and its writes: the rows it names, the practitioner's working time and
credentials, opening hours and room closures are read before it, and a refusal's nearest
free slots are searched for after it, so other bookings and staff wait as little as
possible. The Idempotency-Key answer still commits with the booking."""

import pytest
from django.db import connection

from acuclinic.clinic.models import Room, Service
from acuclinic.scheduling.models import Appointment, IdempotentRequest
from acuclinic.scheduling.tests.helpers import at, next_weekday
from acuclinic.testing import factories
from acuclinic.testing.api_client import JsonClient, api_token

# Real transactions: the test's own would make every statement look inside one.
pytestmark = pytest.mark.django_db(transaction=True)

READ_BEFORE = (
    "people_patient",
    "people_credential",
    "clinic_openinghours",
    "scheduling_roomclosure",
    "scheduling_workingpattern",
    "scheduling_workingexception",
)


@pytest.fixture
def api(reception_user):
    return JsonClient(token=api_token(reception_user))


@pytest.fixture
def body(patient, practitioner, clinic):
    return {
        "patient": patient.pk,
        "practitioner": practitioner.pk,
        "room": Room.objects.get(name="Room 1").pk,
        "service": Service.objects.get(name="Medical acupuncture").pk,
        "start": at(next_weekday(2), 10).isoformat(),
    }


def book(api, body, key):
    """POST the booking; the SQL sent inside and outside a transaction."""
    inside, outside = [], []

    def spy(execute, sql, params, many, context):
        (inside if connection.in_atomic_block else outside).append(sql)
        return execute(sql, params, many, context)

    keyed = JsonClient(api.client, headers={**api.headers, "Idempotency-Key": key})
    with connection.execute_wrapper(spy):
        response = keyed.post("/appointments", body)
    return response, inside, outside


def _touches(statements, table):
    return any(f'"{table}"' in sql for sql in statements)


def test_a_booking_reads_and_checks_before_its_transaction_and_keeps_its_answer_inside(api, body):
    response, inside, outside = book(api, body, "lock-scope-1")

    assert response.status_code == 201
    for table in READ_BEFORE:
        assert _touches(outside, table), table
        assert not _touches(inside, table), table
    writes = [sql.split("(")[0].strip() for sql in inside if sql.startswith("INSERT")]
    assert writes == [
        'INSERT INTO "scheduling_appointment"',
        'INSERT INTO "audit_auditentry"',
        'INSERT INTO "scheduling_idempotentrequest"',
    ]
    assert Appointment.objects.count() == IdempotentRequest.objects.count() == 1


def test_a_refusal_searches_for_alternatives_after_its_transaction(api, body, practitioner, clinic):
    factories.appointment(
        patient=factories.patient(), practitioner=practitioner, start=at(next_weekday(2), 10)
    )

    response, inside, outside = book(api, body, "lock-scope-2")

    assert response.status_code == 409
    assert response.json()["alternatives"], "the refusal offers free slots nearby"
    # The search reads every practitioner's working time: all of it after the lock.
    assert _touches(outside, "scheduling_workingpattern")
    assert not _touches(inside, "scheduling_workingpattern")
    # Nothing was booked; the refusal is kept, so a retry is told the same.
    assert not any(sql.startswith('INSERT INTO "scheduling_appointment"') for sql in inside)
    assert IdempotentRequest.objects.get().status_code == 409
    again, _, _ = book(api, body, "lock-scope-2")
    assert again.content == response.content
    assert Appointment.objects.count() == 1

"""POST /appointments with an Idempotency-Key: a retry gets the first answer and books
nothing new; the same key for a different request is refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from acuclinic.clinic.models import Room, Service
from acuclinic.scheduling.models import Appointment, IdempotentRequest
from acuclinic.scheduling.tests.helpers import at, next_weekday
from acuclinic.testing import factories
from acuclinic.testing.api_client import JsonClient, api_token, as_user

KEY = "7d4f2c1e-booking-0001"


@pytest.fixture
def token(reception_user):
    return api_token(reception_user)


@pytest.fixture
def api(token):
    return JsonClient(token=token)


@pytest.fixture
def body(patient, practitioner, clinic):
    day = next_weekday(2)
    return {
        "patient": patient.pk,
        "practitioner": practitioner.pk,
        "room": Room.objects.get(name="Room 1").pk,
        "service": Service.objects.get(name="Medical acupuncture").pk,
        "start": at(day, 10).isoformat(),
    }


def keyed(api, key: str) -> JsonClient:
    """The same caller, sending ``Idempotency-Key: key``."""
    return JsonClient(api.client, headers={**api.headers, "Idempotency-Key": key})


def post(api, body, key=KEY):
    return (keyed(api, key) if key is not None else api).post("/appointments", body)


def test_a_retry_returns_the_first_answer_and_books_nothing_new(api, body):
    first = post(api, body)
    again = post(api, body)

    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Appointment.objects.count() == 1


def test_a_retry_sent_with_its_fields_in_another_order_is_the_same_request(api, body):
    first = post(api, body)
    reordered = dict(reversed(list(body.items())))
    assert post(api, reordered).content == first.content
    assert Appointment.objects.count() == 1


def test_without_a_key_a_second_post_is_a_second_booking_attempt(api, body):
    assert post(api, body, key=None).status_code == 201
    second = post(api, body, key=None)
    assert second.status_code == 409
    assert second.json()["code"] in {"practitioner_busy", "patient_busy"}


def test_a_refusal_is_the_first_answer_too(api, body, practitioner, clinic):
    factories.appointment(
        patient=factories.patient(),
        practitioner=practitioner,
        start=at(next_weekday(2), 10),
    )
    first = post(api, body)
    assert first.status_code == 409
    # The slot frees up, but the key already has its answer.
    Appointment.objects.all().delete()
    again = post(api, body)
    assert (again.status_code, again.content) == (409, first.content)
    assert not Appointment.objects.exists()


def test_the_same_key_with_a_different_body_is_refused_and_books_nothing(api, body):
    post(api, body)
    later = {**body, "start": at(next_weekday(2), 11).isoformat()}

    response = post(api, later)

    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert response.json()["field"] == "Idempotency-Key"
    assert Appointment.objects.count() == 1


def test_keys_belong_to_the_user_who_sent_them(api, body, admin_user):
    post(api, body)
    other = JsonClient(token=api_token(admin_user))
    later = {**body, "start": at(next_weekday(2), 11).isoformat()}
    assert post(other, later).status_code == 201
    assert Appointment.objects.count() == 2


@pytest.mark.parametrize(
    "key", ["", " ", "x" * 201, "naïve-key"], ids=["empty", "blank", "long", "non-ascii"]
)
def test_a_malformed_key_is_refused_before_anything_is_booked(api, body, key):
    response = post(api, body, key=key.encode("utf-8").decode("latin-1"))
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_idempotency_key"
    assert not Appointment.objects.exists()
    assert not IdempotentRequest.objects.exists()


def test_invalid_input_is_not_stored_so_a_corrected_retry_can_use_the_key(api, body):
    bad = post(api, {**body, "start": "2030-01-01T10:00:00"})
    assert bad.status_code == 422
    assert post(api, body).status_code == 201


def test_a_browser_session_can_send_a_key_too(reception_user, body):
    session = as_user(reception_user, via="session")
    first, again = post(session, body), post(session, body)
    assert first.status_code == 201 and again.content == first.content
    assert Appointment.objects.count() == 1


def test_a_series_booking_can_be_retried_safely(api, patient, practitioner, clinic):
    start = at(next_weekday(2), 15)
    series = {
        "patient": patient.pk,
        "practitioner": practitioner.pk,
        "room": Room.objects.get(name="Room 1").pk,
        "service": Service.objects.get(name="Medical acupuncture").pk,
        "first_start": start.isoformat(),
        "sessions": 4,
    }
    first = keyed(api, KEY).post("/series", series)
    again = keyed(api, KEY).post("/series", series)
    assert first.status_code == again.status_code == 201
    assert again.content == first.content
    assert Appointment.objects.filter(start__gte=start - timedelta(hours=1)).count() == 4


def test_answers_older_than_a_week_are_pruned_and_a_recent_one_still_answers_a_retry(api, body):
    from acuclinic.notifications.worker import PERIODIC_JOBS
    from acuclinic.scheduling.idempotency import prune_old_answers

    first = post(api, body)
    old = post(api, {**body, "start": at(next_weekday(3), 11).isoformat()}, key="old-key")
    IdempotentRequest.objects.filter(key="old-key").update(
        created_at=timezone.now() - timedelta(days=8)
    )
    assert [j for j in PERIODIC_JOBS if j.path.endswith("prune_old_answers")]

    assert prune_old_answers() == 1

    assert list(IdempotentRequest.objects.values_list("key", flat=True)) == [KEY]
    again = post(api, body)
    assert again.content == first.content and again["Idempotent-Replayed"] == "true"
    # Past the week the key is new again: the same request is tried afresh (and the
    # practitioner is busy then, so nothing is booked twice either way).
    retried = post(api, {**body, "start": at(next_weekday(3), 11).isoformat()}, key="old-key")
    assert old.status_code == 201 and retried.status_code == 409
    assert Appointment.objects.count() == 2

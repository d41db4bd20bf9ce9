"""Failures that belong to no one endpoint still answer in the API's JSON error shape."""

import logging

from django.test import Client

from acuclinic.people import services
from acuclinic.people.models import Patient
from acuclinic.testing.api_client import BASE, as_user


def test_a_mistyped_address_gets_a_json_404(client):
    response = client.get(f"{BASE}/patient/3")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_endpoint"


def test_a_real_endpoint_is_not_swallowed_by_the_unknown_address_route(client):
    # Answered by /patients itself: anonymous, so 401, not the unknown-address 404.
    assert client.get(f"{BASE}/patients").status_code == 401


def test_a_body_over_the_upload_limit_is_400_and_writes_nothing(reception_user, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    api = as_user(reception_user)
    response = api.post("/patients", {"given_name": "M" * 2000})
    assert response.status_code == 400
    assert response.json()["code"] == "body_too_large"
    assert not Patient.objects.exists()


def test_json_nested_too_deeply_is_400(reception_user):
    response = as_user(reception_user).raw(
        "post", "/patients", "[" * 100_000 + "]" * 100_000, "application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"


def test_an_unexpected_failure_is_answered_in_json_and_logged(reception_user, monkeypatch, caplog):
    def broken(**fields):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "patient_check_reachable", broken)
    api = as_user(reception_user)
    api.client = Client(raise_request_exception=False)

    with caplog.at_level(logging.ERROR, logger="django.request"):
        response = api.post(
            "/patients",
            {"given_name": "Ola", "family_name": "Nwosu", "date_of_birth": "1990-01-01"}
            | {"sex": "female", "phone": "07700 900555"},
        )

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "disk on fire" not in response.content.decode()
    assert "disk on fire" in caplog.text


def test_patients_cannot_be_deleted_through_the_api(reception_user, patient):
    api = as_user(reception_user)
    response = api.client.delete(f"{BASE}/patients/{patient.pk}", headers=api.headers)
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "PATCH"}
    assert Patient.objects.filter(pk=patient.pk).exists()

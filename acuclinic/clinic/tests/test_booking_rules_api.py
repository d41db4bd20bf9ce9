"""The booking rules in the JSON API: the front desk reads them, clinic admins change
them; a change decides what online booking offers; bad values are a 422 with a stable
code and change nothing."""

import re
from datetime import datetime, timedelta
from urllib.parse import unquote

import pytest
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Clinic
from acuclinic.online_booking.tests import helpers as online
from acuclinic.testing.api_client import BASE, as_user

DEFAULTS = {
    "cancellation_notice_hours": 24,
    "min_booking_notice_hours": 12,
    "booking_horizon_days": 90,
    "arrival_window_minutes": 30,
}


def _rules() -> dict:
    clinic = Clinic.objects.get()
    return {name: getattr(clinic, name) for name in DEFAULTS}


def _changes() -> list:
    return list(AuditEntry.objects.filter(object_type="clinic.clinic", action="change"))


def test_reception_reads_the_rules(reception_user, clinic):
    response = as_user(reception_user).get("/booking-rules")

    assert response.status_code == 200
    assert {k: v for k, v in response.json().items() if k in DEFAULTS} == DEFAULTS
    assert "With less than 24 hours' notice" in response.json()["patient_rule"]


def test_an_admin_changes_one_rule_and_the_audit_names_it(admin_user, clinic):
    response = as_user(admin_user).patch("/booking-rules", {"booking_horizon_days": 28})

    assert response.status_code == 200
    assert {k: v for k, v in response.json().items() if k in DEFAULTS} == {
        **DEFAULTS,
        "booking_horizon_days": 28,
    }
    assert _rules() == {**DEFAULTS, "booking_horizon_days": 28}
    [entry] = _changes()
    assert (entry.changed_fields, entry.actor, entry.via) == (
        ["booking_horizon_days"],
        admin_user,
        "api",
    )


def _times_offered(client, first_day) -> list[datetime]:
    page = client.get(
        reverse("online_times"),
        {
            "service": online.service().pk,
            "location": online.location().pk,
            "start": first_day.isoformat(),
        },
    ).content.decode()
    return [datetime.fromisoformat(unquote(t)) for t in re.findall(r"time=([^&\"]+)", page)]


def test_a_longer_minimum_notice_moves_the_first_time_offered_online(
    client, admin_user, clinic, practitioner
):
    tomorrow = timezone.localdate() + timedelta(days=1)
    before = _times_offered(client, tomorrow)

    as_user(admin_user).patch("/booking-rules", {"min_booking_notice_hours": 96})
    after = _times_offered(client, tomorrow)

    assert before and after
    assert min(before) < timezone.now() + timedelta(hours=96)
    assert min(after) >= timezone.now() + timedelta(hours=96)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"cancellation_notice_hours": -1}, "invalid_cancellation_notice_hours"),
        ({"cancellation_notice_hours": 169}, "invalid_cancellation_notice_hours"),
        ({"min_booking_notice_hours": 400}, "invalid_min_booking_notice_hours"),
        ({"booking_horizon_days": 0}, "invalid_booking_horizon_days"),
        ({"booking_horizon_days": None}, "invalid_booking_horizon_days"),
        ({"cancellation_notice_hours": "48"}, "invalid"),
        ({"cancellation_notice_hours": 48.5}, "invalid"),
        ({"late_after_hours": 48}, "invalid"),
    ],
)
def test_a_bad_value_is_refused_with_a_code_and_nothing_changes(admin_user, clinic, body, code):
    # A good change sent beside the bad one is not made either.
    response = as_user(admin_user).patch("/booking-rules", {"booking_horizon_days": 30, **body})

    assert response.status_code == 422
    error = response.json()
    assert error["code"] == code
    assert error["field"] == next(iter(body))
    assert error["message"]
    assert _rules() == DEFAULTS
    assert _changes() == []


def test_an_out_of_range_value_is_explained_in_words(admin_user, clinic):
    response = as_user(admin_user).patch("/booking-rules", {"cancellation_notice_hours": 200})

    assert response.json()["message"] == (
        "The cancellation notice must be a whole number of hours from 0 to 168 (7 days)."
    )


@pytest.mark.parametrize("role", ["practitioner", "reception", "outsider"])
def test_other_roles_cannot_change_the_rules(users, clinic, role):
    response = as_user(users[role]).patch("/booking-rules", {"cancellation_notice_hours": 1})

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert _rules() == DEFAULTS
    assert _changes() == []


def test_the_openapi_document_describes_the_rules_and_their_limits(client, clinic):
    schema = client.get(f"{BASE}/openapi.json").json()

    assert set(schema["paths"]["/api/v1/booking-rules"]) == {"get", "patch"}
    change = schema["components"]["schemas"]["BookingRulesChange"]["properties"]
    assert "from 0 to 168 (7 days)" in change["cancellation_notice_hours"]["description"]

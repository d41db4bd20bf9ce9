"""One cancellation rule: the pure rule, and the portal, the booking email's manage link,
the API and the Booking rules page all saying the same thing for the same visit."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from acuclinic.clinic import cancellation
from acuclinic.online_booking import services as online
from acuclinic.portal import testing as portal_testing
from acuclinic.testing import factories
from acuclinic.testing.api_client import as_user

NOW = datetime(2026, 3, 3, 9, 0, tzinfo=UTC)


def _change(hours_ahead: float, **overrides):
    fields = {
        "booked": True,
        "status_label": "Booked",
        "start": NOW + timedelta(hours=hours_ahead),
        "now": NOW,
        "notice_hours": 24,
        "service_name": "Acupuncture follow-up",
        "bookable_online": True,
    }
    return cancellation.patient_change(**{**fields, **overrides})


def test_with_notice_the_patient_may_cancel_and_move_and_it_is_not_late():
    change = _change(30)
    assert (change.may_cancel, change.late, change.may_move) == (True, False, True)


def test_inside_the_notice_the_patient_may_cancel_late_but_not_move():
    change = _change(20)
    assert (change.may_cancel, change.late, change.may_move) == (True, True, False)
    assert "less than 24 hours away" in change.move_refusal


def test_once_started_or_not_booked_nothing_is_possible():
    assert not _change(-0.5).may_cancel
    assert "already started" in _change(-0.5).cancel_refusal
    cancelled = _change(30, booked=False, status_label="Cancelled")
    assert (cancelled.may_cancel, cancelled.may_move) == (False, False)
    assert "nothing to cancel" in cancelled.cancel_refusal


def test_a_service_the_clinic_books_itself_is_cancelled_but_not_moved_online():
    change = _change(30, bookable_online=False)
    assert (change.may_cancel, change.may_move) == (True, False)
    assert "arranged by the clinic" in change.move_refusal


def test_no_notice_means_nothing_is_late():
    assert not _change(0.1, notice_hours=0).late
    assert "No cancellation counts as late" in cancellation.policy(0)


@pytest.fixture
def soon(clinic, practitioner):
    patient = factories.patient(
        given_name="Mira", family_name="Okafor", email="mira.okafor@example.test"
    )
    return factories.appointment(
        patient=patient, practitioner=practitioner, start=timezone.now() + timedelta(hours=20)
    )


def test_portal_manage_link_api_and_rules_page_say_the_same(
    client, soon, admin_user, reception_user
):
    api = as_user(reception_user).get(f"/appointments/{soon.pk}/patient-change").json()
    assert (api["may_cancel"], api["late"], api["may_move"]) == (True, True, False)

    manage = client.get(reverse("online_manage", args=[online.manage_token(soon)]))
    assert "Cancel it anyway (late cancellation)" in manage.content.decode()

    portal_testing.sign_in(client, soon.patient)
    portal_cancel = client.get(reverse("portal_appointment_cancel", args=[soon.pk]))
    assert "Cancel it anyway (late cancellation)" in portal_cancel.content.decode()
    portal_move = client.get(reverse("portal_appointment_move", args=[soon.pk]))
    assert api["move_refusal"] in portal_move.content.decode()

    client.force_login(admin_user)
    rules_page = client.get(reverse("booking_rules")).content.decode()
    rules_api = as_user(admin_user).get("/booking-rules").json()
    assert rules_api["patient_rule"] == cancellation.policy(24)
    assert cancellation.policy(24).replace("'", "&#x27;") in rules_page

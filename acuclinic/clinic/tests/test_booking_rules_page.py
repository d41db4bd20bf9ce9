"""The booking rules page: a clinic admin sees the rules explained and changes them; the
change decides which cancellations are late and what online booking accepts; bad values
get a 400 with the field's error and change nothing; other roles are refused."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Clinic
from acuclinic.online_booking.tests import helpers as online
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories

RULES = {
    "cancellation_notice_hours": "24",
    "min_booking_notice_hours": "12",
    "booking_horizon_days": "90",
    "arrival_window_minutes": "30",
}


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


def _clinic() -> Clinic:
    return Clinic.objects.get()


def _changes() -> list:
    return list(AuditEntry.objects.filter(object_type="clinic.clinic", action="change"))


def test_the_page_shows_the_current_rules_explained(admin, clinic):
    Clinic.objects.update(cancellation_notice_hours=48)

    page = admin.get(reverse("booking_rules")).content.decode()

    assert 'name="cancellation_notice_hours" value="48"' in page
    assert 'name="min_booking_notice_hours" value="12"' in page
    assert 'name="booking_horizon_days" value="90"' in page
    assert "recorded as a late cancellation" in page
    assert "Reception can still book any free time by phone" in page
    assert "from 0 to 168 (7 days)" in page


def test_the_working_time_page_links_admins_to_the_booking_rules(admin, clinic):
    page = admin.get(reverse("working_time")).content.decode()

    assert f'href="{reverse("booking_rules")}"' in page


def test_an_admin_lengthens_the_notice_and_a_cancellation_at_30_hours_is_late(
    admin, clinic, patient, practitioner
):
    visit = factories.appointment(
        patient=patient, practitioner=practitioner, start=timezone.now() + timedelta(hours=30)
    )

    response = admin.post(
        reverse("booking_rules"), {**RULES, "cancellation_notice_hours": "48"}, follow=True
    )
    admin.post(reverse("appointment_cancel", args=[visit.pk]), {"reason": "Car broke down"})

    assert "Booking rules saved." in response.content.decode()
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.LATE_CANCELLED
    [entry] = _changes()
    assert entry.changed_fields == ["cancellation_notice_hours"]
    assert entry.actor_username == "admin"


def test_an_admin_shortens_the_notice_and_a_cancellation_at_20_hours_is_not_late(
    admin, clinic, patient, practitioner
):
    visit = factories.appointment(
        patient=patient, practitioner=practitioner, start=timezone.now() + timedelta(hours=20)
    )

    admin.post(reverse("booking_rules"), {**RULES, "cancellation_notice_hours": "12"})
    admin.post(reverse("appointment_cancel", args=[visit.pk]), {"reason": "Unwell"})

    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.CANCELLED


def test_a_longer_minimum_notice_refuses_an_online_booking_it_used_to_accept(
    client, admin_user, clinic, practitioner
):
    # Two to four days ahead (the next weekday from the day after tomorrow): more than the
    # default 12 hours' notice, less than the 120 hours (5 days) set below.
    start = online.a_weekday_at(10, days_ahead=2)
    client.force_login(admin_user)
    client.post(reverse("booking_rules"), {**RULES, "min_booking_notice_hours": "120"})
    client.logout()

    refused = online.book(client, start)

    assert refused.status_code == 400
    assert "Online bookings need 120 hours" in refused.content.decode()
    assert not Appointment.objects.exists()

    Clinic.objects.update(min_booking_notice_hours=12)
    assert online.book(client, start).status_code == 302
    assert Appointment.objects.get().start == start


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cancellation_notice_hours", "-1"),
        ("cancellation_notice_hours", "169"),
        ("min_booking_notice_hours", "337"),
        ("booking_horizon_days", "0"),
        ("booking_horizon_days", "two months"),
        ("min_booking_notice_hours", "1.5"),
        ("cancellation_notice_hours", ""),
    ],
)
def test_a_bad_value_gets_a_400_with_the_field_s_error_and_nothing_changes(
    admin, clinic, field, value
):
    # The other two rules change too, and must not be saved either.
    data = {**RULES, "cancellation_notice_hours": "48", "booking_horizon_days": "30", field: value}

    response = admin.post(reverse("booking_rules"), data)

    assert response.status_code == 400
    page = response.content.decode()
    assert "There is a problem" in page
    assert f'id="id_{field}_error"' in page
    assert "must be a whole number" in page
    rules = _clinic()
    assert (rules.cancellation_notice_hours, rules.booking_horizon_days) == (24, 90)
    assert _changes() == []


@pytest.mark.parametrize("role", ["practitioner", "reception", "outsider"])
def test_other_roles_cannot_change_the_rules(client, users, clinic, role):
    client.force_login(users[role])

    response = client.post(reverse("booking_rules"), {**RULES, "cancellation_notice_hours": "1"})

    assert response.status_code == 403
    assert _clinic().cancellation_notice_hours == 24
    assert _changes() == []

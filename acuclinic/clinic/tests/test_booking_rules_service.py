"""Changing the booking rules in the service: each limit the database holds, refused
with a clear message and nothing written; only the rules that changed are audited; and
a new cancellation notice decides which cancellations are late."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic import booking_rules
from acuclinic.clinic.models import Clinic
from acuclinic.core.errors import InvalidRequest
from acuclinic.scheduling import services as scheduling
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.testing import factories

DEFAULTS = {
    "cancellation_notice_hours": 24,
    "min_booking_notice_hours": 12,
    "booking_horizon_days": 90,
    "arrival_window_minutes": 30,
}


def _rules() -> dict:
    return booking_rules.current(Clinic.objects.get())


def _changes() -> list:
    return list(AuditEntry.objects.filter(object_type="clinic.clinic", action="change"))


def test_the_rules_change_and_the_audit_names_only_the_ones_that_changed(clinic, admin_user):
    booking_rules.booking_rules_update(
        clinic,
        user=admin_user,
        cancellation_notice_hours=48,
        min_booking_notice_hours=12,  # as it was
        booking_horizon_days=60,
    )

    assert _rules() == {**DEFAULTS, "cancellation_notice_hours": 48, "booking_horizon_days": 60}
    [entry] = _changes()
    assert sorted(entry.changed_fields) == ["booking_horizon_days", "cancellation_notice_hours"]
    assert (entry.actor, entry.object_id) == (admin_user, str(clinic.pk))


def test_saving_the_same_rules_again_writes_no_audit_entry(clinic, admin_user):
    booking_rules.booking_rules_update(clinic, user=admin_user, **DEFAULTS)

    assert _rules() == DEFAULTS
    assert _changes() == []


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("cancellation_notice_hours", -1, "from 0 to 168 (7 days)"),
        ("cancellation_notice_hours", 169, "from 0 to 168 (7 days)"),
        ("min_booking_notice_hours", 337, "from 0 to 336 (14 days)"),
        ("min_booking_notice_hours", -5, "from 0 to 336 (14 days)"),
        ("booking_horizon_days", 0, "from 1 to 730"),
        ("booking_horizon_days", 731, "from 1 to 730"),
        ("booking_horizon_days", "30", "whole number of days"),
        ("cancellation_notice_hours", 12.5, "whole number of hours"),
        ("cancellation_notice_hours", None, "whole number of hours"),
        ("cancellation_notice_hours", True, "whole number of hours"),
    ],
)
def test_a_value_out_of_range_is_refused_and_nothing_is_written(
    clinic, admin_user, field, value, says
):
    with pytest.raises(InvalidRequest) as refused:
        # A good change beside the bad one must not be written either.
        booking_rules.booking_rules_update(
            clinic, user=admin_user, **{"min_booking_notice_hours": 6, field: value}
        )

    assert (refused.value.code, refused.value.field) == (f"invalid_{field}", field)
    assert says in refused.value.message
    assert _rules() == DEFAULTS
    assert _changes() == []


def test_a_name_that_is_not_a_booking_rule_is_refused(clinic, admin_user):
    with pytest.raises(InvalidRequest) as refused:
        booking_rules.booking_rules_update(clinic, user=admin_user, name="Renamed clinic")

    assert refused.value.code == "unknown_setting"
    assert Clinic.objects.get().name == clinic.name
    assert _changes() == []


def test_the_limits_said_are_the_ones_the_database_holds(clinic):
    # The messages and the form take their limits from the model; the database must
    # refuse just past them, so the page can never promise what the database refuses.
    for name in booking_rules.BOOKING_RULES:
        allowed = booking_rules.limits(name)
        for past in (allowed.low - 1, allowed.high + 1):
            with pytest.raises(IntegrityError), transaction.atomic():
                Clinic.objects.filter(pk=clinic.pk).update(**{name: past})
        for within in (allowed.low, allowed.high):
            Clinic.objects.filter(pk=clinic.pk).update(**{name: within})


def test_a_longer_notice_makes_a_cancellation_late_that_was_not(clinic, admin_user, patient):
    practitioner = factories.practitioner("prac", qualified_medical=True)
    start = timezone.now() + timedelta(hours=30)
    first = factories.appointment(patient=patient, practitioner=practitioner, start=start)
    second = factories.appointment(
        patient=patient, practitioner=practitioner, start=start + timedelta(hours=2)
    )
    assert scheduling.appointment_cancel(first).status == AppointmentStatus.CANCELLED

    booking_rules.booking_rules_update(clinic, user=admin_user, cancellation_notice_hours=48)

    assert scheduling.appointment_cancel(second).status == AppointmentStatus.LATE_CANCELLED

"""Appointment reminders: who gets one and when, what it says, and a moved or cancelled
appointment's reminder never going out for the wrong time."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from acuclinic.clinic.models import Clinic, Location
from acuclinic.core.formats import LONDON
from acuclinic.notifications import delivery
from acuclinic.notifications import services as notifications
from acuclinic.notifications.choices import MessageStatus
from acuclinic.notifications.models import Message
from acuclinic.scheduling import reminders
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories
from acuclinic.testing.smtp import smtp_server

# Tue 3 Mar 2026, 10:00 in London; "now" is the day before, at 09:00.
VISIT = datetime(2026, 3, 3, 10, 0, tzinfo=LONDON)
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=LONDON)
CLINICAL_HISTORY = "Chronic low back pain after a fall; on warfarin"


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def visit(clock, clinic, practitioner):
    Clinic.objects.filter(pk=clinic.pk).update(email="hello@riverside.test")
    Location.objects.filter(clinic=clinic).update(phone="0161 496 0123")
    patient = factories.patient(
        given_name="Mira",
        family_name="Okafor",
        email="mira.okafor@example.test",
        phone="07700 900123",
        contact_by_email=True,
        contact_by_sms=True,
        appointment_reminders=True,
    )
    factories.clinical_summary(patient, by=practitioner.user, history=CLINICAL_HISTORY)
    return factories.appointment(
        patient=patient,
        practitioner=practitioner,
        start=VISIT,
        notes="Prefers the ground-floor room",
    )


def _reminders(appointment) -> list[Message]:
    return list(Message.objects.filter(appointment=appointment).order_by("channel", "pk"))


def test_a_booked_appointment_gets_one_email_and_one_text_48_hours_before(clock, visit):
    clock.move_to(VISIT - timedelta(hours=48, minutes=1))
    assert reminders.queue_due_reminders() == 0
    clock.move_to(VISIT - timedelta(hours=48))
    assert reminders.queue_due_reminders() == 2
    email, text = _reminders(visit)
    assert (email.channel, email.recipient) == ("email", "mira.okafor@example.test")
    assert (text.channel, text.recipient) == ("sms", "+447700900123")
    assert {email.dedupe_key, text.dedupe_key} == {f"reminder:{visit.pk}:2026-03-03T10:00:00+00:00"}


def test_the_sweep_queues_each_reminder_once_however_often_it_runs(visit):
    assert reminders.queue_due_reminders() == 2
    assert reminders.queue_due_reminders() == 0
    assert reminders.queue_due_reminders() == 0
    assert len(_reminders(visit)) == 2


def test_the_reminder_email_says_when_where_with_whom_and_how_to_cancel(visit):
    reminders.queue_due_reminders()
    email = _reminders(visit)[0]
    assert email.subject == "Reminder: your appointment on Tue 3 Mar 2026, 10:00"
    assert email.body.startswith("Dear Mira,\n")
    assert "When:   Tue 3 Mar 2026, 10:00 (30 minutes)" in email.body
    assert "What:   Medical acupuncture" in email.body
    assert f"With:   {visit.practitioner.name}" in email.body
    assert "Where:  Room 1, Riverside, 1 Mill Lane, Testford, TE1 1ST" in email.body
    assert (
        "Please let us know at least 24 hours before: phone 0161 496 0123 or email "
        "hello@riverside.test."
    ) in email.body
    assert email.reply_to == "hello@riverside.test"
    assert "Tue 3 Mar 2026, 10:00" in email.html
    assert 'href="tel:01614960123"' in email.html


def test_the_text_reminder_is_short_and_says_how_to_cancel(visit):
    reminders.queue_due_reminders()
    text = _reminders(visit)[1]
    assert text.body == (
        f"Reminder: Medical acupuncture with {visit.practitioner.name}, Tue 3 Mar 2026, "
        "10:00 at Riverside. To cancel or move, call 0161 496 0123 at least 24 hours "
        "before. Riverside Physio"
    )


def test_reminders_carry_nothing_clinical_or_administrative_about_the_patient(visit):
    reminders.queue_due_reminders()
    for message in _reminders(visit):
        for text in (message.subject, message.body, message.html):
            assert "warfarin" not in text
            assert "back pain" not in text.lower()
            assert "ground-floor" not in text  # the front desk's notes stay inside


def test_the_clinics_notice_period_is_the_one_quoted(visit):
    Clinic.objects.update(cancellation_notice_hours=48)
    reminders.queue_due_reminders()
    assert "at least 48 hours before" in _reminders(visit)[0].body


@pytest.mark.parametrize(
    ("preferences", "channels"),
    [
        ({"appointment_reminders": False}, []),
        ({"contact_by_sms": False}, ["email"]),
        ({"contact_by_email": False}, ["sms"]),
        ({"email": ""}, ["sms"]),
        ({"phone": "0161 496 0999"}, ["email"]),  # a landline cannot take a text
    ],
)
def test_only_the_channels_the_patient_wants_and_can_receive_are_used(visit, preferences, channels):
    for name, value in preferences.items():
        setattr(visit.patient, name, value)
    visit.patient.save()
    reminders.queue_due_reminders()
    assert [m.channel for m in _reminders(visit)] == channels


def test_the_clinic_can_change_the_lead_time_and_switch_a_channel_off(clock, visit):
    notifications.messaging_policy_update(
        visit.room.location.clinic, reminder_lead_hours=24, sms_reminders=False
    )
    clock.move_to(VISIT - timedelta(hours=25))
    assert reminders.queue_due_reminders() == 0
    clock.move_to(VISIT - timedelta(hours=24))
    assert reminders.queue_due_reminders() == 1
    assert [m.channel for m in _reminders(visit)] == ["email"]


@pytest.mark.parametrize(
    "status",
    [AppointmentStatus.CANCELLED, AppointmentStatus.ARRIVED, AppointmentStatus.DID_NOT_ATTEND],
)
def test_appointments_that_are_not_booked_get_no_reminder(visit, status):
    Appointment.objects.filter(pk=visit.pk).update(status=status, cancelled_at=timezone.now())
    assert reminders.queue_due_reminders() == 0


def test_past_appointments_get_no_reminder(clock, visit):
    clock.move_to(VISIT + timedelta(minutes=1))
    assert reminders.queue_due_reminders() == 0


def test_a_reminder_is_sent_through_the_smtp_server_once(smtp, visit):
    reminders.queue_due_reminders()
    delivery.deliver_due()
    reminders.queue_due_reminders()
    delivery.deliver_due()
    assert len(smtp.received) == 1
    assert smtp.received[0].message["Subject"] == (
        "Reminder: your appointment on Tue 3 Mar 2026, 10:00"
    )
    assert "Tue 3 Mar 2026, 10:00" in smtp.received[0].text


def test_a_cancelled_appointments_queued_reminder_is_cancelled_not_sent(smtp, visit):
    reminders.queue_due_reminders()
    Appointment.objects.filter(pk=visit.pk).update(
        status=AppointmentStatus.CANCELLED, cancelled_at=timezone.now()
    )
    assert delivery.deliver_due() == ["cancelled", "cancelled"]
    assert smtp.received == []
    for message in _reminders(visit):
        assert message.status == MessageStatus.CANCELLED
        assert message.reason == "The appointment was cancelled."


def test_a_moved_appointment_gets_a_fresh_reminder_and_the_old_one_is_never_sent(
    smtp, clock, visit
):
    reminders.queue_due_reminders()
    old_email = _reminders(visit)[0]
    moved = VISIT + timedelta(hours=4)
    visit.start, visit.end = moved, moved + timedelta(minutes=30)
    visit.held_until = None  # worked out again on saving, from the new end
    visit.save()

    assert reminders.queue_due_reminders() == 2  # for the new time
    delivery.deliver_due()

    old_email.refresh_from_db()
    assert old_email.status == MessageStatus.CANCELLED
    assert old_email.reason == (
        "The appointment moved to Tue 3 Mar 2026, 14:00; a reminder for the new time "
        "replaces this one."
    )
    [received] = smtp.received
    assert received.message["Subject"] == "Reminder: your appointment on Tue 3 Mar 2026, 14:00"


def test_a_reminder_for_a_patient_who_opted_out_meanwhile_is_cancelled(smtp, visit):
    reminders.queue_due_reminders()
    visit.patient.contact_by_email = False
    visit.patient.save()
    delivery.deliver_due()
    email, text = _reminders(visit)
    assert (email.status, email.reason) == ("cancelled", "The patient no longer wants emails.")
    assert text.status == MessageStatus.SENT
    assert smtp.received == []


def test_a_changed_email_address_gets_the_reminder_at_the_new_address(smtp, visit):
    reminders.queue_due_reminders()
    visit.patient.email = "mira.new@example.test"
    visit.patient.save()
    delivery.deliver_due()  # the old one is cancelled…
    assert reminders.queue_due_reminders() == 1  # …and replaced
    delivery.deliver_due()
    assert [r.recipients for r in smtp.received] == [["mira.new@example.test"]]


def test_one_unusable_address_does_not_stop_the_others_reminders(visit, practitioner):
    broken = factories.patient(email="not an address", contact_by_sms=False)
    factories.appointment(
        patient=broken, practitioner=practitioner, start=VISIT + timedelta(hours=2)
    )
    assert reminders.queue_due_reminders() == 2  # Mira's two; none for the broken one


def test_the_failed_reminder_is_retried_and_never_shown_as_sent(smtp, visit, clock):
    smtp.refuse = "550 5.1.1 Mailbox unavailable"
    visit.patient.contact_by_sms = False
    visit.patient.save()
    reminders.queue_due_reminders()
    delivery.deliver_due()
    [email] = _reminders(visit)
    assert email.status == MessageStatus.FAILED
    assert email.sent_at is None
    assert email.reason.endswith("550 5.1.1 Mailbox unavailable")

    smtp.refuse = ""
    clock.move_to(email.next_attempt_at)
    delivery.deliver_due()
    email.refresh_from_db()
    assert email.status == MessageStatus.SENT
    assert len(smtp.received) == 1

"""Patients are told of the front desk's bookings, moves and cancellations through the
outbox (issue 15, point 4): an email with the .ics (and, for a first visit, the health
questionnaire link), a text for a patient who asked for texts; nothing when staff untick
it."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from acuclinic.clinic.models import Room, Service
from acuclinic.notifications.models import Message
from acuclinic.online_booking import patient_notices
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories

TICKED = {"tell_by_email": "on", "tell_by_text": "on"}


@pytest.fixture
def desk(client, reception_user):
    client.force_login(reception_user)
    return client


@pytest.fixture
def mira(clinic):
    return factories.patient(
        given_name="Mira",
        family_name="Okafor",
        email="mira.okafor@example.test",
        phone="07700 900123",
        contact_by_sms=True,
    )


def _booking(patient, practitioner, service, start, **extra):
    local = timezone.localtime(start)
    return {
        "patient": patient.pk,
        "practitioner": practitioner.pk,
        "room": Room.objects.get(name="Room 1").pk,
        "service": service.pk,
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "channel": "phone",
        "notes": "",
        **extra,
    }


def test_a_first_visit_booked_at_the_desk_emails_and_texts_the_patient(desk, mira, practitioner):
    first = Service.objects.get(name="Assessment and acupuncture")
    start = factories.next_weekday_at(10)

    desk.post(
        reverse("appointment_new") + f"?patient={mira.pk}",
        _booking(mira, practitioner, first, start, **TICKED),
    )

    appointment = Appointment.objects.get()
    email = Message.objects.get(kind=patient_notices.BOOKED, channel="email")
    text = Message.objects.get(kind=patient_notices.BOOKED, channel="sms")
    assert (email.recipient, email.appointment) == ("mira.okafor@example.test", appointment)
    assert email.subject.startswith("Booked: Assessment and acupuncture on ")
    assert "Dear Mira" in email.body
    assert "http://testserver/safety/q/" in email.body  # the questionnaire link
    assert "http://testserver/book/manage/" in email.body  # the cancel link
    assert [a.filename for a in email.attachments.all()] == ["appointment.ics"]
    assert text.recipient == "+447700900123"
    assert "booked Assessment and acupuncture" in text.body


def test_a_follow_up_gets_no_questionnaire_link_and_unticked_sends_nothing(
    desk, mira, practitioner
):
    follow_up = Service.objects.get(name="Follow-up")
    url = reverse("appointment_new") + f"?patient={mira.pk}"
    desk.post(url, _booking(mira, practitioner, follow_up, factories.next_weekday_at(10)))
    assert not Message.objects.exists()

    desk.post(
        url,
        _booking(mira, practitioner, follow_up, factories.next_weekday_at(12), tell_by_email="on"),
    )
    email = Message.objects.get()
    assert email.channel == "email"
    assert "/safety/q/" not in email.body


def test_a_move_and_a_clinic_cancellation_are_told_with_both_times(desk, mira, practitioner):
    start = factories.next_weekday_at(10)
    visit = factories.appointment(patient=mira, practitioner=practitioner, start=start)
    later = start + timedelta(hours=3)
    local = timezone.localtime(later)

    desk.post(
        reverse("appointment_move", args=[visit.pk]),
        {
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "practitioner": practitioner.pk,
            "room": visit.room_id,
            "tell_by_email": "on",
        },
    )
    desk.post(
        reverse("appointment_cancel", args=[visit.pk]),
        {"by": "clinic", "reason": "Practitioner unwell", **TICKED},
    )

    moved = Message.objects.get(kind=patient_notices.MOVED)
    assert moved.subject.startswith("Moved: your appointment is now on ")
    assert "It was on " in moved.body and "13:00" in moved.subject
    cancelled = Message.objects.get(kind=patient_notices.CANCELLED, channel="email")
    assert "We are sorry to have to cancel it: Practitioner unwell." in cancelled.body
    assert Message.objects.filter(kind=patient_notices.CANCELLED, channel="sms").exists()
    # The move's note is no longer wanted once the visit is cancelled; the outbox checks
    # before each attempt.
    assert patient_notices.reason_not_to_send(moved)


def test_the_booking_form_offers_to_tell_the_patient_ticked(desk, mira):
    page = desk.get(reverse("appointment_new") + f"?patient={mira.pk}").content.decode()
    for name in ("tell_by_email", "tell_by_text"):
        box = re.search(rf'<input type="checkbox" name="{name}"[^>]*>', page)[0]
        assert " checked" in box

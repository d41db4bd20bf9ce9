"""Fixtures for the outbox tests: a real SMTP server, and an appointment due a reminder."""

from datetime import timedelta

import pytest
from django.utils import timezone

from acuclinic.testing import factories
from acuclinic.testing.smtp import smtp_server


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


@pytest.fixture
def soon(clinic, practitioner):
    """A booked appointment tomorrow (inside the 48-hour reminder window), for a patient
    who wants reminders by email and text."""
    start = (timezone.now() + timedelta(hours=26)).replace(minute=0, second=0, microsecond=0)
    patient = factories.patient(
        given_name="Mira",
        family_name="Okafor",
        email="mira.okafor@example.test",
        phone="07700 900123",
        contact_by_email=True,
        contact_by_sms=True,
    )
    return factories.appointment(patient=patient, practitioner=practitioner, start=start)


@pytest.fixture(autouse=True)
def note_kind(monkeypatch):
    """A kind of message with no still-wanted check, for tests of the outbox itself."""
    from acuclinic.notifications import kinds

    monkeypatch.setitem(kinds.KINDS, "note", kinds.Kind("Note"))
    return "note"


@pytest.fixture
def queue_note(soon):
    """Queue an email note about ``soon`` (to its patient) and return it."""
    from acuclinic.notifications import services

    def queue(**overrides):
        fields = {
            "kind": "note",
            "to": soon.patient.email,
            "subject": "Your visit",
            "body": "See you soon.",
            "about": soon,
        }
        fields.update(overrides)
        return services.send(**fields)

    return queue

"""Fixtures for the portal's tests: a patient with an appointment, signing in by link."""

import re

import pytest
from django.urls import reverse

from acuclinic.notifications import kinds
from acuclinic.notifications.models import Message
from acuclinic.testing import factories

LINK = re.compile(r"https?://[^/\s]+(/portal/sign-in/[A-Za-z0-9_-]+/)")


def sign_in_form(patient, **overrides) -> dict:
    born = patient.date_of_birth
    data = {
        "email": patient.email,
        "day": str(born.day),
        "month": str(born.month),
        "year": str(born.year),
    }
    data.update(overrides)
    return data


def emailed_links(patient) -> list[str]:
    """The sign-in links emailed to ``patient`` (paths), newest first."""
    messages = Message.objects.filter(kind="portal_sign_in", patient=patient).order_by("-id")
    # As the email is sent: the outbox's stored copy withholds the link.
    return [LINK.search(kinds.body_for_sending(m)).group(1) for m in messages]


def ask_for_link(client, patient, **overrides) -> str:
    """Ask for a link on the sign-in page, as the patient would; return its path."""
    client.post(reverse("portal_sign_in"), sign_in_form(patient, **overrides))
    return emailed_links(patient)[0]


@pytest.fixture
def mira(clinic):
    return factories.patient(
        given_name="Mira", family_name="Okafor", email="mira.okafor@example.test"
    )


@pytest.fixture
def other_patient(clinic):
    return factories.patient(
        given_name="Tom", family_name="Ashdown", email="tom.ashdown@example.test"
    )

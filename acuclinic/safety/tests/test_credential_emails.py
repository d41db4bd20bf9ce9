"""Practitioners are emailed before a registration, membership or insurance lapses: as it
enters the last 30 days, at 7 days and on its last day, each once, and not after renewal."""

from datetime import timedelta

import pytest
from django.utils import timezone

from acuclinic.core.formats import format_date
from acuclinic.notifications import delivery
from acuclinic.notifications.choices import MessageStatus
from acuclinic.notifications.models import Message
from acuclinic.notifications.worker import PERIODIC_JOBS
from acuclinic.people.choices import CredentialKind
from acuclinic.people.models import Credential
from acuclinic.safety import credential_reminders
from acuclinic.testing import factories
from acuclinic.testing.smtp import smtp_server

pytestmark = pytest.mark.django_db


@pytest.fixture
def smtp():
    with smtp_server() as server:
        yield server


def ends_in(practitioner, days: int, kind: str = CredentialKind.REGISTRATION) -> Credential:
    credential = Credential.objects.get(practitioner=practitioner, kind=kind)
    credential.valid_until = timezone.localdate() + timedelta(days=days)
    credential.save()
    return credential


def sent_to(practitioner) -> list[Message]:
    return list(
        Message.objects.filter(kind=credential_reminders.KIND, recipient=practitioner.user.email)
    )


def test_a_registration_ending_within_30_days_is_emailed_once_through_smtp(smtp, practitioner):
    registration = ends_in(practitioner, 20)

    assert credential_reminders.queue_credential_reminders() == 1
    assert credential_reminders.queue_credential_reminders() == 0
    delivery.deliver_due()

    assert len(smtp.received) == 1
    email = smtp.received[0]
    assert email.message["To"] == practitioner.user.email
    assert email.message["Subject"] == (
        f"Your credentials end on {format_date(registration.valid_until)}"
    )
    assert f"HCPC {registration.number}" in email.text
    assert "20 days from today" in email.text
    assert "will not book acupuncture with you" in email.text


def test_it_reminds_again_at_a_week_and_on_the_last_day(practitioner):
    registration = ends_in(practitioner, 20)
    credential_reminders.queue_credential_reminders()

    today = registration.valid_until - timedelta(days=7)
    assert credential_reminders.queue_credential_reminders(today=today) == 1
    assert credential_reminders.queue_credential_reminders(today=today) == 0
    last_day = registration.valid_until
    assert credential_reminders.queue_credential_reminders(today=last_day) == 1
    assert sent_to(practitioner)[0].subject == "Your credentials end today"
    assert len(sent_to(practitioner)) == 3


def test_credentials_ending_later_than_30_days_get_no_email(practitioner):
    ends_in(practitioner, 31)
    assert credential_reminders.queue_credential_reminders() == 0
    assert sent_to(practitioner) == []


def test_one_email_lists_every_credential_ending_soon(practitioner):
    ends_in(practitioner, 10)
    ends_in(practitioner, 25, kind=CredentialKind.INSURANCE)
    credential_reminders.queue_credential_reminders()
    (message,) = sent_to(practitioner)
    assert "Professional registration" in message.body
    assert "Professional indemnity insurance" in message.body


def test_a_renewal_recorded_before_sending_cancels_the_queued_email(smtp, practitioner):
    registration = ends_in(practitioner, 5)
    credential_reminders.queue_credential_reminders()
    Credential.objects.create(
        practitioner=practitioner,
        kind=registration.kind,
        body=registration.body,
        number=registration.number,
        valid_from=registration.valid_until + timedelta(days=1),
        valid_until=registration.valid_until + timedelta(days=730),
    )

    assert delivery.deliver_due() == ["cancelled"]
    assert smtp.received == []
    (message,) = sent_to(practitioner)
    assert message.status == MessageStatus.CANCELLED
    assert message.reason == "A renewal is on file."
    # Renewed, so the sweep has nothing more to say.
    assert credential_reminders.queue_credential_reminders() == 0


def test_a_practitioner_without_an_email_address_does_not_stop_the_others(practitioner):
    colleague = factories.practitioner("colleague", qualified_medical=True)
    colleague.user.email = ""
    colleague.user.save()
    ends_in(colleague, 3)
    ends_in(practitioner, 3)
    assert credential_reminders.queue_credential_reminders() == 1
    assert len(sent_to(practitioner)) == 1


def test_the_worker_runs_the_reminders_every_hour():
    (job,) = [j for j in PERIODIC_JOBS if j.path.endswith("queue_credential_reminders")]
    assert job.every_seconds == 3600


@pytest.mark.parametrize(("days_left", "stage"), [(30, 30), (12, 30), (7, 7), (1, 7), (0, 0)])
def test_each_day_belongs_to_the_most_urgent_stage_it_has_reached(days_left, stage):
    assert credential_reminders.stage_for(days_left) == stage

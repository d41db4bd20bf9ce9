"""Emails telling practitioners their registration, membership or insurance is running out.

A lapsed credential blocks acupuncture bookings and closes the needling gate, so the
practitioner hears about it well before: when a credential enters the last 30 days, again
at 7 days and on its last day. ``acuclinic worker`` runs ``queue_credential_reminders``
every hour; the outbox's dedupe key (practitioner, stage, the credential's end date) sends
each stage once however often it runs, and a renewal (a new end date) starts afresh.
Before each attempt ``reason_not_to_send`` checks the credential still ends then, so a
renewal recorded in the meantime cancels the email instead of sending it.
"""

import logging
from datetime import date

from django.utils import timezone

from acuclinic.core.errors import ServiceError
from acuclinic.core.formats import format_date
from acuclinic.notifications import services as notifications
from acuclinic.notifications.choices import MessageStatus
from acuclinic.notifications.models import Message
from acuclinic.people.models import Credential
from acuclinic.safety import queries
from acuclinic.safety.services import CredentialReminder, credentials_expiring

logger = logging.getLogger(__name__)

KIND = "credential_expiry"
# Days before the end at which a reminder goes: entering the window, a week, the last day.
STAGES = (queries.EXPIRY_WARNING_DAYS, 7, 0)


def stage_for(days_left: int) -> int:
    """The most urgent stage ``days_left`` has reached (30, 7 or 0)."""
    return min(stage for stage in STAGES if stage >= days_left)


def reminder_key(reminder: CredentialReminder) -> str:
    first = min(reminder.expiring, key=lambda e: e.days_left)
    return (
        f"credentials:{reminder.practitioner.pk}:{stage_for(first.days_left)}:"
        f"{first.credential.pk}:{first.credential.valid_until.isoformat()}"
    )


def _line(expiring: queries.ExpiringCredential) -> str:
    credential = expiring.credential
    when = (
        "today is its last day"
        if expiring.days_left == 0
        else f"{expiring.days_left} day{'s' if expiring.days_left != 1 else ''} from today"
    )
    return (
        f"- {credential.get_kind_display()}: {credential.body} {credential.number}, "
        f"ends {format_date(credential.valid_until)} ({when})"
    )


def draft(reminder: CredentialReminder) -> tuple[str, str]:
    """The subject and body of the email for ``reminder``."""
    first = min(reminder.expiring, key=lambda e: e.days_left)
    subject = (
        "Your credentials end today"
        if first.days_left == 0
        else f"Your credentials end on {format_date(first.credential.valid_until)}"
    )
    lines = [
        f"Dear {reminder.practitioner.user.first_name or reminder.practitioner.name},",
        "",
        "These are running out with no renewal on file:",
        "",
        *(_line(e) for e in reminder.expiring),
        "",
        "Once one lapses, acuclinic will not book acupuncture with you or open the needling",
        "check for your patients until the renewal is recorded. Please send the renewed",
        "details to the clinic admin, who will add them to your record.",
        "",
        "This is an automatic reminder from acuclinic.",
    ]
    return subject, "\n".join(lines) + "\n"


def queue_credential_reminders(today: date | None = None) -> int:
    """Queue the reminders that are due and not yet queued. Returns how many were queued."""
    today = today or timezone.localdate()
    count = 0
    for reminder in credentials_expiring(today=today):
        subject, body = draft(reminder)
        key = reminder_key(reminder)
        if (
            Message.objects.filter(kind=KIND, dedupe_key=key)
            .exclude(status=MessageStatus.CANCELLED)
            .exists()
        ):
            continue
        try:
            notifications.send(
                kind=KIND, to=reminder.email, subject=subject, body=body, dedupe_key=key
            )
        except ServiceError as exc:
            # One practitioner's unusable address must not hold up everyone else's.
            logger.warning("No credential reminder for %s: %s", reminder.practitioner, exc.message)
        else:
            count += 1
    return count


def reason_not_to_send(message) -> str:
    """Why this reminder should not go now ("" if it should). Run before every attempt."""
    try:
        _, _, _, credential_id, valid_until = message.dedupe_key.split(":")
    except ValueError:
        return "The reminder no longer names a credential."
    credential = Credential.objects.filter(pk=credential_id).first()
    if credential is None:
        return "The credential was removed."
    if credential.valid_until is None or credential.valid_until.isoformat() != valid_until:
        return "The credential's dates changed; a new reminder follows if still needed."
    if queries.is_renewed(credential):
        return "A renewal is on file."
    return ""

"""A message's delivery in words, the same on the appointment page, the outbox and the API.

The wording never blurs the states: only a message the other side accepted reads
"Sent"; a failure says why and whether another try is coming.
"""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from acuclinic.core.formats import LONDON, format_datetime
from acuclinic.notifications.choices import MessageStatus
from acuclinic.notifications.delivery import max_attempts
from acuclinic.notifications.models import Message


@dataclass(frozen=True)
class Delivery:
    status: str  # the MessageStatus value, for styling and machines
    label: str  # "Sent", "Failed – will try again", …
    when: str  # the time that matters for this status, e.g. "next try Tue 3 Mar 2026, 10:05"
    reason: str
    attempts: str  # "2 of 5"


def _at(value: datetime | None) -> str:
    return format_datetime(value, LONDON) if value else ""


def delivery(message: Message, *, now: datetime | None = None) -> Delivery:
    now = now or timezone.now()
    limit = max(max_attempts(), message.attempts)
    attempts = f"{message.attempts} of {limit}" if message.attempts else "none yet"
    status = message.status
    if status == MessageStatus.SENT:
        label, when = "Sent", _at(message.sent_at)
    elif status == MessageStatus.SENDING:
        label, when = "Sending", f"since {_at(message.claimed_at)}"
    elif status == MessageStatus.QUEUED:
        due = message.next_attempt_at
        label = "Queued"
        when = f"to go {_at(due)}" if due and due > now else f"since {_at(message.created_at)}"
    elif message.will_retry:
        label, when = "Failed – will try again", f"next try {_at(message.next_attempt_at)}"
    elif status == MessageStatus.FAILED:
        label, when = "Failed – not sent", f"last tried {_at(message.claimed_at)}"
    else:
        label, when = "Cancelled", _at(message.updated_at)
    return Delivery(
        status=status,
        label=label,
        when=when,
        reason=message.reason if status in (MessageStatus.FAILED, MessageStatus.CANCELLED) else "",
        attempts=attempts,
    )

"""Delivering queued messages: at most once each, retried with back-off, never shown as
sent unless the other side accepted it.

An attempt has three steps, each its own short transaction so the database is never
locked while a mail server thinks:

1. **Claim**: a conditional UPDATE moves the message from queued (or failed and due
   again) to *sending* and counts the attempt. Only one worker's UPDATE can match, so two
   workers, or the same task run twice, cannot both send it. A message that is no longer
   wanted (its kind's check, see kinds.py) is cancelled here instead.
2. **Hand over** to the mail server or SMS service, outside any transaction.
3. **Record** the outcome: *sent*, or *failed* with the reason and, until the attempts
   run out, the time of the next try (exponential back-off) with a task queued for it.

A worker that dies between 1 and 3 leaves the message *sending*. Nobody can know
whether the server took it, so after ``SENDING_LEASE`` it is marked failed with that
explanation and left for a person: sending it again automatically could send it twice.

The queue is django-tasks: ``deliver_message`` is the task, and it carries only the
message's id. The message row is the truth about what to send and whether it already
went, so running a task twice, or late, is safe.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import task

from acuclinic.notifications import channels, kinds
from acuclinic.notifications.choices import AttemptOutcome, MessageStatus
from acuclinic.notifications.models import DeliveryAttempt, Message

logger = logging.getLogger(__name__)

# Far longer than any send takes (EMAIL_TIMEOUT is 15 s): a message still "sending"
# after this belongs to a worker that stopped.
SENDING_LEASE = timedelta(minutes=15)
# A message due this long ago and still waiting has lost its task (a worker died while
# holding it, or the queue was cleared): it gets a new one.
LOST_AFTER = timedelta(minutes=10)

UNKNOWN_OUTCOME = (
    "The worker stopped while sending, so it is not known whether this message went. "
    "It was not sent again automatically, so that it cannot arrive twice: send it again "
    "from the outbox if it is still needed."
)
RETRYABLE = (MessageStatus.QUEUED, MessageStatus.FAILED)


def max_attempts() -> int:
    return max(1, settings.ACUCLINIC_MESSAGE_MAX_ATTEMPTS)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th failure: 1, 4, 16, 64… times the base."""
    return timedelta(seconds=settings.ACUCLINIC_MESSAGE_RETRY_SECONDS * 4 ** (attempts - 1))


@task()
def deliver_message(message_id: int) -> str:
    return deliver(message_id)


def enqueue_delivery(message_id: int, *, run_after: datetime | None = None) -> None:
    """Queue a delivery attempt for ``message_id``, not before ``run_after``."""
    chosen = deliver_message
    backend = chosen.get_backend()
    # The immediate backend (tests) cannot wait; it runs at once, finds the message is
    # not yet due and leaves it for the worker's sweep (requeue_lost).
    if run_after is not None and run_after > timezone.now() and backend.supports_defer:
        chosen = chosen.using(run_after=run_after)
    chosen.enqueue(message_id)


def enqueue_delivery_on_commit(message_id: int, *, run_after: datetime | None = None) -> None:
    """Queue the delivery once the caller's transaction commits: a worker must never look
    for a message that is not there yet, nor send one whose creation was rolled back."""
    transaction.on_commit(lambda: enqueue_delivery(message_id, run_after=run_after))


def deliver(message_id: int) -> str:
    """Make one attempt at sending a message, if it is due. Returns what happened, in a
    word, for the task's result: sent, failed, cancelled, or why it was left alone."""
    claimed = _claim(message_id)
    if isinstance(claimed, str):
        return claimed
    message, attempt = claimed
    try:
        reference = channels.hand_over(message)
    except Exception as exc:
        reason = channels.describe_failure(exc, message.channel)
        logger.warning("Message %s attempt %s failed: %s", message.pk, attempt.number, reason)
        return _record_failure(message, attempt, reason)
    _record_sent(message, attempt, reference)
    return "sent"


def _claim(message_id: int) -> tuple[Message, DeliveryAttempt] | str:
    now = timezone.now()
    with transaction.atomic():
        message = (
            Message.objects.select_for_update(of=("self",))
            .select_related("appointment", "patient")
            .filter(pk=message_id)
            .first()
        )
        if message is None:
            return "missing"
        if message.status not in RETRYABLE or message.next_attempt_at is None:
            return f"not sendable ({message.status})"
        if message.next_attempt_at > now:
            return "not due"
        reason = kinds.reason_not_to_send(message)
        if reason:
            Message.objects.filter(pk=message.pk, status=message.status).update(
                status=MessageStatus.CANCELLED,
                reason=reason[:500],
                next_attempt_at=None,
                updated_at=now,
            )
            return "cancelled"
        number = message.attempts + 1
        # The claim: matches only while nobody else has claimed this attempt.
        claimed = Message.objects.filter(
            pk=message.pk, status=message.status, attempts=message.attempts
        ).update(status=MessageStatus.SENDING, attempts=number, claimed_at=now, updated_at=now)
        if not claimed:
            return "claimed elsewhere"
        attempt = DeliveryAttempt.objects.create(message=message, number=number, started_at=now)
    message.status, message.attempts, message.claimed_at = MessageStatus.SENDING, number, now
    return message, attempt


def _record_sent(message: Message, attempt: DeliveryAttempt, reference: str) -> None:
    now = timezone.now()
    with transaction.atomic():
        # Also from "failed": if this worker was so slow that its attempt was already
        # written off as unknown, the truth is that it went.
        Message.objects.filter(
            pk=message.pk,
            attempts=attempt.number,
            status__in=[MessageStatus.SENDING, MessageStatus.FAILED],
        ).update(
            status=MessageStatus.SENT,
            sent_at=now,
            reason="",
            next_attempt_at=None,
            provider_reference=reference[:200],
            updated_at=now,
        )
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=now, outcome=AttemptOutcome.SENT, detail=reference[:500]
        )


def _record_failure(message: Message, attempt: DeliveryAttempt, reason: str) -> str:
    now = timezone.now()
    retry_at = None if attempt.number >= max_attempts() else now + retry_delay(attempt.number)
    with transaction.atomic():
        updated = Message.objects.filter(
            pk=message.pk, attempts=attempt.number, status=MessageStatus.SENDING
        ).update(
            status=MessageStatus.FAILED,
            reason=reason,
            next_attempt_at=retry_at,
            enqueued_at=now if retry_at else F("enqueued_at"),
            updated_at=now,
        )
        DeliveryAttempt.objects.filter(pk=attempt.pk).update(
            finished_at=now, outcome=AttemptOutcome.FAILED, detail=reason
        )
        if updated and retry_at is not None:
            enqueue_delivery_on_commit(message.pk, run_after=retry_at)
    return "failed"


def give_up_on_stalled(now: datetime | None = None) -> int:
    """Mark messages whose worker stopped mid-send as failed, outcome unknown."""
    now = now or timezone.now()
    with transaction.atomic():
        stalled = list(
            Message.objects.filter(
                status=MessageStatus.SENDING, claimed_at__lte=now - SENDING_LEASE
            ).values_list("pk", "attempts")
        )
        for pk, attempts in stalled:
            Message.objects.filter(pk=pk, status=MessageStatus.SENDING, attempts=attempts).update(
                status=MessageStatus.FAILED,
                reason=UNKNOWN_OUTCOME,
                next_attempt_at=None,
                updated_at=now,
            )
            DeliveryAttempt.objects.filter(message_id=pk, number=attempts, outcome="").update(
                finished_at=now, outcome=AttemptOutcome.UNKNOWN, detail=UNKNOWN_OUTCOME
            )
    for pk, _ in stalled:
        logger.error("Message %s: the worker stopped while sending it; outcome unknown.", pk)
    return len(stalled)


def requeue_lost(now: datetime | None = None) -> int:
    """Give a new task to each message that is overdue and was not queued recently.

    A duplicate task is harmless (the claim lets one through), so this errs on the side
    of queueing; ``enqueued_at`` keeps it to once per ``LOST_AFTER`` per message.
    """
    now = now or timezone.now()
    cutoff = now - LOST_AFTER
    with transaction.atomic():
        lost = list(
            Message.objects.filter(status__in=RETRYABLE, next_attempt_at__lte=cutoff)
            .filter(Q(enqueued_at__isnull=True) | Q(enqueued_at__lte=cutoff))
            .values_list("pk", flat=True)[:500]
        )
        Message.objects.filter(pk__in=lost).update(enqueued_at=now)
        for pk in lost:
            enqueue_delivery_on_commit(pk)
    return len(lost)


def recover(now: datetime | None = None) -> str:
    """The worker's periodic clean-up: stalled sends written off, lost ones re-queued.
    Returns a summary for the worker's log, "" when there was nothing to do."""
    stalled, lost = give_up_on_stalled(now), requeue_lost(now)
    return f"{stalled} stalled, {lost} re-queued" if stalled or lost else ""


def deliver_due(now: datetime | None = None) -> list[str]:
    """Attempt every message that is due, here and now, without the queue.

    For a one-off run from a shell, and for tests of other apps that want their
    messages to go out without running a worker.
    """
    now = now or timezone.now()
    due = Message.objects.filter(status__in=RETRYABLE, next_attempt_at__lte=now).order_by(
        "next_attempt_at", "pk"
    )
    return [deliver(pk) for pk in due.values_list("pk", flat=True)]

"""The background task that delivers a message, and putting it on the queue.

The task carries only the message's id: the message row is the truth about what to send
and whether it already went (see delivery.py), so running a task twice, or late, is safe.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task


@task()
def deliver_message(message_id: int) -> str:
    from acuclinic.notifications import delivery

    return delivery.deliver(message_id)


def enqueue_delivery(message_id: int, *, run_after: datetime | None = None) -> None:
    """Queue a delivery attempt for ``message_id``, not before ``run_after``."""
    chosen = deliver_message
    backend = chosen.get_backend()
    # The immediate backend (tests) cannot wait; it runs at once, finds the message is
    # not yet due and leaves it for the worker's sweep (delivery.requeue_lost).
    if run_after is not None and run_after > timezone.now() and backend.supports_defer:
        chosen = chosen.using(run_after=run_after)
    chosen.enqueue(message_id)


def enqueue_delivery_on_commit(message_id: int, *, run_after: datetime | None = None) -> None:
    """Queue the delivery once the caller's transaction commits: a worker must never look
    for a message that is not there yet, nor send one whose creation was rolled back."""
    transaction.on_commit(lambda: enqueue_delivery(message_id, run_after=run_after))

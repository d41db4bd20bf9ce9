from datetime import date, datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from acuclinic.notifications.choices import MessageStatus
from acuclinic.notifications.models import Message


def messages_about(appointment) -> QuerySet[Message]:
    """The messages about one appointment, newest first."""
    return Message.objects.filter(appointment=appointment).order_by("-created_at", "-id")


def outbox(
    *,
    status: str = "",
    kind: str = "",
    channel: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Message]:
    """Every message, newest first, narrowed by the outbox's filters (local dates)."""
    qs = (
        Message.objects.select_related("appointment", "patient")
        .prefetch_related("attempt_log")
        .order_by("-created_at", "-id")
    )
    if status == "retrying":
        qs = qs.filter(status=MessageStatus.FAILED, next_attempt_at__isnull=False)
    elif status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    if channel:
        qs = qs.filter(channel=channel)
    if since:
        qs = qs.filter(created_at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    if until:
        end = datetime.combine(until + timedelta(days=1), time.min)
        qs = qs.filter(created_at__lt=timezone.make_aware(end))
    return qs

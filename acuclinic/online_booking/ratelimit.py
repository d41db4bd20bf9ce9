"""Counting uses of the public forms, per address and per email, across every process.

Each use adds one to a row for its key and the current window of time (a fixed window:
"this hour", "today"). The rows live in the database, so every web worker, and every
server behind a load balancer, counts together; an in-memory cache would give each
process its own allowance. Keys are digests, so the table holds no addresses or emails.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from acuclinic.core.errors import ServiceError
from acuclinic.online_booking.models import RateLimitCount

# Windows older than this are of no further use and are deleted as new ones start.
KEEP_FOR = timedelta(days=2)


class TooManyRequests(ServiceError):
    status = 429


@dataclass(frozen=True)
class Limit:
    """At most ``allowed`` uses per ``window`` for each value of one kind of key."""

    name: str
    allowed: int
    window: timedelta


def key_for(limit: Limit, value: str) -> str:
    digest = hashlib.sha256(value.strip().lower().encode()).hexdigest()[:40]
    return f"{limit.name}:{digest}"


def window_start(moment: datetime, window: timedelta) -> datetime:
    seconds = int(window.total_seconds())
    epoch = int(moment.timestamp())
    return datetime.fromtimestamp(epoch - epoch % seconds, tz=UTC)


def count_use(limit: Limit, value: str, *, now: datetime | None = None) -> int:
    """Count one use of ``value`` under ``limit``; returns the count in this window."""
    now = now or timezone.now()
    key, start = key_for(limit, value), window_start(now, limit.window)
    with transaction.atomic():
        row, created = RateLimitCount.objects.get_or_create(
            key=key, window_start=start, defaults={"count": 1}
        )
        if created:
            RateLimitCount.objects.filter(window_start__lt=now - KEEP_FOR).delete()
            return 1
        RateLimitCount.objects.filter(pk=row.pk).update(count=F("count") + 1)
        return RateLimitCount.objects.values_list("count", flat=True).get(pk=row.pk)


def check(limits: list[tuple[Limit, str]], *, now: datetime | None = None) -> None:
    """Count a use against each (limit, value); raise TooManyRequests if any is over.

    Every limit is counted even when an earlier one is over, so hammering from one
    address still uses up the allowance of the email it tries.
    """
    over = [
        limit
        for limit, value in limits
        if value and count_use(limit, value, now=now) > limit.allowed
    ]
    if over:
        raise TooManyRequests(
            "too_many_requests",
            "We have had too many requests like this one in a short time, so we cannot "
            "take this one now. Please try again later, or phone us.",
            extra={"limit": over[0].name},
        )

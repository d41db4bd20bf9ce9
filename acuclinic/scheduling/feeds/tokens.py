"""The secret tokens in practitioners' calendar subscription URLs: making, revoking and
recognising them. Each change is audited."""

import hashlib
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.errors import Conflict
from acuclinic.people.models import CalendarFeedToken, Practitioner

PREFIX = "cal_"
# Calendar programs poll every few minutes; "last used" only needs to say roughly when.
LAST_USED_RESOLUTION = timedelta(minutes=5)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def live_token(practitioner: Practitioner) -> CalendarFeedToken | None:
    return CalendarFeedToken.objects.filter(
        practitioner=practitioner, revoked_at__isnull=True
    ).first()


def _revoke_live(practitioner: Practitioner, *, user, now, why: str) -> CalendarFeedToken | None:
    token = (
        CalendarFeedToken.objects.select_for_update()
        .filter(practitioner=practitioner, revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    token.revoked_at = now
    token.revoked_by = user if user is not None and user.pk else None
    token.save(update_fields=["revoked_at", "revoked_by"])
    audit.record(AuditAction.CHANGE, token, changed_fields=["revoked_at"], detail=why, user=user)
    return token


def calendar_feed_issue(practitioner: Practitioner, *, user) -> tuple[CalendarFeedToken, str]:
    """A new subscription URL secret for ``practitioner``; any previous one stops working.
    Returns the token and the secret, which is not stored and cannot be shown again."""
    secret = PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    with transaction.atomic():
        # Lock the practitioner so two clicks cannot leave two live tokens (the database
        # refuses that too: one live token per practitioner).
        Practitioner.objects.select_for_update().get(pk=practitioner.pk)
        _revoke_live(practitioner, user=user, now=now, why="calendar feed replaced")
        token = CalendarFeedToken.objects.create(
            practitioner=practitioner,
            digest=_digest(secret),
            prefix=secret[:12],
            created_by=user if user is not None and user.pk else None,
        )
        audit.record(AuditAction.CREATE, token, detail="calendar feed URL made", user=user)
    return token, secret


def calendar_feed_revoke(practitioner: Practitioner, *, user) -> CalendarFeedToken:
    """Stop ``practitioner``'s calendar feed. Calendars subscribed to it stop updating."""
    with transaction.atomic():
        token = _revoke_live(
            practitioner, user=user, now=timezone.now(), why="calendar feed revoked"
        )
    if token is None:
        raise Conflict("no_calendar_feed", f"{practitioner.name} has no calendar feed to stop.")
    return token


def token_for_secret(secret: str) -> CalendarFeedToken | None:
    """The live token a URL's secret belongs to, or None (unknown, revoked, malformed,
    or the practitioner's account is switched off)."""
    if not secret.startswith(PREFIX) or len(secret) > 100:
        return None
    token = (
        CalendarFeedToken.objects.select_related("practitioner__user")
        .filter(digest=_digest(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.practitioner.is_active or not token.practitioner.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        CalendarFeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token

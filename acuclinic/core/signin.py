"""Counting failed sign-ins and refusing attempts while a key must wait or is locked.

Audit sits above core, so what happens here is announced with signals the audit app
records (audit/signals.py): ``signin_refused`` (an attempt refused unchecked),
``signin_locked`` (a key just locked) and ``signin_unlocked`` (an admin unlocked it).
"""

from dataclasses import dataclass

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

from acuclinic.core import signin_policy as policy
from acuclinic.core.models import SignInThrottle

signin_refused = Signal()
signin_locked = Signal()
signin_unlocked = Signal()

POLICIES = {SignInThrottle.ACCOUNT: policy.ACCOUNT, SignInThrottle.ADDRESS: policy.ADDRESS}


@dataclass(frozen=True)
class Wait:
    seconds: int
    kind: str  # which key made the attempt wait: account or address


def _keys(username: str, address: str | None) -> list[tuple[str, str]]:
    keys = [(SignInThrottle.ACCOUNT, username.strip().lower()[:150])]
    if address:
        keys.append((SignInThrottle.ADDRESS, address))
    return keys


def _state(row: SignInThrottle | None) -> policy.State:
    if row is None:
        return policy.State()
    return policy.State(row.failures, row.last_failure_at, row.locked_until)


def wait_before_attempt(request, username: str, address: str | None) -> Wait | None:
    """None if an attempt may be checked now; otherwise how long to wait (and audited)."""
    now = timezone.now()
    rows = {
        (row.kind, row.key): row
        for row in SignInThrottle.objects.filter(
            key__in=[key for _, key in _keys(username, address)]
        )
    }
    longest = None
    for kind, key in _keys(username, address):
        seconds = policy.wait_seconds(POLICIES[kind], _state(rows.get((kind, key))), now)
        if seconds and (longest is None or seconds > longest.seconds):
            longest = Wait(seconds, kind)
    if longest is not None:
        signin_refused.send(sender=SignInThrottle, request=request, username=username, wait=longest)
    return longest


@transaction.atomic
def count_failure(request, username: str, address: str | None) -> None:
    """Count one failed attempt against the account name and the address."""
    now = timezone.now()
    for kind, key in _keys(username, address):
        row, _ = SignInThrottle.objects.select_for_update().get_or_create(kind=kind, key=key)
        before = _state(row)
        after = policy.after_failure(POLICIES[kind], before, now)
        row.failures, row.last_failure_at, row.locked_until = (
            after.failures,
            after.last_failure_at,
            after.locked_until,
        )
        row.save()
        if policy.newly_locked(before, after, now):
            signin_locked.send(sender=SignInThrottle, request=request, kind=kind, key=key, row=row)


def clear_account(username: str) -> None:
    """A successful sign-in forgets the account's failures (not the address's)."""
    SignInThrottle.objects.filter(
        kind=SignInThrottle.ACCOUNT, key=username.strip().lower()
    ).delete()


def current_locks():
    """Keys locked now, or made to wait, newest first: the admins' unlock page."""
    return SignInThrottle.objects.filter(locked_until__gt=timezone.now())


@transaction.atomic
def unlock(request, pk: int) -> SignInThrottle | None:
    row = SignInThrottle.objects.select_for_update().filter(pk=pk).first()
    if row is None:
        return None
    row.delete()
    signin_unlocked.send(sender=SignInThrottle, request=request, kind=row.kind, key=row.key)
    return row

"""Passkeys (WebAuthn) as the second step of signing in, with django-otp-webauthn.

A passkey is added on top of an authenticator app, never instead of it: the app comes
with the recovery codes, and a browser without passkeys or JavaScript still signs in
with a code. Each passkey is a django-otp device, so passing it marks the session as
verified exactly as a code does. Adding, removing, using and failing a passkey are all
audited; a failure counts against the same sign-in throttle as a wrong code.
"""

from django.db import transaction
from django_otp_webauthn.models import WebAuthnCredential

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.people import two_factor


def of(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True).order_by("created_at")


def has_any(user) -> bool:
    return of(user).exists()


def may_add(user) -> bool:
    """Only someone with an authenticator app, signed in with it this session."""
    return two_factor.confirmed_totp(user) is not None and user.is_verified()


def registered(device: WebAuthnCredential) -> None:
    number = WebAuthnCredential.objects.filter(user=device.user).count()
    device.name = f"Passkey {number}"
    device.save(update_fields=["name"])
    audit.record(
        AuditAction.CHANGE, object_type="two_factor", detail=f"passkey added: {device.name}"
    )


@transaction.atomic
def remove(user, pk: int) -> WebAuthnCredential | None:
    device = of(user).select_for_update().filter(pk=pk).first()
    if device is None:
        return None
    device.delete()
    audit.record(
        AuditAction.CHANGE, object_type="two_factor", detail=f"passkey removed: {device.name}"
    )
    return device


def verified(device: WebAuthnCredential) -> None:
    audit.record(
        AuditAction.LOGIN,
        object_type="two_factor",
        detail=f"verified by {device.name or 'passkey'}",
    )


def refused(code: str) -> None:
    audit.record(
        AuditAction.LOGIN_FAILED, object_type="two_factor", detail=f"passkey refused: {code}"[:200]
    )

"""Sign-ins, sign-outs, failed attempts and pages refused go to the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.access import access_denied
from acuclinic.core.rate_limit import reset_request_refused
from acuclinic.core.signin import signin_locked, signin_refused, signin_unlocked


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit.record(AuditAction.LOGIN, object_type="session", user=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(AuditAction.LOGOUT, object_type="session", user=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Only the username tried is kept, never the password; never the token either.
    if "api_token" in credentials:
        why = getattr(request, "api_token_refusal", "") or "unknown"
        audit.record(
            AuditAction.LOGIN_FAILED, object_type="api", detail=f"API token refused: {why}"
        )
        return
    audit.record(
        AuditAction.LOGIN_FAILED,
        object_type="session",
        detail=f"username tried: {credentials.get('username', '')}"[:200],
    )


@receiver(access_denied, dispatch_uid="audit_access_denied")
def _access_denied(sender, request, object_type: str, detail: str, **kwargs):
    # Someone opening what their role does not allow is exactly what a clinic's data
    # protection officer wants to see.
    audit.record(AuditAction.DENIED, object_type=object_type, detail=detail[:200])


@receiver(signin_refused, dispatch_uid="audit_signin_refused")
def _signin_refused(sender, request, username: str, wait, **kwargs):
    # Refused before the password was looked at: still a failed attempt to record.
    audit.record(
        AuditAction.LOGIN_FAILED,
        object_type="session",
        detail=f"username tried: {username}; refused unchecked, "
        f"{wait.kind} must wait {wait.seconds}s"[:200],
    )


@receiver(signin_locked, dispatch_uid="audit_signin_locked")
def _signin_locked(sender, request, kind: str, key: str, row, **kwargs):
    audit.record(
        AuditAction.LOCKOUT,
        object_type=f"signin.{kind}",
        detail=f"{kind} {key} locked after {row.failures} failed sign-ins"[:200],
    )


@receiver(signin_unlocked, dispatch_uid="audit_signin_unlocked")
def _signin_unlocked(sender, request, kind: str, key: str, **kwargs):
    audit.record(AuditAction.UNLOCK, object_type=f"signin.{kind}", detail=f"{kind} {key}"[:200])


@receiver(reset_request_refused, dispatch_uid="audit_reset_request_refused")
def _reset_request_refused(sender, request, email: str, reason: str, **kwargs):
    # The email tried is kept, like the username of a failed sign-in: someone asking
    # again and again for one person's reset link is worth seeing.
    audit.record(
        AuditAction.DENIED,
        object_type="password_reset",
        detail=f"reset link refused, too many for this {reason}; email tried: {email}"[:200],
    )

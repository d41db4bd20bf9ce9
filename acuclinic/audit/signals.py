"""Sign-ins, sign-outs, failed attempts and pages refused go to the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.access import access_denied


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
        audit.record(AuditAction.LOGIN_FAILED, object_type="api", detail="API token refused")
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

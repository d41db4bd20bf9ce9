"""Sign-ins, sign-outs and failed attempts go to the audit trail."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction


@receiver(user_logged_in, dispatch_uid="audit_login")
def _logged_in(sender, request, user, **kwargs):
    audit.record(AuditAction.LOGIN, object_type="session", user=user)


@receiver(user_logged_out, dispatch_uid="audit_logout")
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit.record(AuditAction.LOGOUT, object_type="session", user=user)


@receiver(user_login_failed, dispatch_uid="audit_login_failed")
def _login_failed(sender, credentials, request=None, **kwargs):
    # Only the username tried is kept, never the password.
    audit.record(
        AuditAction.LOGIN_FAILED,
        object_type="session",
        detail=f"username tried: {credentials.get('username', '')}"[:200],
    )

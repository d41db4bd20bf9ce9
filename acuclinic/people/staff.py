"""Staff accounts, run by clinic admins in the browser: invite by email, set a role,
correct a name or email, disable a leaver (their sessions and API tokens stop at once),
enable again.

An invitation is a link to set a password (Django's password-reset token: signed, not
stored, dead once used), emailed straight away rather than kept in the outbox, so no
working link sits in the database. Every change is audited.
"""

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.people import roles
from acuclinic.people.models import ApiToken, User

ROLE_SUMMARY = {
    roles.ADMIN: "Everything: clinical records, the audit trail, staff accounts, clinic set-up.",
    roles.PRACTITIONER: "The diary, patients' contact details and clinical records.",
    roles.RECEPTION: "The diary, patients' contact details, enquiries; no clinical records.",
}


def _set_role(user: User, role: str) -> None:
    if role not in roles.ROLES:
        raise InvalidRequest("unknown_role", "Choose one of the roles.", field="role")
    user.groups.remove(*Group.objects.filter(name__in=roles.ROLES))
    user.groups.add(Group.objects.get(name=role))
    # What this request read of their permissions and roles is out of date now.
    for cached in ("_perm_cache", "_group_names"):
        user.__dict__.pop(cached, None)


def invite(*, first_name, last_name, email, username, role, base_url: str) -> User:
    """Make the account, with no password yet, and email a link to set one."""
    email = email.strip()
    if User.objects.filter(email__iexact=email).exists():
        raise Conflict("email_taken", "A staff account already uses that email.", field="email")
    try:
        with transaction.atomic():
            user = User(
                username=username.strip(),
                first_name=first_name.strip(),
                last_name=last_name.strip(),
                email=email,
            )
            user.set_unusable_password()
            user.save()
            _set_role(user, role)
            audit.record(AuditAction.CREATE, user, detail=f"staff account invited as {role}")
    except IntegrityError as exc:
        raise Conflict("username_taken", "That username is taken.", field="username") from exc
    _send_invitation(user, role, base_url)
    return user


def invite_again(user: User, *, base_url: str) -> None:
    """Email the set-password link to an account that has none yet (one imported from
    another system, or an invitation that was lost or ran out)."""
    if user.has_usable_password():
        raise Conflict("has_password", f"{user.username} has already chosen a password.")
    if not user.is_active or not user.email:
        raise Conflict(
            "cannot_invite", f"{user.username} is disabled or has no email: cannot invite."
        )
    audit.record(AuditAction.CHANGE, user, detail="invitation sent")
    _send_invitation(user, user.role, base_url)


def _send_invitation(user: User, role: str, base_url: str) -> None:
    link = base_url + reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    send_mail(
        "Your acuclinic staff account",
        f"Hello {user.first_name or user.username},\n\n"
        f"A clinic admin has made you an acuclinic staff account ({user.username}, "
        f"{role}). To choose your password and sign in, open:\n\n{link}\n\n"
        "The link works once, for a few days.\n",
        None,
        [user.email],
    )


def change_details(user: User, *, first_name: str, last_name: str, email: str) -> list[str]:
    """Correct a member of staff's name and email; returns the fields that changed.

    Email addresses stay unique (ignoring case): they are where reset links go. When the
    email changes, the old address is told, so someone who takes over an account by
    changing its address cannot do it unseen; the new address gets nothing until the
    person asks for a link. Django's reset tokens cover the email, so a reset link sent
    to the old address stops working.
    """
    email = email.strip()
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise Conflict("email_taken", "A staff account already uses that email.", field="email")
    before = {"first_name": user.first_name, "last_name": user.last_name, "email": user.email}
    after = {"first_name": first_name.strip(), "last_name": last_name.strip(), "email": email}
    changed = [name for name in before if before[name] != after[name]]
    if not changed:
        return []
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(**after)
        audit.record(AuditAction.CHANGE, user, changed_fields=changed, detail="staff details")
    for name, value in after.items():
        setattr(user, name, value)
    if "email" in changed and before["email"]:
        _tell_old_address(user, before["email"])
    return changed


def _tell_old_address(user: User, old_email: str) -> None:
    # The new address is not named: the old one may no longer be the person's.
    send_mail(
        "Your acuclinic staff account's email address was changed",
        f"Hello {user.first_name or user.username},\n\n"
        f"A clinic admin has changed the email address of your acuclinic staff account "
        f"({user.username}); this address will no longer receive its emails.\n\n"
        "If you did not expect this, tell your clinic admin or practice manager at once.\n",
        None,
        [old_email],
    )


def set_role(user: User, role: str, *, by: User) -> None:
    if user.pk == by.pk:
        raise Conflict("own_role", "Ask another clinic admin to change your own role.")
    before = user.role
    with transaction.atomic():
        _set_role(user, role)
        audit.record(AuditAction.CHANGE, user, changed_fields=["role"], detail=f"{before} → {role}")


def end_sessions(user: User) -> int:
    """Delete every session signed in as ``user``; returns how many."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            session.delete()
            ended += 1
    return ended


def disable(user: User, *, by: User) -> None:
    """A leaver: no sign-in, every session ended and every API token revoked, at once."""
    if user.pk == by.pk:
        raise Conflict("own_account", "You cannot disable your own account.")
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=False)
        tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        sessions = end_sessions(user)
        audit.record(
            AuditAction.CHANGE,
            user,
            changed_fields=["is_active"],
            detail=f"disabled: {sessions} sessions ended, {tokens} API tokens revoked",
        )
    user.is_active = False


def enable(user: User) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(is_active=True)
        audit.record(AuditAction.CHANGE, user, changed_fields=["is_active"], detail="enabled")
    user.is_active = True

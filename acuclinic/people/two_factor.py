"""Two-factor sign-in for staff, with django-otp: an authenticator app (TOTP) and ten
single-use recovery codes.

After the password, a member of staff with an authenticator must give a code from it
(or a recovery code) before any page opens; when the clinic makes two-factor sign-in
compulsory (Clinic.require_two_factor, on unless the clinic turns it off; the demo turns
it off), anyone without one is sent to set one up first. API tokens are unaffected:
they are the way for programs.

Recovery codes are kept as digests (django-otp's static tokens hold what we give them:
the first 16 hex digits of a SHA-256 of the code), so a copy of the database does not
hand them out; each works once. Failed codes count against the same per-account and
per-address throttle as failed passwords (core.signin).
"""

import base64
import hashlib
import secrets
from urllib.parse import urlencode

from django.db import transaction
from django.db.models import Exists
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Clinic

RECOVERY_CODES = 10
ISSUER = "acuclinic"


def required() -> bool:
    clinic = Clinic.objects.order_by("pk").only("require_two_factor").first()
    return clinic is not None and clinic.require_two_factor


def confirmed_totp(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _recovery_digest(code: str) -> str:
    normalised = "".join(code.split()).replace("-", "").lower()
    return hashlib.sha256(normalised.encode()).hexdigest()[:16]


# Setting up ---------------------------------------------------------------------------


def start_setup(user) -> TOTPDevice:
    """An unconfirmed authenticator for ``user`` (the one in progress, or a new one)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def qr_data_uri(device: TOTPDevice, username: str) -> str:
    uri = (
        f"otpauth://totp/{ISSUER}:{username}?secret={secret_base32(device)}"
        f"&issuer={ISSUER}&digits={device.digits}&period={device.step}"
    )
    # segno is needed once per authenticator set up; not worth ~9 MB in every process.
    import segno

    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2)


@transaction.atomic
def confirm_setup(request, device: TOTPDevice, code: str) -> list[str] | None:
    """Confirm the authenticator with a code from it: the recovery codes (shown once),
    or None if the code is wrong. Any earlier authenticator and codes are replaced."""
    if not device.verify_token("".join(code.split())):
        audit.record(
            AuditAction.LOGIN_FAILED, object_type="two_factor", detail="set-up code refused"
        )
        return None
    user = device.user
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save()
    codes = new_recovery_codes(user)
    otp_login(request, device)
    audit.record(AuditAction.CHANGE, object_type="two_factor", detail="authenticator set up")
    return codes


def new_recovery_codes(user) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)  # 10 hex digits, shown as two groups of five
        codes.append(f"{raw[:5]}-{raw[5:]}")
        StaticToken.objects.create(device=device, token=_recovery_digest(raw))
    return codes


# Signing in ---------------------------------------------------------------------------


def verify(request, code: str) -> bool:
    """Check a code from the authenticator or a recovery code; on success the session
    counts as verified. Audited either way."""
    user = request.user
    code = "".join(code.split())
    totp = confirmed_totp(user)
    device = None
    if totp is not None and code.isdigit() and totp.verify_token(code):
        device = totp
    else:
        static = StaticDevice.objects.filter(user=user, confirmed=True).first()
        if static is not None and static.verify_token(_recovery_digest(code)):
            device = static
    if device is None:
        audit.record(
            AuditAction.LOGIN_FAILED, object_type="two_factor", detail="two-factor code refused"
        )
        return False
    otp_login(request, device)
    how = "recovery code" if isinstance(device, StaticDevice) else "authenticator"
    left = (
        f", {device.token_set.count()} recovery codes left"
        if isinstance(device, StaticDevice)
        else ""
    )
    audit.record(AuditAction.LOGIN, object_type="two_factor", detail=f"verified by {how}{left}")
    return True


# The gate -----------------------------------------------------------------------------


def _standing(user) -> tuple[bool, bool]:
    """(has a confirmed authenticator, the clinic requires one), in one query."""
    has_device = TOTPDevice.objects.filter(user=user, confirmed=True)
    row = (
        Clinic.objects.order_by("pk")
        .annotate(has_device=Exists(has_device))
        .values_list("has_device", "require_two_factor")
        .first()
    )
    if row is None:
        return has_device.exists(), False
    return bool(row[0]), bool(row[1])


# Paths a signed-in person may open before the second step.
OPEN_PATHS = ("/account/two-factor/", "/logout/", "/login/", "/static/")


class TwoFactorMiddleware:
    """After django-otp's middleware: a session user who has not passed the second step
    is sent to it (or to set it up, when the clinic requires it) before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is None
            or not user.is_authenticated
            or user.is_verified()
            or request.path.startswith(OPEN_PATHS)
            or request.path.startswith("/portal/")
        ):
            return self.get_response(request)
        has_device, is_required = _standing(user)
        if not has_device and not is_required:
            return self.get_response(request)
        target = "two_factor_verify" if has_device else "two_factor_setup"
        if request.path.startswith("/api/"):
            if request.META.get("HTTP_AUTHORIZATION", "").lower().startswith("bearer "):
                return self.get_response(request)  # a token is its own credential
            return JsonResponse(
                {
                    "code": "two_factor_required",
                    "message": "Finish signing in with your second step first.",
                    "field": None,
                },
                status=403,
            )
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")

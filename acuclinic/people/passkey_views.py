"""The passkey ceremonies (django-otp-webauthn's JSON views, with our rules around them)
and removing a passkey.

The library's views do the WebAuthn work; these add: a passkey only for someone already
signed in with their authenticator app; the sign-in throttle before a passkey is tried;
the audit trail for every outcome.
"""

import json

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST
from django_otp_webauthn import views as webauthn
from django_otp_webauthn.exceptions import OTPWebAuthnApiError
from django_otp_webauthn.models import WebAuthnCredential

from acuclinic.audit.middleware import client_address
from acuclinic.core import signin
from acuclinic.core.access import staff_view
from acuclinic.people import passkeys


class NeedsAuthenticator(OTPWebAuthnApiError):
    status_code = 403
    default_detail = "Set up an authenticator app and sign in with it before adding a passkey."
    default_code = "authenticator_first"


class Throttled(OTPWebAuthnApiError):
    status_code = 429
    default_code = "throttled"


class _AddRule:
    def check_can_register(self):
        if not passkeys.may_add(self.request.user):
            raise NeedsAuthenticator()


class BeginRegistration(_AddRule, webauthn.BeginCredentialRegistrationView):
    pass


class CompleteRegistration(_AddRule, webauthn.CompleteCredentialRegistrationView):
    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        passkeys.registered(WebAuthnCredential.objects.get(pk=json.loads(response.content)["id"]))
        return response


class BeginAuthentication(webauthn.BeginCredentialAuthenticationView):
    pass


class CompleteAuthentication(webauthn.CompleteCredentialAuthenticationView):
    def post(self, request, *args, **kwargs):
        # Passwordless sign-in is off, so the library has already refused anyone not
        # signed in with their password.
        username, address = request.user.username, client_address(request)
        wait = signin.wait_before_attempt(request, username, address)
        if wait is not None:
            minutes = -(-wait.seconds // 60)
            raise Throttled(
                detail="Too many failed attempts. Try again in "
                f"{minutes} minute{'s' if minutes != 1 else ''}, or ask a clinic admin."
            )
        try:
            response = super().post(request, *args, **kwargs)
        except OTPWebAuthnApiError as exc:
            signin.count_failure(request, username, address)
            passkeys.refused(exc.code)
            raise
        signin.clear_account(username)
        passkeys.verified(WebAuthnCredential.objects.get(pk=json.loads(response.content)["id"]))
        return response


@require_POST
@staff_view()
def remove(request, pk: int):
    if not request.user.is_verified():
        return redirect("two_factor_verify")
    signed_in_with = getattr(request.user, "otp_device", None)
    was_this_sessions = isinstance(signed_in_with, WebAuthnCredential) and signed_in_with.pk == pk
    device = passkeys.remove(request.user, pk)
    if device is None:
        messages.error(request, "That passkey had already been removed.")
    elif was_this_sessions:
        # django-otp forgets a session's second step once its device is gone: whoever
        # removed the passkey they signed in with proves who they are again.
        messages.success(
            request,
            f"Removed {device.name}. You had signed in with it, so enter a code from your "
            "authenticator app to carry on.",
        )
    else:
        messages.success(request, f"Removed {device.name}. Remove it from your device too.")
    return redirect("two_factor_setup")

"""Passkeys (WebAuthn) as the second step of signing in: added from the two-factor page
by someone signed in with their authenticator app, used instead of a code, listed and
removed; a forged, replayed or misdirected answer is refused, audited and counted
against the sign-in throttle. A software authenticator (ES256, attestation "none")
plays the browser's part."""

import json

import pytest
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential

from acuclinic.audit.models import AuditAction, AuditEntry
from acuclinic.core.models import SignInThrottle
from acuclinic.people.tests.test_two_factor import set_up, sign_in
from acuclinic.testing.soft_authenticator import SoftAuthenticator

ORIGIN = "http://testserver"


@pytest.fixture(autouse=True)
def _this_site(settings):
    settings.OTP_WEBAUTHN_RP_ID = "testserver"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [ORIGIN]


def _post(client, name: str, payload: dict | None = None, query: str = ""):
    url = reverse(f"otp_webauthn:{name}") + query
    return client.post(url, json.dumps(payload or {}), content_type="application/json")


def add_passkey(client, authenticator: SoftAuthenticator):
    options = _post(client, "credential-registration-begin").json()
    return _post(client, "credential-registration-complete", authenticator.create(options))


def passkey_answer(client, authenticator: SoftAuthenticator, **kwargs):
    options = _post(client, "credential-authentication-begin").json()
    return options, authenticator.get(options, **kwargs)


def _signed_in_with_app(client, user) -> SoftAuthenticator:
    sign_in(client)
    set_up(client, user)
    return SoftAuthenticator(origin=ORIGIN)


def _half_signed_in_again(client):
    client.post(reverse("logout"))
    sign_in(client)
    assert client.get("/diary/")["Location"].startswith(reverse("two_factor_verify"))


def test_a_passkey_is_added_then_used_instead_of_a_code(client, reception_user):
    authenticator = _signed_in_with_app(client, reception_user)
    page = client.get(reverse("two_factor_setup")).content.decode()
    assert "You have no passkeys yet." in page and 'id="passkey-registration-placeholder"' in page
    added = add_passkey(client, authenticator)
    assert added.status_code == 200, added.content
    page = client.get(reverse("two_factor_setup")).content.decode()
    assert "Passkey 1" in page and "Never" in page
    assert AuditEntry.objects.filter(
        actor=reception_user, detail="passkey added: Passkey 1"
    ).exists()

    _half_signed_in_again(client)
    assert "Use a passkey" in client.get(reverse("two_factor_verify")).content.decode()
    options, answer = passkey_answer(client, authenticator)
    assert [c["id"] for c in options["allowCredentials"]] == [answer["id"]]
    done = _post(client, "credential-authentication-complete", answer, "?next=/diary/")
    assert done.status_code == 200 and done.json()["redirect_url"] == "/diary/"
    assert client.get("/diary/").status_code == 200
    assert AuditEntry.objects.filter(
        action=AuditAction.LOGIN, actor=reception_user, detail="verified by Passkey 1"
    ).exists()
    assert WebAuthnCredential.objects.get(user=reception_user).last_used_at is not None


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(lambda a: {"origin": "https://evil.example"}, id="another site"),
        pytest.param(lambda a: {"rp_id": "evil.example"}, id="another relying party"),
        pytest.param("other key", id="a forged signature"),
    ],
)
def test_a_forged_passkey_answer_is_refused_audited_and_counted(client, reception_user, spoil):
    authenticator = _signed_in_with_app(client, reception_user)
    add_passkey(client, authenticator)
    _half_signed_in_again(client)
    if spoil == "other key":
        forger = SoftAuthenticator(origin=ORIGIN, credential_id=authenticator.credential_id)
        _, answer = passkey_answer(client, forger)
    else:
        _, answer = passkey_answer(client, authenticator, **spoil(authenticator))
    refused = _post(client, "credential-authentication-complete", answer)
    assert refused.status_code in {400, 403, 422}, refused.content
    assert client.get("/diary/")["Location"].startswith(reverse("two_factor_verify"))
    assert AuditEntry.objects.filter(
        action=AuditAction.LOGIN_FAILED, detail__startswith="passkey refused"
    ).exists()
    assert SignInThrottle.objects.get(kind=SignInThrottle.ACCOUNT, key="reception").failures == 1


def test_a_used_answer_cannot_be_replayed(client, reception_user):
    authenticator = _signed_in_with_app(client, reception_user)
    add_passkey(client, authenticator)
    _half_signed_in_again(client)
    _, answer = passkey_answer(client, authenticator)
    assert _post(client, "credential-authentication-complete", answer).status_code == 200
    _half_signed_in_again(client)
    replayed = _post(client, "credential-authentication-complete", answer)
    assert (replayed.status_code, replayed.json()["code"]) == (400, "invalid_state")
    assert client.get("/diary/")["Location"].startswith(reverse("two_factor_verify"))


def test_a_passkey_needs_an_authenticator_app_and_a_full_sign_in_first(client, reception_user):
    sign_in(client)  # the clinic does not require two-factor: signed in, no app
    refused = _post(client, "credential-registration-begin")
    assert (refused.status_code, refused.json()["code"]) == (403, "authenticator_first")
    set_up(client, reception_user)
    _half_signed_in_again(client)
    refused = _post(client, "credential-registration-begin")
    assert refused.status_code == 403
    assert not WebAuthnCredential.objects.exists()
    client.post(reverse("logout"))
    # No passkey sign-in without the password first.
    assert _post(client, "credential-authentication-begin").status_code == 403


def test_a_passkey_is_removed_by_its_owner_only(client, reception_user, practitioner_user):
    authenticator = _signed_in_with_app(client, reception_user)
    add_passkey(client, authenticator)
    mine = WebAuthnCredential.objects.get(user=reception_user)
    theirs = WebAuthnCredential.objects.create(
        user=practitioner_user, name="Passkey 1", credential_id=b"x" * 16, public_key=b"k"
    )
    other = client.post(reverse("passkey_remove", args=[theirs.pk]), follow=True)
    assert "already been removed" in other.content.decode()
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()
    removed = client.post(reverse("passkey_remove", args=[mine.pk]), follow=True)
    assert "Removed Passkey 1" in removed.content.decode()
    assert not WebAuthnCredential.objects.filter(pk=mine.pk).exists()
    assert AuditEntry.objects.filter(
        actor=reception_user, detail="passkey removed: Passkey 1"
    ).exists()

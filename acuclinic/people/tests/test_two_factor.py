"""Two-factor sign-in: compulsory when the clinic says so, set up with an authenticator
app (TOTP) and ten single-use recovery codes kept as digests; a wrong, replayed or
reused code is refused and audited; API tokens are unaffected."""

import time_machine
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from acuclinic.audit.models import AuditAction, AuditEntry
from acuclinic.clinic.models import Clinic
from acuclinic.testing import factories
from acuclinic.testing.api_client import JsonClient, api_token

T0 = "2026-03-03 10:00:00Z"


def code_for(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}"


def sign_in(client, username="reception"):
    return client.post(reverse("login"), {"username": username, "password": factories.PASSWORD})


def set_up(client, user) -> list[str]:
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("two_factor_setup"), {"code": code_for(device)})
    return response.context["codes"]


def test_when_the_clinic_requires_it_staff_without_an_authenticator_set_one_up_first(
    client, reception_user
):
    Clinic.objects.update(require_two_factor=True)
    sign_in(client)
    response = client.get("/diary/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))
    # The API through the session says so in JSON; a token is its own credential.
    refused = client.get("/api/v1/patients")
    assert (refused.status_code, refused.json()["code"]) == (403, "two_factor_required")
    assert JsonClient(token=api_token(reception_user)).get("/patients").status_code == 200


def test_setting_up_shows_recovery_codes_once_and_keeps_only_digests(client, reception_user):
    with time_machine.travel(T0, tick=False):
        sign_in(client)
        page = client.get(reverse("two_factor_setup")).content.decode()
        assert "data:image/svg+xml" in page and 'id="totp-secret"' in page
        wrong = client.post(reverse("two_factor_setup"), {"code": "000000"})
        assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    # django-otp itself makes the next try wait a moment after a wrong code.
    with time_machine.travel("2026-03-03 10:00:02Z", tick=False):
        codes = set_up(client, reception_user)
        assert client.get("/diary/").status_code == 200
    assert len(codes) == 10
    stored = set(StaticToken.objects.values_list("token", flat=True))
    assert not stored & {c.replace("-", "") for c in codes} and len(stored) == 10
    assert TOTPDevice.objects.get(user=reception_user).confirmed


def test_signing_in_asks_for_a_code_refuses_a_forged_one_and_lets_the_right_one_in(
    client, reception_user
):
    with time_machine.travel(T0, tick=False) as clock:
        sign_in(client)
        set_up(client, reception_user)
        client.post(reverse("logout"))
        clock.shift(60)
        response = sign_in(client)
        assert client.get("/diary/")["Location"].startswith(reverse("two_factor_verify"))
        forged = client.post(reverse("two_factor_verify"), {"code": "123456", "next": "/diary/"})
        assert forged.status_code == 400
        assert "not right, or has been used" in forged.content.decode()
        assert AuditEntry.objects.filter(
            action=AuditAction.LOGIN_FAILED, detail="two-factor code refused"
        ).exists()
        device = TOTPDevice.objects.get(user=reception_user)
        clock.shift(2)  # django-otp's own pause after a wrong code
        ok = client.post(
            reverse("two_factor_verify"), {"code": code_for(device), "next": "/diary/"}
        )
        assert ok["Location"] == "/diary/"
        assert client.get("/diary/").status_code == 200
        # The same code again, in another session: refused (no replay).
        other = client_class_copy(client)
        sign_in(other)
        replay = other.post(reverse("two_factor_verify"), {"code": code_for(device)})
        assert replay.status_code == 400
    assert response.status_code == 302


def client_class_copy(client):
    return client.__class__()


def test_a_recovery_code_works_once(client, reception_user):
    with time_machine.travel(T0, tick=False) as clock:
        sign_in(client)
        codes = set_up(client, reception_user)
        client.post(reverse("logout"))
        clock.shift(60)
        sign_in(client)
        ok = client.post(reverse("two_factor_verify"), {"code": codes[0], "next": "/diary/"})
        assert ok["Location"] == "/diary/"
        entry = AuditEntry.objects.filter(action=AuditAction.LOGIN, object_type="two_factor")
        assert entry.latest("id").detail == "verified by recovery code, 9 recovery codes left"
        client.post(reverse("logout"))
        sign_in(client)
        again = client.post(reverse("two_factor_verify"), {"code": codes[0]})
        assert again.status_code == 400


def test_without_the_requirement_staff_without_an_authenticator_go_straight_in(
    client, reception_user
):
    sign_in(client)
    assert client.get("/diary/").status_code == 200


def test_wrong_codes_count_towards_the_sign_in_lock(client, reception_user):
    with time_machine.travel(T0, tick=False) as clock:
        sign_in(client)
        set_up(client, reception_user)
        client.post(reverse("logout"))
        sign_in(client)
        for _ in range(10):
            clock.shift(61)
            client.post(reverse("two_factor_verify"), {"code": "999999"})
        device = TOTPDevice.objects.get(user=reception_user)
        locked = client.post(reverse("two_factor_verify"), {"code": code_for(device)})
    assert "Too many wrong codes" in locked.content.decode()

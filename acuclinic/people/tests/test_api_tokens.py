"""API tokens: made and revoked on the account page or by command, refused once revoked."""

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.core.errors import InvalidRequest
from acuclinic.people import services
from acuclinic.people.models import ApiToken
from acuclinic.testing.api_client import JsonClient, api_token

TOKENS_URL = reverse("token_list")


def token_entries(action: str):
    return AuditEntry.objects.filter(object_type="people.apitoken", action=action)


# What is stored ------------------------------------------------------------------


def test_only_a_digest_of_the_secret_is_stored(reception_user):
    token, secret = services.api_token_create(user=reception_user, name="Reception tablet")

    stored = ApiToken.objects.filter(pk=token.pk).values().get()
    assert secret.startswith("acu_") and len(secret) > 40
    assert stored["digest"] == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in {str(value) for value in stored.values()}
    assert secret.startswith(stored["prefix"]) and len(stored["prefix"]) == 12


def test_every_token_has_its_own_secret(reception_user):
    secrets = {api_token(reception_user) for _ in range(5)}
    assert len(secrets) == 5


def test_a_token_needs_a_name(reception_user):
    with pytest.raises(InvalidRequest) as exc:
        services.api_token_create(user=reception_user, name="   ")
    assert exc.value.code == "name_required"
    assert not ApiToken.objects.exists()


def test_a_disabled_account_cannot_be_given_a_token(reception_user):
    reception_user.is_active = False
    reception_user.save()
    with pytest.raises(InvalidRequest) as exc:
        services.api_token_create(user=reception_user, name="Tablet")
    assert exc.value.code == "inactive_user"


# Using a token -------------------------------------------------------------------


def test_a_token_acts_as_its_user_and_records_when_it_was_last_used(reception_user, patient):
    secret = api_token(reception_user)

    response = JsonClient(token=secret).get(f"/patients/{patient.pk}")

    assert response.status_code == 200
    token = ApiToken.objects.get()
    assert token.last_used_at is not None
    assert AuditEntry.objects.get(action="view").actor == reception_user


def test_last_used_is_written_at_most_once_a_minute(reception_user, clinic):
    secret = api_token(reception_user)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        JsonClient(token=secret).get("/services")
        first = ApiToken.objects.get().last_used_at
        clock.shift(timedelta(seconds=30))
        JsonClient(token=secret).get("/services")
        assert ApiToken.objects.get().last_used_at == first
        clock.shift(timedelta(seconds=31))
        JsonClient(token=secret).get("/services")
        assert ApiToken.objects.get().last_used_at == first + timedelta(seconds=61)


def test_a_token_carries_only_its_users_role(reception_user, patient):
    response = JsonClient(token=api_token(reception_user)).get(
        f"/patients/{patient.pk}/clinical-summary"
    )
    assert response.status_code == 403


def test_a_revoked_token_is_refused(reception_user, clinic):
    token, secret = services.api_token_create(user=reception_user, name="Old script")
    services.api_token_revoke(token)

    response = JsonClient(token=secret).get("/services")

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"
    assert response["WWW-Authenticate"] == 'Bearer realm="acuclinic"'


def test_a_token_of_a_disabled_account_is_refused(reception_user, clinic):
    secret = api_token(reception_user)
    reception_user.is_active = False
    reception_user.save()
    response = JsonClient(token=secret).get("/services")
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


@pytest.mark.parametrize(
    "header",
    ["Bearer acu_not-a-real-token", "Bearer ", "Bearer something-else", "bearer " + "x" * 5000],
    ids=["unknown", "empty", "without the prefix", "huge"],
)
def test_a_wrong_token_is_refused_with_401(clinic, client, header):
    response = client.get("/api/v1/services", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.json()["code"] == "invalid_token"


def test_no_credentials_at_all_is_401_not_authenticated(clinic, client):
    response = client.get("/api/v1/services")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_token_write_needs_no_csrf_token(reception_user, clinic):
    # CSRF protects cookies a browser sends by itself; a bearer token is never sent so.
    secret = api_token(reception_user)
    response = Client(enforce_csrf_checks=True).post(
        "/api/v1/patients",
        {"given_name": "Ola", "family_name": "Nwosu", "date_of_birth": "1990-01-01"}
        | {"sex": "female", "phone": "07700 900555"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert response.status_code == 201


# The account page ----------------------------------------------------------------


@pytest.fixture
def signed_in(client, reception_user):
    client.force_login(reception_user)
    return client


def test_the_tokens_page_asks_a_visitor_to_sign_in(client, clinic):
    response = client.get(TOKENS_URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_making_a_token_shows_the_secret_once_and_it_works(signed_in, reception_user, clinic):
    response = signed_in.post(
        TOKENS_URL, {"name": "Reception tablet", "access": "read", "expires_in_days": "30"}
    )

    assert response.status_code == 200
    secret = response.context["secret"]
    page = response.content.decode()
    assert secret in page
    assert "shown only this once" in page
    assert "no-store" in response["Cache-Control"]
    assert JsonClient(token=secret).get("/services").status_code == 200
    assert secret not in signed_in.get(TOKENS_URL).content.decode()
    entry = token_entries("create").get()
    assert (entry.actor, entry.via) == (reception_user, "web")


def test_the_page_lists_only_your_own_tokens(signed_in, reception_user, admin_user):
    services.api_token_create(user=reception_user, name="Front desk tablet")
    services.api_token_create(user=admin_user, name="Admin reporting script")

    page = signed_in.get(TOKENS_URL).content.decode()

    assert "Front desk tablet" in page
    assert "Admin reporting script" not in page


def test_a_token_without_a_name_is_not_made(signed_in, clinic):
    response = signed_in.post(TOKENS_URL, {"name": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["name"]
    assert response.context["secret"] is None
    assert not ApiToken.objects.exists()


def test_revoking_your_token_stops_it_working_and_is_audited(signed_in, reception_user):
    token, secret = services.api_token_create(user=reception_user, name="Old tablet")

    response = signed_in.post(reverse("token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert JsonClient(token=secret).get("/services").status_code == 401
    entry = token_entries("change").get()
    assert (entry.actor, entry.changed_fields) == (reception_user, ["revoked_at"])
    assert "Revoked" in signed_in.get(TOKENS_URL).content.decode()


def test_you_cannot_revoke_someone_elses_token(signed_in, admin_user):
    token, secret = services.api_token_create(user=admin_user, name="Admin script")
    response = signed_in.post(reverse("token_revoke", args=[token.pk]))
    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).revoked_at is None
    assert JsonClient(token=secret).get("/services").status_code == 200


def test_revoking_twice_says_so_and_keeps_the_first_time(signed_in, reception_user):
    token, _ = services.api_token_create(user=reception_user, name="Tablet")
    signed_in.post(reverse("token_revoke", args=[token.pk]))
    first = ApiToken.objects.get().revoked_at
    response = signed_in.post(reverse("token_revoke", args=[token.pk]), follow=True)
    assert "already revoked" in response.content.decode()
    assert ApiToken.objects.get().revoked_at == first


def test_revoking_is_a_post_only(signed_in, reception_user):
    token, _ = services.api_token_create(user=reception_user, name="Tablet")
    assert signed_in.get(reverse("token_revoke", args=[token.pk])).status_code == 405
    assert ApiToken.objects.get().revoked_at is None


# The command ---------------------------------------------------------------------


def run(*args) -> str:
    out = StringIO()
    call_command("apitoken", *args, stdout=out)
    return out.getvalue()


def test_the_command_makes_a_working_token_and_audits_it(reception_user, clinic):
    output = run("create", "reception", "--name", "Nightly export")

    secret = output.strip().splitlines()[-1]
    assert JsonClient(token=secret).get("/services").status_code == 200
    assert ApiToken.objects.get().name == "Nightly export"
    entry = token_entries("create").get()
    assert (entry.via, entry.actor_role) == ("command", "system")


def test_the_command_lists_and_revokes_tokens(reception_user):
    token, secret = services.api_token_create(user=reception_user, name="Nightly export")

    assert "Nightly export" in run("list")
    assert secret not in run("list")
    run("revoke", str(token.pk))

    assert "revoked" in run("list", "--user", "reception")
    assert token_entries("change").get().via == "command"


@pytest.mark.parametrize(
    "args",
    [("create", "nobody", "--name", "X"), ("revoke", "999"), ("create", "reception", "--name", "")],
    ids=["unknown user", "unknown token", "blank name"],
)
def test_the_command_explains_what_it_cannot_do(reception_user, args):
    with pytest.raises(CommandError):
        run(*args)
    assert not ApiToken.objects.exists()

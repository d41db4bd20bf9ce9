"""Staff sign in and out; passwords are hashed with argon2 and must be strong; an idle
session ends on its own."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher, make_password
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from acuclinic import settings as production_settings
from acuclinic.testing import factories

LOGIN = reverse("login")
DIARY = reverse("diary")
WRONG = "Please enter a correct username and password."


def sign_in(client, username="reception", password=factories.PASSWORD, **extra):
    return client.post(LOGIN, {"username": username, "password": password, **extra})


def test_the_sign_in_page_asks_for_a_username_and_password(client, clinic):
    page = client.get(LOGIN).content.decode()
    assert '<label for="id_username">Username</label>' in page
    assert '<label for="id_password">Password</label>' in page


def test_signing_in_opens_the_diary(client, reception_user):
    response = sign_in(client)
    assert response.status_code == 302
    # Home sends a practitioner to their own day (myday), everyone else to the diary.
    assert response["Location"] == reverse("home")
    assert client.get(reverse("home"))["Location"] == DIARY
    assert client.get(DIARY).status_code == 200


def test_signing_in_returns_to_the_page_asked_for(client, reception_user, patient):
    wanted = reverse("patient_detail", args=[patient.pk])
    response = sign_in(client, next=wanted)
    assert response["Location"] == wanted


def test_signing_in_never_sends_you_to_another_site(client, reception_user):
    response = sign_in(client, next="https://evil.example/")
    assert response["Location"] == reverse("home")


def test_a_wrong_password_is_refused_with_a_message(client, reception_user):
    response = sign_in(client, password="not the password")
    assert response.status_code == 200
    page = response.content.decode()
    assert WRONG in page
    assert 'class="error-summary"' in page
    assert "_auth_user_id" not in client.session


def test_an_unknown_username_gets_the_same_message_as_a_wrong_password(client, clinic):
    # The same words either way, so the page cannot be used to find out who works here.
    response = sign_in(client, username="nobody")
    assert WRONG in response.content.decode()


def test_a_disabled_account_cannot_sign_in(client, reception_user):
    reception_user.is_active = False
    reception_user.save()
    assert WRONG in sign_in(client).content.decode()


def test_signing_out_ends_the_session(client, reception_user):
    sign_in(client)
    response = client.post(reverse("logout"))
    assert response["Location"] == LOGIN
    assert client.get(DIARY)["Location"].startswith(LOGIN + "?next=")


def test_signing_out_needs_a_post_so_a_link_cannot_do_it(client, reception_user):
    sign_in(client)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(DIARY).status_code == 200


def test_passwords_are_stored_as_argon2_hashes(reception_user):
    assert reception_user.password.startswith("argon2$argon2id$")
    assert factories.PASSWORD not in reception_user.password


def test_production_hashes_with_djangos_own_argon2_at_its_full_cost():
    # The suite's settings use a cheaper argon2id (acuclinic/testing/hashers.py).
    assert production_settings.PASSWORD_HASHERS[0] == (
        "django.contrib.auth.hashers.Argon2PasswordHasher"
    )
    assert Argon2PasswordHasher.memory_cost >= 64 * 1024  # KiB


def test_an_older_hash_is_upgraded_to_argon2_at_the_next_sign_in(client, reception_user):
    reception_user.password = make_password(factories.PASSWORD, hasher="pbkdf2_sha256")
    reception_user.save()
    sign_in(client)
    reception_user.refresh_from_db()
    assert reception_user.password.startswith("argon2$")


# Changing the password

CHANGE = reverse("password_change")
NEW = "plum orchard lantern 73"


@pytest.fixture
def signed_in(client, reception_user):
    client.force_login(reception_user)
    return client


def change(client, new, again=None, old=factories.PASSWORD):
    return client.post(
        CHANGE, {"old_password": old, "new_password1": new, "new_password2": again or new}
    )


def test_a_strong_new_password_is_saved_as_argon2_and_keeps_you_signed_in(
    signed_in, reception_user
):
    response = change(signed_in, NEW)
    assert response.status_code == 302
    assert "Your password has been changed." in signed_in.get(DIARY).content.decode()
    reception_user.refresh_from_db()
    assert reception_user.check_password(NEW)
    assert reception_user.password.startswith("argon2$")
    assert signed_in.get(DIARY).status_code == 200


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("kx7#mq2", "This password is too short. It must contain at least 10 characters."),
        ("qwertyuiop", "This password is too common."),
        ("4829104738465", "This password is entirely numeric."),
        ("reception-desk", "The password is too similar to the username."),
    ],
)
def test_a_weak_new_password_is_refused_with_the_reason(signed_in, reception_user, new, message):
    response = change(signed_in, new)
    assert response.status_code == 200
    assert message in response.context["form"].errors["new_password2"]
    page = response.content.decode()
    assert 'id="id_new_password2_error"' in page
    assert "There is a problem" in page
    reception_user.refresh_from_db()
    assert reception_user.check_password(factories.PASSWORD)


def test_the_two_new_passwords_must_match(signed_in):
    response = change(signed_in, NEW, again=NEW + "x")
    assert (
        "The two password fields didn’t match." in response.context["form"].errors["new_password2"]
    )


def test_the_old_password_must_be_right(signed_in, reception_user):
    response = change(signed_in, NEW, old="not it at all")
    assert response.context["form"].errors["old_password"]
    reception_user.refresh_from_db()
    assert not reception_user.check_password(NEW)


# Sessions

IDLE = timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_the_idle_limit_is_thirty_minutes_by_default():
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_an_idle_session_ends_after_the_idle_period(client, reception_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client)
        clock.shift(IDLE - timedelta(minutes=1))
        assert client.get(DIARY).status_code == 200
        clock.shift(IDLE + timedelta(minutes=1))
        response = client.get(DIARY)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN + "?next=")


def test_each_request_renews_the_idle_period(client, reception_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client)
        for _ in range(4):  # two hours of work, a page every 25 minutes
            clock.shift(timedelta(minutes=25))
            assert client.get(DIARY).status_code == 200


def _session_writes(queries) -> int:
    return sum(
        1
        for q in queries.captured_queries
        if q["sql"].startswith(("UPDATE", "INSERT")) and "django_session" in q["sql"]
    )


def test_pages_opened_within_a_minute_write_the_session_once(client, reception_user):
    # Renewing the idle period on every page made each read of the diary a database
    # write (and, on PostgreSQL, a wait for the disk): once a minute is enough.
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client)
        clock.shift(timedelta(minutes=2))
        with CaptureQueriesContext(connection) as queries:
            for _ in range(5):
                assert client.get(DIARY).status_code == 200
                clock.shift(timedelta(seconds=10))
        assert _session_writes(queries) == 1
        # A minute after that renewal, the next page renews it again.
        clock.shift(timedelta(seconds=20))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(DIARY).status_code == 200
        assert _session_writes(queries) == 1


def test_an_idle_session_still_ends_within_the_idle_period_of_the_last_page(client, reception_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        sign_in(client)
        clock.shift(timedelta(minutes=5))
        assert client.get(DIARY).status_code == 200  # renews: ends 30 minutes from here
        clock.shift(timedelta(seconds=50))
        assert client.get(DIARY).status_code == 200  # too soon to renew
        clock.shift(IDLE - timedelta(seconds=50))
        response = client.get(DIARY)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN + "?next=")


def test_a_cookie_naming_no_session_is_not_given_one(client, clinic):
    client.cookies[settings.SESSION_COOKIE_NAME] = "no-such-session-key-0123456789ab"
    assert client.get(LOGIN).status_code == 200
    assert not Session.objects.exists()


def test_the_session_cookie_is_http_only_same_site_and_ends_with_the_browser(
    client, reception_user
):
    response = sign_in(client)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    # No expiry date: the browser drops it when it closes (a shared front-desk screen).
    assert cookie["expires"] == ""
    assert cookie["max-age"] == ""

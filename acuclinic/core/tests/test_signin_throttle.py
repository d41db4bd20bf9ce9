"""Failed sign-ins slow down, then lock an account name or an address; a locked attempt
costs no password hash; failures, locks and unlocks are audited; an admin unlocks."""

from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
import time_machine
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from acuclinic.audit.models import AuditAction, AuditEntry
from acuclinic.core import signin_policy as policy
from acuclinic.core.models import SignInThrottle
from acuclinic.testing import factories

LOGIN = reverse("login")
T0 = datetime(2026, 3, 3, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _quick_hashes(settings):
    # Dozens of attempts per test: a cheap hasher keeps them quick (the tests count
    # attempts and hashes, not their cost).
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.MD5PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.fixture
def reception_user(reception_user):
    reception_user.set_password(factories.PASSWORD)
    reception_user.save()
    return reception_user


def attempt(client, password, username="reception", address="10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


# The policy on its own.


def test_the_first_failures_are_free_then_each_waits_twice_as_long():
    state = policy.State()
    waits = []
    for _ in range(6):
        state = policy.after_failure(policy.ACCOUNT, state, T0)
        waits.append(policy.wait_seconds(policy.ACCOUNT, state, T0))
    assert waits == [0, 0, 1, 2, 4, 8]
    assert policy.wait_seconds(policy.ACCOUNT, state, T0 + timedelta(seconds=8)) == 0


def test_ten_failures_lock_for_fifteen_minutes_then_the_count_is_forgotten():
    state = policy.State()
    for _ in range(10):
        before = state
        state = policy.after_failure(policy.ACCOUNT, state, T0)
    assert policy.newly_locked(before, state, T0)
    assert policy.wait_seconds(policy.ACCOUNT, state, T0) == 15 * 60
    assert policy.wait_seconds(policy.ACCOUNT, state, T0 + timedelta(minutes=15)) <= 60
    later = T0 + timedelta(hours=2)
    assert policy.after_failure(policy.ACCOUNT, state, later).failures == 1


# Through the sign-in page.


def test_a_locked_account_is_refused_without_hashing_even_the_right_password(
    client, reception_user
):
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(10):
            attempt(client, "wrong password")
            clock.shift(61)
        assert SignInThrottle.objects.get(kind="account", key="reception").locked_until
        with mock.patch.object(MD5PasswordHasher, "verify") as verify:
            response = attempt(client, factories.PASSWORD)
        verify.assert_not_called()
        page = response.content.decode()
        assert "Too many failed attempts" in page and "Try again in 14 minutes" in page
        assert "_auth_user_id" not in client.session
        # The lock ends on its own.
        clock.shift(15 * 60)
        assert attempt(client, factories.PASSWORD).status_code == 302


def test_attempts_soon_after_failures_wait_but_a_success_clears_the_account(client, reception_user):
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(3):
            attempt(client, "wrong password")
        # The fourth comes too soon: refused unchecked.
        response = attempt(client, factories.PASSWORD)
        assert "Try again in 1 minute" in response.content.decode()
        clock.shift(2)
        assert attempt(client, factories.PASSWORD).status_code == 302
    assert not SignInThrottle.objects.filter(kind="account").exists()


def test_many_usernames_from_one_address_lock_the_address(client, reception_user):
    with time_machine.travel(T0, tick=False) as clock:
        for i in range(50):
            attempt(client, "guess", username=f"user{i}", address="10.9.9.9")
            clock.shift(1)
        assert (
            "Too many" in attempt(client, factories.PASSWORD, address="10.9.9.9").content.decode()
        )
        # Someone elsewhere is not affected.
        assert attempt(client, factories.PASSWORD, address="10.0.0.2").status_code == 302


def test_failures_refusals_and_the_lock_are_audited(client, reception_user):
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(10):
            attempt(client, "wrong password")
            clock.shift(61)
        attempt(client, "wrong password")
    actions = list(AuditEntry.objects.order_by("id").values_list("action", "detail"))
    assert [a for a, _ in actions].count(AuditAction.LOGIN_FAILED) == 11
    lock = [d for a, d in actions if a == AuditAction.LOCKOUT]
    assert lock == ["account reception locked after 10 failed sign-ins"]
    assert "refused unchecked" in actions[-1][1]


def test_an_admin_sees_the_lock_and_unlocks_it(client, admin_user, reception_user):
    with time_machine.travel(T0, tick=False) as clock:
        for _ in range(10):
            attempt(client, "wrong password")
            clock.shift(61)
        client.force_login(admin_user)
        page = client.get(reverse("signin_locks")).content.decode()
        assert "<code>reception</code>" in page
        row = SignInThrottle.objects.get(kind="account")
        response = client.post(reverse("signin_unlock", args=[row.pk]), follow=True)
        assert "Unlocked account reception" in response.content.decode()
        assert AuditEntry.objects.filter(action=AuditAction.UNLOCK).count() == 1
        client.logout()
        assert attempt(client, factories.PASSWORD).status_code == 302


def test_only_admins_open_the_locks_page(client, reception_user):
    client.force_login(reception_user)
    assert client.get(reverse("signin_locks")).status_code == 403

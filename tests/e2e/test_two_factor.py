"""In the browser: where the clinic requires two-factor sign-in, a member of staff sets
up an authenticator app when they first sign in, keeps their recovery codes, and next
time signs in with a code from the app."""

import base64

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from acuclinic.clinic.models import Clinic
from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def boss(transactional_db):
    factories.build_clinic()
    Clinic.objects.update(require_two_factor=True)
    return factories.staff_user("boss", role="Clinic admin")


def _code(key_base32: str, steps_ahead: int = 0) -> str:
    key = base64.b32decode(key_base32 + "=" * (-len(key_base32) % 8))
    return f"{totp(key, drift=steps_ahead):06d}"


def _next_code(user, key_base32: str) -> str:
    """A code the server takes as the one after the last, however the clock moved.

    django-otp accepts a step either side of its clock, shifted by the drift at which it
    matched the last code, and refuses any step not after that code's (a replay). If the
    30-second step turned between typing the first code and the server checking it, the
    drift is -1, and a plain "next step's code" would fall outside the window: the step
    after the last one used, at the device's drift, is inside it either way.
    """
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return _code(key_base32, steps_ahead=device.drift + 1)


def _password(page, base_url: str) -> None:
    page.goto(base_url + reverse("diary"))
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_set_up_then_sign_in_with_a_code_from_the_authenticator(live_server, page, boss):
    page.set_viewport_size({"width": 1366, "height": 900})
    _password(page, live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-factor sign-in")
    assert_accessible(page)
    key = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code").fill(_code(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your recovery codes")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diary")

    page.get_by_role("button", name="Sign out").click()
    _password(page, live_server.url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    assert_accessible(page)
    page.get_by_label("Code").fill(_next_code(boss, key))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diary")

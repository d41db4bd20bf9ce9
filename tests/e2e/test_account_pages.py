"""In the browser: the clinic admin's account pages (staff, editing a member of staff,
sign-in locks, security settings), everyone's API tokens page and the refusal of too many
password-reset requests pass axe, at a desk screen's width."""

import pytest
from django.core.cache import cache
from django.urls import reverse
from playwright.sync_api import expect

from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def boss(transactional_db):
    factories.build_clinic()
    factories.staff_user("front", role="Reception")
    # Imported from another system: no password until invited (the Invite button).
    factories.staff_user("imported", role="Practitioner", password="!")
    return factories.staff_user("boss", role="Clinic admin")


def test_the_account_pages_are_accessible(live_server, page, boss):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diary")
    for name, heading in (
        ("staff_list", "Staff accounts"),
        ("signin_locks", "Sign-in locks"),
        ("security_settings", "Security settings"),
        ("token_list", "API tokens"),
        ("two_factor_setup", "Set up two-factor sign-in"),
    ):
        page.goto(live_server.url + reverse(name))
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        if name == "staff_list":
            expect(page.get_by_role("button", name="Send imported an invitation")).to_be_visible()
        assert_accessible(page)


def test_editing_staff_details_and_asking_too_often_for_a_reset_link_are_accessible(
    live_server, page, boss, settings
):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(live_server.url + reverse("staff_list"))
    page.get_by_role("link", name="Edit the name or email of front").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Edit")
    assert_accessible(page)
    page.get_by_label("Email").fill("boss@clinic.test")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("alert")).to_contain_text("A staff account already uses that email.")
    assert_accessible(page)
    page.get_by_role("banner").get_by_role("button", name="Sign out").click()

    settings.ACUCLINIC_RESET_RATE_PER_EMAIL = 1
    cache.clear()
    for _ in range(2):
        page.goto(live_server.url + reverse("password_reset"))
        page.get_by_label("Email").fill("front@clinic.test")
        page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("alert")).to_contain_text("Too many requests for a reset link")
    assert_accessible(page, signed_in=False)

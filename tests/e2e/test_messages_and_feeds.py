"""In the browser: the outbox and the calendar feed page are labelled and have their
landmarks, and a practitioner copies their new subscription URL with one click."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def team(transactional_db):
    factories.build_clinic()
    factories.practitioner("sarah", qualified_medical=True)
    factories.staff_user("boss", role="Clinic admin")


def sign_in(page, base_url: str, username: str) -> None:
    page.goto(base_url + reverse("login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # A practitioner lands on their own day, everyone else on the diary.
    expect(page.get_by_role("heading", level=1)).to_contain_text(re.compile("Diary|My day"))


@pytest.mark.parametrize(
    "path", [reverse("outbox"), reverse("messaging_policy"), reverse("calendar_feeds")]
)
def test_the_admin_pages_are_labelled_and_have_their_landmarks(live_server, page, team, path):
    sign_in(page, live_server.url, "boss")
    page.goto(live_server.url + path)
    assert_accessible(page)


def test_the_outbox_is_in_the_main_menu_for_admins(live_server, page, team):
    sign_in(page, live_server.url, "boss")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Outbox").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Outbox")


def test_when_the_browser_refuses_the_clipboard_the_url_is_selected_to_copy_by_hand(
    live_server, page, team
):
    # Browsers refuse the clipboard to a window without focus or under a strict policy.
    page.add_init_script(
        "navigator.clipboard.writeText = () =>"
        " Promise.reject(new DOMException('Document is not focused.', 'NotAllowedError'));"
    )
    sign_in(page, live_server.url, "sarah")
    page.get_by_role("link", name="Calendar feed").click()
    page.get_by_role("button", name="Make a subscription URL").click()
    url = page.get_by_role("textbox", name="Subscription URL").input_value()

    page.get_by_role("button", name="Copy").click()

    expect(page.get_by_role("button", name="Selected: press Ctrl+C")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "feed-url"
    selected = "(f => f.value.substring(f.selectionStart, f.selectionEnd))(document.activeElement)"
    assert page.evaluate(selected) == url


def test_a_practitioner_makes_a_subscription_url_and_copies_it(live_server, page, team):
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    sign_in(page, live_server.url, "sarah")
    page.get_by_role("link", name="Calendar feed").click()
    assert_accessible(page)
    page.get_by_role("button", name="Make a subscription URL").click()

    field = page.get_by_role("textbox", name="Subscription URL")
    url = field.input_value()
    assert url.startswith(live_server.url + "/calendar/cal_")
    # The clipboard belongs to the focused window, as a person's at the desk is. Headless
    # Chromium focuses one page at a time, and in a parallel run another test's page may
    # hold it: the page is told to behave as focused, so the test does not race for it.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Emulation.setFocusEmulationEnabled", {"enabled": True})
    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == url

    feed = page.request.get(url)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"

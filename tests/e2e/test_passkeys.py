"""In the browser: a member of staff signed in with their authenticator app adds a
passkey from the two-factor page, then next time finishes signing in with it instead
of a code. Chromium's virtual authenticator (Chrome DevTools Protocol, WebAuthn domain)
stands in for a phone's or laptop's built-in one."""

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import expect

from acuclinic.audit.models import AuditAction, AuditEntry
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_two_factor import _code, _next_code, _password, boss  # noqa: F401 (a fixture)

pytestmark = pytest.mark.browser


@pytest.fixture
def passkey_site(settings, live_server):
    # The live server is this test's site: passkeys belong to localhost and its port.
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    assert live_server.url.startswith("http://localhost:")
    return live_server.url


def _virtual_authenticator(page) -> None:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_add_a_passkey_then_sign_in_with_it(passkey_site, page, boss):  # noqa: F811
    page.set_viewport_size({"width": 1366, "height": 900})
    _virtual_authenticator(page)
    _password(page, passkey_site)
    key = page.locator("#totp-secret").inner_text()
    page.get_by_label("Code").fill(_code(key))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diary")

    page.get_by_role("link", name="Two-factor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    expect(page.get_by_text("You have no passkeys yet.")).to_be_visible()
    # A passkey is asked of the browser's authenticator only while the page has focus,
    # and its three steps (the server's challenge, the authenticator, the server's check
    # and the page's reload) can take longer than expect's 5 s on a busy machine.
    page.bring_to_front()
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_role("cell", name="Passkey 1", exact=True)).to_be_visible(timeout=30_000)
    assert_accessible(page)
    assert WebAuthnCredential.objects.filter(user=boss).count() == 1

    page.get_by_role("button", name="Sign out").click()
    _password(page, passkey_site)
    expect(page.get_by_role("heading", level=1)).to_have_text("Two-factor sign-in")
    assert_accessible(page)
    page.bring_to_front()
    page.get_by_role("button", name="Use a passkey").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diary", timeout=30_000)
    assert AuditEntry.objects.filter(
        action=AuditAction.LOGIN, actor=boss, detail="verified by Passkey 1"
    ).exists()

    page.get_by_role("link", name="Two-factor").click()
    page.get_by_role("button", name="Remove Passkey 1").click()
    # It was this session's second step: the authenticator app is asked for again.
    expect(page.get_by_text("You had signed in with it")).to_be_visible()
    page.get_by_label("Code").fill(_next_code(boss, key))
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("You have no passkeys yet.")).to_be_visible()
    assert_accessible(page)
    assert not WebAuthnCredential.objects.filter(user=boss).exists()

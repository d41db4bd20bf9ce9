"""Browser tests drive Debian's Chromium through Playwright against Django's live server.

Playwright cannot download its own browser here, so it is pointed at /usr/bin/chromium.
Without that browser the tests are skipped on a developer machine but fail in CI
(ACUCLINIC_REQUIRE_BROWSER=1), so a green CI always includes them.
"""

import os
import shutil

import pytest

CHROMIUM = os.environ.get("ACUCLINIC_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        if os.environ.get("ACUCLINIC_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must install Debian's chromium.")
        pytest.skip("Chromium is not installed (apt-get install chromium).")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # happen outside the browser calls, so Django's async-safety guard can be relaxed.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-GB", timezone_id="Europe/London")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()

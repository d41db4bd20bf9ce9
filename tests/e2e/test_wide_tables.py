"""At a desk screen's width (1366 px) a wide table scrolls inside its own box: every
table of the reports and set-up pages sits in a ``.table-scroll`` box and the page
itself never scrolls sideways (issue 15, point 7)."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

# Each table not inside a .table-scroll box, by its first header cells.
UNBOXED_TABLES = """() => [...document.querySelectorAll('main table')]
  .filter(t => !t.closest('.table-scroll'))
  .map(t => t.innerText.slice(0, 60))"""
PAGE_SCROLLS_SIDEWAYS = (
    "() => document.documentElement.scrollWidth > document.documentElement.clientWidth"
)


@pytest.fixture
def admin(transactional_db):
    factories.build_clinic()
    factories.practitioner("sarah", qualified_medical=True)
    return factories.staff_user("boss", role="Clinic admin")


PAGES = (
    "billing_reports",
    "billing_home",
    "outcomes_report",
    "audit_list",
    "outbox",
    "location_list",
    "practitioner_list",
    "service_list",
    "treatment_report",
    "treatment_lots",
    "safety_expiring_credentials",
    "working_time",
    "sar_list",
    "retention_report",
)


def test_wide_tables_scroll_in_their_own_box(live_server, page, admin):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diary")

    for name in PAGES:
        page.goto(live_server.url + reverse(name))
        assert page.evaluate(UNBOXED_TABLES) == [], name
        assert page.evaluate(PAGE_SCROLLS_SIDEWAYS) is False, name
        assert_accessible(page)

"""The clinic admin's data pages in a browser: subject access register, retention, and an
import from another system with its progress on the page; each accessible (axe-core)."""

import os
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from acuclinic.notifications.worker import Worker
from acuclinic.people.models import Patient
from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser
SAMPLE = Path(__file__).resolve().parents[2] / "acuclinic/interop/tests/data/cliniko_patients.csv"
SHOTS = os.environ.get("ACUCLINIC_SCREENSHOTS")


@pytest.fixture
def clinic(transactional_db, settings, tmp_path):
    settings.ACUCLINIC_IMPORT_DIR = tmp_path / "imports"
    factories.build_clinic()
    factories.staff_user("dpo", role="Clinic admin", first_name="Dee", last_name="Powell")
    old = factories.patient(given_name="Ebenezer", family_name="Oldfield")
    Patient.objects.filter(pk=old.pk).update(created_at=datetime(2010, 1, 4, tzinfo=UTC))
    return factories.patient(given_name="Margaret", family_name="Okafor")


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_admin_records_a_subject_access_request_checks_retention_and_imports(
    live_server, page, clinic
):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill("dpo")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.get_by_role("link", name="Subject access").click()
    page.get_by_label("Patient record number").fill(str(clinic.pk))
    page.get_by_label("Date received").fill("2026-03-03")
    page.get_by_role("button", name="Record the request").click()
    expect(page.get_by_role("cell", name="Margaret Okafor")).to_be_visible()
    expect(page.get_by_role("cell", name="Fri 3 Apr 2026 overdue")).to_be_visible()
    assert_accessible(page)
    shot(page, "sar")

    page.get_by_role("link", name="Retention").click()
    expect(page.get_by_text("Ebenezer Oldfield")).to_be_visible()
    assert_accessible(page)
    shot(page, "retention")

    page.get_by_role("link", name="Import").click()
    page.get_by_label("Exported from").select_option("cliniko")
    page.get_by_label("Patients CSV file").set_input_files(str(SAMPLE))
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("progressbar", name="Rows done")).to_be_visible()
    assert_accessible(page)
    Worker(jobs=[], interval=0).run(batch=True)
    # The page polls and shows the result without a reload.
    expect(page.get_by_text("Would create 5 patients")).to_be_visible()
    assert_accessible(page)
    shot(page, "import-checked")
    page.get_by_role("button", name="Import 5 patients").click()
    Worker(jobs=[], interval=0).run(batch=True)
    expect(page.get_by_text("Imported.")).to_be_visible()
    assert Patient.objects.filter(family_name="Thistlewood").exists()

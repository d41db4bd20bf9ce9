"""Taking payment at the desk in a real browser: the account, the payment, the receipt,
and the admin's reports, each free of accessibility violations."""

import os

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from acuclinic.billing import services
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("ACUCLINIC_SCREENSHOTS")


@pytest.fixture
def visit_given(transactional_db):
    factories.build_clinic()
    sarah = factories.practitioner("sarah", qualified_medical=True)
    factories.staff_user("desk", role="Reception", first_name="Rita", last_name="Desk")
    factories.staff_user("boss", role="Clinic admin", first_name="Ada", last_name="Boss")
    patient = factories.patient(given_name="Margaret", family_name="Okafor")
    visit = factories.appointment(
        patient=patient,
        practitioner=sarah,
        start=factories.next_weekday_at(10, days_ahead=-8),
        status=AppointmentStatus.ARRIVED,
    )
    return services.invoice_visit(visit)


def sign_in(tab, base_url, username):
    tab.goto(base_url + reverse("login"))
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill(factories.PASSWORD)
    tab.get_by_role("button", name="Sign in").click()


def shot(tab, name):
    if SHOTS:
        tab.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_reception_takes_payment_and_the_admin_reads_the_reports(live_server, page, visit_given):
    invoice = visit_given
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server.url, "desk")
    page.goto(live_server.url + reverse("billing_patient", args=[invoice.patient_id]))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Account: Margaret Okafor")
    assert_accessible(page)
    shot(page, "billing-account")
    desk = page.get_by_role("region", name="Take a payment")
    desk.get_by_label("Method").select_option("cash")
    desk.get_by_label("Amount").fill("20")
    page.get_by_role("button", name="Take payment").click()
    expect(page.get_by_role("status")).to_contain_text("£20.00 taken by Cash")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Invoice INV-000001")
    expect(page.locator(".totals")).to_contain_text("£30.00")
    assert_accessible(page)
    shot(page, "billing-invoice")
    page.context.clear_cookies()
    sign_in(page, live_server.url, "boss")
    page.goto(live_server.url + reverse("billing_reports"))
    expect(page.get_by_role("heading", name="Outstanding and aged debt")).to_be_visible()
    assert_accessible(page)
    shot(page, "billing-reports")
    page.goto(live_server.url + reverse("billing_takings"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Takings")
    assert_accessible(page)

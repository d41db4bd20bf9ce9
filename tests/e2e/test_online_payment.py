"""A payment asked at online booking and not completed, in a real browser: the patient's
page (phone width) says the visit stands and what to pay; the desk sees it owing."""

import pytest
from django.test import override_settings
from django.urls import reverse
from playwright.sync_api import expect

from acuclinic.billing.models import BillingSettings, CheckoutSession
from acuclinic.clinic.models import Clinic
from acuclinic.online_booking import services as online
from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_billing import shot, sign_in

pytestmark = pytest.mark.browser
STRIPE = {"STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_WEBHOOK_SECRET": "whsec_test"}


@override_settings(**STRIPE)
def test_an_unpaid_deposit_leaves_the_visit_booked_and_shows_at_the_desk(
    live_server, page, transactional_db
):
    factories.build_clinic()
    sarah = factories.practitioner("sarah", qualified_medical=True)
    factories.staff_user("desk", role="Reception", first_name="Rita", last_name="Desk")
    patient = factories.patient(given_name="Margaret", family_name="Okafor")
    visit = factories.appointment(patient=patient, practitioner=sarah)
    BillingSettings.objects.create(
        clinic=Clinic.objects.get(), online_booking_pays="deposit", online_deposit_pence=2000
    )
    CheckoutSession.objects.create(
        appointment=visit, patient=patient, provider="stripe", session_id="cs_1", amount_pence=2000
    )
    page.set_viewport_size({"width": 390, "height": 844})
    done = reverse("online_done", args=[online.done_token(visit)]) + "?paid=0"
    page.goto(live_server.url + done)
    expect(page.get_by_role("heading", level=1)).to_have_text("You are booked")
    expect(page.get_by_text("Your payment of £20.00 was not taken.")).to_be_visible()
    assert_accessible(page, signed_in=False)
    shot(page, "online-booking-unpaid")
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server.url, "desk")
    page.goto(live_server.url + reverse("billing_patient", args=[patient.pk]))
    expect(page.get_by_text("Not paid when booked online")).to_be_visible()
    assert_accessible(page)
    shot(page, "billing-account-unpaid-online")

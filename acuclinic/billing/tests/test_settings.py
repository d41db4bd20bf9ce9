"""The admin's billing settings: VAT number, fees, prices by date, VAT by service."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from acuclinic.billing import services
from acuclinic.billing.models import BillingSettings, Price, ServiceVat
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db

SETTINGS = {
    "form": "settings",
    "vat_number": "GB123456789",
    "invoice_when": "attended",
    "payment_terms_days": "14",
    "late_cancel_fee_pence": "0",
    "late_cancel_fee_percent": "50",
    "dna_fee_pence": "4500",
    "dna_fee_percent": "0",
    "course_draws_dna": "on",
}


def test_an_admin_sets_vat_fees_prices_and_vat_treatment(client, admin_user, clinic, medical):
    client.force_login(admin_user)
    assert client.post(reverse("billing_settings"), SETTINGS).status_code == 302
    saved = services.settings_for(clinic)
    assert (saved.vat_number, saved.late_cancel_fee_percent, saved.dna_fee_pence) == (
        "GB123456789",
        50,
        4500,
    )
    assert not saved.course_draws_late_cancel and saved.course_draws_dna
    price = {
        "form": "price",
        "service": medical.pk,
        "effective_from": "2026-01-01",
        "price": "55.00",
    }
    assert client.post(reverse("billing_settings"), price).status_code == 302
    assert Price.objects.get().price_pence == 5500
    again = client.post(reverse("billing_settings"), price)
    assert again.status_code == 400 and Price.objects.count() == 1
    vat = {"form": "vat", "service": medical.pk, "treatment": "standard"}
    client.post(reverse("billing_settings"), vat)
    client.post(reverse("billing_settings"), {**vat, "treatment": "exempt"})
    assert ServiceVat.objects.get(service=medical).treatment == "exempt"


def test_a_fee_as_both_amount_and_percentage_is_refused(client, admin_user, clinic):
    client.force_login(admin_user)
    response = client.post(
        reverse("billing_settings"), {**SETTINGS, "late_cancel_fee_pence": "1000"}
    )
    assert response.status_code == 400
    assert "late_cancel_fee_percent" in response.context["settings_form"].errors
    assert not BillingSettings.objects.filter(late_cancel_fee_pence=1000).exists()


def test_online_booking_asks_a_deposit_only_with_its_amount(client, admin_user, clinic):
    client.force_login(admin_user)
    response = client.post(
        reverse("billing_settings"), {**SETTINGS, "online_booking_pays": "deposit"}
    )
    assert response.status_code == 400
    assert "online_deposit_pence" in response.context["settings_form"].errors
    good = {**SETTINGS, "online_booking_pays": "deposit", "online_deposit_pence": "2000"}
    assert client.post(reverse("billing_settings"), good).status_code == 302
    saved = services.settings_for(clinic)
    assert (saved.online_booking_pays, saved.online_deposit_pence) == ("deposit", 2000)


def test_the_settings_page_names_every_practitioner_in_statements_that_do_not_grow(
    client, admin_user, practitioner, django_assert_num_queries
):
    # The price form offers each practitioner by name: read with their users, not one
    # statement each (37 statements for a clinic of 20).
    client.force_login(admin_user)
    url = reverse("billing_settings")
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    added = [factories.practitioner(f"prac-{n}") for n in range(3)]
    with django_assert_num_queries(len(one)):
        page = client.get(url).content.decode()
    assert all(p.name in page for p in [practitioner, *added])

"""The money reports: aged debt, revenue, the accountant's CSV; queries do not grow."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from acuclinic.billing import reports, services
from acuclinic.billing.models import Outstanding

pytestmark = pytest.mark.django_db


def _issue_days_ago(patient, clinic, pence, days):
    draft = services.create_draft(patient=patient, clinic=clinic)
    services.add_line(draft, description="Report", amount_pence=pence)
    return services.issue(draft, now=timezone.now() - timedelta(days=days))


def test_aged_debt_buckets_what_is_still_owed(patient, clinic):
    a = _issue_days_ago(patient, clinic, 1000, 5)
    _issue_days_ago(patient, clinic, 2000, 45)
    _issue_days_ago(patient, clinic, 3000, 75)
    _issue_days_ago(patient, clinic, 4000, 200)
    services.record_payment(patient=patient, invoice=a, amount_pence=400, method="cash")
    found = reports.aged_debt()
    assert found.buckets == [600, 2000, 3000, 4000]
    # Oldest first; a day either way where the clocks changed since (local dates).
    days = [r["days"] for r in found.rows]
    assert days == sorted(days, reverse=True) and abs(days[0] - 200) <= 1
    services.record_payment(patient=patient, invoice=a, amount_pence=600, method="cash")
    assert not Outstanding.objects.filter(invoice=a).exists()
    assert reports.aged_debt().buckets[0] == 0


def test_revenue_is_net_of_vat_and_credit_notes_by_month_service_practitioner(
    invoice, vat_registered, patient, clinic
):
    services.credit_invoice(invoice, amount_pence=1000, reason="discount")
    today = timezone.localdate()
    found = reports.revenue(today - timedelta(days=40), today)
    assert found.total_pence == 4000
    assert found.by_service == [("Medical acupuncture", 4000)]
    assert found.by_month == [(invoice.issued_month, 4000)]
    assert invoice.issued_month == timezone.localdate(invoice.issued_at).replace(day=1)
    assert found.by_practitioner[0][1] == 4000


def test_report_queries_do_not_grow_with_the_number_of_invoices(patient, clinic):
    def count():
        with CaptureQueriesContext(connection) as ctx:
            reports.aged_debt(top=5)
            reports.revenue(timezone.localdate() - timedelta(days=30), timezone.localdate())
            reports.takings(timezone.localdate())
        return len(ctx)

    _issue_days_ago(patient, clinic, 1000, 1)
    few = count()
    for days in range(2, 12):
        _issue_days_ago(patient, clinic, 1000, days)
    assert count() == few


def test_the_accountants_csv_export(client, admin_user, reception_user, invoice):
    services.record_payment(
        patient=invoice.patient, invoice=invoice, amount_pence=5000, method="card"
    )
    services.credit_invoice(invoice, amount_pence=1000, reason="discount")
    client.force_login(admin_user)
    response = client.get(reverse("billing_export"), {"kind": "invoices"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["*ContactName", "EmailAddress", "*InvoiceNumber"]
    assert [r[2] for r in rows[1:]] == ["INV-000001", "CN-000002"]
    assert [r[8] for r in rows[1:]] == ["50.00", "-10.00"]
    assert rows[1][10] == "No VAT"
    response = client.get(reverse("billing_export"), {"kind": "payments"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][1] == "50.00" and rows[1][6] == "INV-000001"
    page = client.get(reverse("billing_reports")).content.decode()
    assert "Outstanding and aged debt" in page and "<svg" in page
    client.force_login(reception_user)
    assert client.get(reverse("billing_reports")).status_code == 403


def test_a_name_that_would_run_as_a_formula_reaches_the_accountant_as_text(
    client, admin_user, invoice
):
    # Patients name themselves on the public booking form. Opened in a spreadsheet, the
    # export must show this name, not run it; the credit note's negative amount is still
    # a number.
    patient = invoice.patient
    patient.given_name, patient.family_name = '=HYPERLINK("http://evil.example"', '"Pay")'
    patient.save()
    services.credit_invoice(invoice, amount_pence=1000, reason="discount")
    client.force_login(admin_user)
    response = client.get(reverse("billing_export"), {"kind": "invoices"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert {r[0] for r in rows[1:]} == {'\'=HYPERLINK("http://evil.example" "Pay")'}
    assert [r[8] for r in rows[1:]] == ["50.00", "-10.00"]

"""Each money report also downloads as CSV (money as pounds, two decimals, said in the
header), for exactly the roles that see its page."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from acuclinic.billing import courses, services
from acuclinic.billing.models import CourseBlock, InsurancePolicy, Insurer

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_takings_csv_is_the_till_cash_up_and_a_practitioner_gets_only_their_own(
    client, admin_user, invoice, practitioner, patient
):
    services.record_payment(patient=patient, invoice=invoice, amount_pence=3000, method="cash")
    services.record_payment(patient=patient, invoice=invoice, amount_pence=2000, method="card")
    services.record_payment(patient=patient, amount_pence=700, method="cash")  # on account
    client.force_login(admin_user)
    rows = _rows(client.get(reverse("billing_takings"), {"format": "csv"}))
    assert rows[0] == ["Date", "Group", "Name", "Amount (GBP, pounds)"]
    by = {(r[1], r[2]): r[3] for r in rows[1:]}
    assert by[("Cash in till", "Cash")] == "37.00"
    assert by[("Total", "All methods")] == "57.00"
    assert by[("Method", "Cash")] == "37.00" and by[("Method", "Card (terminal)")] == "20.00"
    client.force_login(practitioner.user)
    rows = _rows(client.get(reverse("billing_takings"), {"format": "csv"}))
    by = {(r[1], r[2]): r[3] for r in rows[1:]}
    assert by[("Total", "All methods")] == "50.00"
    assert ("Cash in till", "Cash") not in by


def test_aged_debt_revenue_and_liability_csv_for_admins_only(
    client, admin_user, reception_user, invoice, patient, clinic, medical
):
    services.record_payment(patient=patient, invoice=invoice, amount_pence=1500, method="cash")
    block = CourseBlock.objects.create(
        clinic=clinic, name="Six sessions", service=medical, sessions=6, price_pence=27000
    )
    courses.sell(patient=patient, block=block)
    client.force_login(admin_user)
    url = reverse("billing_reports")
    debt = _rows(client.get(url, {"csv": "debt"}))
    assert debt[0][-1] == "Owed (GBP, pounds)"
    assert [r[1] for r in debt[1:3]] == ["INV-000001", "INV-000002"]
    assert debt[1][-1] == "35.00" and debt[1][5] == "0–30 days"
    assert debt[-1][5:] == ["Total", "305.00"]
    revenue = _rows(client.get(url, {"csv": "revenue"}))
    assert revenue[0][-1] == "Net revenue (GBP, pounds)"
    assert ["Service", "Medical acupuncture", "320.00"] in [r[2:] for r in revenue]
    assert ["Month", timezone.localdate().strftime("%Y-%m"), "320.00"] in [r[2:] for r in revenue]
    assert revenue[-1][2:] == ["Total", "All", "320.00"]
    liability = _rows(client.get(url, {"csv": "liability"}))
    assert liability[0][-1] == "Value (GBP, pounds)"
    assert liability[1][1:] == ["1", "6", "270.00"]
    client.force_login(reception_user)
    for kind in ("debt", "revenue", "liability"):
        assert client.get(url, {"csv": kind}).status_code == 403


def test_insurer_debt_csv_for_the_insurers_page_roles(
    client, reception_user, practitioner, patient, clinic
):
    insurer = Insurer.objects.create(name="Bupa")
    today = timezone.localdate()
    policy = InsurancePolicy.objects.create(
        patient=patient,
        insurer=insurer,
        membership_number="B1",
        sessions_authorised=6,
        valid_from=today,
        valid_until=today + timedelta(days=30),
    )
    draft = services.create_draft(patient=patient, clinic=clinic)
    draft.policy = policy
    draft.save()
    services.add_line(draft, description="Session", amount_pence=4500)
    services.issue(draft)
    client.force_login(reception_user)
    rows = _rows(client.get(reverse("billing_insurers"), {"format": "csv"}))
    assert rows == [["Insurer", "Owed (GBP, pounds)"], ["Bupa", "45.00"], ["Total", "45.00"]]
    client.force_login(practitioner.user)
    assert client.get(reverse("billing_insurers"), {"format": "csv"}).status_code == 403

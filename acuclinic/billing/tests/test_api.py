"""The billing API: the same rules, codes and roles as the pages."""

import pytest

from acuclinic.billing.models import Invoice, Payment
from acuclinic.testing.api_client import as_user

pytestmark = pytest.mark.django_db


def test_pay_an_invoice_with_an_idempotency_key_then_read_the_balance(reception_user, invoice):
    api = as_user(reception_user)
    body = {
        "patient": invoice.patient_id,
        "invoice": invoice.pk,
        "method": "card",
        "amount_pence": 6000,
    }
    api.headers["Idempotency-Key"] = "pay-1"
    first = api.post("/billing/payments", body)
    assert first.status_code == 201, first.json()
    assert [(p["invoice"], p["amount_pence"]) for p in first.json()] == [
        (invoice.pk, 5000),
        (None, 1000),
    ]
    again = api.post("/billing/payments", body)
    assert again.status_code == 201 and again.content == first.content
    assert again["Idempotent-Replayed"] == "true"
    assert Payment.objects.count() == 2
    balance = api.get(f"/billing/patients/{invoice.patient_id}/balance").json()
    assert (balance["balance_pence"], balance["credit_pence"]) == (-1000, 1000)
    got = api.get(f"/billing/invoices/{invoice.pk}").json()
    assert got["owed_pence"] == 0 and got["reference"] == "INV-000001"
    assert got["lines"][0]["practitioner"].startswith(invoice.lines.get().practitioner.name)


@pytest.mark.parametrize(
    "change, status, code",
    [
        ({"amount_pence": -1}, 422, "invalid_amount"),
        ({"amount_pence": 0}, 422, "invalid_amount"),
        ({"method": "cheque"}, 422, "invalid_choice"),
        ({"invoice": 999999}, 404, "unknown_invoice"),
        ({"surprise": 1}, 422, "unknown_field"),
    ],
)
def test_bad_payments_get_a_code_and_write_nothing(reception_user, invoice, change, status, code):
    body = {
        "patient": invoice.patient_id,
        "invoice": invoice.pk,
        "method": "card",
        "amount_pence": 100,
    }
    response = as_user(reception_user).post("/billing/payments", {**body, **change})
    assert response.status_code == status, response.json()
    found = response.json()
    assert code in {found["code"], *(e["code"] for e in found.get("errors") or [])}
    assert not Payment.objects.exists()


def test_refund_beyond_what_was_paid_is_refused(admin_user, invoice):
    api = as_user(admin_user)
    body = {
        "patient": invoice.patient_id,
        "invoice": invoice.pk,
        "method": "cash",
        "amount_pence": 2000,
    }
    [paid] = api.post("/billing/payments", body).json()
    over = api.post(
        f"/billing/payments/{paid['id']}/refunds", {"amount_pence": 2001, "reason": "x"}
    )
    assert over.status_code == 409 and over.json()["code"] == "refund_exceeds_payment"
    ok = api.post(f"/billing/payments/{paid['id']}/refunds", {"amount_pence": 500, "reason": "x"})
    assert ok.status_code == 201 and ok.json()["kind"] == "refund"


def test_invoice_by_hand_and_credit_note(admin_user, patient, clinic, practitioner):
    api = as_user(admin_user)
    made = api.post(
        "/billing/invoices",
        {"patient": patient.pk, "lines": [{"description": "Report", "amount_pence": 3000}]},
    )
    assert made.status_code == 201 and made.json()["number"] == 1
    bad = api.post(
        "/billing/invoices",
        {"patient": patient.pk, "lines": [{"description": " ", "amount_pence": 3000}]},
    )
    assert bad.status_code == 422 and bad.json()["code"] == "required"
    note = api.post(f"/billing/invoices/{made.json()['id']}/credit-notes", {"reason": "sent twice"})
    assert (
        note.status_code == 201
        and note.json()["kind"] == "credit_note"
        and note.json()["number"] == 2
    )
    again = api.post(f"/billing/invoices/{made.json()['id']}/credit-notes", {"reason": "again"})
    assert again.status_code == 409 and again.json()["code"] == "invoice_credited"
    listed = api.get("/billing/invoices", {"patient": patient.pk}).json()
    assert listed["count"] == 2 and Invoice.objects.count() == 2


def test_a_practitioner_sees_their_own_takings_and_reception_cannot_refund(
    practitioner_user, reception_user, invoice
):
    assert as_user(practitioner_user).get("/billing/takings").status_code == 200
    assert as_user(practitioner_user).get("/billing/invoices").status_code == 403
    [paid] = (
        as_user(reception_user)
        .post(
            "/billing/payments",
            {
                "patient": invoice.patient_id,
                "invoice": invoice.pk,
                "method": "cash",
                "amount_pence": 100,
            },
        )
        .json()
    )
    refused = as_user(reception_user).post(
        f"/billing/payments/{paid['id']}/refunds", {"amount_pence": 1, "reason": "x"}
    )
    assert refused.status_code == 403


def test_courses_and_policies_through_the_api(admin_user, reception_user, patient, clinic):
    from acuclinic.billing.models import CourseBlock, Insurer

    block = CourseBlock.objects.create(clinic=clinic, name="Six", sessions=6, price_pence=24000)
    desk = as_user(reception_user)
    sold = desk.post("/billing/courses", {"patient": patient.pk, "block": block.pk})
    assert sold.status_code == 201 and sold.json()["summary"] == "0 of 6 used"
    assert not sold.json()["paid"]
    desk.post(
        "/billing/payments",
        {
            "patient": patient.pk,
            "invoice": sold.json()["invoice"],
            "method": "card",
            "amount_pence": 24000,
        },
    )
    listed = desk.get(f"/billing/patients/{patient.pk}/courses").json()
    assert listed[0]["paid"] is True
    refund = as_user(admin_user).post(
        f"/billing/courses/{listed[0]['id']}/refund", {"reason": "moved"}
    )
    assert refund.status_code == 201 and refund.json()["refunded_pence"] == 24000
    insurer = Insurer.objects.create(name="AXA Health")
    body = {
        "insurer": insurer.pk,
        "membership_number": "AX1",
        "sessions_authorised": 6,
        "valid_from": "2026-01-01",
        "valid_until": "2025-12-31",
    }
    bad = desk.post(f"/billing/patients/{patient.pk}/policies", body)
    assert bad.status_code == 422 and bad.json()["code"] == "dates_out_of_order"
    ok = desk.post(
        f"/billing/patients/{patient.pk}/policies", {**body, "valid_until": "2026-12-31"}
    )
    assert ok.status_code == 201
    assert desk.get(f"/billing/patients/{patient.pk}/policies").json()[0]["insurer"] == "AXA Health"

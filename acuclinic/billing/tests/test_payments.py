"""Payments: part payments, overpayment kept as credit, refunds, account credit."""

import pytest

from acuclinic.audit.models import AuditEntry
from acuclinic.billing import queries, services
from acuclinic.billing.choices import PaymentKind
from acuclinic.billing.models import Payment
from acuclinic.core.errors import Conflict, InvalidRequest

pytestmark = pytest.mark.django_db


def pay(invoice, amount, method="card", **kw):
    return services.record_payment(
        patient=invoice.patient, invoice=invoice, amount_pence=amount, method=method, **kw
    )


def test_part_payments_then_overpayment_kept_as_credit(invoice, patient):
    pay(invoice, 2000, "cash")
    assert services.due_on(invoice) == 3000
    rows = pay(invoice, 4000, "card")
    assert [(r.invoice_id, r.amount_pence) for r in rows] == [(invoice.pk, 3000), (None, 1000)]
    assert services.due_on(invoice) == 0
    assert services.credit_available(patient) == 1000
    assert queries.balance(patient) == -1000
    with pytest.raises(Conflict) as exc:
        pay(invoice, 100)
    assert exc.value.code == "invoice_paid"
    assert AuditEntry.objects.filter(object_type="billing.payment").count() == 3


def test_account_credit_pays_a_later_invoice(invoice, patient, clinic):
    pay(invoice, 6000)  # £10 over
    later = services.raise_invoice(
        patient=patient, clinic=clinic, lines=[{"description": "Letter", "amount_pence": 2500}]
    )
    with pytest.raises(Conflict) as exc:
        pay(later, 1001, "account_credit")
    assert exc.value.code == "insufficient_credit"
    pay(later, 1000, "account_credit")
    assert services.credit_available(patient) == 0
    assert services.due_on(later) == 1500
    assert queries.balance(patient) == 1500


def test_refunds_never_exceed_what_was_paid(invoice):
    [payment] = pay(invoice, 5000)
    with pytest.raises(InvalidRequest) as exc:
        services.refund_payment(payment, amount_pence=100, reason="")
    assert exc.value.code == "reason_required"
    services.refund_payment(payment, amount_pence=3000, reason="goodwill")
    assert services.due_on(invoice) == 3000
    with pytest.raises(Conflict) as exc:
        services.refund_payment(payment, amount_pence=2001, reason="again")
    assert exc.value.code == "refund_exceeds_payment"
    assert Payment.objects.filter(kind=PaymentKind.REFUND).count() == 1


def test_credit_already_spent_cannot_be_refunded(invoice, patient, clinic):
    rows = pay(invoice, 6000)
    on_account = rows[1]
    later = services.raise_invoice(
        patient=patient, clinic=clinic, lines=[{"description": "Letter", "amount_pence": 800}]
    )
    pay(later, 800, "account_credit")
    with pytest.raises(Conflict) as exc:
        services.refund_payment(on_account, amount_pence=201, reason="leaving")
    assert exc.value.code == "refund_exceeds_payment"
    services.refund_payment(on_account, amount_pence=200, reason="leaving")
    assert services.credit_available(patient) == 0


def test_crediting_a_paid_invoice_gives_account_credit(invoice, patient):
    pay(invoice, 5000)
    note = services.credit_invoice(invoice, reason="wrong service")
    assert note.to_account_pence == 5000
    assert services.credit_available(patient) == 5000
    assert queries.balance(patient) == -5000


@pytest.mark.parametrize(
    "amount, method, code",
    [
        (0, "card", "invalid_amount"),
        (-100, "card", "invalid_amount"),
        (10**10, "card", "invalid_amount"),
        ("12", "card", "invalid_amount"),
        (100, "cheque", "invalid_method"),
        (100, "prepaid", "use_prepaid_course"),
    ],
)
def test_bad_payments_are_refused_and_nothing_is_written(invoice, amount, method, code):
    with pytest.raises(InvalidRequest) as exc:
        pay(invoice, amount, method)
    assert exc.value.code == code
    assert not Payment.objects.exists()


def test_paying_a_credited_invoice_or_a_credit_note_is_refused(invoice):
    note = services.credit_invoice(invoice, reason="mistake")
    with pytest.raises(Conflict) as exc:
        pay(invoice, 100)
    assert exc.value.code == "invoice_credited"
    with pytest.raises(Conflict) as exc:
        pay(note, 100)
    assert exc.value.code == "not_an_invoice"
    assert not Payment.objects.exists()


def test_the_same_form_submitted_twice_records_one_payment(invoice):
    first = pay(invoice, 6000, request_key="k-1")
    again = pay(invoice, 6000, request_key="k-1")
    assert {p.pk for p in first} == {p.pk for p in again}
    assert Payment.objects.count() == 2  # the invoice's part and the credit


def test_statement_runs_to_the_balance(invoice, patient):
    pay(invoice, 2000, "cash")
    services.credit_invoice(invoice, amount_pence=1000, reason="discount")
    rows = queries.statement(patient)
    assert [r.amount_pence for r in rows] == [5000, -2000, -1000]
    assert rows[-1].balance_pence == 2000 == queries.balance(patient)

"""Reads more than one page needs: a patient's balance and statement."""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Sum

from acuclinic.billing.choices import InvoiceKind, InvoiceStatus, PaymentKind, PaymentMethod
from acuclinic.billing.models import Invoice, Payment


@dataclass(frozen=True)
class StatementRow:
    when: datetime
    what: str
    amount_pence: int  # owed goes up (+) or down (−)
    balance_pence: int
    invoice: Invoice | None = None
    payment: Payment | None = None


def _patients_own(patient):
    """The patient's issued invoices and credit notes, less what their insurer is billed."""
    return Invoice.objects.filter(
        patient=patient,
        status=InvoiceStatus.ISSUED,
        policy__isnull=True,
        credits__policy__isnull=True,
    )


def _patients_payments(patient):
    return Payment.objects.filter(
        patient=patient, method__in=PaymentMethod.money_in(), invoice__policy__isnull=True
    )


def balance(patient) -> int:
    """What the patient owes the clinic (negative: the clinic holds their credit)."""
    issued = _patients_own(patient)
    invoiced = issued.filter(kind=InvoiceKind.INVOICE).aggregate(s=Sum("total_pence"))["s"] or 0
    credited = issued.filter(kind=InvoiceKind.CREDIT_NOTE).aggregate(s=Sum("total_pence"))["s"] or 0
    money = _patients_payments(patient)
    paid = money.filter(kind=PaymentKind.PAYMENT).aggregate(s=Sum("amount_pence"))["s"] or 0
    refunded = money.filter(kind=PaymentKind.REFUND).aggregate(s=Sum("amount_pence"))["s"] or 0
    return invoiced - credited - paid + refunded


def statement(patient) -> list[StatementRow]:
    """Invoices, credit notes, money in and refunds, oldest first, with the running
    balance. Account credit used on an invoice moves money the clinic already holds,
    so it is not a line of its own."""
    events = []
    for inv in _patients_own(patient):
        sign = -1 if inv.is_credit_note else 1
        events.append((inv.issued_at, inv.pk, 0, inv.reference, sign * inv.total_pence, inv, None))
    for pay in _patients_payments(patient):
        if pay.kind == PaymentKind.REFUND:
            what, amount = f"Refund ({pay.get_method_display()})", pay.amount_pence
        else:
            what, amount = f"Payment ({pay.get_method_display()})", -pay.amount_pence
        events.append((pay.received_at, pay.pk, 1, what, amount, None, pay))
    events.sort(key=lambda e: (e[0], e[2], e[1]))
    rows, running = [], 0
    for when, _, _, what, amount, inv, pay in events:
        running += amount
        rows.append(StatementRow(when, what, amount, running, inv, pay))
    return rows

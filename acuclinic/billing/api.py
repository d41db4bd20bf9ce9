"""Billing as JSON: invoices and credit notes, payments and refunds, a patient's balance
and statement, the day's takings. The same services and permissions as the pages:
reception raises invoices and takes payments; admins alone credit and refund; a
practitioner sees their own takings. Money is whole pence, with a display string."""

from datetime import date, datetime
from typing import Annotated

from ninja import Header, Query, Router, Schema, Status
from ninja.responses import codes_4xx
from pydantic import Field

from acuclinic.billing import money, queries, reports, services
from acuclinic.billing.choices import InvoiceStatus, PaymentMethod
from acuclinic.billing.models import Invoice, Payment
from acuclinic.core.api_auth import permitted, require
from acuclinic.core.api_errors import ErrorOut
from acuclinic.core.api_types import (
    Day,
    Id,
    InputSchema,
    Page,
    PageQuery,
    QueryId,
    get_or_404,
    page_of,
    text,
)
from acuclinic.people.models import Patient
from acuclinic.scheduling import idempotency

router = Router(tags=["billing"])
ERRORS = {codes_4xx: ErrorOut}
VIEW = "billing.view_invoice"


class LineOut(Schema):
    description: str
    session_date: date | None
    practitioner: str
    amount_pence: int
    vat_treatment: str
    vat_rate: int
    vat_pence: int


class InvoiceOut(Schema):
    id: int
    reference: str
    kind: str
    status: str
    purpose: str
    number: int | None
    patient: int
    appointment: int | None
    credits: int | None = Field(description="For a credit note: the invoice it corrects.")
    reason: str
    issued_at: datetime | None
    due_date: date | None
    total_pence: int
    total_display: str
    vat_pence: int
    owed_pence: int = Field(description="What the invoice still owes (0 for a credit note).")
    lines: list[LineOut]

    @staticmethod
    def of(invoice: Invoice) -> dict:
        return {
            "id": invoice.pk,
            "reference": invoice.reference,
            "kind": invoice.kind,
            "status": invoice.status,
            "purpose": invoice.purpose,
            "number": invoice.number,
            "patient": invoice.patient_id,
            "appointment": invoice.appointment_id,
            "credits": invoice.credits_id,
            "reason": invoice.reason,
            "issued_at": invoice.issued_at,
            "due_date": invoice.due_date,
            "total_pence": invoice.total_pence,
            "total_display": money.pounds(invoice.total_pence),
            "vat_pence": invoice.vat_pence,
            "owed_pence": max(services.due_on(invoice), 0),
            "lines": [
                {
                    "description": x.description,
                    "session_date": x.session_date,
                    "practitioner": x.practitioner_details,
                    "amount_pence": x.amount_pence,
                    "vat_treatment": x.vat_treatment,
                    "vat_rate": x.vat_rate,
                    "vat_pence": x.vat_pence,
                }
                for x in invoice.lines.all()
            ],
        }


class PaymentOut(Schema):
    id: int
    kind: str
    method: str
    amount_pence: int
    amount_display: str
    patient: int
    invoice: int | None = Field(description="None: on account (the patient's credit).")
    refund_of: int | None
    reference: str
    received_at: datetime

    @staticmethod
    def of(payment: Payment) -> dict:
        return {
            "id": payment.pk,
            "kind": payment.kind,
            "method": payment.method,
            "amount_pence": payment.amount_pence,
            "amount_display": money.pounds(payment.amount_pence),
            "patient": payment.patient_id,
            "invoice": payment.invoice_id,
            "refund_of": payment.refund_of_id,
            "reference": payment.reference,
            "received_at": payment.received_at,
        }


class LineIn(InputSchema):
    description: text(200)
    amount_pence: Id


class InvoiceIn(InputSchema):
    patient: Id
    lines: list[LineIn] = Field(min_length=1, max_length=50)


class CreditIn(InputSchema):
    reason: text(200)
    amount_pence: Id | None = Field(None, description="Leave out to credit all that is left.")


class PaymentIn(InputSchema):
    patient: Id
    invoice: Id | None = Field(None, description="Leave out to pay on account.")
    method: PaymentMethod
    amount_pence: Id
    reference: text(100) = ""


class RefundIn(InputSchema):
    amount_pence: Id
    reason: text(200)


class StatementRowOut(Schema):
    when: datetime
    what: str
    amount_pence: int
    balance_pence: int
    invoice: int | None
    payment: int | None


class BalanceOut(Schema):
    patient: int
    balance_pence: int = Field(description="Owed to the clinic; negative: the clinic holds credit.")
    balance_display: str
    credit_pence: int
    statement: list[StatementRowOut]


class AmountRow(Schema):
    name: str
    amount_pence: int


class TakingsOut(Schema):
    date: date
    total_pence: int
    cash_pence: int
    by_method: list[AmountRow]
    by_practitioner: list[AmountRow]


class InvoiceFilter(Schema):
    patient: QueryId | None = None


@router.get(
    "/billing/invoices",
    response={200: Page[InvoiceOut], **ERRORS},
    auth=require(VIEW),
    summary="Invoices and credit notes, newest first",
)
def list_invoices(request, filters: Query[InvoiceFilter], page: Query[PageQuery]):
    found = Invoice.objects.filter(status=InvoiceStatus.ISSUED).prefetch_related(
        "lines", "payments", "credit_notes"
    )
    if filters.patient is not None:
        found = found.filter(patient_id=filters.patient)
    result = page_of(found, page)
    result["items"] = [InvoiceOut.of(x) for x in result["items"]]
    return result


@router.get(
    "/billing/invoices/{invoice_id}",
    response={200: InvoiceOut, **ERRORS},
    auth=require(VIEW),
    summary="One invoice or credit note",
)
def get_invoice(request, invoice_id: int):
    return InvoiceOut.of(get_or_404(Invoice, invoice_id, "invoice"))


@router.post(
    "/billing/invoices",
    response={201: InvoiceOut, **ERRORS},
    auth=require("billing.add_invoice"),
    summary="Issue an invoice by hand",
)
def create_invoice(request, payload: InvoiceIn):
    """For items other than visits (a report, a letter): visits are invoiced when they
    are marked arrived. Issued at once with the clinic's next number."""
    patient = get_or_404(Patient, payload.patient, "patient")
    invoice = services.raise_invoice(
        patient=patient,
        clinic=services._clinic_of(patient),
        lines=[line.model_dump() for line in payload.lines],
        user=request.auth,
    )
    return Status(201, InvoiceOut.of(invoice))


@router.post(
    "/billing/invoices/{invoice_id}/credit-notes",
    response={201: InvoiceOut, **ERRORS},
    auth=require("billing.credit_invoice"),
    summary="Correct an invoice with a credit note",
)
def credit_invoice(request, invoice_id: int, payload: CreditIn):
    invoice = get_or_404(Invoice, invoice_id, "invoice")
    note = services.credit_invoice(
        invoice, amount_pence=payload.amount_pence, reason=payload.reason, user=request.auth
    )
    return Status(201, InvoiceOut.of(note))


@router.post(
    "/billing/payments",
    response={201: list[PaymentOut], **ERRORS},
    auth=require("billing.add_payment"),
    summary="Record a payment",
)
def record_payment(
    request,
    payload: PaymentIn,
    idempotency_key: Annotated[
        str | None,
        Header(
            alias=idempotency.HEADER,
            description="Any unique string (a UUID). Sent again with the same request, it "
            "returns the first answer and records nothing new.",
        ),
    ] = None,
):
    """Against an invoice, or on account. More than the invoice owes is kept as the
    patient's credit: the answer then lists two payments. Refused: a credited or paid
    invoice, a draft, a credit note, more account credit than the patient has."""

    def run():
        patient = get_or_404(Patient, payload.patient, "patient")
        invoice = None
        if payload.invoice is not None:
            invoice = get_or_404(
                Invoice.objects.filter(patient=patient), payload.invoice, "invoice"
            )
        rows = services.record_payment(
            patient=patient,
            invoice=invoice,
            amount_pence=payload.amount_pence,
            method=payload.method.value,
            reference=payload.reference,
            user=request.auth,
        )
        return 201, [PaymentOut.of(p) for p in rows]

    return idempotency.run_once(request, payload=payload.model_dump(mode="json"), run=run)


@router.post(
    "/billing/payments/{payment_id}/refunds",
    response={201: PaymentOut, **ERRORS},
    auth=require("billing.refund_payment"),
    summary="Refund (part of) a payment",
)
def refund_payment(request, payment_id: int, payload: RefundIn):
    payment = get_or_404(Payment, payment_id, "payment")
    refund = services.refund_payment(
        payment, amount_pence=payload.amount_pence, reason=payload.reason, user=request.auth
    )
    return Status(201, PaymentOut.of(refund))


@router.get(
    "/billing/patients/{patient_id}/balance",
    response={200: BalanceOut, **ERRORS},
    auth=require(VIEW),
    summary="A patient's balance, credit and statement",
)
def patient_balance(request, patient_id: int):
    patient = get_or_404(Patient, patient_id, "patient")
    rows = queries.statement(patient)
    balance = rows[-1].balance_pence if rows else 0
    return {
        "patient": patient.pk,
        "balance_pence": balance,
        "balance_display": money.pounds(balance),
        "credit_pence": services.credit_available(patient),
        "statement": [
            {
                "when": r.when,
                "what": r.what,
                "amount_pence": r.amount_pence,
                "balance_pence": r.balance_pence,
                "invoice": r.invoice.pk if r.invoice else None,
                "payment": r.payment.pk if r.payment else None,
            }
            for r in rows
        ],
    }


class TakingsQuery(Schema):
    date: Day | None = None


@router.get(
    "/billing/takings",
    response={200: TakingsOut, **ERRORS},
    auth=require(),
    summary="A day's takings by method and practitioner",
)
def takings(request, query: Query[TakingsQuery]):
    """Everyone's for reception and admins; a practitioner's own for a practitioner."""
    user = request.auth
    own = None
    if not user.has_perm("billing.view_payment"):
        own = (
            getattr(user, "practitioner", None)
            if user.has_perm("billing.view_own_takings")
            else None
        )
        if own is None:
            permitted(request, user, ("billing.view_payment",))
    found = reports.takings(query.date or reports.today(), practitioner=own)
    return {
        "date": found.day,
        "total_pence": found.total_pence,
        "cash_pence": found.cash_pence,
        "by_method": [{"name": m, "amount_pence": a} for m, a in found.by_method],
        "by_practitioner": [{"name": n, "amount_pence": a} for n, a in found.by_practitioner],
    }

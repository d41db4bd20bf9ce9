"""Billing as JSON: invoices and credit notes, payments and refunds, a patient's balance
and statement, the day's takings. The same services and permissions as the pages:
reception raises invoices and takes payments; admins alone credit and refund; a
practitioner sees their own takings. Money is whole pence, with a display string."""

from datetime import date, datetime
from typing import Annotated

from django.db import transaction
from ninja import Header, Query, Router, Schema, Status
from pydantic import Field

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.billing import courses, money, queries, reports, services
from acuclinic.billing.choices import InvoiceStatus, PaymentMethod
from acuclinic.billing.models import (
    CourseBlock,
    InsurancePolicy,
    Insurer,
    Invoice,
    Payment,
    PrepaidCourse,
)
from acuclinic.core.api_auth import permitted, require
from acuclinic.core.api_errors import ERRORS
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
from acuclinic.core.errors import InvalidRequest
from acuclinic.people.models import Patient
from acuclinic.scheduling import idempotency

router = Router(tags=["billing"])
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


# Prepaid courses and insurance policies ------------------------------------------------


class CourseOut(Schema):
    id: int
    patient: int
    name: str
    sessions: int
    used: int
    left: int
    summary: str = Field(description="e.g. “3 of 6 used”.")
    price_pence: int
    expires_on: date
    paid: bool
    closed: bool
    invoice: int

    @staticmethod
    def of(course: PrepaidCourse) -> dict:
        return {
            "id": course.pk,
            "patient": course.patient_id,
            "name": course.block.name,
            "sessions": course.sessions,
            "used": course.used,
            "left": course.left,
            "summary": course.summary,
            "price_pence": course.price_pence,
            "expires_on": course.expires_on,
            "paid": courses.is_paid(course),
            "closed": course.closed_at is not None,
            "invoice": course.invoice_id,
        }


class CourseIn(InputSchema):
    patient: Id
    block: Id


class CourseRefundIn(InputSchema):
    reason: text(200)


class CourseRefundOut(Schema):
    course: CourseOut
    refunded_pence: int


class PolicyOut(Schema):
    id: int
    patient: int
    insurer: str
    membership_number: str
    preauthorisation_code: str
    sessions_authorised: int
    sessions_used: int
    excess_pence: int
    excess_used_pence: int
    valid_from: date
    valid_until: date

    @staticmethod
    def of(p: InsurancePolicy) -> dict:
        return {
            "id": p.pk,
            "patient": p.patient_id,
            "insurer": p.insurer.name,
            "membership_number": p.membership_number,
            "preauthorisation_code": p.preauthorisation_code,
            "sessions_authorised": p.sessions_authorised,
            "sessions_used": p.sessions_used,
            "excess_pence": p.excess_pence,
            "excess_used_pence": p.excess_used_pence,
            "valid_from": p.valid_from,
            "valid_until": p.valid_until,
        }


class PolicyIn(InputSchema):
    insurer: Id
    membership_number: text(40)
    preauthorisation_code: text(40) = ""
    sessions_authorised: int = Field(ge=1, le=100)
    excess_pence: int = Field(0, ge=0, le=money.MAX_LINE_PENCE)
    valid_from: Day
    valid_until: Day


@router.get(
    "/billing/patients/{patient_id}/courses",
    response={200: list[CourseOut], **ERRORS},
    auth=require(VIEW),
    summary="A patient's prepaid courses",
)
def patient_courses(request, patient_id: int):
    patient = get_or_404(Patient, patient_id, "patient")
    found = PrepaidCourse.objects.filter(patient=patient).select_related("block", "invoice")
    return [CourseOut.of(c) for c in found]


@router.post(
    "/billing/courses",
    response={201: CourseOut, **ERRORS},
    auth=require("billing.add_invoice"),
    summary="Sell a prepaid course",
)
def sell_course(request, payload: CourseIn):
    """Issues the course's invoice; its sessions are used once that is paid."""
    patient = get_or_404(Patient, payload.patient, "patient")
    block = get_or_404(CourseBlock, payload.block, "block")
    return Status(201, CourseOut.of(courses.sell(patient=patient, block=block, user=request.auth)))


@router.post(
    "/billing/courses/{course_id}/refund",
    response={201: CourseRefundOut, **ERRORS},
    auth=require("billing.refund_payment"),
    summary="Close a course and refund its unused sessions pro rata",
)
def refund_course(request, course_id: int, payload: CourseRefundIn):
    course = get_or_404(PrepaidCourse, course_id, "course")
    amount = courses.refund_unused(course, reason=payload.reason, user=request.auth)
    course.refresh_from_db()
    return Status(201, {"course": CourseOut.of(course), "refunded_pence": amount})


@router.get(
    "/billing/patients/{patient_id}/policies",
    response={200: list[PolicyOut], **ERRORS},
    auth=require(VIEW),
    summary="A patient's insurance policies",
)
def patient_policies(request, patient_id: int):
    patient = get_or_404(Patient, patient_id, "patient")
    found = InsurancePolicy.objects.filter(patient=patient).select_related("insurer")
    return [PolicyOut.of(p) for p in found]


@router.post(
    "/billing/patients/{patient_id}/policies",
    response={201: PolicyOut, **ERRORS},
    auth=require("billing.add_insurancepolicy"),
    summary="Record a policy or a new authorisation",
)
def add_policy(request, patient_id: int, payload: PolicyIn):
    patient = get_or_404(Patient, patient_id, "patient")
    insurer = get_or_404(Insurer, payload.insurer, "insurer")
    if payload.valid_until < payload.valid_from:
        raise InvalidRequest(
            "dates_out_of_order", "The cover must end after it starts.", field="valid_until"
        )
    with transaction.atomic():
        policy = InsurancePolicy.objects.create(
            patient=patient, insurer=insurer, **payload.model_dump(exclude={"insurer"})
        )
        audit.record(AuditAction.CREATE, policy, detail=str(policy))
    return Status(201, PolicyOut.of(policy))


@router.post(
    "/billing/invoices/{invoice_id}/waive",
    response={201: InvoiceOut, **ERRORS},
    auth=require("billing.waive_fee"),
    summary="Waive a late-cancellation or did-not-attend fee",
)
def waive_fee(request, invoice_id: int, payload: CourseRefundIn):
    """A credit note for all of the fee, with the reason (audited)."""
    invoice = get_or_404(Invoice, invoice_id, "invoice")
    return Status(
        201, InvoiceOut.of(services.waive_fee(invoice, reason=payload.reason, user=request.auth))
    )

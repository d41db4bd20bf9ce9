"""Every write that moves money, and the rules it keeps.

All of a patient's money changes lock that patient's account row first (and on
SQLite the IMMEDIATE transaction locks the database), so two desks taking payment for
one patient at once cannot both spend the same credit or refund the same payment twice.
Issuing locks the clinic's number sequence: see ``issue``. Refusals raise a
``ServiceError`` with a stable code before anything is written; each function is one
transaction, so nothing is ever half-written.
"""

from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.billing import money
from acuclinic.billing.choices import (
    InvoiceKind,
    InvoicePurpose,
    InvoiceStatus,
    LineVat,
    PaymentKind,
    PaymentMethod,
    VatTreatment,
)
from acuclinic.billing.models import (
    BillingSettings,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    Outstanding,
    PatientAccount,
    Payment,
    Price,
    ServiceVat,
)
from acuclinic.clinic.models import Clinic, Service
from acuclinic.core import fixed_sql
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.core.formats import format_date
from acuclinic.people.credentials import REGISTRATION_BODIES
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment

# Statuses of a visit that was never given: nothing to invoice but a policy fee.
NOT_GIVEN = {
    AppointmentStatus.CANCELLED,
    AppointmentStatus.LATE_CANCELLED,
    AppointmentStatus.DID_NOT_ATTEND,
}


# Settings, prices and VAT ----------------------------------------------------------------


def settings_for(clinic: Clinic) -> BillingSettings:
    """The clinic's billing settings; the defaults, unsaved, until an admin saves some.

    Reading never writes: this runs inside every booking's transaction (the diary's
    status signal), which must write only the appointment, its audit entry and its
    idempotency record (scheduling/tests/test_booking_lock_scope.py).
    """
    # Fixed SQL, as ``filter(clinic=clinic).first()`` asks: every booking reads it.
    found = fixed_sql.select_one(BillingSettings, 't."clinic_id" = %s', [clinic.pk], 't."id"')
    return found or BillingSettings(clinic=clinic)


def concession_of(patient: Patient) -> str:
    account = PatientAccount.objects.filter(patient=patient).first()
    return account.concession if account else ""


def price_for(service: Service, practitioner: Practitioner | None, patient, day: date) -> int:
    """The price of ``service`` on ``day``: the most specific price in force (this
    practitioner and this patient's concession, then either, then any), else the
    service's own. Later changes never touch an issued invoice: its lines keep their
    amounts."""
    concession = concession_of(patient) if patient is not None else ""
    candidates = Price.objects.filter(service=service, effective_from__lte=day)
    best = None
    for price in candidates:
        if price.practitioner_id not in (None, getattr(practitioner, "pk", None)):
            continue
        if price.concession not in ("", concession):
            continue
        rank = (price.practitioner_id is not None, price.concession != "", price.effective_from)
        if best is None or rank > best[0]:
            best = (rank, price)
    return best[1].price_pence if best else service.price_pence


def is_statutorily_registered(practitioner: Practitioner | None, day: date) -> bool:
    """On a statutory register (HCPC, GMC, NMC) on ``day``: their medical care is
    VAT-exempt (HMRC VAT Notice 701/57)."""
    if practitioner is None:
        return False
    return any(
        c.kind == "registration"
        and c.body in REGISTRATION_BODIES
        and c.valid_from <= day
        and (c.valid_until is None or day <= c.valid_until)
        for c in practitioner.credentials.all()
    )


def vat_for(
    service: Service | None, practitioner: Practitioner | None, day: date, vat_registered: bool
) -> tuple[str, int]:
    """The VAT treatment and rate of a line: nothing where the clinic is not
    VAT-registered; otherwise the service's treatment, where "by practitioner" is exempt
    for a statutorily registered practitioner and standard-rated for anyone else."""
    if not vat_registered:
        return LineVat.NOT_REGISTERED, 0
    treatment = VatTreatment.STANDARD
    if service is not None:
        found = ServiceVat.objects.filter(service=service).first()
        treatment = found.treatment if found else VatTreatment.BY_PRACTITIONER
    if treatment == VatTreatment.EXEMPT:
        return LineVat.EXEMPT, 0
    if treatment == VatTreatment.BY_PRACTITIONER and is_statutorily_registered(practitioner, day):
        return LineVat.EXEMPT, 0
    return LineVat.STANDARD, money.STANDARD_RATE


def practitioner_details(practitioner: Practitioner, day: date) -> str:
    """ "Ann Lee, Physiotherapist, HCPC PH12345, AACP M123": what insurers ask for."""
    parts = [practitioner.name, practitioner.get_profession_display()]
    for c in practitioner.credentials.all():
        valid = c.valid_from <= day and (c.valid_until is None or day <= c.valid_until)
        if valid and c.kind in ("registration", "membership"):
            parts.append(f"{c.body} {c.number}")
    return ", ".join(parts)[:300]


def clinic_details(clinic: Clinic, *, location=None) -> dict:
    settings = settings_for(clinic)
    location = location or clinic.locations.filter(is_active=True).order_by("pk").first()
    return {
        "name": clinic.name,
        "address": location.address if location else "",
        "phone": clinic.phone,
        "email": clinic.email,
        "vat_number": settings.vat_number,
    }


# Invoices ------------------------------------------------------------------------------


def _check_amount(amount_pence, *, field: str = "amount_pence", limit=money.MAX_LINE_PENCE):
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int):
        raise InvalidRequest("invalid_amount", "Give the amount in whole pence.", field=field)
    if amount_pence < 1 or amount_pence > limit:
        raise InvalidRequest(
            "invalid_amount",
            f"The amount must be between 1p and {money.pounds(limit)}.",
            field=field,
        )


def create_draft(
    *,
    patient: Patient,
    clinic: Clinic,
    purpose: str = InvoicePurpose.OTHER,
    appointment=None,
    user=None,
) -> Invoice:
    with transaction.atomic():
        invoice = Invoice.objects.create(
            clinic=clinic,
            patient=patient,
            purpose=purpose,
            appointment=appointment,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        audit.record(AuditAction.CREATE, invoice, detail="draft")
    return invoice


def add_line(
    invoice: Invoice,
    *,
    description: str,
    amount_pence: int,
    service: Service | None = None,
    practitioner: Practitioner | None = None,
    appointment: Appointment | None = None,
    session_date: date | None = None,
) -> InvoiceLine:
    if invoice.status != InvoiceStatus.DRAFT:
        raise Conflict("invoice_issued", "An issued invoice is never changed; raise a credit note.")
    description = (description or "").strip()
    if not description:
        raise InvalidRequest("required", "Describe what is charged.", field="description")
    _check_amount(amount_pence)
    day = session_date or timezone.localdate()
    vat_registered = bool(settings_for(invoice.clinic).vat_number)
    treatment, rate = vat_for(service, practitioner, day, vat_registered)
    return InvoiceLine.objects.create(
        invoice=invoice,
        position=invoice.lines.count(),
        description=description[:200],
        service=service,
        practitioner=practitioner,
        practitioner_details=practitioner_details(practitioner, day) if practitioner else "",
        appointment=appointment,
        session_date=session_date,
        amount_pence=amount_pence,
        vat_treatment=treatment,
        vat_rate=rate,
        vat_pence=money.vat_in_gross(amount_pence, rate),
    )


def _next_number(clinic: Clinic) -> int:
    """Inside the caller's transaction: the clinic's next number, its sequence row locked
    until the transaction ends (so a rollback gives the number back: no gap)."""
    InvoiceSequence.objects.get_or_create(clinic=clinic)
    InvoiceSequence.objects.filter(clinic=clinic).update(last_number=F("last_number") + 1)
    return InvoiceSequence.objects.select_for_update().get(clinic=clinic).last_number


def issue(invoice: Invoice, *, now: datetime | None = None) -> Invoice:
    """Give a draft its number and freeze it. Inside one transaction with the number."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.status != InvoiceStatus.DRAFT:
            raise Conflict("invoice_issued", f"{locked.reference} is already issued.")
        lines = list(locked.lines.all())
        if not lines:
            raise Conflict("invoice_empty", "Add at least one line before issuing.")
        totals = money.totals([money.Line(x.amount_pence, x.vat_rate) for x in lines])
        settings = settings_for(locked.clinic)
        locked.number = _next_number(locked.clinic)
        locked.status = InvoiceStatus.ISSUED
        locked.issued_at = now
        locked.issued_month = timezone.localdate(now).replace(day=1)
        locked.due_date = timezone.localdate(now) + timedelta(days=settings.payment_terms_days)
        locked.total_pence = totals.gross_pence
        locked.vat_pence = totals.vat_pence
        location = locked.appointment.room.location if locked.appointment_id else None
        locked.clinic_details = clinic_details(locked.clinic, location=location)
        locked.save()
        refresh_outstanding(locked)
        audit.record(
            AuditAction.CHANGE,
            locked,
            changed_fields=["status", "number"],
            detail=f"issued {locked.reference} for {money.pounds(locked.total_pence)}",
        )
    return locked


def refresh_outstanding(invoice: Invoice) -> None:
    """Inside the caller's transaction: record what ``invoice`` still owes (or that it
    owes nothing) for the aged-debt report."""
    if invoice.is_credit_note or invoice.status != InvoiceStatus.ISSUED:
        return
    owed = due_on(invoice)
    if owed > 0:
        Outstanding.objects.update_or_create(
            invoice=invoice,
            defaults={
                "patient_id": invoice.patient_id,
                "issued_at": invoice.issued_at,
                "owed_pence": owed,
            },
        )
    else:
        Outstanding.objects.filter(invoice=invoice).delete()


def discard_draft(invoice: Invoice) -> None:
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.status != InvoiceStatus.DRAFT:
            raise Conflict("invoice_issued", "An issued invoice is never deleted; credit it.")
        audit.record(AuditAction.DELETE, locked, detail="draft discarded")
        locked.delete()


def raise_invoice(
    *, patient: Patient, clinic: Clinic, lines: list[dict], user=None, purpose=InvoicePurpose.OTHER
) -> Invoice:
    """An invoice by hand for other items (a report, a letter): draft, lines, issued."""
    if not lines:
        raise InvalidRequest("required", "Add at least one line.", field="lines")
    with transaction.atomic():
        invoice = create_draft(patient=patient, clinic=clinic, purpose=purpose, user=user)
        for i, line in enumerate(lines):
            try:
                add_line(invoice, **line)
            except InvalidRequest as exc:
                exc.field = f"lines.{i}.{exc.field}" if exc.field else exc.field
                raise
        return issue(invoice)


def visit_line(appointment: Appointment, patient=None) -> dict:
    day = timezone.localtime(appointment.start, appointment.room.location.tz).date()
    service, practitioner = appointment.service, appointment.practitioner
    return {
        "description": f"{service.name}, {format_date(day)}",
        "amount_pence": price_for(service, practitioner, patient or appointment.patient, day),
        "service": service,
        "practitioner": practitioner,
        "appointment": appointment,
        "session_date": day,
    }


def invoice_visit(appointment: Appointment, *, user=None) -> Invoice:
    """Invoice one visit (once). Refused for a visit that was cancelled or missed."""
    appointment = Appointment.objects.select_related(
        "service", "practitioner__user", "room__location__clinic", "patient"
    ).get(pk=appointment.pk)
    if appointment.status in NOT_GIVEN:
        raise Conflict(
            "visit_not_given",
            f"This visit is marked “{appointment.get_status_display()}”: there is nothing "
            "to invoice (a policy fee is charged on its own).",
        )
    clinic = appointment.room.location.clinic
    try:
        with transaction.atomic():
            invoice = create_draft(
                patient=appointment.patient,
                clinic=clinic,
                purpose=InvoicePurpose.VISIT,
                appointment=appointment,
                user=user,
            )
            add_line(invoice, **visit_line(appointment))
            return issue(invoice)
    except IntegrityError as exc:
        raise Conflict("already_invoiced", "This visit has already been invoiced.") from exc


def fee_for(settings: BillingSettings, status: str, price_pence: int) -> int:
    if status == AppointmentStatus.LATE_CANCELLED:
        fixed, percent = settings.late_cancel_fee_pence, settings.late_cancel_fee_percent
    elif status == AppointmentStatus.DID_NOT_ATTEND:
        fixed, percent = settings.dna_fee_pence, settings.dna_fee_percent
    else:
        return 0
    return fixed or money.percent_of(price_pence, percent)


def charge_policy_fee(appointment: Appointment, *, user=None) -> Invoice | None:
    """The clinic's late-cancellation or did-not-attend fee for a visit so marked, if
    it charges one. Fees are exempt from VAT only as the session would have been."""
    clinic = appointment.room.location.clinic
    settings = settings_for(clinic)
    line = visit_line(appointment)
    amount = fee_for(settings, appointment.status, line["amount_pence"])
    if amount <= 0:
        return None
    purpose = (
        InvoicePurpose.DNA_FEE
        if appointment.status == AppointmentStatus.DID_NOT_ATTEND
        else InvoicePurpose.LATE_CANCEL_FEE
    )
    line["amount_pence"] = amount
    line["description"] = f"{purpose.label}: {line['description']}"
    try:
        with transaction.atomic():
            invoice = create_draft(
                patient=appointment.patient,
                clinic=clinic,
                purpose=purpose,
                appointment=appointment,
                user=user,
            )
            add_line(invoice, **line)
            return issue(invoice)
    except IntegrityError:
        return None  # already charged (marked, unmarked and marked again)


def _lock_account(patient: Patient) -> PatientAccount:
    PatientAccount.objects.get_or_create(patient=patient)
    return PatientAccount.objects.select_for_update().get(patient=patient)


def paid_on(invoice: Invoice) -> int:
    paid = refunded = 0
    # .all(): a list page's prefetched payments are used, not a query per invoice.
    for payment in invoice.payments.all():
        if payment.kind == PaymentKind.REFUND:
            refunded += payment.amount_pence
        else:
            paid += payment.amount_pence
    return paid - refunded


def credited_on(invoice: Invoice) -> tuple[int, int]:
    """(total of its credit notes, the part of them that went to the account)."""
    total = to_account = 0
    for note in invoice.credit_notes.all():
        total += note.total_pence
        to_account += note.to_account_pence
    return total, to_account


def due_on(invoice: Invoice) -> int:
    if invoice.status != InvoiceStatus.ISSUED or invoice.is_credit_note:
        return 0
    total, to_account = credited_on(invoice)
    return invoice.total_pence - (total - to_account) - paid_on(invoice)


def credit_available(patient: Patient) -> int:
    """Money the patient has with the clinic, not yet used: payments on account and
    credit notes' excess, less what paid invoices by account credit and refunds of it."""
    rows = Payment.objects.filter(patient=patient)
    on_account_in = (
        rows.filter(
            invoice__isnull=True, kind=PaymentKind.PAYMENT, method__in=PaymentMethod.money_in()
        ).aggregate(s=Sum("amount_pence"))["s"]
        or 0
    )
    refunded = (
        rows.filter(invoice__isnull=True, kind=PaymentKind.REFUND).aggregate(s=Sum("amount_pence"))[
            "s"
        ]
        or 0
    )
    used = (
        rows.filter(kind=PaymentKind.PAYMENT, method=PaymentMethod.ACCOUNT_CREDIT).aggregate(
            s=Sum("amount_pence")
        )["s"]
        or 0
    )
    from_notes = (
        Invoice.objects.filter(patient=patient, kind=InvoiceKind.CREDIT_NOTE).aggregate(
            s=Sum("to_account_pence")
        )["s"]
        or 0
    )
    return on_account_in + from_notes - used - refunded


def credit_invoice(invoice: Invoice, *, amount_pence: int | None = None, reason: str, user=None):
    """Correct an issued invoice with a credit note (all of what is left, or part).
    What the invoice still owes is reduced first; the rest (it was paid) becomes the
    patient's account credit, to use or refund."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRequest("reason_required", "Say why the invoice is credited.", field="reason")
    if amount_pence is not None:
        _check_amount(amount_pence)
    with transaction.atomic():
        _lock_account(invoice.patient)
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.is_credit_note:
            raise Conflict("not_an_invoice", "A credit note cannot itself be credited.")
        if locked.status != InvoiceStatus.ISSUED:
            raise Conflict("invoice_not_issued", "A draft is discarded, not credited.")
        credited, _ = credited_on(locked)
        creditable = locked.total_pence - credited
        if creditable <= 0:
            raise Conflict("invoice_credited", f"{locked.reference} is already fully credited.")
        amount = creditable if amount_pence is None else amount_pence
        if amount > creditable:
            raise Conflict(
                "credit_exceeds_invoice",
                f"At most {money.pounds(creditable)} of {locked.reference} can be credited.",
                field="amount_pence",
            )
        applied = min(amount, max(due_on(locked), 0))
        note = Invoice.objects.create(
            clinic=locked.clinic,
            kind=InvoiceKind.CREDIT_NOTE,
            purpose=locked.purpose,
            patient=locked.patient,
            appointment=locked.appointment,
            credits=locked,
            reason=reason[:200],
            to_account_pence=amount - applied,
            created_by=user if getattr(user, "is_authenticated", False) else None,
        )
        # One line per credited amount, at the VAT rate of the invoice's first line (a
        # whole credit reverses every line as it was).
        source = list(locked.lines.all())
        if amount == locked.total_pence:
            parts = [(x, x.amount_pence) for x in source]
        else:
            parts = [(source[0], amount)]
        for i, (line, part) in enumerate(parts):
            InvoiceLine.objects.create(
                invoice=note,
                position=i,
                description=f"Credit: {line.description}"[:200],
                service=line.service,
                practitioner=line.practitioner,
                practitioner_details=line.practitioner_details,
                appointment=line.appointment,
                session_date=line.session_date,
                amount_pence=part,
                vat_treatment=line.vat_treatment,
                vat_rate=line.vat_rate,
                vat_pence=money.vat_in_gross(part, line.vat_rate),
            )
        note = issue(note)
        refresh_outstanding(locked)
        audit.record(
            AuditAction.CHANGE,
            locked,
            changed_fields=["credited"],
            detail=f"credited {money.pounds(amount)} by {note.reference}: {reason[:120]}",
        )
    return note


# Payments ------------------------------------------------------------------------------


def record_payment(
    *,
    patient: Patient,
    amount_pence: int,
    method: str,
    invoice: Invoice | None = None,
    reference: str = "",
    request_key: str | None = None,
    user=None,
    now: datetime | None = None,
) -> list[Payment]:
    """Take a payment: against an invoice (what it owes; more than that is kept as the
    patient's credit) or on account. ``request_key`` makes a form's second submit
    record nothing more. Returns the rows written (one, or two when split)."""
    _check_amount(amount_pence, limit=money.MAX_LINE_PENCE * 10)
    if method not in PaymentMethod.values:
        raise InvalidRequest(
            "invalid_method", f"Unknown payment method “{method}”.", field="method"
        )
    if method == PaymentMethod.PREPAID:
        raise InvalidRequest(
            "use_prepaid_course", "A prepaid course pays for visits on its own.", field="method"
        )
    if request_key is not None and not (1 <= len(request_key) <= 40):
        raise InvalidRequest("invalid_request_key", "The form's key is malformed.", field="key")
    now = now or timezone.now()
    with transaction.atomic():
        _lock_account(patient)
        if request_key:
            earlier = list(
                Payment.objects.filter(request_key__in=[request_key, f"{request_key}+credit"])
            )
            if earlier:
                return earlier
        clinic = None
        practitioner = None
        due = None
        if invoice is not None:
            locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
            if locked.patient_id != patient.pk:
                raise Conflict("wrong_patient", "That invoice is another patient's.")
            if locked.is_credit_note:
                raise Conflict("not_an_invoice", "A credit note is not paid.")
            if locked.status != InvoiceStatus.ISSUED:
                raise Conflict("invoice_not_issued", "Issue the invoice before taking payment.")
            due = due_on(locked)
            if due <= 0:
                credited, _ = credited_on(locked)
                if credited >= locked.total_pence:
                    raise Conflict(
                        "invoice_credited", f"{locked.reference} was credited: nothing is owed."
                    )
                raise Conflict("invoice_paid", f"{locked.reference} is already paid.")
            clinic = locked.clinic
            first = locked.lines.first()
            practitioner = first.practitioner if first else None
            invoice = locked
        else:
            if method == PaymentMethod.ACCOUNT_CREDIT:
                raise InvalidRequest(
                    "invoice_required", "Account credit pays an invoice.", field="invoice"
                )
            clinic = _clinic_of(patient)
        if method == PaymentMethod.ACCOUNT_CREDIT:
            available = credit_available(patient)
            if amount_pence > min(available, due):
                raise Conflict(
                    "insufficient_credit",
                    f"The patient has {money.pounds(available)} of credit; "
                    f"the invoice owes {money.pounds(due)}.",
                    field="amount_pence",
                )
        parts = [(invoice, amount_pence)]
        if due is not None and amount_pence > due:
            parts = [(invoice, due), (None, amount_pence - due)]
        written = []
        for i, (target, part) in enumerate(parts):
            key = None
            if request_key:
                key = request_key if i == 0 else f"{request_key}+credit"
            payment = Payment.objects.create(
                clinic=clinic,
                patient=patient,
                invoice=target,
                method=method,
                amount_pence=part,
                reference=(reference or "")[:100],
                practitioner=practitioner,
                received_at=now,
                request_key=key,
                recorded_by=user if getattr(user, "is_authenticated", False) else None,
            )
            where = target.reference if target is not None else "the patient's account"
            audit.record(
                AuditAction.CREATE,
                payment,
                detail=f"{money.pounds(part)} by {payment.get_method_display()} to {where}",
            )
            written.append(payment)
        if invoice is not None:
            refresh_outstanding(invoice)
    return written


def _clinic_of(patient: Patient) -> Clinic:
    last = Appointment.objects.filter(patient=patient).select_related("room__location").last()
    if last is not None:
        return last.room.location.clinic
    return Clinic.objects.order_by("pk").first()


def refunded_of(payment: Payment) -> int:
    return payment.refunds.aggregate(s=Sum("amount_pence"))["s"] or 0


def refund_payment(payment: Payment, *, amount_pence: int, reason: str, user=None, now=None):
    """Give money back: never more than the payment less what was already refunded, and
    for money on account, never more than the credit still unused."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRequest("reason_required", "Say why the money is refunded.", field="reason")
    _check_amount(amount_pence, limit=money.MAX_LINE_PENCE * 10)
    with transaction.atomic():
        _lock_account(payment.patient)
        locked = Payment.objects.select_for_update().get(pk=payment.pk)
        if locked.kind != PaymentKind.PAYMENT or locked.method not in PaymentMethod.money_in():
            raise Conflict(
                "not_refundable",
                "Only money received (card, cash, transfer, insurer) can be refunded.",
            )
        left = locked.amount_pence - refunded_of(locked)
        if locked.invoice_id is None:
            left = min(left, credit_available(locked.patient))
        if amount_pence > left:
            raise Conflict(
                "refund_exceeds_payment",
                f"At most {money.pounds(max(left, 0))} of this payment can be refunded.",
                field="amount_pence",
            )
        refund = Payment.objects.create(
            clinic=locked.clinic,
            patient=locked.patient,
            invoice=locked.invoice,
            kind=PaymentKind.REFUND,
            method=locked.method,
            amount_pence=amount_pence,
            refund_of=locked,
            reason=reason[:200],
            practitioner=locked.practitioner,
            received_at=now or timezone.now(),
            recorded_by=user if getattr(user, "is_authenticated", False) else None,
        )
        if locked.invoice_id is not None:
            refresh_outstanding(locked.invoice)
        audit.record(
            AuditAction.CREATE,
            refund,
            detail=f"refunded {money.pounds(amount_pence)} by {refund.get_method_display()}: "
            f"{reason[:120]}",
        )
    return refund


def waive_fee(invoice: Invoice, *, reason: str, user=None) -> Invoice:
    """Waive a late-cancellation or did-not-attend fee: a credit note for all of it."""
    if invoice.purpose not in (InvoicePurpose.LATE_CANCEL_FEE, InvoicePurpose.DNA_FEE):
        raise Conflict("not_a_fee", "Only a policy fee is waived; credit other invoices.")
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRequest("reason_required", "Say why the fee is waived.", field="reason")
    return credit_invoice(invoice, reason=f"fee waived: {reason}", user=user)

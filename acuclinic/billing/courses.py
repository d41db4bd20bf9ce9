"""Prepaid courses: selling a block, drawing sessions as visits are given (or missed,
where the policy says so), the pro-rata refund of what is unused, and the liability."""

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.billing import money, services
from acuclinic.billing.choices import InvoiceKind, InvoicePurpose, PaymentKind, PaymentMethod
from acuclinic.billing.models import (
    CourseBlock,
    CourseDraw,
    Invoice,
    InvoiceLine,
    Payment,
    PrepaidCourse,
)
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.scheduling.choices import AppointmentStatus


def sell(*, patient, block: CourseBlock, user=None, now=None) -> PrepaidCourse:
    """Sell a block: its invoice is issued now; sessions are drawn once it is paid."""
    if not block.is_active:
        raise Conflict("block_not_sold", f"“{block.name}” is no longer sold.")
    now = now or timezone.now()
    with transaction.atomic():
        invoice = services.create_draft(
            patient=patient, clinic=block.clinic, purpose=InvoicePurpose.OTHER, user=user
        )
        what = block.service.name if block.service_id else "sessions"
        services.add_line(
            invoice,
            description=f"Prepaid course: {block.name} ({block.sessions} × {what})",
            amount_pence=block.price_pence,
            service=block.service,
        )
        invoice = services.issue(invoice, now=now)
        course = PrepaidCourse.objects.create(
            patient=patient,
            block=block,
            service=block.service,
            sessions=block.sessions,
            price_pence=block.price_pence,
            invoice=invoice,
            bought_at=now,
            expires_on=timezone.localdate(now) + timedelta(days=block.valid_days),
        )
        audit.record(AuditAction.CREATE, course, detail=f"sold {block.name}")
    return course


def is_paid(course: PrepaidCourse) -> bool:
    return services.due_on(course.invoice) <= 0


def usable(patient, *, service=None, on: date | None = None):
    """The patient's courses that can pay for a visit on ``on``: paid, open, unexpired,
    with sessions left (for ``service``, or for any), oldest expiry first."""
    on = on or timezone.localdate()
    found = PrepaidCourse.objects.filter(
        patient=patient, closed_at__isnull=True, expires_on__gte=on, used__lt=F("sessions")
    ).select_related("invoice")
    if service is not None:
        found = found.filter(Q(service__isnull=True) | Q(service=service))
    return [c for c in found.order_by("expires_on", "pk") if is_paid(c)]


def draw(course: PrepaidCourse, appointment, *, reason: str, now=None) -> CourseDraw:
    """Use one session of ``course`` for ``appointment``. Refused for an expired, closed
    or used-up course, an unpaid one, or a visit already drawn."""
    now = now or timezone.now()
    with transaction.atomic():
        locked = PrepaidCourse.objects.select_for_update().get(pk=course.pk)
        if locked.closed_at is not None:
            raise Conflict("course_closed", "This course was closed (refunded).")
        if locked.expires_on < timezone.localdate(now):
            raise Conflict("course_expired", f"This course expired on {locked.expires_on}.")
        if locked.used >= locked.sessions:
            raise Conflict("course_used_up", "Every session of this course has been used.")
        if not is_paid(locked):
            raise Conflict("course_not_paid", "The course's invoice is not paid yet.")
        locked.used += 1
        locked.save(update_fields=["used"])
        try:
            with transaction.atomic():
                made = CourseDraw.objects.create(
                    course=locked,
                    appointment=appointment,
                    number=locked.used,
                    reason=reason,
                    drawn_at=now,
                )
        except IntegrityError as exc:
            raise Conflict("already_drawn", "This visit already used a prepaid session.") from exc
        audit.record(
            AuditAction.CHANGE,
            locked,
            changed_fields=["used"],
            detail=f"session {locked.used} of {locked.sessions} ({reason})",
        )
    return made


def for_visit(appointment, *, reason: str) -> CourseDraw | None:
    """Inside the caller's transaction: draw a session for the visit from the patient's
    first usable course, if any (None: bill it as usual)."""
    if CourseDraw.objects.filter(appointment=appointment).exists():
        return CourseDraw.objects.get(appointment=appointment)
    day = timezone.localtime(appointment.start).date()
    for course in usable(appointment.patient, service=appointment.service, on=day):
        return draw(course, appointment, reason=reason)
    return None


def refund_unused(course: PrepaidCourse, *, reason: str, user=None) -> int:
    """Close a course and refund its unused sessions pro rata (rounded down): a credit
    note on its invoice and a refund of what was paid. Clinic admins only."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRequest("reason_required", "Say why the course is refunded.", field="reason")
    with transaction.atomic():
        locked = PrepaidCourse.objects.select_for_update().get(pk=course.pk)
        if locked.closed_at is not None:
            raise Conflict("course_closed", "This course was already closed.")
        if not is_paid(locked):
            raise Conflict("course_not_paid", "Nothing was paid: credit its invoice instead.")
        amount = money.pro_rata(locked.price_pence, locked.used, locked.sessions)
        if amount <= 0:
            raise Conflict("course_used_up", "Every session was used: nothing to refund.")
        invoice = locked.invoice
        _credit_against(invoice, amount, reason=f"unused sessions refunded: {reason}", user=user)
        left = amount
        for payment in Payment.objects.filter(
            invoice=invoice, kind=PaymentKind.PAYMENT, method__in=PaymentMethod.money_in()
        ).order_by("received_at"):
            part = min(left, payment.amount_pence - services.refunded_of(payment))
            if part > 0:
                services.refund_payment(payment, amount_pence=part, reason=reason, user=user)
                left -= part
            if left == 0:
                break
        if left:
            raise Conflict("course_not_paid", "Part of the course was paid by credit.")
        locked.refunded_pence = amount
        locked.closed_at = timezone.now()
        locked.save(update_fields=["refunded_pence", "closed_at"])
        audit.record(
            AuditAction.CHANGE,
            locked,
            changed_fields=["closed_at", "refunded_pence"],
            detail=f"closed, {money.pounds(amount)} refunded: {reason[:120]}",
        )
    return amount


def _credit_against(invoice: Invoice, amount: int, *, reason: str, user=None) -> Invoice:
    """A credit note that takes ``amount`` off the invoice itself (none to the account):
    the money goes back by the refund that follows, in the same transaction."""
    line = invoice.lines.first()
    note = Invoice.objects.create(
        clinic=invoice.clinic,
        kind=InvoiceKind.CREDIT_NOTE,
        purpose=invoice.purpose,
        patient=invoice.patient,
        credits=invoice,
        reason=reason[:200],
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    InvoiceLine.objects.create(
        invoice=note,
        description=f"Credit: {line.description}"[:200],
        service=line.service,
        amount_pence=amount,
        vat_treatment=line.vat_treatment,
        vat_rate=line.vat_rate,
        vat_pence=money.vat_in_gross(amount, line.vat_rate),
    )
    return services.issue(note)


def liability(on: date | None = None) -> dict:
    """Sessions sold and not yet delivered on open, unexpired courses, and their value
    (each at the course's price per session, rounded down): one query."""
    on = on or timezone.localdate()
    open_courses = PrepaidCourse.objects.filter(closed_at__isnull=True, expires_on__gte=on)
    sessions = value = count = 0
    for sold, used, price in open_courses.values_list("sessions", "used", "price_pence"):
        count += 1
        sessions += sold - used
        value += money.pro_rata(price, used, sold)
    return {"courses": count, "sessions": sessions, "value_pence": value}


MISSED = {
    AppointmentStatus.LATE_CANCELLED: "course_draws_late_cancel",
    AppointmentStatus.DID_NOT_ATTEND: "course_draws_dna",
}

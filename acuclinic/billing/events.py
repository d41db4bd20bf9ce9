"""What billing does when the diary changes a visit (billing.receivers calls it, inside
the transaction that makes the change)."""

from acuclinic.billing import courses, insurers, online, services
from acuclinic.billing.choices import InvoiceKind, InvoicePurpose, InvoiceStatus, InvoiceWhen
from acuclinic.billing.models import Invoice
from acuclinic.scheduling.choices import AppointmentStatus


def on_visit_status(appointment, *, old: str | None, new: str) -> None:
    clinic = appointment.room.location.clinic
    settings = services.settings_for(clinic)
    if new == AppointmentStatus.BOOKED and old is None:
        if (
            settings.invoice_when == InvoiceWhen.BOOKED
            and _price(appointment)
            and not courses.usable(appointment.patient, service=appointment.service)
        ):
            services.invoice_visit(appointment)
    elif new == AppointmentStatus.ARRIVED:
        # Invoiced already (at booking, or arrived before): nothing more. A free visit
        # (a price of £0) is not invoiced.
        if _visit_invoice(appointment).exists() or not _price(appointment):
            return
        if courses.for_visit(appointment, reason="attended") is None:
            policy = insurers.policy_for(appointment)
            if policy is not None and policy.left > 0:
                insurers.bill_visit(appointment, policy)
            else:
                # No cover, or its authorised sessions are used: the patient is billed
                # (the diary warned before the last one). What they paid when booking
                # online, kept as credit for this visit, pays it.
                online.apply_paid_at_booking(services.invoice_visit(appointment))
    elif new in courses.MISSED:
        _credit_visit_invoice(appointment, reason="visit not given")
        drawn = None
        if getattr(settings, courses.MISSED[new]):
            drawn = courses.for_visit(appointment, reason=new)
        if drawn is None:
            services.charge_policy_fee(appointment)
    elif new == AppointmentStatus.CANCELLED:
        _credit_visit_invoice(appointment, reason="visit cancelled")


def _price(appointment) -> int:
    return services.visit_line(appointment)["amount_pence"]


def _visit_invoice(appointment):
    return Invoice.objects.filter(
        appointment=appointment, purpose=InvoicePurpose.VISIT, kind=InvoiceKind.INVOICE
    )


def _credit_visit_invoice(appointment, *, reason: str) -> None:
    """A visit invoiced at booking and then not given: its invoice is credited."""
    for invoice in _visit_invoice(appointment).filter(status=InvoiceStatus.ISSUED):
        credited, _ = services.credited_on(invoice)
        if credited < invoice.total_pence:
            services.credit_invoice(invoice, reason=reason)

"""Emailing an invoice or receipt, its PDF attached, through the clinic's outbox."""

from acuclinic.billing import documents, pdf
from acuclinic.billing.models import Invoice
from acuclinic.core.errors import Conflict
from acuclinic.notifications import services as notifications
from acuclinic.notifications.services import File

KIND = "billing_document"


def send_document(invoice: Invoice, *, user=None, pay_url: str | None = None):
    patient = invoice.patient
    if not patient.email:
        raise Conflict("no_email", f"{patient.full_name} has no email address on file.")
    doc = documents.build(invoice)
    clinic = doc.clinic.get("name", "the clinic")
    subject = f"{doc.title} {invoice.reference} from {clinic}"
    lines = [
        f"Dear {patient.given_name},",
        "",
        f"Please find attached {doc.title.lower()} {invoice.reference} for {doc.total}.",
    ]
    if not invoice.is_credit_note:
        lines.append(
            f"Still owed: {doc.owed}." if doc.owed_pence > 0 else "Thank you: it is paid in full."
        )
    if pay_url:
        lines += ["", f"Pay online by card: {pay_url}"]
    lines += ["", clinic]
    return notifications.send(
        kind=KIND,
        to=patient.email,
        subject=subject,
        body="\n".join(lines),
        attachments=[File(f"{invoice.reference}.pdf", pdf.render(doc), "application/pdf")],
        about=patient,
        user=user,
    )

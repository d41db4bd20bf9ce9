"""What an invoice, credit note or receipt shows, worked out once for the page, the PDF
and the email: the clinic, the patient, each session and who gave it, amounts, VAT,
what was paid and how, and what is still owed."""

from dataclasses import dataclass, field

from django.utils import timezone

from acuclinic.billing import money, services
from acuclinic.billing.choices import PaymentKind
from acuclinic.billing.models import Invoice
from acuclinic.core.formats import format_date


@dataclass
class Document:
    invoice: Invoice
    title: str
    clinic: dict
    patient_name: str
    patient_address: str
    issued: str
    due: str
    lines: list[dict] = field(default_factory=list)
    total: str = ""
    vat: str = ""
    net: str = ""
    show_vat: bool = False
    payments: list[dict] = field(default_factory=list)
    credits: list[dict] = field(default_factory=list)
    owed_pence: int = 0
    owed: str = ""
    rounding: str = money.ROUNDING_NOTE
    # Billed to an insurer: who, and the patient's cover as the insurer knows it.
    bill_to: dict | None = None
    # The clinic's logo as it is now (PNG or JPEG, checked on upload), for the PDF.
    logo: bytes = b""

    @property
    def is_receipt(self) -> bool:
        return not self.invoice.is_credit_note and self.owed_pence <= 0 and bool(self.payments)


def build(invoice: Invoice) -> Document:
    invoice = (
        Invoice.objects.select_related("patient", "credits", "policy__insurer")
        .prefetch_related("lines", "payments", "credit_notes")
        .get(pk=invoice.pk)
    )
    patient = invoice.patient
    owed = services.due_on(invoice)
    title = "Credit note" if invoice.is_credit_note else "Invoice"
    if not invoice.is_credit_note and owed <= 0 and invoice.payments.exists():
        title = "Receipt"
    doc = Document(
        invoice=invoice,
        title=title,
        clinic=invoice.clinic_details or services.clinic_details(invoice.clinic),
        logo=bytes(invoice.clinic.logo or b""),
        patient_name=patient.full_name,
        patient_address=patient.address,
        issued=format_date(timezone.localtime(invoice.issued_at).date())
        if invoice.issued_at
        else "not issued",
        due=format_date(invoice.due_date) if invoice.due_date else "",
        total=money.pounds(invoice.total_pence),
        vat=money.pounds(invoice.vat_pence),
        net=money.pounds(invoice.total_pence - invoice.vat_pence),
        owed_pence=owed,
        owed=money.pounds(max(owed, 0)),
    )
    policy = invoice.policy or (invoice.credits.policy if invoice.credits_id else None)
    if policy is not None:
        doc.bill_to = {
            "name": policy.insurer.name,
            "address": policy.insurer.address,
            "membership": policy.membership_number,
            "preauthorisation": policy.preauthorisation_code,
        }
    for line in invoice.lines.all():
        doc.show_vat = doc.show_vat or line.vat_rate > 0
        doc.lines.append(
            {
                "date": format_date(line.session_date) if line.session_date else "",
                "description": line.description,
                "practitioner": line.practitioner_details,
                "vat": line.get_vat_treatment_display(),
                "vat_amount": money.pounds(line.vat_pence),
                "amount": money.pounds(line.amount_pence),
            }
        )
    for payment in sorted(invoice.payments.all(), key=lambda p: (p.received_at, p.pk)):
        refund = payment.kind == PaymentKind.REFUND
        doc.payments.append(
            {
                "date": format_date(timezone.localtime(payment.received_at).date()),
                "how": ("Refund, " if refund else "") + payment.get_method_display(),
                "amount": money.pounds(-payment.amount_pence if refund else payment.amount_pence),
            }
        )
    for note in invoice.credit_notes.all():
        doc.credits.append(
            {
                "reference": note.reference,
                "reason": note.reason,
                "amount": money.pounds(note.total_pence),
            }
        )
    return doc

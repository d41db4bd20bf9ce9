from django.db import models


class InvoiceWhen(models.TextChoices):
    ATTENDED = "attended", "When the visit is marked attended"
    BOOKED = "booked", "When the visit is booked"


class OnlineBookingPays(models.TextChoices):
    """What online booking asks the patient to pay (only with a payment provider set up)."""

    NOTHING = "", "Nothing: pay at the clinic"
    DEPOSIT = "deposit", "A deposit"
    FULL = "full", "The visit's full price"


class Concession(models.TextChoices):
    NONE = "", "Standard"
    STUDENT = "student", "Student"
    OVER_65 = "over_65", "Over 65"
    UNWAGED = "unwaged", "Unwaged"


class VatTreatment(models.TextChoices):
    # HMRC VAT Notice 701/57: medical care by a registered health professional within
    # their profession is exempt; a practitioner on no statutory register is not.
    BY_PRACTITIONER = "by_practitioner", "Exempt when the practitioner is statutorily registered"
    EXEMPT = "exempt", "Exempt"
    STANDARD = "standard", "Standard rate (20%)"


class LineVat(models.TextChoices):
    """The treatment an issued line was given, as the invoice prints it."""

    EXEMPT = "exempt", "Exempt"
    STANDARD = "standard", "VAT 20%"
    NOT_REGISTERED = "outside", "No VAT (clinic not VAT-registered)"


class InvoiceKind(models.TextChoices):
    INVOICE = "invoice", "Invoice"
    CREDIT_NOTE = "credit_note", "Credit note"


class InvoiceStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    ISSUED = "issued", "Issued"


class InvoicePurpose(models.TextChoices):
    VISIT = "visit", "Visit"
    # The patient's own part of a visit billed to their insurer.
    EXCESS = "excess", "Insurance excess"
    LATE_CANCEL_FEE = "late_cancel_fee", "Late-cancellation fee"
    DNA_FEE = "dna_fee", "Did-not-attend fee"
    OTHER = "other", "Other"


class PaymentMethod(models.TextChoices):
    CARD = "card", "Card (terminal)"
    CASH = "cash", "Cash"
    BANK_TRANSFER = "bank_transfer", "Bank transfer"
    INSURER = "insurer", "Insurer remittance"
    PREPAID = "prepaid", "Prepaid course"
    ACCOUNT_CREDIT = "account_credit", "Account credit"
    ONLINE_CARD = "online_card", "Card (online)"

    @classmethod
    def money_in(cls) -> list[str]:
        """Methods that bring money into the clinic (the rest move what it holds)."""
        return [m.value for m in cls if m not in (cls.PREPAID, cls.ACCOUNT_CREDIT)]


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", "Payment"
    REFUND = "refund", "Refund"


class InsurerInvoicing(models.TextChoices):
    EMAIL = "email", "By email (PDF)"
    PORTAL = "portal", "Through the insurer's provider portal"
    POST = "post", "By post"

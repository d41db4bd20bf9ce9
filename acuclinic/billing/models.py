"""Money: prices, invoices and credit notes, payments and refunds.

Invariants the database keeps: an issued invoice has a number, unique in its clinic;
a draft has none; amounts are whole pence and never negative (a refund is its own row,
pointing at the payment it returns); a credit note names the invoice it corrects. An
issued invoice or credit note is never changed or deleted (``save``/``delete`` refuse).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from acuclinic.billing.choices import (
    Concession,
    InsurerInvoicing,
    InvoiceKind,
    InvoicePurpose,
    InvoiceStatus,
    InvoiceWhen,
    LineVat,
    OnlineBookingPays,
    PaymentKind,
    PaymentMethod,
    VatTreatment,
)
from acuclinic.billing.money import MAX_LINE_PENCE, pounds
from acuclinic.clinic.models import Clinic, Service
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling.models import Appointment


class Immutable(Exception):
    """An issued invoice or credit note was about to be changed or deleted."""


class BillingSettings(models.Model):
    """A clinic's billing: its VAT number, when visits are invoiced, its policy fees."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="billing")
    vat_number = models.CharField("VAT registration number", max_length=20, blank=True)
    invoice_when = models.CharField(
        max_length=10, choices=InvoiceWhen.choices, default=InvoiceWhen.ATTENDED
    )
    payment_terms_days = models.PositiveSmallIntegerField(default=14)
    # Policy fees: a fixed amount, or a percentage of the session's price (not both).
    late_cancel_fee_pence = models.PositiveIntegerField(default=0)
    late_cancel_fee_percent = models.PositiveSmallIntegerField(default=0)
    dna_fee_pence = models.PositiveIntegerField("did-not-attend fee (pence)", default=0)
    dna_fee_percent = models.PositiveSmallIntegerField("did-not-attend fee (%)", default=0)
    # Whether a late cancellation or a missed visit uses up a prepaid session (instead
    # of the fee) for a patient on a prepaid course.
    course_draws_late_cancel = models.BooleanField(default=True)
    course_draws_dna = models.BooleanField(default=True)
    # Online booking: a deposit or the full price by card (only when a payment provider
    # is configured; without one online booking asks for nothing, as before).
    online_booking_pays = models.CharField(
        "Online booking asks for",
        max_length=10,
        choices=OnlineBookingPays.choices,
        default=OnlineBookingPays.NOTHING,
        blank=True,
    )
    online_deposit_pence = models.PositiveIntegerField("Online deposit (pence)", default=0)

    class Meta:
        verbose_name_plural = "billing settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(late_cancel_fee_percent__lte=100, dna_fee_percent__lte=100),
                name="billing_fee_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(late_cancel_fee_pence=0) | Q(late_cancel_fee_percent=0),
                name="billing_late_fee_one_way",
            ),
            models.CheckConstraint(
                condition=Q(dna_fee_pence=0) | Q(dna_fee_percent=0),
                name="billing_dna_fee_one_way",
            ),
        ]

    def __str__(self) -> str:
        return f"Billing for {self.clinic}"


class InvoiceSequence(models.Model):
    """The last number a clinic gave an invoice or credit note. Issuing locks this row
    and takes the next number in the same transaction, so numbers have no gap (a
    rollback returns the number) and no duplicate (the unique constraint backs it)."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="+")
    last_number = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.clinic}: last number {self.last_number}"


class ServiceVat(models.Model):
    """How VAT applies to a service (absent: by the practitioner's registration)."""

    service = models.OneToOneField(Service, on_delete=models.CASCADE, related_name="vat")
    treatment = models.CharField(
        max_length=20, choices=VatTreatment.choices, default=VatTreatment.BY_PRACTITIONER
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(treatment__in=VatTreatment.values), name="service_vat_valid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service}: {self.get_treatment_display()}"


class PatientAccount(models.Model):
    """What billing knows about a patient: their concession."""

    patient = models.OneToOneField(Patient, on_delete=models.CASCADE, related_name="account")
    concession = models.CharField(max_length=10, choices=Concession.choices, blank=True)

    def __str__(self) -> str:
        return f"Account of patient {self.patient_id}"


class Price(models.Model):
    """A service's price from a date, for one practitioner and/or one concession (blank:
    any). The most specific price in force on the visit's day applies; with none, the
    service's own price."""

    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="prices")
    practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    concession = models.CharField(max_length=10, choices=Concession.choices, blank=True)
    effective_from = models.DateField()
    price_pence = models.PositiveIntegerField()

    class Meta:
        ordering = ["service", "effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_pence__lte=MAX_LINE_PENCE), name="price_range"
            ),
            models.UniqueConstraint(
                fields=["service", "practitioner", "concession", "effective_from"],
                name="price_unique_per_practitioner",
                condition=Q(practitioner__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["service", "concession", "effective_from"],
                name="price_unique_any_practitioner",
                condition=Q(practitioner__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} from {self.effective_from}: {self.price_pence}p"


class Insurer(models.Model):
    """A health insurer the clinic bills, and how it wants its invoices."""

    name = models.CharField(max_length=120, unique=True)
    address = models.CharField(max_length=300, blank=True)
    email = models.EmailField(blank=True)
    invoicing = models.CharField(
        "how they want invoices",
        max_length=10,
        choices=InsurerInvoicing.choices,
        default=InsurerInvoicing.EMAIL,
    )
    instructions = models.CharField(max_length=300, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class InsurancePolicy(models.Model):
    """A patient's cover: the insurer pays for up to ``sessions_authorised`` visits
    between the dates, after the patient's ``excess``."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="policies")
    insurer = models.ForeignKey(Insurer, on_delete=models.PROTECT, related_name="policies")
    membership_number = models.CharField(max_length=40)
    preauthorisation_code = models.CharField(max_length=40, blank=True)
    sessions_authorised = models.PositiveSmallIntegerField()
    sessions_used = models.PositiveSmallIntegerField(default=0)
    excess_pence = models.PositiveIntegerField(default=0)
    excess_used_pence = models.PositiveIntegerField(default=0)
    valid_from = models.DateField()
    valid_until = models.DateField()

    class Meta:
        ordering = ["-valid_from"]
        verbose_name_plural = "insurance policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions_used__lte=F("sessions_authorised")),
                name="policy_used_le_authorised",
            ),
            models.CheckConstraint(
                condition=Q(excess_used_pence__lte=F("excess_pence")),
                name="policy_excess_used_le",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__gte=F("valid_from")), name="policy_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(sessions_authorised__lte=100), name="policy_sessions_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.insurer} {self.membership_number}"

    @property
    def left(self) -> int:
        return self.sessions_authorised - self.sessions_used

    @property
    def excess_display(self) -> str:
        return f"{pounds(self.excess_used_pence)} of {pounds(self.excess_pence)} paid"


class Invoice(models.Model):
    """An invoice or a credit note (which corrects an invoice), with frozen details."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=InvoiceKind.choices, default="invoice")
    status = models.CharField(max_length=8, choices=InvoiceStatus.choices, default="draft")
    purpose = models.CharField(
        max_length=16, choices=InvoicePurpose.choices, default=InvoicePurpose.OTHER
    )
    number = models.PositiveIntegerField(null=True, blank=True)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="invoices")
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    credits = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="credit_notes"
    )
    # Billed to the patient's insurer under this policy (the patient owes none of it).
    policy = models.ForeignKey(
        InsurancePolicy, null=True, blank=True, on_delete=models.PROTECT, related_name="invoices"
    )
    reason = models.CharField(max_length=200, blank=True)
    issued_at = models.DateTimeField(null=True, blank=True)
    # The first day of the (UK) month it was issued in: the revenue report groups by it
    # without working a month out of every row's timestamp.
    issued_month = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    total_pence = models.PositiveIntegerField(default=0)
    vat_pence = models.PositiveIntegerField(default=0)
    # A credit note: the part of it that went to the patient's account credit (the
    # invoice had been paid), not off what the invoice owes.
    to_account_pence = models.PositiveIntegerField(default=0)
    # What the printed invoice shows, as it was when issued.
    clinic_details = models.JSONField(default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("credit_invoice", "Can correct an issued invoice with a credit note"),
            ("refund_payment", "Can refund a payment"),
            ("waive_fee", "Can waive a policy fee"),
            ("view_reports", "Can see the clinic's money reports"),
            ("view_own_takings", "Can see their own takings"),
        ]
        indexes = [
            models.Index(fields=["patient", "status"], name="invoice_patient_status"),
            models.Index(fields=["issued_at"], name="invoice_issued_at"),
            # The billing page's latest invoices, read newest first from here rather
            # than by sorting every invoice the clinic ever issued.
            models.Index(fields=["created_at", "id"], name="invoice_created"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "number"], name="invoice_number_unique"),
            models.CheckConstraint(
                condition=(
                    Q(status=InvoiceStatus.DRAFT, number__isnull=True, issued_at__isnull=True)
                    | Q(
                        status=InvoiceStatus.ISSUED,
                        number__isnull=False,
                        issued_at__isnull=False,
                    )
                ),
                name="invoice_numbered_iff_issued",
            ),
            models.CheckConstraint(
                condition=Q(kind=InvoiceKind.INVOICE, credits__isnull=True)
                | Q(kind=InvoiceKind.CREDIT_NOTE, credits__isnull=False),
                name="invoice_credit_note_names_invoice",
            ),
            models.CheckConstraint(
                condition=Q(vat_pence__lte=F("total_pence")), name="invoice_vat_le_total"
            ),
            # One invoice per visit for each purpose (a visit, its late fee).
            models.UniqueConstraint(
                fields=["appointment", "purpose"],
                condition=Q(kind=InvoiceKind.INVOICE, appointment__isnull=False),
                name="invoice_one_per_visit_purpose",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args, **kwargs):
        if getattr(self, "_issued_in_db", False):
            raise Immutable(f"{self.reference} is issued: correct it with a credit note.")
        super().save(*args, **kwargs)
        self._issued_in_db = self.status == InvoiceStatus.ISSUED

    def delete(self, *args, **kwargs):
        if self.status == InvoiceStatus.ISSUED or getattr(self, "_issued_in_db", False):
            raise Immutable(f"{self.reference} is issued and is never deleted.")
        return super().delete(*args, **kwargs)

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._issued_in_db = instance.__dict__.get("status") == InvoiceStatus.ISSUED
        return instance

    @property
    def is_credit_note(self) -> bool:
        return self.kind == InvoiceKind.CREDIT_NOTE

    @property
    def reference(self) -> str:
        if self.number is None:
            return f"Draft {self.pk}"
        prefix = "CN" if self.is_credit_note else "INV"
        return f"{prefix}-{self.number:06d}"


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=200)
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The practitioner as the invoice prints them: name, profession, registrations.
    practitioner_details = models.CharField(max_length=300, blank=True)
    session_date = models.DateField(null=True, blank=True)
    amount_pence = models.PositiveIntegerField()
    vat_treatment = models.CharField(max_length=10, choices=LineVat.choices)
    vat_rate = models.PositiveSmallIntegerField(default=0)
    vat_pence = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_pence__lte=MAX_LINE_PENCE), name="line_amount_range"
            ),
            models.CheckConstraint(
                condition=Q(vat_pence__lte=F("amount_pence")), name="line_vat_le_amount"
            ),
        ]

    def __str__(self) -> str:
        return self.description

    def save(self, *args, **kwargs):
        if self.invoice.status == InvoiceStatus.ISSUED and self.pk is not None:
            raise Immutable("The lines of an issued invoice are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if self.invoice.status == InvoiceStatus.ISSUED:
            raise Immutable("The lines of an issued invoice are never deleted.")
        return super().delete(*args, **kwargs)


class Outstanding(models.Model):
    """An issued invoice that still owes money, and how much: kept by the services in
    the same transaction as each payment, refund or credit, so the aged-debt report
    reads only what is owed, never every invoice ever paid."""

    invoice = models.OneToOneField(
        Invoice, on_delete=models.CASCADE, primary_key=True, related_name="outstanding"
    )
    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="+")
    issued_at = models.DateTimeField()
    owed_pence = models.PositiveIntegerField()

    class Meta:
        indexes = [models.Index(fields=["issued_at"], name="outstanding_issued_at")]
        constraints = [
            models.CheckConstraint(condition=Q(owed_pence__gte=1), name="outstanding_positive")
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id}: {self.owed_pence}p"


class Payment(models.Model):
    """Money received (or returned: a refund, pointing at the payment it returns).

    Against an invoice, or on account (an overpayment, money paid ahead) where it is
    the patient's credit, which a later payment by ``account_credit`` uses."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="payments")
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="payments"
    )
    kind = models.CharField(max_length=8, choices=PaymentKind.choices, default="payment")
    method = models.CharField(max_length=16, choices=PaymentMethod.choices)
    amount_pence = models.PositiveIntegerField()
    refund_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="refunds"
    )
    reference = models.CharField(max_length=100, blank=True)
    reason = models.CharField(max_length=200, blank=True)
    # The practitioner whose visit it pays for (the takings by practitioner).
    practitioner = models.ForeignKey(
        Practitioner, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField()
    # A form's one-time key: a second submit of the same form records nothing more.
    request_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["received_at"], name="payment_received_at"),
            models.Index(fields=["patient", "received_at"], name="payment_patient"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount_pence__gte=1, amount_pence__lte=MAX_LINE_PENCE * 10),
                name="payment_amount_range",
            ),
            models.CheckConstraint(
                condition=Q(kind=PaymentKind.PAYMENT, refund_of__isnull=True)
                | Q(kind=PaymentKind.REFUND, refund_of__isnull=False),
                name="payment_refund_names_payment",
            ),
            models.CheckConstraint(
                condition=Q(method__in=PaymentMethod.values), name="payment_method_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.amount_pence}p"

    @property
    def signed_pence(self) -> int:
        return -self.amount_pence if self.kind == PaymentKind.REFUND else self.amount_pence


class CourseBlock(models.Model):
    """A block of sessions the clinic sells in advance (e.g. 6 at a discount), used
    within ``valid_days`` of purchase."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=120)
    service = models.ForeignKey(
        Service,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The service it pays for; empty for any.",
    )
    sessions = models.PositiveSmallIntegerField()
    price_pence = models.PositiveIntegerField()
    valid_days = models.PositiveSmallIntegerField(default=180)
    bookable_online = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions__gte=1, sessions__lte=52), name="block_sessions_range"
            ),
            models.CheckConstraint(
                condition=Q(price_pence__gte=1, price_pence__lte=MAX_LINE_PENCE),
                name="block_price_range",
            ),
            models.CheckConstraint(
                condition=Q(valid_days__gte=1, valid_days__lte=730), name="block_valid_range"
            ),
            models.UniqueConstraint(fields=["clinic", "name"], name="block_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PrepaidCourse(models.Model):
    """A block bought by a patient: its invoice, expiry, and the sessions drawn."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="prepaid_courses")
    block = models.ForeignKey(CourseBlock, on_delete=models.PROTECT, related_name="sold")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    sessions = models.PositiveSmallIntegerField()
    price_pence = models.PositiveIntegerField()
    invoice = models.OneToOneField(Invoice, on_delete=models.PROTECT, related_name="course")
    bought_at = models.DateTimeField()
    expires_on = models.DateField()
    used = models.PositiveSmallIntegerField(default=0)
    # Unused sessions refunded pro rata (the course is closed).
    refunded_pence = models.PositiveIntegerField(default=0)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-bought_at"]
        constraints = [
            models.CheckConstraint(condition=Q(used__lte=F("sessions")), name="course_used_le"),
            models.CheckConstraint(
                condition=Q(refunded_pence__lte=F("price_pence")), name="course_refund_le_price"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.block.name}: {self.used} of {self.sessions} used"

    @property
    def left(self) -> int:
        return self.sessions - self.used

    @property
    def summary(self) -> str:
        return f"{self.used} of {self.sessions} used"

    @property
    def refunded_display(self) -> str:
        return pounds(self.refunded_pence)


class CourseDraw(models.Model):
    """One session drawn from a course: a visit attended (or missed, where the policy
    says a missed visit is drawn)."""

    course = models.ForeignKey(PrepaidCourse, on_delete=models.PROTECT, related_name="draws")
    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="course_draw"
    )
    number = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=20)
    drawn_at = models.DateTimeField()

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="draw_unique_number")
        ]

    def __str__(self) -> str:
        return f"Session {self.number} of course {self.course_id}"


class PayLink(models.Model):
    """A link a patient opens to pay an invoice online. Only a digest of its secret is
    kept: the link is in the patient's email, never in the database."""

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="pay_links")
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Pay link for invoice {self.invoice_id}"


class CheckoutSession(models.Model):
    """A payment started with the online provider, until its webhook says it is paid."""

    # What is paid for: an invoice, or a prepaid course bought online (sold, with its
    # invoice, only when the payment completes, so an abandoned checkout owes nothing).
    invoice = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.PROTECT, related_name="checkouts"
    )
    block = models.ForeignKey(
        CourseBlock, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A deposit or full payment asked at online booking: paid against the visit's
    # invoice if it has one by then, else kept as the patient's credit for it.
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    provider = models.CharField(max_length=20)
    session_id = models.CharField(max_length=255, unique=True)
    amount_pence = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)
    paid_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.provider} {self.session_id}"

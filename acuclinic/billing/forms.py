import re
import secrets

from django import forms

from acuclinic.billing.choices import PaymentMethod
from acuclinic.billing.models import (
    BillingSettings,
    InsurancePolicy,
    Insurer,
    Price,
    ServiceVat,
)

_POUNDS = re.compile(r"£?\s*(\d{1,7})(?:\.(\d{1,2}))?")


class PoundsField(forms.CharField):
    """An amount typed in pounds ("45", "45.5", "£45.50"), cleaned to whole pence."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 12)
        kwargs.setdefault("help_text", "In pounds, e.g. 45.00")
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})

    def clean(self, value):
        value = super().clean(value)
        if value in ("", None):
            return None
        found = _POUNDS.fullmatch(value.strip().replace(",", ""))
        if not found:
            raise forms.ValidationError("Give an amount in pounds and pence, e.g. 45.00.")
        pence = int(found.group(1)) * 100 + int((found.group(2) or "0").ljust(2, "0"))
        if pence < 1:
            raise forms.ValidationError("The amount must be more than £0.00.")
        return pence


class OwnIds:
    """A form's element ids carry its own prefix: billing pages show several forms at once
    (a payment and an invoice both have an amount), and an id must be unique on a page
    for its label to point at the right box."""

    id_prefix = "id"

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class PaymentForm(OwnIds, forms.Form):
    id_prefix = "pay"

    invoice = forms.TypedChoiceField(
        label="For",
        coerce=int,
        required=False,
        empty_value=None,
        help_text="An invoice, or on account (kept as the patient's credit).",
    )
    method = forms.ChoiceField(
        choices=[
            (m.value, m.label)
            for m in PaymentMethod
            if m not in (PaymentMethod.PREPAID, PaymentMethod.ONLINE_CARD)
        ]
    )
    amount = PoundsField()
    reference = forms.CharField(
        max_length=100, required=False, help_text="Terminal receipt or transfer reference."
    )
    key = forms.CharField(widget=forms.HiddenInput, max_length=40)

    def __init__(self, *args, invoices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["invoice"].choices = [("", "On account")] + [
            (inv.pk, f"{inv.reference} – {inv.owed_display} owed") for inv in invoices
        ]
        if not self.is_bound:
            self.initial["key"] = secrets.token_urlsafe(18)
            if invoices:
                self.initial["invoice"] = invoices[0].pk


class InvoiceForm(OwnIds, forms.Form):
    id_prefix = "invoice"

    description = forms.CharField(max_length=200, help_text="e.g. Report for the insurer")
    amount = PoundsField()


class ReasonForm(OwnIds, forms.Form):
    id_prefix = "reason"

    reason = forms.CharField(max_length=200)
    amount = PoundsField(required=False, help_text="In pounds; leave empty for all of it.")


class RefundForm(OwnIds, forms.Form):
    id_prefix = "refund"

    reason = forms.CharField(max_length=200)
    amount = PoundsField()


class InsurerForm(forms.ModelForm):
    class Meta:
        model = Insurer
        fields = ["name", "address", "email", "invoicing", "instructions"]


class PolicyForm(OwnIds, forms.ModelForm):
    id_prefix = "policy"

    class Meta:
        model = InsurancePolicy
        fields = [
            "insurer",
            "membership_number",
            "preauthorisation_code",
            "sessions_authorised",
            "valid_from",
            "valid_until",
        ]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }

    excess = PoundsField(required=False, label="Excess", help_text="In pounds; empty for none.")

    def clean(self):
        data = super().clean()
        start, end = data.get("valid_from"), data.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", "The cover must end after it starts.")
        sessions = data.get("sessions_authorised")
        if sessions is not None and not 1 <= sessions <= 100:
            self.add_error("sessions_authorised", "Between 1 and 100 sessions.")
        return data


class SettingsForm(forms.ModelForm):
    class Meta:
        model = BillingSettings
        fields = [
            "vat_number",
            "invoice_when",
            "payment_terms_days",
            "late_cancel_fee_pence",
            "late_cancel_fee_percent",
            "dna_fee_pence",
            "dna_fee_percent",
            "course_draws_late_cancel",
            "course_draws_dna",
            "online_booking_pays",
            "online_deposit_pence",
        ]
        labels = {
            "late_cancel_fee_pence": "Late-cancellation fee (pence)",
            "late_cancel_fee_percent": "Late-cancellation fee (% of the session)",
            "course_draws_late_cancel": "A late cancellation uses a prepaid session",
            "course_draws_dna": "A missed visit uses a prepaid session",
        }
        help_texts = {
            "vat_number": "Empty if the clinic is not VAT-registered: no VAT is charged.",
            "late_cancel_fee_pence": "A fixed amount, or use the percentage: not both.",
            "online_booking_pays": "Asked by card straight after booking online, only when "
            "the payment provider (Stripe) is set up. A booking whose payment is not "
            "completed stays booked, with the amount owed shown on the patient's account.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["online_deposit_pence"].required = False

    def clean(self):
        data = super().clean()
        for kind in ("late_cancel", "dna"):
            fixed, percent = data.get(f"{kind}_fee_pence"), data.get(f"{kind}_fee_percent")
            if fixed and percent:
                self.add_error(f"{kind}_fee_percent", "Give an amount or a percentage, not both.")
            if percent is not None and percent > 100:
                self.add_error(f"{kind}_fee_percent", "At most 100%.")
            if fixed is not None and fixed > 100_000:
                self.add_error(f"{kind}_fee_pence", "At most £1,000.")
        deposit = data.get("online_deposit_pence")
        if deposit is None and "online_deposit_pence" not in self.errors:
            data["online_deposit_pence"] = deposit = 0
        if data.get("online_booking_pays") == "deposit" and not deposit:
            self.add_error("online_deposit_pence", "Give the deposit asked at online booking.")
        if deposit is not None and deposit > 100_000:
            self.add_error("online_deposit_pence", "At most £1,000.")
        terms = data.get("payment_terms_days")
        if terms is not None and terms > 365:
            self.add_error("payment_terms_days", "At most 365 days.")
        return data


class PriceForm(OwnIds, forms.ModelForm):
    id_prefix = "price"

    class Meta:
        model = Price
        fields = ["service", "practitioner", "concession", "effective_from"]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}

    price = PoundsField(label="Price")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Each practitioner is named by their user: read with them, not one by one.
        field = self.fields["practitioner"]
        field.queryset = field.queryset.select_related("user")

    def clean(self):
        data = super().clean()
        if data.get("price") and data["price"] > 10_000_00:
            self.add_error("price", "At most £10,000.")
        return data


class ServiceVatForm(OwnIds, forms.ModelForm):
    id_prefix = "vat"

    class Meta:
        model = ServiceVat
        fields = ["service", "treatment"]
        help_texts = {
            "treatment": "Medical care by a statutorily registered practitioner (HCPC, GMC, "
            "NMC) is exempt (HMRC VAT Notice 701/57); by anyone else it is not."
        }

    def validate_unique(self):
        """One treatment per service: saving replaces the earlier one."""

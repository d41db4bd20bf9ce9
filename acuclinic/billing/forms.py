import re
import secrets

from django import forms

from acuclinic.billing.choices import PaymentMethod
from acuclinic.billing.models import InsurancePolicy, Insurer

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


class PaymentForm(forms.Form):
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


class InvoiceForm(forms.Form):
    description = forms.CharField(max_length=200, help_text="e.g. Report for the insurer")
    amount = PoundsField()


class ReasonForm(forms.Form):
    reason = forms.CharField(max_length=200)
    amount = PoundsField(required=False, help_text="In pounds; leave empty for all of it.")


class RefundForm(forms.Form):
    reason = forms.CharField(max_length=200)
    amount = PoundsField()


class InsurerForm(forms.ModelForm):
    class Meta:
        model = Insurer
        fields = ["name", "address", "email", "invoicing", "instructions"]


class PolicyForm(forms.ModelForm):
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

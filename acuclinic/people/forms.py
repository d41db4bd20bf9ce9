from copy import copy

from django import forms

from acuclinic.core.forms import DateBox
from acuclinic.people import nhs_number
from acuclinic.people.choices import ConditionChoice
from acuclinic.people.models import Patient

DUPLICATE_NHS_NUMBER = "Another patient already has this NHS number."


class PatientForm(forms.ModelForm):
    """Contact and administrative details: what reception may see and edit."""

    # Wider than the 10 stored digits, so "943 476 5919" as printed on letters fits.
    nhs_number = forms.CharField(
        label="NHS number",
        max_length=20,
        required=False,
        help_text="10 digits, e.g. 943 476 5919.",
    )

    class Meta:
        model = Patient
        fields = [
            "given_name",
            "family_name",
            "preferred_name",
            "date_of_birth",
            "sex",
            "email",
            "phone",
            "address_line1",
            "address_line2",
            "town",
            "postcode",
            "contact_by_email",
            "contact_by_sms",
            "contact_by_phone",
            "appointment_reminders",
            "gp_practice",
            "nhs_number",
            "emergency_contact_name",
            "emergency_contact_phone",
            "emergency_contact_relationship",
        ]
        widgets = {"date_of_birth": DateBox()}

    def __init__(self, *args, instance=None, **kwargs):
        # Validation writes the typed values onto the instance; work on a copy so the
        # page can still show the stored record (its name in the heading) after an error.
        super().__init__(*args, instance=copy(instance), **kwargs)

    def clean_nhs_number(self):
        value = nhs_number.normalise(self.cleaned_data.get("nhs_number", ""))
        others = Patient.objects.filter(nhs_number=value).exclude(pk=self.instance.pk)
        # The database refuses a duplicate too; asking first puts the message on the field.
        if value and others.exists():
            raise forms.ValidationError(DUPLICATE_NHS_NUMBER, code="duplicate_nhs_number")
        return value

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone") and "email" not in self.errors:
            self.add_error("email", "Give an email address or a phone number, or both.")
        return cleaned


class ClinicalSummaryForm(forms.Form):
    presenting_condition = forms.ChoiceField(choices=ConditionChoice.choices)
    history = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}), required=False, label="History and findings"
    )


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label="Find a patient",
        required=False,
        help_text="Name, date of birth (e.g. 12/03/1980) or phone number",
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

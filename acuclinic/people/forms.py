from django import forms

from acuclinic.people.choices import ConditionChoice
from acuclinic.people.models import Patient


class DateInput(forms.DateInput):
    input_type = "date"


class PatientForm(forms.ModelForm):
    """Contact and administrative details: what reception may see and edit."""

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
        widgets = {"date_of_birth": DateInput(format="%Y-%m-%d")}
        help_texts = {"nhs_number": "10 digits, e.g. 943 476 5919."}

    def clean_nhs_number(self):
        from acuclinic.people.nhs_number import normalise

        return normalise(self.cleaned_data.get("nhs_number", ""))

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone"):
            raise forms.ValidationError("Give an email address or a phone number, or both.")
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

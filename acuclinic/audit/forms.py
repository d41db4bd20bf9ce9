from django import forms

from acuclinic.audit.models import AuditAction
from acuclinic.core.forms import DateBox


class AuditFilter(forms.Form):
    user = forms.CharField(required=False, label="Username")
    action = forms.ChoiceField(required=False, choices=[("", "Any"), *AuditAction.choices])
    object_type = forms.CharField(
        required=False, label="Record type", help_text="e.g. people.patient"
    )
    patient = forms.IntegerField(required=False, label="Patient id", min_value=1)
    since = forms.DateField(required=False, widget=DateBox(), label="From")
    until = forms.DateField(required=False, widget=DateBox(), label="To")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["until"] < cleaned["since"]:
            raise forms.ValidationError("“To” must be on or after “From”.")
        return cleaned

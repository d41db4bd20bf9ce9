from django import forms

from acuclinic.people.models import Patient


class SubjectAccessRequestForm(forms.Form):
    patient = forms.IntegerField(
        label="Patient record number",
        min_value=1,
        help_text="The number in the address of the patient's record (/patients/123/).",
    )
    received_on = forms.DateField(
        label="Date received", widget=forms.DateInput(attrs={"type": "date"})
    )
    requested_by = forms.CharField(
        label="Asked by (if not the patient)", max_length=160, required=False
    )

    def clean_patient(self):
        pk = self.cleaned_data["patient"]
        patient = Patient.objects.filter(pk=pk).first()
        if patient is None:
            raise forms.ValidationError("There is no patient with this record number.")
        return patient

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


class RetentionPolicyForm(forms.ModelForm):
    class Meta:
        from acuclinic.interop.models import RetentionPolicy

        model = RetentionPolicy
        fields = ["adult_years", "child_until_age", "child_until_age_if_17"]

    def clean(self):
        cleaned = super().clean()
        minimums = {"adult_years": 8, "child_until_age": 25, "child_until_age_if_17": 26}
        for name, least in minimums.items():
            value = cleaned.get(name)
            if value is not None and value < least:
                self.add_error(name, f"The Code of Practice asks for at least {least}.")
        return cleaned


class ErasureForm(forms.Form):
    patient = forms.IntegerField(label="Patient record number", min_value=1)

    def clean_patient(self):
        return SubjectAccessRequestForm.clean_patient(self)


class ImportForm(forms.Form):
    system = forms.ChoiceField(
        label="Exported from",
        choices=[("cliniko", "Cliniko"), ("jane", "Jane")],
    )
    file = forms.FileField(label="Patients CSV file", help_text="Up to 100 MB, UTF-8.")

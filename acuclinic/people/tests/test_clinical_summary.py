"""The clinical summary: practitioners and admins write it; reception is refused."""

import pytest
from django.urls import reverse

from acuclinic.audit.models import AuditEntry
from acuclinic.people.models import ClinicalSummary
from acuclinic.testing import factories


def url(patient):
    return reverse("clinical_summary_edit", args=[patient.pk])


@pytest.fixture
def as_practitioner(client, practitioner_user):
    client.force_login(practitioner_user)
    return client


def test_a_practitioner_writes_the_first_summary(as_practitioner, practitioner_user, patient):
    response = as_practitioner.post(
        url(patient), {"presenting_condition": "low_back", "history": "Two years, worse sitting."}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("patient_detail", args=[patient.pk])
    summary = ClinicalSummary.objects.get(patient=patient)
    assert summary.history == "Two years, worse sitting."
    assert summary.updated_by == practitioner_user
    entry = AuditEntry.objects.get(object_type="people.clinicalsummary")
    assert entry.action == "create"
    assert entry.patient_id == patient.pk
    assert entry.actor_role == "Practitioner"


def test_the_summary_appears_on_the_patient_record(as_practitioner, patient):
    as_practitioner.post(url(patient), {"presenting_condition": "sciatica", "history": "Left leg."})
    page = as_practitioner.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "Sciatica" in page
    assert "Left leg." in page
    assert "Update clinical summary" in page


def test_updating_the_summary_is_audited_as_a_change(as_practitioner, practitioner_user, patient):
    factories.clinical_summary(patient, by=practitioner_user, history="Before")
    as_practitioner.post(url(patient), {"presenting_condition": "headache", "history": "After"})
    summary = ClinicalSummary.objects.get(patient=patient)
    assert (summary.presenting_condition, summary.history) == ("headache", "After")
    assert AuditEntry.objects.get(object_type="people.clinicalsummary").action == "change"


def test_opening_an_existing_summary_to_edit_is_audited_as_a_view(
    as_practitioner, practitioner_user, patient
):
    factories.clinical_summary(patient, by=practitioner_user, history="Before")
    response = as_practitioner.get(url(patient))
    assert "Before" in response.content.decode()
    entry = AuditEntry.objects.get(object_type="people.clinicalsummary")
    assert (entry.action, entry.patient_id) == ("view", patient.pk)


def test_a_clinic_admin_can_write_the_summary(client, admin_user, patient):
    client.force_login(admin_user)
    client.post(url(patient), {"presenting_condition": "whiplash", "history": ""})
    assert ClinicalSummary.objects.filter(patient=patient, updated_by=admin_user).exists()


def test_an_unknown_condition_is_refused_on_its_field_and_nothing_is_written(
    as_practitioner, patient
):
    response = as_practitioner.post(url(patient), {"presenting_condition": "gout"})
    assert response.status_code == 200
    assert response.context["form"].errors["presenting_condition"]
    assert 'id="id_presenting_condition_error"' in response.content.decode()
    assert not ClinicalSummary.objects.exists()
    assert not AuditEntry.objects.filter(object_type="people.clinicalsummary").exists()


def test_reception_cannot_open_the_clinical_summary(client, reception_user, practitioner, patient):
    factories.clinical_summary(patient, by=practitioner.user, history="Private history")
    client.force_login(reception_user)
    response = client.get(url(patient))
    assert response.status_code == 403
    assert "Private history" not in response.content.decode()
    assert AuditEntry.objects.filter(action="denied", actor=reception_user).exists()


def test_reception_cannot_write_the_clinical_summary(client, reception_user, patient):
    client.force_login(reception_user)
    response = client.post(url(patient), {"presenting_condition": "low_back", "history": "x"})
    assert response.status_code == 403
    assert not ClinicalSummary.objects.exists()


def test_the_summary_of_an_unknown_patient_is_not_found(as_practitioner, clinic):
    assert as_practitioner.get(reverse("clinical_summary_edit", args=[999999])).status_code == 404

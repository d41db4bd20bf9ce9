"""Changing a patient's details: saved and audited by field name; errors change nothing."""

import pytest
from django.urls import reverse

from acuclinic.audit.models import AuditEntry
from acuclinic.people import services
from acuclinic.people.forms import PatientForm
from acuclinic.testing import factories


@pytest.fixture
def signed_in(client, reception_user):
    client.force_login(reception_user)
    return client


def stored_patient(**overrides):
    """A patient saved exactly as the form would save ``patient_form_data``."""
    form = PatientForm(factories.patient_form_data(**overrides))
    assert form.is_valid(), form.errors
    return services.patient_create(**form.cleaned_data)


@pytest.fixture
def mira(clinic):
    return stored_patient()


def url(patient):
    return reverse("patient_edit", args=[patient.pk])


def test_the_form_starts_with_the_stored_details(signed_in, mira):
    response = signed_in.get(url(mira))
    page = response.content.decode()
    assert "<h1>Edit Mira Ashdown</h1>" in page
    assert 'value="1980-03-12"' in page
    assert 'value="07700 900123"' in page


def test_it_saves_the_change_and_audits_which_fields_changed(signed_in, mira):
    response = signed_in.post(
        url(mira), factories.patient_form_data(phone="07700 900777", town="Newtown")
    )
    assert response.status_code == 302
    mira.refresh_from_db()
    assert mira.phone == "07700 900777"
    assert mira.phone_digits == "07700900777"
    entry = AuditEntry.objects.get(action="change", object_type="people.patient")
    assert entry.changed_fields == ["phone", "town"]
    assert entry.patient_id == mira.pk
    assert entry.actor_role == "Reception"


def test_saving_without_a_change_writes_no_audit_entry(signed_in, mira):
    signed_in.post(url(mira), factories.patient_form_data())
    assert not AuditEntry.objects.filter(action="change").exists()


def test_a_patient_keeps_their_own_nhs_number_when_other_details_change(signed_in, clinic):
    mira = stored_patient(nhs_number="9990000018")
    signed_in.post(url(mira), factories.patient_form_data(nhs_number="999 000 0018", town="Y"))
    mira.refresh_from_db()
    assert (mira.nhs_number, mira.town) == ("9990000018", "Y")


def test_another_patients_nhs_number_is_refused_on_its_field(signed_in, mira):
    factories.patient(nhs_number="9990000026")
    response = signed_in.post(url(mira), factories.patient_form_data(nhs_number="9990000026"))
    assert response.context["form"].errors["nhs_number"] == [
        "Another patient already has this NHS number."
    ]
    mira.refresh_from_db()
    assert mira.nhs_number == ""


def test_an_error_changes_nothing_and_the_heading_keeps_the_stored_name(signed_in, mira):
    response = signed_in.post(
        url(mira), factories.patient_form_data(given_name="Orla", date_of_birth="1850-01-01")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date_of_birth"]
    assert "<h1>Edit Mira Ashdown</h1>" in response.content.decode()
    mira.refresh_from_db()
    assert mira.given_name == "Mira"
    assert not AuditEntry.objects.filter(action="change").exists()


def test_an_unknown_patient_is_not_found(signed_in, clinic):
    assert signed_in.get(reverse("patient_edit", args=[999999])).status_code == 404

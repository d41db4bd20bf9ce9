"""Adding a patient: a valid form saves and audits; each bad input gets its own message."""

from datetime import date, timedelta

import pytest
from django.urls import reverse

from acuclinic.audit.models import AuditEntry
from acuclinic.people.models import Patient
from acuclinic.testing import factories

URL = reverse("patient_create")


@pytest.fixture
def signed_in(client, reception_user):
    client.force_login(reception_user)
    return client


def post(client, **overrides):
    return client.post(URL, factories.patient_form_data(**overrides))


def test_it_shows_an_empty_form(signed_in):
    response = signed_in.get(URL)
    assert response.status_code == 200
    assert "<h1>New patient</h1>" in response.content.decode()


def test_it_adds_the_patient_and_opens_their_record(signed_in):
    response = post(signed_in, nhs_number="999 000 0018")
    patient = Patient.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("patient_detail", args=[patient.pk])
    assert patient.full_name == "Mira Ashdown"
    assert patient.date_of_birth == date(1980, 3, 12)
    assert patient.nhs_number == "9990000018"
    assert patient.phone_digits == "07700900123"
    assert patient.contact_channels == ["email", "phone"]
    assert patient.gp_practice == "Testford Health Centre"
    assert patient.emergency_contact_relationship == "brother"


def test_it_says_who_was_added(signed_in):
    response = post(signed_in)
    response = signed_in.get(response["Location"])
    assert "Mira Ashdown added." in response.content.decode()


def test_adding_a_patient_is_audited_with_the_fields_given(signed_in):
    post(signed_in)
    patient = Patient.objects.get()
    entry = AuditEntry.objects.get(action="create", object_type="people.patient")
    assert entry.object_id == str(patient.pk)
    assert entry.patient_id == patient.pk
    assert entry.actor_username == "reception"
    assert {"given_name", "date_of_birth", "phone"} <= set(entry.changed_fields)


def test_a_patient_with_only_a_phone_number_can_be_added(signed_in):
    post(signed_in, email="")
    assert Patient.objects.filter(email="").exists()


def test_a_patient_with_only_an_email_address_can_be_added(signed_in):
    post(signed_in, phone="")
    assert Patient.objects.filter(phone="").exists()


def test_an_unticked_box_means_no(signed_in):
    post(signed_in, appointment_reminders=None, contact_by_email=None)
    patient = Patient.objects.get()
    assert patient.appointment_reminders is False
    assert patient.contact_channels == ["phone"]


BAD_INPUT = [
    ("date_of_birth", {"date_of_birth": (date.today() + timedelta(days=1)).isoformat()}, "future"),
    ("date_of_birth", {"date_of_birth": "1899-12-31"}, "after 1900"),
    ("date_of_birth", {"date_of_birth": "31/02/1980"}, "Enter a valid date"),
    ("nhs_number", {"nhs_number": "999 000 0019"}, "not a valid NHS number"),
    ("nhs_number", {"nhs_number": "12345"}, "not a valid NHS number"),
    ("email", {"email": "mira@"}, "valid email"),
    ("email", {"email": "", "phone": ""}, "Give an email address or a phone number"),
    ("given_name", {"given_name": ""}, "required"),
    ("sex", {"sex": "robot"}, "Select a valid choice"),
]


@pytest.mark.parametrize(
    ("field", "overrides", "message"), BAD_INPUT, ids=[b[2] for b in BAD_INPUT]
)
def test_bad_input_gets_a_message_on_its_field_and_writes_nothing(
    signed_in, field, overrides, message
):
    response = post(signed_in, **overrides)
    assert response.status_code == 200
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    assert not form.non_field_errors()
    page = response.content.decode()
    assert 'class="error-summary"' in page
    assert f'id="id_{field}_error"' in page
    assert not Patient.objects.exists()
    assert not AuditEntry.objects.filter(action="create").exists()


def test_an_nhs_number_already_in_use_is_refused_on_its_field(signed_in, clinic):
    factories.patient(nhs_number="9990000018")
    response = post(signed_in, nhs_number="999 000 0018")
    assert response.status_code == 200
    assert response.context["form"].errors["nhs_number"] == [
        "Another patient already has this NHS number."
    ]
    assert Patient.objects.count() == 1
    assert not AuditEntry.objects.filter(action="create").exists()


def test_the_form_keeps_what_was_typed_after_an_error(signed_in):
    response = post(signed_in, email="mira@", given_name="Orla")
    assert 'value="Orla"' in response.content.decode()


def test_a_date_of_birth_typed_the_uk_way_is_understood(signed_in):
    # Browsers without a date picker send what was typed.
    post(signed_in, date_of_birth="12/03/1980")
    assert Patient.objects.get().date_of_birth == date(1980, 3, 12)

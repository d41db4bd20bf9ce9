"""Every view of a patient record and every change to personal data leaves an entry
saying who (and in which role) did what to which record, when, from where and how."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Room, Service
from acuclinic.people import services as people
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories

ADDRESS = "192.0.2.44"


@pytest.fixture
def as_reception(client, reception_user):
    client.force_login(reception_user)
    client.defaults["REMOTE_ADDR"] = ADDRESS
    return client


def only_entry(**filters) -> AuditEntry:
    return AuditEntry.objects.get(**filters)


def assert_by(entry, user, role, *, via="web", address=ADDRESS):
    assert entry.actor == user
    assert entry.actor_username == user.username
    assert entry.actor_role == role
    assert entry.client_address == address
    assert entry.via == via
    assert timezone.now() - entry.at < timedelta(minutes=1)


def test_viewing_a_patient_record(as_reception, reception_user, patient):
    as_reception.get(reverse("patient_detail", args=[patient.pk]))
    entry = only_entry(action="view")
    assert_by(entry, reception_user, "Reception")
    assert (entry.object_type, entry.object_id, entry.patient_id) == (
        "people.patient",
        str(patient.pk),
        patient.pk,
    )
    assert entry.object_repr == patient.full_name


def test_searching_for_patients(as_reception, reception_user, patient):
    as_reception.get(reverse("patient_list"), {"q": patient.family_name})
    entry = only_entry(action="search")
    assert_by(entry, reception_user, "Reception")
    assert entry.object_type == "people.patient"
    assert entry.detail == "1 found"


def test_creating_a_patient(as_reception, reception_user, clinic):
    as_reception.post(reverse("patient_create"), factories.patient_form_data())
    entry = only_entry(action="create")
    assert_by(entry, reception_user, "Reception")
    assert entry.patient_id == int(entry.object_id)
    assert "nhs_number" in entry.changed_fields


def test_changing_a_patient_names_the_fields_but_keeps_no_values(
    as_reception, reception_user, patient
):
    data = factories.patient_form_data(
        given_name=patient.given_name,
        family_name=patient.family_name,
        date_of_birth=patient.date_of_birth.isoformat(),
        email=patient.email,
        phone="07700 900555",
    )
    as_reception.post(reverse("patient_edit", args=[patient.pk]), data)
    entry = only_entry(action="change")
    assert_by(entry, reception_user, "Reception")
    assert entry.patient_id == patient.pk
    assert "phone" in entry.changed_fields
    assert "900555" not in str(entry.changed_fields) + entry.detail + entry.object_repr


def test_writing_a_clinical_summary(client, practitioner_user, patient):
    client.force_login(practitioner_user)
    client.post(
        reverse("clinical_summary_edit", args=[patient.pk]),
        {"presenting_condition": "low_back", "history": "Private words"},
        REMOTE_ADDR=ADDRESS,
    )
    entry = only_entry(object_type="people.clinicalsummary")
    assert entry.action == "create"
    assert_by(entry, practitioner_user, "Practitioner")
    assert entry.patient_id == patient.pk
    assert "Private words" not in entry.object_repr + entry.detail


def test_booking_moving_and_cancelling_an_appointment(
    as_reception, reception_user, practitioner, patient
):
    day = timezone.localtime(factories.next_weekday_at(10)).date().isoformat()
    slot = {
        "practitioner": practitioner.pk,
        "room": Room.objects.get(name="Room 1").pk,
        "date": day,
    }
    as_reception.post(
        reverse("appointment_new"),
        {
            **slot,
            "time": "10:00",
            "patient": patient.pk,
            "service": Service.objects.get(name="Medical acupuncture").pk,
            "channel": "phone",
        },
    )
    visit = Appointment.objects.get()
    as_reception.post(reverse("appointment_move", args=[visit.pk]), {**slot, "time": "11:00"})
    as_reception.post(reverse("appointment_cancel", args=[visit.pk]), {"reason": "Away"})

    entries = list(AuditEntry.objects.filter(object_type="scheduling.appointment").order_by("id"))
    assert [(e.action, e.detail) for e in entries] == [
        ("create", "booked by phone"),
        ("change", "moved"),
        ("change", "cancelled"),
    ]
    assert entries[1].changed_fields == ["end", "start"]
    for entry in entries:
        assert_by(entry, reception_user, "Reception")
        assert entry.object_id == str(visit.pk)
        assert entry.patient_id == patient.pk


def test_signing_in(client, reception_user):
    client.post(
        reverse("login"),
        {"username": "reception", "password": factories.PASSWORD},
        REMOTE_ADDR=ADDRESS,
    )
    entry = only_entry(action="login")
    assert_by(entry, reception_user, "Reception")
    assert entry.object_type == "session"


def test_signing_out(as_reception, reception_user):
    as_reception.post(reverse("logout"))
    entry = only_entry(action="logout")
    assert_by(entry, reception_user, "Reception")


def test_a_failed_sign_in_keeps_the_name_tried_but_never_the_password(client, reception_user):
    client.post(
        reverse("login"),
        {"username": "reception", "password": "wrong-guess-123"},
        REMOTE_ADDR=ADDRESS,
    )
    entry = only_entry(action="login_failed")
    assert entry.actor is None
    assert entry.actor_role == "anonymous"
    assert entry.detail == "username tried: reception"
    assert entry.client_address == ADDRESS
    assert entry.via == "web"
    assert "wrong-guess" not in str(entry.__dict__)


def test_a_change_made_outside_a_request_is_recorded_as_the_system(patient):
    people.patient_update(patient, town="Elsewhere")
    entry = only_entry(action="change")
    assert (entry.actor, entry.actor_role, entry.via, entry.client_address) == (
        None,
        "system",
        "command",
        None,
    )


def test_a_rolled_back_change_leaves_no_entry(patient):
    with pytest.raises(RuntimeError), transaction.atomic():
        people.patient_update(patient, town="Elsewhere")
        raise RuntimeError("the rest of the request failed")
    patient.refresh_from_db()
    assert patient.town != "Elsewhere"
    assert not AuditEntry.objects.exists()


def test_a_refused_booking_leaves_no_entry(as_reception, practitioner, patient):
    # Outside opening hours: the service refuses before anything is written.
    day = timezone.localtime(factories.next_weekday_at(10)).date().isoformat()
    as_reception.post(
        reverse("appointment_new"),
        {
            "patient": patient.pk,
            "practitioner": practitioner.pk,
            "room": Room.objects.get(name="Room 1").pk,
            "service": Service.objects.get(name="Medical acupuncture").pk,
            "date": day,
            "time": "21:00",
            "channel": "phone",
        },
    )
    assert not Appointment.objects.exists()
    assert not AuditEntry.objects.filter(object_type="scheduling.appointment").exists()


def test_record_copies_the_name_so_the_entry_survives_a_renamed_account(reception_user, patient):
    entry = audit.record("view", patient, user=reception_user)
    reception_user.username = "front-desk"
    reception_user.save()
    entry.refresh_from_db()
    assert entry.actor_username == "reception"

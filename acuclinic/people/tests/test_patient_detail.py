"""The patient record: contact details, appointments and attendance, and an audit entry."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.testing import factories


@pytest.fixture
def mira(clinic):
    return factories.patient(
        given_name="Mira",
        family_name="Ashdown",
        preferred_name="Mim",
        date_of_birth=date(1980, 3, 12),
        phone="07700 900123",
        email="mira.ashdown@example.test",
        address_line1="4 Orchard Row",
        town="Testford",
        postcode="TE2 2ST",
        contact_by_email=False,
        contact_by_sms=True,
        appointment_reminders=False,
        gp_practice="Testford Health Centre",
        emergency_contact_name="Joss Ashdown",
        emergency_contact_relationship="brother",
        emergency_contact_phone="07700 900999",
        nhs_number="9990000018",
    )


def open_record(client, user, patient, **extra):
    client.force_login(user)
    return client.get(reverse("patient_detail", args=[patient.pk]), **extra)


def test_it_shows_who_the_patient_is(client, reception_user, mira):
    page = open_record(client, reception_user, mira).content.decode()
    assert "Mira Ashdown" in page
    assert "“Mim”" in page
    assert "Born Wed 12 Mar 1980" in page
    assert "NHS 999 000 0018" in page


def test_it_shows_the_contact_details_and_how_the_patient_wants_to_be_contacted(
    client, reception_user, mira
):
    page = open_record(client, reception_user, mira).content.decode()
    assert "07700 900123" in page
    assert "mira.ashdown@example.test" in page
    assert "4 Orchard Row, Testford, TE2 2ST" in page
    assert "Text, phone · no reminders" in page
    assert "Testford Health Centre" in page
    assert "Joss Ashdown (brother), 07700 900999" in page


def test_a_patient_who_wants_no_contact_says_so(client, reception_user, clinic):
    quiet = factories.patient(contact_by_email=False, contact_by_sms=False, contact_by_phone=False)
    page = open_record(client, reception_user, quiet).content.decode()
    assert "Do not contact" in page


def test_it_lists_upcoming_and_past_appointments_in_uk_time(
    client, reception_user, practitioner, mira
):
    upcoming = factories.appointment(
        patient=mira, practitioner=practitioner, start=factories.next_weekday_at(10)
    )
    past_start = timezone.now() - timedelta(days=14)
    factories.appointment(
        patient=mira,
        practitioner=practitioner,
        start=past_start,
        status=AppointmentStatus.COMPLETED,
    )
    response = open_record(client, reception_user, mira)
    page = response.content.decode()
    coming = page[page.index('id="upcoming-h"') : page.index('id="past-h"')]
    gone = page[page.index('id="past-h"') :]
    assert reverse("appointment_detail", args=[upcoming.pk]) in coming
    assert "Completed" in gone and "Completed" not in coming
    local = timezone.localtime(upcoming.start)
    assert f"{local:%a} {local.day} {local:%b %Y}, 10:00" in page
    assert "Medical acupuncture" in page


def test_it_counts_late_cancellations_and_missed_appointments(
    client, reception_user, practitioner, mira
):
    now = timezone.now()
    for days, status in [(7, "late_cancelled"), (14, "dna"), (21, "dna"), (28, "completed")]:
        factories.appointment(
            patient=mira,
            practitioner=practitioner,
            start=now - timedelta(days=days),
            status=status,
            cancelled_at=now - timedelta(days=days, hours=2) if "cancel" in status else None,
        )
    page = open_record(client, reception_user, mira).content.decode()
    assert "1 late cancellation · 2 missed appointments" in page


def test_a_patient_who_always_comes_has_no_attendance_warning(client, reception_user, mira):
    page = open_record(client, reception_user, mira).content.decode()
    assert "missed appointment" not in page


def test_opening_the_record_is_audited(client, reception_user, mira):
    open_record(client, reception_user, mira, REMOTE_ADDR="203.0.113.9")
    entry = AuditEntry.objects.get(action="view")
    assert (entry.object_type, entry.object_id) == ("people.patient", str(mira.pk))
    assert entry.patient_id == mira.pk
    assert entry.actor_username == "reception"
    assert entry.actor_role == "Reception"
    assert entry.client_address == "203.0.113.9"
    assert entry.via == "web"


def test_an_unknown_patient_is_not_found_and_nothing_is_audited(client, reception_user, clinic):
    client.force_login(reception_user)
    response = client.get(reverse("patient_detail", args=[999999]))
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert not AuditEntry.objects.filter(action="view").exists()


def test_reception_gets_booking_and_edit_links_but_no_clinical_link(client, reception_user, mira):
    page = open_record(client, reception_user, mira).content.decode()
    assert reverse("patient_edit", args=[mira.pk]) in page
    assert f"{reverse('appointment_new')}?patient={mira.pk}" in page
    assert reverse("clinical_summary_edit", args=[mira.pk]) not in page

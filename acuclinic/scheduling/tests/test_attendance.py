"""The cancellation policy and attendance: late cancellations inside the clinic's notice
period, the clinic's own cancellations never held against the patient, did-not-attend,
and the counts per patient."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from acuclinic.clinic.models import Clinic
from acuclinic.scheduling import queries, services
from acuclinic.scheduling.choices import AppointmentStatus, CancelledBy
from acuclinic.testing import factories
from acuclinic.testing.api_client import as_user


def visit(patient, practitioner, hours_from_now: float, **fields):
    return factories.appointment(
        patient=patient,
        practitioner=practitioner,
        start=timezone.now() + timedelta(hours=hours_from_now),
        **fields,
    )


def test_a_patient_cancelling_with_notice_is_an_ordinary_cancellation(patient, practitioner):
    appointment = services.appointment_cancel(visit(patient, practitioner, 25))
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancelled_by == CancelledBy.PATIENT


def test_a_patient_cancelling_inside_the_notice_period_is_late(patient, practitioner):
    appointment = services.appointment_cancel(visit(patient, practitioner, 23))
    assert appointment.status == AppointmentStatus.LATE_CANCELLED


def test_the_notice_period_is_the_clinic_s_own(patient, practitioner):
    clinic = Clinic.objects.get()
    clinic.cancellation_notice_hours = 48
    clinic.save()
    appointment = services.appointment_cancel(visit(patient, practitioner, 30))
    assert appointment.status == AppointmentStatus.LATE_CANCELLED


def test_the_clinic_cancelling_at_short_notice_is_never_late(patient, practitioner):
    appointment = services.appointment_cancel(
        visit(patient, practitioner, 2), reason="Practitioner unwell", cancelled_by="clinic"
    )
    assert appointment.status == AppointmentStatus.CANCELLED
    assert appointment.cancelled_by == CancelledBy.CLINIC


def test_an_unknown_canceller_is_refused(patient, practitioner):
    from acuclinic.core.errors import InvalidRequest

    with pytest.raises(InvalidRequest):
        services.appointment_cancel(visit(patient, practitioner, 30), cancelled_by="cat")


def test_attendance_counts_every_kind_once_and_keeps_the_clinic_s_apart(patient, practitioner):
    past = [visit(patient, practitioner, -24 * d) for d in (7, 14, 21)]
    services.appointment_set_status(past[0], status=AppointmentStatus.ARRIVED)
    services.appointment_set_status(past[0], status=AppointmentStatus.COMPLETED)
    services.appointment_set_status(past[1], status=AppointmentStatus.DID_NOT_ATTEND)
    services.appointment_cancel(visit(patient, practitioner, 3))  # late
    services.appointment_cancel(visit(patient, practitioner, 24 * 5))  # with notice
    services.appointment_cancel(visit(patient, practitioner, 1), cancelled_by="clinic")
    someone_else = factories.patient()
    services.appointment_cancel(visit(someone_else, practitioner, 4))

    counts = queries.attendance(patient)

    assert counts == queries.Attendance(
        attended=1, cancelled=1, late_cancelled=1, did_not_attend=1, cancelled_by_clinic=1
    )


def test_the_api_gives_a_patient_s_attendance(reception_user, patient, practitioner):
    services.appointment_cancel(visit(patient, practitioner, 3))
    missed = visit(patient, practitioner, -48)
    services.appointment_set_status(missed, status=AppointmentStatus.DID_NOT_ATTEND)
    response = as_user(reception_user).get(f"/patients/{patient.pk}/attendance")
    assert response.status_code == 200
    assert response.json() == {
        "patient": patient.pk,
        "attended": 0,
        "cancelled": 0,
        "late_cancelled": 1,
        "did_not_attend": 1,
        "cancelled_by_clinic": 0,
    }
    unknown = as_user(reception_user).get("/patients/987654/attendance")
    assert (unknown.status_code, unknown.json()["code"]) == (404, "unknown_patient")


def test_the_api_cancels_for_the_clinic_and_shows_who_cancelled(
    reception_user, patient, practitioner
):
    appointment = visit(patient, practitioner, 2)
    response = as_user(reception_user).post(
        f"/appointments/{appointment.pk}/cancel", {"reason": "Room flooded", "by": "clinic"}
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["cancelled_by"]) == ("cancelled", "clinic")
    bad = as_user(reception_user).post(f"/appointments/{appointment.pk}/cancel", {"by": "dog"})
    assert bad.status_code == 422


def test_the_page_cancels_for_the_clinic_and_says_so(client, reception_user, patient, practitioner):
    appointment = visit(patient, practitioner, 2)
    client.force_login(reception_user)
    client.post(
        reverse("appointment_cancel", args=[appointment.pk]), {"reason": "Unwell", "by": "clinic"}
    )
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    page = client.get(reverse("appointment_detail", args=[appointment.pk])).content.decode()
    assert "by the clinic" in page


def test_the_patient_record_shows_late_cancellations_and_missed_visits(
    client, reception_user, patient, practitioner
):
    services.appointment_cancel(visit(patient, practitioner, 3))
    missed = visit(patient, practitioner, -48)
    services.appointment_set_status(missed, status=AppointmentStatus.DID_NOT_ATTEND)
    client.force_login(reception_user)
    page = client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "1 late cancellation · 1 missed appointment" in page

"""Moving and cancelling are deliberate and reversible (issue 15, point 3): a
confirmation naming the patient and both times, with "tell the patient" ticked; then an
undo for a few minutes, itself checked against clashes."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from acuclinic.core.errors import Conflict
from acuclinic.core.formats import format_datetime
from acuclinic.scheduling import services
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories


@pytest.fixture
def desk(client, reception_user):
    client.force_login(reception_user)
    return client


@pytest.fixture
def visit(patient, practitioner):
    return factories.appointment(
        patient=patient, practitioner=practitioner, start=factories.next_weekday_at(10)
    )


def _to(visit, hour: int) -> dict:
    local = timezone.localtime(visit.start).replace(hour=hour)
    return {
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "practitioner": visit.practitioner_id,
        "room": visit.room_id,
    }


def test_the_move_form_leads_to_a_confirmation_naming_the_patient_and_both_times(desk, visit):
    detail = desk.get(reverse("appointment_detail", args=[visit.pk])).content.decode()
    assert f'action="{reverse("appointment_move_confirm", args=[visit.pk])}"' in detail

    page = desk.get(reverse("appointment_move_confirm", args=[visit.pk]), _to(visit, 14))

    text = page.content.decode()
    assert f"Move {visit.patient.full_name}" in text
    assert format_datetime(visit.start) in text
    assert "14:00" in text
    assert 'name="tell_by_email"' in text and "Yes, move it" in text
    assert Appointment.objects.get().start == visit.start  # nothing moved yet


def test_a_confirmed_move_can_be_undone(desk, visit):
    desk.post(reverse("appointment_move", args=[visit.pk]), _to(visit, 14))
    assert timezone.localtime(Appointment.objects.get().start).hour == 14
    diary = desk.get(reverse("appointment_detail", args=[visit.pk])).content.decode()
    assert "You moved" in diary and reverse("appointment_undo", args=[visit.pk]) in diary

    desk.post(reverse("appointment_undo", args=[visit.pk]))

    assert Appointment.objects.get().start == visit.start
    assert (
        "You moved" not in desk.get(reverse("appointment_detail", args=[visit.pk])).content.decode()
    )


def test_undoing_a_move_is_refused_when_the_old_time_was_taken(desk, visit, practitioner):
    desk.post(reverse("appointment_move", args=[visit.pk]), _to(visit, 14))
    factories.appointment(patient=factories.patient(), practitioner=practitioner, start=visit.start)

    response = desk.post(reverse("appointment_undo", args=[visit.pk]), follow=True)

    assert "Not undone" in response.content.decode()
    assert timezone.localtime(Appointment.objects.get(pk=visit.pk).start).hour == 14


def test_a_clinic_cancellation_is_confirmed_then_undone(desk, visit):
    page = desk.get(
        reverse("appointment_cancel_confirm", args=[visit.pk]), {"by": "clinic", "reason": "Ill"}
    ).content.decode()
    assert "The clinic (counts against nobody)" in page and "Yes, cancel it" in page
    assert Appointment.objects.get().status == AppointmentStatus.BOOKED

    desk.post(reverse("appointment_cancel", args=[visit.pk]), {"by": "clinic", "reason": "Ill"})
    assert Appointment.objects.get().status == AppointmentStatus.CANCELLED
    desk.post(reverse("appointment_undo", args=[visit.pk]))

    again = Appointment.objects.get()
    assert (again.status, again.cancelled_by, again.cancelled_at) == ("booked", "", None)


def test_a_cancellation_cannot_be_undone_after_ten_minutes_or_onto_a_taken_time(
    visit, practitioner
):
    cancelled = services.appointment_cancel(visit, cancelled_by="clinic")
    later = timezone.now() + timedelta(minutes=11)
    with time_machine.travel(later), pytest.raises(Conflict, match="too late"):
        services.appointment_cancel_undo(cancelled)
    factories.appointment(patient=factories.patient(), practitioner=practitioner, start=visit.start)
    with pytest.raises(Conflict):
        services.appointment_cancel_undo(cancelled)
    assert Appointment.objects.get(pk=visit.pk).status == AppointmentStatus.CANCELLED

from datetime import timedelta

import pytest
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Room, Service
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.scheduling import services
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories
from acuclinic.testing.markers import only_postgres


@pytest.fixture
def service(clinic):
    return Service.objects.get(name="Medical acupuncture")


@pytest.fixture
def room(clinic):
    return Room.objects.get(name="Room 1")


def book(patient, practitioner, room, service, start, **kw):
    return services.appointment_book(
        patient=patient, practitioner=practitioner, room=room, service=service, start=start, **kw
    )


def test_it_books_for_the_service_length_and_audits(patient, practitioner, room, service):
    start = factories.next_weekday_at(10)
    appt = book(patient, practitioner, room, service, start)
    assert appt.end - appt.start == timedelta(minutes=30)
    entry = AuditEntry.objects.get(object_type="scheduling.appointment", object_id=str(appt.pk))
    assert entry.action == "create" and entry.patient_id == patient.pk


def test_it_refuses_a_practitioner_double_booking_and_offers_alternatives(
    patient, practitioner, room, service
):
    start = factories.next_weekday_at(10)
    book(patient, practitioner, room, service, start)
    other = factories.patient()
    other_room = Room.objects.get(name="Room 2")
    with pytest.raises(Conflict) as exc:
        book(other, practitioner, other_room, service, start + timedelta(minutes=15))
    assert exc.value.code == "practitioner_busy"
    assert exc.value.extra["alternatives"]
    assert Appointment.objects.count() == 1


def test_it_refuses_a_room_double_booking(patient, practitioner, room, service):
    start = factories.next_weekday_at(10)
    book(patient, practitioner, room, service, start)
    colleague = factories.practitioner("colleague", qualified_medical=True)
    with pytest.raises(Conflict) as exc:
        book(factories.patient(), colleague, room, service, start)
    assert exc.value.code == "room_busy"


def test_back_to_back_bookings_are_allowed(patient, practitioner, room, service):
    start = factories.next_weekday_at(10)
    book(patient, practitioner, room, service, start)
    book(factories.patient(), practitioner, room, service, start + timedelta(minutes=30))
    assert Appointment.objects.count() == 2


def test_it_refuses_an_unqualified_practitioner(patient, room, clinic):
    medic = factories.practitioner("medic", qualified_medical=True)
    traditional = Service.objects.get(name="Traditional acupuncture")
    with pytest.raises(InvalidRequest) as exc:
        book(patient, medic, room, traditional, factories.next_weekday_at(10))
    assert exc.value.code == "not_qualified"


def test_it_refuses_needling_bookings_after_credentials_lapse(patient, room, service):
    lapsing = factories.practitioner(
        "lapsing", qualified_medical=True, valid_until=timezone.localdate() + timedelta(days=3)
    )
    with pytest.raises(InvalidRequest) as exc:
        book(patient, lapsing, room, service, factories.next_weekday_at(10, days_ahead=10))
    assert exc.value.code == "credentials_lapsed"
    assert "HCPC" in exc.value.message


def test_it_refuses_outside_opening_hours(patient, practitioner, room, service):
    with pytest.raises(InvalidRequest) as exc:
        book(patient, practitioner, room, service, factories.next_weekday_at(19, 45))
    assert exc.value.code == "outside_opening_hours"


def test_it_refuses_an_end_before_the_start(patient, practitioner, room, service):
    start = factories.next_weekday_at(10)
    with pytest.raises(InvalidRequest) as exc:
        book(patient, practitioner, room, service, start, end=start - timedelta(minutes=5))
    assert exc.value.code == "end_before_start"
    assert not Appointment.objects.exists()


def test_cancelling_inside_the_notice_period_is_late(patient, practitioner, room, service):
    soon = factories.appointment(
        patient=patient, practitioner=practitioner, start=timezone.now() + timedelta(hours=3)
    )
    later = factories.appointment(
        patient=factories.patient(),
        practitioner=practitioner,
        start=timezone.now() + timedelta(days=3),
    )
    assert services.appointment_cancel(soon).status == AppointmentStatus.LATE_CANCELLED
    assert services.appointment_cancel(later).status == AppointmentStatus.CANCELLED


def test_a_cancelled_slot_can_be_booked_again(patient, practitioner, room, service):
    start = factories.next_weekday_at(11)
    first = book(patient, practitioner, room, service, start)
    services.appointment_cancel(first)
    book(factories.patient(), practitioner, room, service, start)
    assert Appointment.objects.active().count() == 1


def test_moving_checks_the_new_slot(patient, practitioner, room, service):
    a = book(patient, practitioner, room, service, factories.next_weekday_at(10))
    b = book(factories.patient(), practitioner, room, service, factories.next_weekday_at(12))
    with pytest.raises(Conflict):
        services.appointment_move(b, start=a.start)
    moved = services.appointment_move(b, start=factories.next_weekday_at(14))
    assert timezone.localtime(moved.start).hour == 14


@only_postgres
def test_postgresql_itself_refuses_overlapping_active_appointments(patient, practitioner, room):
    from django.db import IntegrityError, transaction

    first = factories.appointment(patient=patient, practitioner=practitioner, room=room)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.appointment(
            patient=factories.patient(),
            practitioner=practitioner,
            room=Room.objects.get(name="Room 2"),
            start=first.start + timedelta(minutes=10),
        )
    # A cancelled appointment no longer holds the time.
    services.appointment_cancel(first)
    factories.appointment(
        patient=factories.patient(), practitioner=practitioner, room=room, start=first.start
    )

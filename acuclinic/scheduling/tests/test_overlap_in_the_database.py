"""The database itself refuses overlapping active appointments for one practitioner or
one room, on SQLite (triggers) as on PostgreSQL (exclusion constraints): an ORM save or
raw SQL that skips the booking service's checks is refused all the same."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction

from acuclinic.clinic.models import Room
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories


@pytest.fixture
def room(clinic):
    return Room.objects.get(name="Room 1")


@pytest.fixture
def first(patient, practitioner, room):
    return factories.appointment(patient=patient, practitioner=practitioner, room=room)


def _other_room(room):
    return Room.objects.exclude(pk=room.pk).first()


def test_the_same_practitioner_in_another_room_is_refused(first, practitioner, room):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.appointment(
            patient=factories.patient(),
            practitioner=practitioner,
            room=_other_room(room),
            start=first.start + timedelta(minutes=10),
        )


def test_the_same_room_with_another_practitioner_is_refused(first, room):
    other = factories.practitioner("other", qualified_medical=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.appointment(
            patient=factories.patient(), practitioner=other, room=room, start=first.start
        )


def test_moving_onto_another_visit_with_a_raw_update_is_refused(first, practitioner, room):
    later = factories.appointment(
        patient=factories.patient(),
        practitioner=practitioner,
        room=room,
        start=first.start + timedelta(hours=2),
    )
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE scheduling_appointment SET start = %s WHERE id = %s", [first.start, later.pk]
        )
    # Touching a visit without moving it onto another is fine.
    Appointment.objects.filter(pk=later.pk).update(notes="wheelchair")


def test_a_cancelled_visit_holds_no_time_and_back_to_back_is_fine(first, practitioner, room):
    Appointment.objects.filter(pk=first.pk).update(
        status=AppointmentStatus.CANCELLED, cancelled_at=first.start - timedelta(days=2)
    )
    again = factories.appointment(
        patient=factories.patient(), practitioner=practitioner, room=room, start=first.start
    )
    factories.appointment(
        patient=factories.patient(), practitioner=practitioner, room=room, start=again.held_until
    )

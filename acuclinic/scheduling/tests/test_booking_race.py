"""Many clients racing for one slot: exactly one wins, the rest get a conflict."""

import threading

import pytest
from django.db import connection

from acuclinic.clinic.models import Room, Service
from acuclinic.core.errors import Conflict
from acuclinic.scheduling import services
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories

CLIENTS = 8


@pytest.mark.django_db(transaction=True)
def test_only_one_of_many_concurrent_bookings_for_a_slot_wins(clinic, practitioner):
    service = Service.objects.get(name="Medical acupuncture")
    rooms = list(Room.objects.all())
    patients = [factories.patient() for _ in range(CLIENTS)]
    start = factories.next_weekday_at(10)
    barrier = threading.Barrier(CLIENTS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def client(i: int) -> None:
        try:
            barrier.wait()
            services.appointment_book(
                patient=patients[i],
                practitioner=practitioner,
                # Half the clients try another room: the practitioner is still the clash.
                room=rooms[i % len(rooms)],
                service=service,
                start=start,
            )
            result = "booked"
        except Conflict as exc:
            result = exc.code
        finally:
            connection.close()  # each thread has its own connection
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert sorted(outcomes).count("booked") == 1
    assert len(outcomes) == CLIENTS
    assert all(o in {"booked", "practitioner_busy", "room_busy", "slot_taken"} for o in outcomes)
    assert Appointment.objects.filter(practitioner=practitioner, start=start).count() == 1

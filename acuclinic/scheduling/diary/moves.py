"""Moving an appointment from the diary: a card dropped on a free time.

A drop says only when and in whose (or which room's) column. Everything else is the
ordinary move (``services.appointment_move``, with all its checks and its 409 with
alternatives); this module only decides the room a drop into a practitioner's column
goes to, as reception would: the room the visit already has, if it is at that location
and free then, otherwise the free room the availability engine offers at that time.
"""

from datetime import datetime, timedelta

from acuclinic.clinic.models import Location, Room
from acuclinic.people.models import Practitioner
from acuclinic.scheduling import queries, services
from acuclinic.scheduling.models import Appointment, RoomClosure


def move_from_diary(
    appointment: Appointment,
    *,
    start: datetime,
    location: Location,
    practitioner: Practitioner | None = None,
    room: Room | None = None,
) -> Appointment:
    """Move ``appointment`` to ``start`` with ``practitioner`` (default: theirs) in
    ``room`` (default: see the module's docstring). Raises the move's ServiceError."""
    practitioner = practitioner or appointment.practitioner
    if room is None:
        room = room_for_drop(appointment, start=start, location=location, practitioner=practitioner)
    return services.appointment_move(appointment, start=start, practitioner=practitioner, room=room)


def room_for_drop(
    appointment: Appointment, *, start: datetime, location: Location, practitioner: Practitioner
) -> Room:
    current = appointment.room
    if current.location_id == location.pk and _room_free(appointment, current, start):
        return current
    day = start.astimezone(location.tz).date()
    offered = queries.find_slots(
        service=appointment.service,
        location=location,
        first_day=day,
        last_day=day,
        practitioner=practitioner,
        patient=appointment.patient,
        ignore=appointment,
    )
    at_that_time = next((slot for slot in offered if slot.start == start), None)
    if at_that_time is not None:
        return at_that_time.room
    # Nothing free then: the move itself says why (busy, not working, closed…) and
    # offers the nearest free times.
    if current.location_id == location.pk:
        return current
    return Room.objects.filter(location=location, is_active=True).order_by("pk").first() or current


def _room_free(appointment: Appointment, room: Room, start: datetime) -> bool:
    end = start + (appointment.end - appointment.start)
    held_until = end + timedelta(minutes=appointment.service.turnover_minutes)
    taken = (
        Appointment.objects.active()
        .holding(start, held_until)
        .filter(room=room)
        .exclude(pk=appointment.pk)
        .exists()
    )
    closed = RoomClosure.objects.filter(room=room, starts__lt=held_until, ends__gt=start).exists()
    return not taken and not closed

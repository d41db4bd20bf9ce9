"""The diary as JSON for the JavaScript calendar (core/static/core/diary.js, drawn with
EventCalendar): the same choice of location, days and columns as the page
(``views/diary.py``), the same queries whatever the number of visits, and the same
cards; the calendar only draws them.

``GET /diary/feed/?date=…&view=day|week&location=…&by=…&practitioner=…&room=…`` →
``{"view", "date", "days", "location", "slot_min", "slot_max", "resources", "events",
"free"}``. ``resources`` are the columns (practitioners, or rooms with ``by=room``);
``events`` the visits, each with its own move confirmation address when the user may move
it; ``free`` the times a visit can be booked (or dropped), each with its booking address.
Times are the location's wall-clock time (``2026-03-03T10:00:00``); ``free[].start``
also carries its offset, which the move confirmation needs.
"""

from datetime import timedelta

from django.http import JsonResponse
from django.utils import timezone

from acuclinic.clinic.models import Location
from acuclinic.core.access import staff_view
from acuclinic.scheduling import queries
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.diary.addresses import BookingLinks, by_pk
from acuclinic.scheduling.diary.layout import Column, build_grid, by_column, span
from acuclinic.scheduling.models import Appointment
from acuclinic.scheduling.signals import diary_cards
from acuclinic.scheduling.views.diary import (
    Choice,
    _appointments,
    _choose,
    _fill_in_time,
    opening_of,
)


class _Links:
    """The addresses an event carries, each kind reversed once for the whole feed."""

    def __init__(self):
        self.detail = by_pk("appointment_detail")
        self.confirm = by_pk("appointment_move_confirm")


def _resources(choice: Choice, appointments: list[Appointment]) -> tuple[list, dict | None]:
    """The calendar's columns, the same on every day shown: the chosen room or
    practitioner, or every room, or everyone who works here on one of the days or has a
    visit here then (an extra session). With everyone's, the working hours read to
    choose them (``queries.working_hours``), which their columns then use."""
    if choice.by == "room":
        return ([choice.room] if choice.room else choice.rooms), None
    if choice.practitioner:
        return [choice.practitioner], None
    worked = queries.working_hours(
        choice.location, [p.pk for p in choice.practitioners], choice.days
    )
    booked = {a.practitioner_id for a in appointments}
    chosen = [
        p
        for p in choice.practitioners
        if p.pk in booked or any(worked[(p.pk, d)] for d in choice.days)
    ]
    return chosen, worked


def _columns(choice: Choice, resources: list, worked: dict | None) -> list[Column]:
    """A column for each resource on each day; practitioners' hours from ``worked``
    where they were read already (``_fill_in_time`` reads the rest)."""
    if choice.by == "room":
        return [
            Column(label=r.name, day=d, practitioner=None, room=r)
            for d in choice.days
            for r in resources
        ]
    return [
        Column(
            label=p.name,
            day=d,
            practitioner=p,
            hours=worked[(p.pk, d)] if worked is not None else None,
        )
        for d in choice.days
        for p in resources
    ]


# Looked up once, not by get_status_display() for each of a week's hundreds of visits.
STATUS_LABELS = dict(AppointmentStatus.choices)


def _flagged(a: Appointment) -> bool:
    seen = getattr(a, "safety", None)  # set by safety's diary_cards receiver
    return bool(seen and seen.status.has_flags)


def _event(a: Appointment, resource_id: str, tz, can_move: bool, links: _Links) -> dict:
    movable = can_move and a.status == AppointmentStatus.BOOKED
    start, end = a.start.astimezone(tz), a.end.astimezone(tz)
    event = {
        "id": str(a.pk),
        "resourceId": resource_id,
        "start": start.replace(tzinfo=None).isoformat(timespec="minutes"),
        "end": end.replace(tzinfo=None).isoformat(timespec="minutes"),
        "title": a.patient.full_name,
        "startEditable": movable,
        "durationEditable": False,
        "classNames": [f"status-{a.status}", f"modality-{a.service.modality}"],
        "extendedProps": {
            "kind": "visit",
            "who": a.patient.full_name,
            "time": f"{start:%H:%M}–{end:%H:%M}",
            "service": a.service.name,
            "modality": a.service.modality,
            "status": a.status,
            "status_label": STATUS_LABELS[a.status],
            "practitioner": a.practitioner.name,
            "room": a.room.name,
            "colour": a.practitioner.colour,
            "course_session": getattr(a, "course_session", None),
            "flagged": _flagged(a),
            "questionnaire_due": bool(getattr(a, "questionnaire_due", False)),
            "url": links.detail(a.pk),
        },
    }
    if movable:
        event["extendedProps"]["confirm_url"] = links.confirm(a.pk)
    return event


@staff_view("scheduling.view_appointment")
def diary_feed(request):
    locations = list(Location.objects.filter(is_active=True).prefetch_related("opening_hours"))
    if not locations:
        return JsonResponse({"code": "no_locations", "message": "No location is set up yet."})
    choice = _choose(request, locations)
    location, tz = choice.location, choice.location.tz
    appointments = _appointments(choice)
    resources, worked = _resources(choice, appointments)
    columns = _columns(choice, resources, worked)
    _fill_in_time(choice, columns)
    opening = opening_of(location)
    grid = build_grid(
        columns=columns,
        appointments_by_column=by_column(columns, appointments, tz),
        opening=opening,
        tz=tz,
        now=timezone.now(),
    )
    # The calendar's cards carry only whether there are flags (``flagged``).
    diary_cards.send(
        sender=Appointment,
        appointments=appointments,
        user=request.user,
        today=timezone.localdate(),
        flags_in_words=False,
    )
    can_move = request.user.has_perm("scheduling.change_appointment")
    can_book = request.user.has_perm("scheduling.add_appointment")
    prefix = "r" if choice.by == "room" else "p"
    links, book = _Links(), BookingLinks(location.pk)
    half_hour = timedelta(minutes=30)
    events, free = [], []
    for column in grid.columns:
        by_room = column.room is not None
        owner = column.room if by_room else column.practitioner
        resource_id = f"{prefix}{owner.pk}"
        events.extend(
            _event(card.appointment, resource_id, tz, can_move, links) for card in column.cards
        )
        if not can_book and not can_move:
            continue
        for slot in column.free:
            # A free time's start is already the location's wall-clock time (layout.py).
            start = slot.start.replace(tzinfo=None)
            free.append(
                {
                    "resourceId": resource_id,
                    "start": start.isoformat(timespec="minutes"),
                    "end": (start + half_hour).isoformat(timespec="minutes"),
                    "start_offset": slot.start.isoformat(),
                    "book_url": (
                        book(slot.start, room=owner.pk)
                        if by_room
                        else book(slot.start, practitioner=owner.pk)
                    )
                    if can_book
                    else None,
                }
            )
    first, last = span(opening, choice.days)
    return JsonResponse(
        {
            "view": choice.view,
            "by": choice.by,
            "date": choice.day.isoformat(),
            "days": [d.isoformat() for d in choice.days],
            "location": {"id": location.pk, "name": location.name},
            "slot_min": first.strftime("%H:%M"),
            "slot_max": last.strftime("%H:%M"),
            # The days of the week the location never opens (0 = Sunday, as the calendar
            # counts them), left out of the week.
            "hidden_days": sorted((d + 1) % 7 for d in range(7) if d not in opening),
            "can_book": can_book,
            "can_move": can_move,
            "resources": [
                {
                    "id": f"{prefix}{r.pk}",
                    "title": r.name,
                    "practitioner": r.pk if prefix == "p" else None,
                    "room": r.pk if prefix == "r" else None,
                }
                for r in resources
            ],
            "events": events,
            "free": free,
        }
    )

"""The diary: a day or a week at one location, in columns by practitioner or by room;
cards coloured by the kind of visit or by status, each with its course position and a
disclosure with the patient's safety at a glance; free times to book, or to move a
visit to. A booked card can be dragged onto a free time (core/static/core/diary.js posts
``appointment_drop``); without JavaScript, "Move" on the card leads to the move form.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from acuclinic.clinic.choices import Modality
from acuclinic.clinic.models import Location, Room, Service
from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.formats import format_datetime
from acuclinic.people.models import Practitioner
from acuclinic.scheduling import queries
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.diary import cards
from acuclinic.scheduling.diary.layout import Column, build_grid, by_column
from acuclinic.scheduling.diary.moves import move_from_diary
from acuclinic.scheduling.forms import DIARY_COLOURS, DIARY_COLUMNS, DiaryFilter, DropForm
from acuclinic.scheduling.models import Appointment, RoomClosure
from acuclinic.scheduling.signals import diary_cards

# The statuses a diary card can have (cancelled visits leave the diary), in the order
# the legend lists them.
SHOWN_STATUSES = [
    AppointmentStatus.BOOKED,
    AppointmentStatus.ARRIVED,
    AppointmentStatus.COMPLETED,
    AppointmentStatus.DID_NOT_ATTEND,
]
HIDDEN_STATUSES = [AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED]


def diary_url(**params) -> str:
    return reverse("diary") + "?" + urlencode({k: v for k, v in params.items() if v})


@dataclass
class Choice:
    """What the diary is asked to show, with anything unusable replaced by the default."""

    location: Location
    locations: list[Location]
    day: date
    view: str  # "day" or "week"
    by: str  # "practitioner" or "room": the day view's columns
    practitioners: list[Practitioner]
    rooms: list[Room]  # the location's
    practitioner: Practitioner | None
    room: Room | None
    colour: str
    moving: Appointment | None

    @property
    def days(self) -> list[date]:
        if self.view == "day":
            return [self.day]
        monday = self.day - timedelta(days=self.day.weekday())
        return [monday + timedelta(days=i) for i in range(7)]

    def params(self, **changes) -> dict:
        """The query string that shows this diary again, with ``changes``."""
        params = {
            "date": self.day.isoformat(),
            "view": self.view,
            "location": self.location.pk,
            "by": self.by if self.by != "practitioner" else "",
            "practitioner": self.practitioner.pk if self.practitioner else "",
            "room": self.room.pk if self.room else "",
            "colour": self.colour if self.colour != "modality" else "",
            "moving": self.moving.pk if self.moving else "",
        }
        return {**params, **changes}


def next_open_day(location: Location, today):
    """Today, or the next day the location has opening hours (within a week): the diary
    opens on a working day, not on a Sunday where nobody works."""
    open_weekdays = {h.weekday for h in location.opening_hours.all()}
    for ahead in range(7):
        day = today + timedelta(days=ahead)
        if day.weekday() in open_weekdays:
            return day
    return today


def _choose(request, locations: list[Location]) -> Choice:
    form = DiaryFilter(request.GET)
    form.is_valid()  # bad values fall back to defaults below, never an error page
    data = getattr(form, "cleaned_data", {})
    location = next((loc for loc in locations if loc.pk == data.get("location")), locations[0])
    practitioners = list(Practitioner.objects.filter(is_active=True).select_related("user"))
    rooms = list(Room.objects.filter(location=location, is_active=True).order_by("name", "pk"))
    by = data.get("by") or "practitioner"
    moving = None
    if data.get("moving") and request.user.has_perm("scheduling.change_appointment"):
        moving = (
            Appointment.objects.for_diary()
            .filter(pk=data["moving"], status=AppointmentStatus.BOOKED)
            .first()
        )
    return Choice(
        location=location,
        locations=locations,
        day=data.get("date") or next_open_day(location, timezone.localdate()),
        view=data.get("view") or "day",
        by=by,
        practitioners=practitioners,
        rooms=rooms,
        practitioner=next((p for p in practitioners if p.pk == data.get("practitioner")), None)
        if by == "practitioner"
        else None,
        room=next((r for r in rooms if r.pk == data.get("room")), None) if by == "room" else None,
        colour=data.get("colour") or "modality",
        moving=moving,
    )


def _columns(choice: Choice, appointments: list[Appointment]) -> list[Column]:
    days = choice.days
    if choice.view == "week":
        return [
            Column(
                label=f"{d:%a} {d.day} {d:%b}",
                day=d,
                practitioner=choice.practitioner,
                room=choice.room,
            )
            for d in days
        ]
    if choice.by == "room":
        shown = [choice.room] if choice.room else choice.rooms
        return [Column(label=r.name, day=choice.day, practitioner=None, room=r) for r in shown]
    if choice.practitioner:
        return [
            Column(label=choice.practitioner.name, day=choice.day, practitioner=choice.practitioner)
        ]
    # Everyone who works here that day, and anyone with a visit here (an extra session):
    # with twenty practitioners over three sites, the others are only noise.
    worked = queries.working_hours(choice.location, [p.pk for p in choice.practitioners], days)
    booked = {a.practitioner_id for a in appointments}
    return [
        Column(label=p.name, day=choice.day, practitioner=p, hours=worked[(p.pk, choice.day)])
        for p in choice.practitioners
        if worked[(p.pk, choice.day)] or p.pk in booked
    ]


# What a card, the calendar's feed and the apps annotating them (diary_cards) read of a
# visit and its patient: a week has hundreds of each, and the rest of their columns (notes,
# contact details, who booked and when) were read and converted for nothing.
CARD_FIELDS = (
    "patient",
    "practitioner",
    "room",
    "service",
    "start",
    "end",
    "held_until",
    "status",
    "patient__given_name",
    "patient__family_name",
    "patient__preferred_name",
    "patient__date_of_birth",
)


def _appointments(choice: Choice) -> list[Appointment]:
    days, tz = choice.days, choice.location.tz
    range_start = timezone.make_aware(datetime.combine(days[0], time.min), tz)
    range_end = timezone.make_aware(datetime.combine(days[-1] + timedelta(days=1), time.min), tz)
    appointments = (
        Appointment.objects.select_related("patient")
        .only(*CARD_FIELDS)
        # overlapping() bounds the start on both sides, so the start's index finds the
        # days shown instead of PostgreSQL reading five years of visits for them.
        .overlapping(range_start, range_end)
        .filter(room__location=choice.location)
        .exclude(status__in=HIDDEN_STATUSES)
    )
    if choice.practitioner:
        appointments = appointments.filter(practitioner=choice.practitioner)
    if choice.room:
        appointments = appointments.filter(room=choice.room)
    appointments = list(appointments)
    _attach_people_and_rooms(appointments, choice)
    return appointments


def _attach_people_and_rooms(appointments: list[Appointment], choice: Choice) -> None:
    """Each appointment's practitioner, room (with its location) and service, from those
    the diary has already loaded (and the clinic's few services, read in one query),
    rather than joined onto every row: a week of twenty practitioners has hundreds of
    visits but only twenty people, their rooms and a handful of services, and building
    the same objects again for each row was a good part of its time. Anyone not among
    them (a practitioner since made inactive, a room closed for good) is read in one
    query each."""
    services = Service.objects.in_bulk({a.service_id for a in appointments})
    practitioners = {p.pk: p for p in choice.practitioners}
    rooms = {r.pk: r for r in choice.rooms}
    missing = {a.practitioner_id for a in appointments} - practitioners.keys()
    if missing:
        practitioners |= Practitioner.objects.select_related("user").in_bulk(missing)
    missing = {a.room_id for a in appointments} - rooms.keys()
    if missing:
        rooms |= Room.objects.in_bulk(missing)
    # Straight into each relation's cache, as select_related would have put them.
    at, by, held_in = Room.location.field, Appointment.practitioner.field, Appointment.room.field
    of_kind = Appointment.service.field
    for room in rooms.values():
        at.set_cached_value(room, choice.location)  # the appointments were chosen by it
    for a in appointments:
        by.set_cached_value(a, practitioners[a.practitioner_id])
        held_in.set_cached_value(a, rooms[a.room_id])
        of_kind.set_cached_value(a, services[a.service_id])


def _fill_in_time(choice: Choice, columns: list[Column]) -> None:
    """Working time for practitioners' columns, closures for rooms' columns: free times
    are offered only where someone could be booked."""
    days, tz = choice.days, choice.location.tz
    mine = [c for c in columns if c.practitioner is not None and c.hours is None]
    if mine:
        worked = queries.working_hours(
            choice.location, sorted({c.practitioner.pk for c in mine}), days
        )
        for column in mine:
            column.hours = worked[(column.practitioner.pk, column.day)]
    rooms = {c.room.pk for c in columns if c.room is not None}
    if rooms:
        begin = timezone.make_aware(datetime.combine(days[0], time.min), tz)
        end = timezone.make_aware(datetime.combine(days[-1] + timedelta(days=1), time.min), tz)
        closures = list(
            RoomClosure.objects.filter(room_id__in=rooms, starts__lt=end, ends__gt=begin)
        )
        for column in columns:
            if column.room is not None:
                column.closures = [
                    (c.starts, c.ends, c.reason or "Closed")
                    for c in closures
                    if c.room_id == column.room.pk
                ]


def _legend(colour: str) -> list[tuple[str, str]]:
    if colour == "status":
        return [(f"status-{s.value}", s.label) for s in SHOWN_STATUSES]
    return [(f"modality-{value}", label) for value, label in Modality.choices]


def _glances(appointments: list[Appointment]) -> dict[int, str]:
    """Each patient's safety at a glance, the box safety's ``{% safety_glance %}`` shows,
    by patient id: ``appointment.safety`` is set by safety's ``diary_cards`` receiver
    (scheduling never imports the apps above it), and written once per patient."""
    seen = {a.patient_id: getattr(a, "safety", None) for a in appointments}
    return {pk: glance.html() for pk, glance in seen.items() if glance is not None}


def opening_of(location: Location) -> dict:
    """The location's opening hours by weekday: {0: [(opens, closes)], …}."""
    opening = {}
    for h in location.opening_hours.all():
        opening.setdefault(h.weekday, []).append((h.opens, h.closes))
    return opening


@staff_view("scheduling.view_appointment")
def diary(request):
    locations = list(Location.objects.filter(is_active=True).prefetch_related("opening_hours"))
    if not locations:
        return render(request, "scheduling/diary.html", {"nav": "diary", "no_locations": True})
    choice = _choose(request, locations)
    location, tz = choice.location, choice.location.tz
    appointments = _appointments(choice)
    columns = _columns(choice, appointments)
    _fill_in_time(choice, columns)
    opening = opening_of(location)
    grid = build_grid(
        columns=columns,
        appointments_by_column=by_column(columns, appointments, tz),
        opening=opening,
        tz=tz,
        now=timezone.now(),
        moving=choice.moving.pk if choice.moving else None,
    )
    today = timezone.localdate()
    # The week's cards say only whether there are flags; the day's put them in words.
    diary_cards.send(
        sender=Appointment,
        appointments=appointments,
        user=request.user,
        today=today,
        flags_in_words=choice.view == "day",
    )
    can_move = request.user.has_perm("scheduling.change_appointment")
    can_book = request.user.has_perm("scheduling.add_appointment")
    page = cards.Page(
        view=choice.view,
        chosen=choice.practitioner is not None,
        can_move=can_move,
        can_book=can_book,
        location_id=location.pk,
        moving=choice.moving,
    )
    columns_html = cards.columns_html(grid.columns, page, _glances(appointments))
    step = timedelta(days=7 if choice.view == "week" else 1)
    return render(
        request,
        "scheduling/diary.html",
        {
            "nav": "diary",
            "grid": grid,
            "columns_html": columns_html,
            "choice": choice,
            # Kept by name for the templates and tests that read them.
            "day": choice.day,
            "days": choice.days,
            "view": choice.view,
            "location": location,
            "locations": locations,
            "practitioners": choice.practitioners,
            "chosen": choice.practitioner,
            "count": len(appointments),
            "legend": _legend(choice.colour),
            "column_choices": DIARY_COLUMNS,
            "colour_choices": DIARY_COLOURS,
            "prev_url": diary_url(**choice.params(date=(choice.day - step).isoformat())),
            "next_url": diary_url(**choice.params(date=(choice.day + step).isoformat())),
            "today_url": diary_url(**choice.params(date="")),
            "day_url": diary_url(**choice.params(view="day")),
            "week_url": diary_url(**choice.params(view="week")),
            "stop_moving_url": diary_url(**choice.params(moving="")),
            # The JavaScript calendar draws the same choice from the JSON feed; while a
            # visit is being moved the grid's "→ time" links do the job instead.
            "feed_url": None
            if choice.moving
            else reverse("diary_feed")
            + "?"
            + urlencode({k: v for k, v in choice.params(colour="").items() if v}),
            "can_book": can_book,
            "can_move": can_move,
        },
    )


# A card dropped on a free time ----------------------------------------------------------


def move_alternatives(appointment: Appointment, alternatives: list[dict]) -> list[dict]:
    """A refusal's alternatives, each with the move form's address already filled in."""
    offered = []
    for alternative in alternatives:
        start = datetime.fromisoformat(alternative["start"])
        query = {
            "date": start.date().isoformat(),
            "time": start.strftime("%H:%M"),
            "practitioner": alternative["practitioner"]["id"],
            "room": alternative["room"]["id"],
        }
        move_url = reverse("appointment_move", args=[appointment.pk]) + "?" + urlencode(query)
        offered.append({**alternative, "move_url": move_url})
    return offered


def _refusal(status: int, code: str, message: str, **extra) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, **extra}, status=status)


@staff_view("scheduling.change_appointment")
@require_POST
def appointment_drop(request, pk: int):
    """Move a booked appointment to the free time it was dropped on; JSON either way.

    200 ``{"moved": true, "message", "appointment"}``; a refusal is the move's own
    status and code (409 ``practitioner_busy`` with ``alternatives``, 422
    ``outside_working_hours``…), bad input a 422 ``invalid`` with ``errors``.
    """
    appointment = Appointment.objects.for_diary().filter(pk=pk).first()
    if appointment is None:
        return _refusal(404, "unknown_appointment", "There is no such appointment.")
    form = DropForm(request.POST)
    if not form.is_valid():
        errors = [
            {"field": field, "code": error.code or "invalid", "message": error.message}
            for field, problems in form.errors.as_data().items()
            for error in problems
        ]
        return _refusal(422, "invalid", errors[0]["message"], errors=errors)
    data = form.cleaned_data
    try:
        moved = move_from_diary(
            appointment,
            start=data["start"],
            location=data["location"],
            practitioner=data["practitioner"],
            room=data["room"],
        )
    except ServiceError as exc:
        alternatives = move_alternatives(appointment, exc.extra.get("alternatives", []))
        return _refusal(
            exc.status, exc.code, exc.message, field=exc.field, alternatives=alternatives
        )
    tz = moved.room.location.tz
    message = (
        f"Moved {moved.patient.full_name} to {format_datetime(moved.start, tz)} "
        f"with {moved.practitioner.name} in {moved.room.name}."
    )
    # Shown again on the diary the script reloads, where the moved card is.
    messages.success(request, message)
    return JsonResponse(
        {
            "moved": True,
            "message": message,
            "appointment": {
                "id": moved.pk,
                "start": moved.start.astimezone(tz).isoformat(),
                "start_display": format_datetime(moved.start, tz),
                "practitioner": {"id": moved.practitioner_id, "name": moved.practitioner.name},
                "room": {"id": moved.room_id, "name": moved.room.name},
            },
        }
    )

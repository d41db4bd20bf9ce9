"""Setting up the clinic's sites from the browser and the API: a location's name,
address and phone, its weekly opening hours, and its rooms.

Each write is validated like the database would, atomic (a bad week of opening hours
leaves the old week in place, whole) and audited. A room that has ever held an
appointment is never deleted — the diary and the clinical record point at it — so it is
retired instead: it keeps its history and is no longer offered for new bookings.
"""

from collections.abc import Iterable
from datetime import time
from itertools import pairwise

from django.db import transaction
from django.db.models import ProtectedError

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.choices import Weekday
from acuclinic.clinic.models import Clinic, Location, OpeningHours, Room
from acuclinic.clinic.policies import apply_settings, refuse_unknown
from acuclinic.core.errors import Conflict, InvalidRequest

LOCATION_FIELDS = (
    "name",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
    "phone",
    "is_active",
)
ROOM_FIELDS = ("name", "has_couch", "is_active")


def _tidy(value) -> str:
    return " ".join(str(value or "").split())


def location_save(location: Location | None, *, clinic: Clinic, user=None, **fields) -> Location:
    """Add a location (``location`` None) or change one: only the fields given change.
    A name another of the clinic's locations has is refused (``duplicate_location``)."""
    refuse_unknown(fields, LOCATION_FIELDS)
    for name in LOCATION_FIELDS:
        if name in fields and name != "is_active":
            fields[name] = _tidy(fields[name])
    if "postcode" in fields:
        fields["postcode"] = fields["postcode"].upper()
    with transaction.atomic():
        if location is None:
            row = Location(clinic=clinic)
        else:
            row = Location.objects.select_for_update().get(pk=location.pk)
        if "name" in fields and (
            Location.objects.filter(clinic=clinic, name__iexact=fields["name"])
            .exclude(pk=row.pk)
            .exists()
        ):
            raise InvalidRequest(
                "duplicate_location", "There is already a location with that name.", field="name"
            )
        new = row.pk is None
        apply_settings(
            row,
            LOCATION_FIELDS,
            fields,
            exclude=["clinic", "time_zone", "licensing_regime", "licensing_authority"],
            user=user,
        )
        if new:
            audit.record(AuditAction.CREATE, row, detail="location added", user=user)
    return row


def _weekday_name(weekday: int) -> str:
    return Weekday(weekday).label


def check_week(periods: Iterable[tuple[int, time, time]]) -> list[tuple[int, time, time]]:
    """The week's opening periods sorted, or ``InvalidRequest`` naming the first wrong
    one: a day outside Monday–Sunday, closing at or before opening, or two periods of a
    day that overlap."""
    week = sorted(periods)
    for weekday, opens, closes in week:
        if weekday not in Weekday.values:
            raise InvalidRequest(
                "invalid_weekday", "A weekday is 0 (Monday) to 6 (Sunday).", field="weekday"
            )
        if closes <= opens:
            raise InvalidRequest(
                "closes_before_opens",
                f"{_weekday_name(weekday)}: closing time {closes:%H:%M} must be after "
                f"opening time {opens:%H:%M}.",
                field=f"day{weekday}",
            )
    for (day_a, opens_a, closes_a), (day_b, opens_b, closes_b) in pairwise(week):
        if day_a == day_b and opens_b < closes_a:
            raise InvalidRequest(
                "overlapping_hours",
                f"{_weekday_name(day_a)}: {opens_a:%H:%M}–{closes_a:%H:%M} and "
                f"{opens_b:%H:%M}–{closes_b:%H:%M} overlap. Give each time once.",
                field=f"day{day_a}",
            )
    return week


def describe_week(periods: Iterable[tuple[int, time, time]]) -> str:
    days = {}
    for weekday, opens, closes in sorted(periods):
        days.setdefault(weekday, []).append(f"{opens:%H:%M}–{closes:%H:%M}")
    return "; ".join(f"{_weekday_name(d)} {', '.join(times)}" for d, times in days.items()) or (
        "closed every day"
    )


def opening_hours_set(
    location: Location, periods: Iterable[tuple[int, time, time]], *, user=None
) -> list[OpeningHours]:
    """Replace ``location``'s whole week of opening hours with ``periods`` (weekday,
    opens, closes; a day with none is closed). Wrong periods are refused and the old
    week stays. New bookings and working time must fall within the hours; visits
    already booked are not moved."""
    week = check_week(periods)
    with transaction.atomic():
        Location.objects.select_for_update().get(pk=location.pk)
        before = describe_week(location.opening_hours.values_list("weekday", "opens", "closes"))
        after = describe_week(week)
        location.opening_hours.all().delete()
        rows = OpeningHours.objects.bulk_create(
            OpeningHours(location=location, weekday=d, opens=o, closes=c) for d, o, c in week
        )
        if before != after:
            audit.record(
                AuditAction.CHANGE,
                location,
                changed_fields=["opening_hours"],
                detail=f"opening hours: {after} (were: {before})",
                user=user,
            )
    return rows


def _room_name_taken(location: Location, name: str, *, other_than: int | None) -> bool:
    return Room.objects.filter(location=location, name__iexact=name).exclude(pk=other_than).exists()


def room_save(room: Room | None, *, location: Location | None = None, user=None, **fields) -> Room:
    """Add a room to ``location`` (``room`` None) or rename, re-equip, retire or bring
    back one (only the fields given change). Retiring keeps its history; it is no longer
    offered for new bookings."""
    refuse_unknown(fields, ROOM_FIELDS)
    if "name" in fields:
        fields["name"] = _tidy(fields["name"])
    with transaction.atomic():
        if room is None:
            row = Room(location=location)
        else:
            row = Room.objects.select_for_update().get(pk=room.pk)
        if "name" in fields and _room_name_taken(row.location, fields["name"], other_than=row.pk):
            raise InvalidRequest(
                "duplicate_room",
                f"{row.location.name} already has a room called “{fields['name']}”.",
                field="name",
            )
        new = row.pk is None
        apply_settings(row, ROOM_FIELDS, fields, exclude=["location"], user=user)
        if new:
            audit.record(AuditAction.CREATE, row, detail="room added", user=user)
    return row


def room_delete(room: Room, *, user=None) -> None:
    """Delete a room added by mistake. One that has held any appointment (or closure)
    is refused with ``room_in_use``: retire it instead, so its history stays whole."""
    try:
        with transaction.atomic():
            audit.record(AuditAction.DELETE, room, detail=str(room), user=user)
            room.delete()
    except ProtectedError as exc:
        raise Conflict(
            "room_in_use",
            f"{room.name} cannot be deleted: appointments were booked in it, and the "
            "diary and patients' records still point at it. Retire it instead — it keeps "
            "its history and is no longer offered for new bookings.",
            field="room",
        ) from exc

"""Managing working time: weekly patterns, exceptions (time off, extra sessions) and room
closures. Services, like ``services.py``: each change is checked, written and audited in
one transaction.

Time off may be recorded over booked appointments (a practitioner falls ill whether or
not they have patients); the change then names the appointments it leaves outside
working time, so reception can move them. The same goes for ending a pattern, removing
an extra session and closing a room.
"""

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Location, Room
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.core.formats import format_date
from acuclinic.people.models import Practitioner
from acuclinic.scheduling import queries, services, slots
from acuclinic.scheduling.choices import AppointmentStatus, ExceptionKind
from acuclinic.scheduling.models import Appointment, RoomClosure, WorkingException, WorkingPattern

# A time-off entry longer than a year is a typing mistake (2027 for 2026).
MAX_EXCEPTION_DAYS = 366
MAX_CLOSURE = timedelta(days=366)


def _user(user):
    return user if user is not None and user.is_authenticated else None


def _check_times_of_day(starts: time | None, ends: time | None) -> None:
    if (starts is None) != (ends is None):
        raise InvalidRequest(
            "times_incomplete",
            "Give both a start and an end time, or neither for the whole day.",
            field="ends" if ends is None else "starts",
        )
    if starts is not None and ends <= starts:
        raise InvalidRequest("end_before_start", "The end must be after the start.", field="ends")


def _check_days(first_day: date, last_day: date | None, *, first="valid_from", last="valid_until"):
    if last_day is not None and last_day < first_day:
        raise InvalidRequest(
            "range_reversed", "The last day must be on or after the first.", field=last
        )


# Patterns ------------------------------------------------------------------------------


def pattern_add(
    *,
    practitioner: Practitioner,
    location: Location,
    weekday: int,
    starts: time,
    ends: time,
    valid_from: date,
    valid_until: date | None = None,
    user=None,
) -> WorkingPattern:
    """A new weekly pattern. It may not overlap another of the practitioner's patterns
    (at any location: nobody works in two places at once), and must meet the location's
    opening hours on that weekday (hours outside them are never bookable)."""
    if not 0 <= weekday <= 6:
        raise InvalidRequest("invalid_weekday", "Choose a day of the week.", field="weekday")
    _check_times_of_day(starts, ends)
    _check_days(valid_from, valid_until)
    if not practitioner.is_active:
        raise InvalidRequest(
            "practitioner_inactive",
            f"{practitioner} is not taking bookings.",
            field="practitioner",
        )
    if not location.is_active:
        raise InvalidRequest("location_closed", f"{location} is closed.", field="location")
    opening = [(h.opens, h.closes) for h in location.opening_hours.all() if h.weekday == weekday]
    if not any(opens < ends and starts < closes for opens, closes in opening):
        day = WorkingPattern(weekday=weekday).get_weekday_display()
        raise InvalidRequest(
            "outside_opening_hours",
            f"{location.name} is not open on {day}s between {starts:%H:%M} and {ends:%H:%M}.",
            field="starts",
        )
    with transaction.atomic():
        # Lock the practitioner so two admins cannot add overlapping patterns at once.
        list(Practitioner.objects.select_for_update().filter(pk=practitioner.pk))
        clash = (
            WorkingPattern.objects.filter(
                practitioner=practitioner, weekday=weekday, starts__lt=ends, ends__gt=starts
            )
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=valid_from))
            .select_related("location")
        )
        if valid_until is not None:
            clash = clash.filter(valid_from__lte=valid_until)
        other = clash.first()
        if other is not None:
            raise Conflict(
                "pattern_overlaps",
                f"{practitioner} already works {other} from {format_date(other.valid_from)}"
                + (f" to {format_date(other.valid_until)}" if other.valid_until else "")
                + "; end that pattern first.",
                field="starts",
            )
        pattern = WorkingPattern.objects.create(
            practitioner=practitioner,
            location=location,
            weekday=weekday,
            starts=starts,
            ends=ends,
            valid_from=valid_from,
            valid_until=valid_until,
            created_by=_user(user),
        )
        audit.record(AuditAction.CREATE, pattern, detail=f"{practitioner}: {pattern}")
    return pattern


def pattern_end(
    pattern: WorkingPattern, *, last_day: date, user=None
) -> tuple[WorkingPattern, list[Appointment]]:
    """End a pattern after ``last_day`` (a change of rota); the booked appointments it
    leaves outside working time come back with it."""
    _check_days(pattern.valid_from, last_day, last="last_day")
    if pattern.valid_until is not None and last_day > pattern.valid_until:
        raise InvalidRequest(
            "range_reversed",
            f"This pattern already ends on {format_date(pattern.valid_until)}.",
            field="last_day",
        )
    with transaction.atomic():
        before = pattern.valid_until
        pattern.valid_until = last_day
        pattern.save(update_fields=["valid_until"])
        audit.record(
            AuditAction.CHANGE,
            pattern,
            changed_fields=["valid_until"],
            detail=f"ends {last_day.isoformat()} (was {before or 'open-ended'})",
        )
    affected = stranded_appointments(
        practitioner_ids=[pattern.practitioner_id], first_day=last_day + timedelta(days=1)
    )
    return pattern, affected


def pattern_delete(pattern: WorkingPattern, *, user=None) -> list[Appointment]:
    """Remove a pattern entered by mistake; returns the appointments it leaves stranded."""
    with transaction.atomic():
        audit.record(AuditAction.DELETE, pattern, detail=f"{pattern.practitioner}: {pattern}")
        practitioner_id, since = pattern.practitioner_id, pattern.valid_from
        pattern.delete()
    return stranded_appointments(practitioner_ids=[practitioner_id], first_day=since)


# Exceptions ----------------------------------------------------------------------------


def exception_add(
    *,
    kind: str,
    first_day: date,
    last_day: date,
    practitioner: Practitioner | None = None,
    location: Location | None = None,
    starts: time | None = None,
    ends: time | None = None,
    note: str = "",
    user=None,
) -> tuple[WorkingException, list[Appointment]]:
    """Time off or an extra session. Without a practitioner it applies to everyone (a
    bank holiday); returns it with the booked appointments now outside working time."""
    if kind not in ExceptionKind.values:
        raise InvalidRequest("invalid_choice", f"Unknown kind “{kind}”.", field="kind")
    _check_days(first_day, last_day, first="first_day", last="last_day")
    _check_times_of_day(starts, ends)
    if (last_day - first_day).days >= MAX_EXCEPTION_DAYS:
        raise InvalidRequest(
            "range_too_long",
            f"An exception can cover at most {MAX_EXCEPTION_DAYS} days.",
            field="last_day",
        )
    if kind == ExceptionKind.EXTRA and (practitioner is None or location is None):
        raise InvalidRequest(
            "extra_needs_who_and_where",
            "An extra session needs a practitioner and a location.",
            field="practitioner" if practitioner is None else "location",
        )
    with transaction.atomic():
        exception = WorkingException.objects.create(
            practitioner=practitioner,
            location=location,
            kind=kind,
            first_day=first_day,
            last_day=last_day,
            starts=starts,
            ends=ends,
            note=note[:200],
            created_by=_user(user),
        )
        who = str(practitioner) if practitioner else "everyone"
        audit.record(AuditAction.CREATE, exception, detail=f"{who}: {exception}")
    affected = []
    if exception.is_absence:
        affected = stranded_appointments(
            practitioner_ids=[practitioner.pk] if practitioner else None,
            first_day=first_day,
            last_day=last_day,
        )
    return exception, affected


def exception_delete(exception: WorkingException, *, user=None) -> list[Appointment]:
    """Remove an exception; removing an extra session may strand its appointments."""
    with transaction.atomic():
        who = str(exception.practitioner) if exception.practitioner else "everyone"
        audit.record(AuditAction.DELETE, exception, detail=f"{who}: {exception}")
        first_day, last_day = exception.first_day, exception.last_day
        practitioner_id = exception.practitioner_id
        was_extra = not exception.is_absence
        exception.delete()
    if not was_extra:
        return []
    return stranded_appointments(
        practitioner_ids=[practitioner_id], first_day=first_day, last_day=last_day
    )


# Rooms -------------------------------------------------------------------------------


def room_closure_add(
    *, room: Room, starts: datetime, ends: datetime, reason: str = "", user=None
) -> tuple[RoomClosure, list[Appointment]]:
    """Take a room out of use from ``starts`` to ``ends``; returns the closure and the
    booked appointments in that room then, which need another room."""
    if timezone.is_naive(starts) or timezone.is_naive(ends):
        raise InvalidRequest(
            "naive_datetime", "Times must include a time zone offset.", field="starts"
        )
    if ends <= starts:
        raise InvalidRequest("end_before_start", "The end must be after the start.", field="ends")
    if ends - starts > MAX_CLOSURE:
        raise InvalidRequest("range_too_long", "A closure can last at most a year.", field="ends")
    with transaction.atomic():
        closure = RoomClosure.objects.create(
            room=room, starts=starts, ends=ends, reason=reason[:200], created_by=_user(user)
        )
        audit.record(AuditAction.CREATE, closure, detail=reason[:200])
    affected = list(
        Appointment.objects.for_diary()
        .filter(room=room, status=AppointmentStatus.BOOKED)
        .holding(starts, ends)
        .order_by("start")
    )
    return closure, affected


def room_closure_delete(closure: RoomClosure, *, user=None) -> None:
    with transaction.atomic():
        audit.record(AuditAction.DELETE, closure, detail=closure.reason)
        closure.delete()


# What a change leaves behind ------------------------------------------------------------


def stranded_appointments(
    *,
    practitioner_ids: list[int] | None,
    first_day: date,
    last_day: date | None = None,
) -> list[Appointment]:
    """Booked appointments from ``first_day`` (to ``last_day``) no longer inside their
    practitioner's working time; extra sessions booked as such are left alone. At most
    the first 500: a change stranding more is a change of rota, not a day off."""
    tz = timezone.get_current_timezone()
    first_day = max(first_day, timezone.localdate())
    booked = (
        Appointment.objects.for_diary()
        .filter(status=AppointmentStatus.BOOKED, extra_session=False)
        .filter(start__gte=datetime.combine(first_day, time.min, tzinfo=tz))
        .order_by("start")
    )
    if last_day is not None:
        end = datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=tz)
        booked = booked.filter(start__lt=end)
    if practitioner_ids is not None:
        booked = booked.filter(practitioner_id__in=practitioner_ids)
    places, facts, stranded = {}, {}, []
    for appointment in booked[:500]:
        location = appointment.room.location
        day = appointment.start.astimezone(location.tz).date()
        if location.pk not in places:
            places[location.pk] = queries.location_facts(location)
        key = (appointment.practitioner_id, location.pk, day)
        if key not in facts:
            facts[key] = services.practitioner_facts(appointment.practitioner, location, day)
        place, who = places[location.pk], facts[key]
        start, end = appointment.start, appointment.end
        if slots.away_during(place, who, start, end) or not slots.within_working_time(
            place, who, start, end
        ):
            stranded.append(appointment)
    return stranded


# Who sees whose working time ------------------------------------------------------------


def can_manage(user) -> bool:
    """Clinic admins manage everyone's working time; others only see their own."""
    return user.has_perm("scheduling.change_workingpattern")


def visible_practitioner_ids(user) -> list[int] | None:
    """Whose working time ``user`` may see: None for everyone's."""
    if can_manage(user):
        return None
    own = Practitioner.objects.filter(user=user).values_list("pk", flat=True)
    return list(own)


def may_see(user, practitioner: Practitioner) -> bool:
    visible = visible_practitioner_ids(user)
    return visible is None or practitioner.pk in visible

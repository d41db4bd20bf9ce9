"""What the portal's pages read. Every function takes the patient and reads only what
is theirs: a portal page never looks anything up by id alone."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone

from acuclinic.clinic.models import Clinic
from acuclinic.core.formats import format_date, format_datetime
from acuclinic.people.models import Patient
from acuclinic.portal import services
from acuclinic.safety import queries as safety_queries
from acuclinic.scheduling import queries as scheduling_queries
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment

# How many days with free times the move page shows at once, from two weeks searched.
MOVE_DAYS_SHOWN = 3
MOVE_SEARCH_DAYS = 14


def clinic() -> Clinic | None:
    """The clinic, for its name and phone number. An installation runs one clinic."""
    return Clinic.objects.order_by("pk").first()


def own_appointment(patient: Patient, pk: int) -> Appointment | None:
    """The patient's appointment ``pk``; None for anyone else's, as for one that does not
    exist, so a guessed id tells nothing."""
    return (
        Appointment.objects.filter(patient=patient, pk=pk)
        .select_related("practitioner__user", "room__location__clinic", "service", "series")
        .first()
    )


@dataclass(frozen=True)
class Visit:
    """An upcoming appointment as the patient sees it."""

    appointment: Appointment
    when: str  # "Tue 3 Mar 2026, 10:00", in the location's time zone
    late: bool  # inside the notice period: cancelling now is a late cancellation
    move_refusal: str  # why it cannot be moved online; "" if it can

    @property
    def pk(self) -> int:
        return self.appointment.pk

    @property
    def where(self) -> str:
        location = self.appointment.room.location
        return f"{location.name}, {location.address}" if location.address else location.name

    @property
    def with_whom(self) -> str:
        return self.appointment.practitioner.name

    @property
    def what(self) -> str:
        return self.appointment.service.name

    @property
    def notice_hours(self) -> int:
        return services.notice_hours(self.appointment)


def visit(appointment: Appointment, *, now: datetime) -> Visit:
    return Visit(
        appointment=appointment,
        when=format_datetime(appointment.start, appointment.room.location.tz),
        late=services.cancellation_is_late(appointment, now=now),
        move_refusal=services.why_not_movable(appointment, now=now),
    )


def upcoming_visits(patient: Patient, *, now: datetime) -> list[Visit]:
    """Booked appointments that have not started yet, soonest first."""
    appointments = (
        Appointment.objects.filter(patient=patient, status=AppointmentStatus.BOOKED, start__gt=now)
        .select_related("practitioner__user", "room__location__clinic", "service", "series")
        .order_by("start")
    )
    return [visit(a, now=now) for a in appointments]


def questionnaire_due(patient: Patient, *, today: date, next_visit: Visit | None) -> bool:
    """Whether to ask the patient to fill in the health questionnaire: there is none,
    it is out of date, or it will be by their next appointment."""
    status = safety_queries.safety_status(patient, today=today)
    if not status.is_current:
        return True
    if next_visit is None:
        return False
    visit_day = timezone.localtime(next_visit.appointment.start).date()
    return visit_day >= status.due_on


@dataclass(frozen=True)
class MoveOptions:
    """Free times with the same practitioner, by day, and where to look next."""

    days: list[tuple[str, list[scheduling_queries.FreeSlot]]]
    first_day: date  # the first day searched
    earliest_day: date  # the online rules' bounds, for the date field
    latest_day: date
    later_from: date | None  # where "Later times" starts; None at the booking horizon

    @property
    def searched_until(self) -> str:
        last = min(self.first_day + timedelta(days=MOVE_SEARCH_DAYS - 1), self.latest_day)
        return format_date(last)


def move_options(
    appointment: Appointment, *, start_from: date | None, now: datetime
) -> MoveOptions:
    """Up to ``MOVE_DAYS_SHOWN`` days with free times from ``start_from`` (or the first
    day the online rules allow), searching two weeks at a time."""
    location = appointment.room.location
    tz = location.tz
    window = scheduling_queries.booking_window(location.clinic, now=now, online=True)
    earliest_day = window.earliest.astimezone(tz).date()
    latest_day = window.latest.astimezone(tz).date()
    first_day = min(max(start_from or earliest_day, earliest_day), latest_day)
    last_day = min(first_day + timedelta(days=MOVE_SEARCH_DAYS - 1), latest_day)
    free = scheduling_queries.find_slots(
        service=appointment.service,
        location=location,
        first_day=first_day,
        last_day=last_day,
        practitioner=appointment.practitioner,
        patient=appointment.patient,
        online=True,
        now=now,
        ignore=appointment,
    )
    by_day: dict[date, list] = defaultdict(list)
    for slot in free:
        if slot.start != appointment.start:
            by_day[slot.start.date()].append(slot)
    shown = sorted(by_day)[:MOVE_DAYS_SHOWN]
    if len(by_day) > MOVE_DAYS_SHOWN:
        later_from = shown[-1] + timedelta(days=1)
    elif last_day < latest_day:
        later_from = last_day + timedelta(days=1)
    else:
        later_from = None
    return MoveOptions(
        days=[(format_date(day), by_day[day]) for day in shown],
        first_day=first_day,
        earliest_day=earliest_day,
        latest_day=latest_day,
        later_from=later_from,
    )

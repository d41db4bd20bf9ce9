"""A practitioner's appointments as an iCalendar feed (RFC 5545), for their own calendar.

The feed says when and where, and nothing clinical: the summary is the service, and
only if the clinic opts in (Clinic.calendar_feed_patient_names) the patient's initial and
surname ("Medical acupuncture — M. Okafor"), since the feed goes to third-party calendar
services; notes, conditions and contact details stay in acuclinic. Times carry the
location's time zone (TZID=Europe/London with its VTIMEZONE), so a 10:00 appointment
shows at 10:00 on both sides of the clock change. Each appointment keeps one UID, so a
move updates the event rather than adding another, and a recent cancellation is sent as
STATUS:CANCELLED so subscribed calendars remove it.

The output is deterministic for the same appointments (no "now" in it), so an unchanged
feed has an unchanged ETag and a calendar program's conditional request gets a 304.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from acuclinic.people.models import Practitioner
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment

if TYPE_CHECKING:
    from icalendar import Event

# icalendar (with dateutil: about 4 MB) is imported by the two functions that write a
# calendar, not here: this module is imported by every web process through the online
# booking app, and only a calendar program's download or a booking's email needs it
# (core/tests/test_production_server.py checks the web server starts without it).

LOOK_BACK = timedelta(days=31)
LOOK_AHEAD = timedelta(days=365)
# A cancelled appointment stays in the feed (as cancelled) this long after it was
# cancelled, so a calendar that synced before then hears about it.
CANCELLED_KEPT_FOR = timedelta(days=31)
REFRESH = timedelta(minutes=15)
PRODID = "-//acuclinic//Practitioner calendar feed//EN"
CANCELLED = (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED)


def feed_appointments(practitioner: Practitioner, *, now: datetime) -> QuerySet[Appointment]:
    """What the feed lists: active appointments from a month ago to a year ahead, and
    those cancelled in the last month."""
    return (
        Appointment.objects.filter(
            practitioner=practitioner, start__gte=now - LOOK_BACK, start__lt=now + LOOK_AHEAD
        )
        .filter(
            Q(status__in=AppointmentStatus.active())
            | Q(status__in=CANCELLED, cancelled_at__gte=now - CANCELLED_KEPT_FOR)
        )
        .select_related("patient", "service", "room__location")
        .order_by("start", "pk")
    )


def summary(appointment: Appointment, *, patient_names: bool = False) -> str:
    if not patient_names:
        return appointment.service.name
    patient = appointment.patient
    initial = patient.given_name[:1].upper()
    who = f"{initial}. {patient.family_name}" if initial else patient.family_name
    return f"{appointment.service.name} — {who}"


def where(appointment: Appointment) -> str:
    location = appointment.room.location
    return f"{appointment.room.name}, {location.name}, {location.address}"


def uid(appointment: Appointment) -> str:
    return f"appointment-{appointment.pk}@acuclinic"


def sequence(appointment: Appointment) -> int:
    """A revision number that grows with every change (RFC 5545 SEQUENCE): the seconds
    from creation to the last change. The appointment keeps no revision counter of its
    own, and this one never goes backwards."""
    return max(0, int((appointment.updated_at - appointment.created_at).total_seconds()))


def _event(appointment: Appointment, link: str, patient_names: bool) -> Event:
    from icalendar import Event, vText

    tz = appointment.room.location.tz
    event = Event()
    event.add("uid", uid(appointment))
    # Without METHOD, DTSTAMP is when the event's information last changed (RFC 5545
    # 3.8.7.2), which keeps the feed the same until something does.
    event.add("dtstamp", appointment.updated_at.astimezone(UTC))
    event.add("created", appointment.created_at.astimezone(UTC))
    event.add("last-modified", appointment.updated_at.astimezone(UTC))
    event.add("sequence", sequence(appointment))
    event.add("dtstart", appointment.start.astimezone(tz))
    event.add("dtend", appointment.end.astimezone(tz))
    event.add("summary", summary(appointment, patient_names=patient_names))
    event.add("location", vText(where(appointment)))
    event.add("status", "CANCELLED" if appointment.status in CANCELLED else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event.add("class", "PRIVATE")
    if link:
        event.add("url", link)
        event.add("description", f"Open in acuclinic: {link}")
    return event


def build_calendar(
    *,
    practitioner: Practitioner,
    appointments: Iterable[Appointment],
    now: datetime,
    link_for: Callable[[Appointment], str] = lambda appointment: "",
    patient_names: bool = False,
) -> bytes:
    from icalendar import Calendar, vDuration

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    name = f"{practitioner.name} – acuclinic"
    calendar.add("name", name)  # RFC 7986
    calendar.add("x-wr-calname", name)  # the same, for programs that predate RFC 7986
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    # An X- property has no known type: say it is a duration, or it is written "0:15:00".
    calendar.add("x-published-ttl", vDuration(REFRESH))
    for appointment in appointments:
        calendar.add_component(_event(appointment, link_for(appointment), patient_names))
    # One VTIMEZONE per TZID used, with the transitions around the feed's window (the
    # whole history since 1970 would make every download several kilobytes longer).
    calendar.add_missing_timezones(
        first_date=(now - LOOK_BACK - timedelta(days=366)).date(),
        last_date=(now + LOOK_AHEAD + timedelta(days=366)).date(),
    )
    return calendar.to_ical()

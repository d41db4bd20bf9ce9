"""The emails an online booking sends, through the outbox: the confirmation (with the
visit as an .ics file, what to expect, aftercare, the health questionnaire link and the
cancel link) and the note that confirms a cancellation.

Nothing clinical goes in them, and nothing from the patient's record beyond the visit
itself: the greeting uses the name typed on the form.
"""

from collections.abc import Callable
from datetime import UTC, timedelta

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from acuclinic.core.formats import format_datetime
from acuclinic.notifications import services as notifications
from acuclinic.notifications.models import Message
from acuclinic.safety.services import questionnaire_link_create
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.feeds import ical as feeds
from acuclinic.scheduling.models import Appointment

CONFIRMATION = "online_booking_confirmation"
CANCELLATION = "online_cancellation"
PRODID = "-//acuclinic//Appointment//EN"


def appointment_ics(appointment: Appointment) -> bytes:
    """The visit as a one-event iCalendar file (RFC 5545) for the patient's calendar:
    the same UID and place as the practitioner's feed, the clinic as the summary."""
    # Imported here, like the feed's: only a booking's email needs it, not every page.
    from icalendar import Calendar, Event, vText

    location = appointment.room.location
    tz = location.tz
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # PUBLISH: an event to put in a calendar, not an invitation expecting a reply.
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", feeds.uid(appointment))
    event.add("dtstamp", appointment.updated_at.astimezone(UTC))
    event.add("sequence", feeds.sequence(appointment))
    event.add("dtstart", appointment.start.astimezone(tz))
    event.add("dtend", appointment.end.astimezone(tz))
    with_whom = appointment.practitioner.name
    event.add("summary", f"{appointment.service.name} at {location.clinic.name} with {with_whom}")
    event.add("location", vText(feeds.where(appointment)))
    event.add("status", "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)
    day = appointment.start.astimezone(tz).date()
    calendar.add_missing_timezones(
        first_date=day - timedelta(days=366), last_date=day + timedelta(days=366)
    )
    return calendar.to_ical()


def _context(appointment: Appointment, **extra) -> dict:
    location = appointment.room.location
    clinic = location.clinic
    return {
        "clinic": clinic,
        "location": location,
        "room": appointment.room.name,
        "service": appointment.service,
        "practitioner": appointment.practitioner.name,
        "when": format_datetime(appointment.start, location.tz),
        "minutes": int((appointment.end - appointment.start).total_seconds() // 60),
        "phone": location.phone or clinic.phone,
        "email": clinic.email,
        "notice_hours": clinic.cancellation_notice_hours,
        "first_visit": appointment.service.modality == "assessment",
        "needling": bool(appointment.service.needling),
        **extra,
    }


def send_confirmation(
    booking, *, greeting_name: str, manage_link: str, link_for: Callable[[str], str]
) -> Message:
    """Queue the confirmation of an online booking to the email typed on the form.

    Called inside the booking's transaction: the questionnaire link and the message are
    written with it, and the message goes out only once it commits.
    """
    appointment = booking.appointment
    link, token = questionnaire_link_create(appointment.patient, user=None)
    context = _context(
        appointment,
        name=greeting_name,
        manage_link=manage_link,
        questionnaire_link=link_for(reverse("safety_public_questionnaire", args=[token])),
        questionnaire_expires=format_datetime(link.expires_at, appointment.room.location.tz),
    )
    return notifications.send(
        kind=CONFIRMATION,
        to=booking.email,
        subject=f"Booked: {context['service'].name} on {context['when']}",
        body=render_to_string("online_booking/email/confirmation.txt", context).strip() + "\n",
        html=render_to_string("online_booking/email/confirmation.html", context),
        attachments=[
            notifications.File("appointment.ics", appointment_ics(appointment), "text/calendar")
        ],
        about=appointment,
        dedupe_key=f"online-confirmation:{appointment.pk}",
        reply_to=context["email"],
    )


def send_cancellation(appointment: Appointment) -> Message | None:
    """Queue a note that the cancellation went through, to the email the booking used."""
    booking = getattr(appointment, "online_booking", None)
    to = booking.email if booking is not None else appointment.patient.email
    if not to:
        return None
    context = _context(appointment, name=booking.given_name if booking else "")
    return notifications.send(
        kind=CANCELLATION,
        to=to,
        subject=f"Cancelled: your appointment on {context['when']}",
        body=render_to_string("online_booking/email/cancelled.txt", context).strip() + "\n",
        about=appointment,
        dedupe_key=f"online-cancellation:{appointment.pk}",
        reply_to=context["email"],
    )


def reason_not_to_send(message: Message) -> str:
    """A confirmation for a visit cancelled before it went is not sent."""
    appointment = message.appointment
    if appointment is None:
        return "The appointment no longer exists."
    if message.kind == CONFIRMATION and appointment.status != AppointmentStatus.BOOKED:
        return "The appointment was cancelled before the confirmation went."
    if message.kind == CONFIRMATION and appointment.start <= timezone.now():
        return "The appointment has already started."
    return ""

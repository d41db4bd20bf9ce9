"""Telling the patient when the front desk books, moves or cancels their visit.

Scheduling's staff pages announce each change (``scheduling.signals.patient_to_be_told``)
with the ways staff left ticked; this module queues the messages through the outbox, so
each has its delivery state: an email (a booking's with the visit as an .ics file, the
link to cancel it and, for a first visit, the health questionnaire link; a move's with
the updated .ics) and, for a patient who asked for texts, a text message.

It lives here, above scheduling and safety, because the emails are the online booking's
own (the same confirmation a patient booking online gets) and the questionnaire link is
safety's.
"""

from collections.abc import Callable
from datetime import datetime

from django.template.loader import render_to_string
from django.urls import reverse

from acuclinic.core.formats import format_datetime
from acuclinic.notifications import services as notifications
from acuclinic.notifications.choices import MessageChannel
from acuclinic.notifications.models import Message
from acuclinic.notifications.sms import international_mobile
from acuclinic.online_booking import emails
from acuclinic.online_booking import services as online
from acuclinic.safety.services import questionnaire_link_create
from acuclinic.scheduling.choices import AppointmentStatus, CancelledBy
from acuclinic.scheduling.models import Appointment

BOOKED = "staff_booking_confirmation"
MOVED = "appointment_moved"
CANCELLED = "appointment_cancelled"
CHANGES = ("booked", "moved", "cancelled")


def ways_to_tell(patient) -> dict[str, str]:
    """Where the patient can be told: their email if they take email, their mobile if
    they asked for texts."""
    ways = {}
    if patient.email and patient.contact_by_email:
        ways[MessageChannel.EMAIL.value] = patient.email
    mobile = international_mobile(patient.phone)
    if mobile and patient.contact_by_sms:
        ways[MessageChannel.SMS.value] = mobile
    return ways


def tell(
    appointment: Appointment,
    *,
    change: str,
    by_email: bool = True,
    by_text: bool = True,
    previous_start: datetime | None = None,
    link_for: Callable[[str], str],
    user=None,
) -> list[Message]:
    """Queue the messages for one change; returns them (none when the patient has no way
    to be told, or staff unticked both)."""
    if change not in CHANGES:
        raise ValueError(change)
    patient = appointment.patient
    ways = ways_to_tell(patient)
    tz = appointment.room.location.tz
    first_visit = online.is_first_visit(appointment.service)
    extra = {
        "name": patient.preferred_name or patient.given_name,
        "change": change,
        "previous": format_datetime(previous_start, tz) if previous_start else "",
        "by_clinic": appointment.cancelled_by == CancelledBy.CLINIC,
        "reason": appointment.cancellation_reason,
    }
    if change != "cancelled":
        extra["manage_link"] = link_for(online.manage_path(appointment))
    if change == "booked" and first_visit and MessageChannel.EMAIL in ways and by_email:
        link, token = questionnaire_link_create(patient, user=user)
        extra["questionnaire_link"] = link_for(reverse("safety_public_questionnaire", args=[token]))
        extra["questionnaire_expires"] = format_datetime(link.expires_at, tz)
    context = emails._context(appointment, **extra)
    stamp = appointment.start.isoformat()
    sent = []
    if by_email and MessageChannel.EMAIL in ways:
        sent.append(_email(appointment, change, context, ways[MessageChannel.EMAIL], stamp, user))
    if by_text and MessageChannel.SMS in ways:
        body = " ".join(render_to_string("online_booking/sms/staff_change.txt", context).split())
        sent.append(
            notifications.send(
                kind={"booked": BOOKED, "moved": MOVED, "cancelled": CANCELLED}[change],
                channel=MessageChannel.SMS,
                to=ways[MessageChannel.SMS],
                body=body,
                about=appointment,
                dedupe_key=f"{change}:{appointment.pk}:{stamp}",
                user=user,
            )
        )
    return sent


def _email(appointment, change, context, to, stamp, user) -> Message:
    ics = [
        notifications.File("appointment.ics", emails.appointment_ics(appointment), "text/calendar")
    ]
    if change == "booked":
        subject = f"Booked: {context['service'].name} on {context['when']}"
        body = render_to_string("online_booking/email/confirmation.txt", context)
        html = render_to_string("online_booking/email/confirmation.html", context)
        kind, files = BOOKED, ics
    elif change == "moved":
        subject = f"Moved: your appointment is now on {context['when']}"
        body = render_to_string("online_booking/email/moved.txt", context)
        html, kind, files = "", MOVED, ics
    else:
        subject = f"Cancelled: your appointment on {context['when']}"
        body = render_to_string("online_booking/email/cancelled.txt", context)
        html, kind, files = "", CANCELLED, []
    return notifications.send(
        kind=kind,
        to=to,
        subject=subject,
        body=body.strip() + "\n",
        html=html,
        attachments=files,
        about=appointment,
        dedupe_key=f"{change}:{appointment.pk}:{stamp}",
        reply_to=context["email"],
        user=user,
    )


def reason_not_to_send(message: Message) -> str:
    """A booking's or a move's note is not sent once the visit is cancelled or has
    started; a move's not once the visit has moved again."""
    appointment = message.appointment
    if appointment is None:
        return "The appointment no longer exists."
    if message.kind == CANCELLED:
        if appointment.status == AppointmentStatus.BOOKED:
            return "The cancellation was undone before the message went."
        return ""
    if appointment.status != AppointmentStatus.BOOKED:
        return "The appointment was cancelled before the message went."
    if not message.dedupe_key.endswith(appointment.start.isoformat()):
        return "The appointment has moved again since."
    return ""


def on_patient_to_be_told(sender, *, appointment, change, link_for, **kwargs) -> None:
    tell(
        appointment,
        change=change,
        by_email=kwargs.get("by_email", True),
        by_text=kwargs.get("by_text", True),
        previous_start=kwargs.get("previous_start"),
        link_for=link_for,
        user=kwargs.get("user"),
    )

"""Appointment reminders: who gets one, what it says, and whether it is still right to
send when the moment comes.

``acuclinic worker`` runs ``queue_due_reminders`` every minute. It queues one reminder per
channel the patient wants for each booked appointment starting within the clinic's lead
time (48 hours unless changed), keyed ``reminder:<appointment id>:<start>``: the key
makes the outbox queue it once, however often the sweep runs or the worker restarts,
and a moved appointment (a new start) gets a fresh reminder. Just before each attempt
the outbox asks ``reason_not_to_send`` whether the reminder still holds, so one for an
appointment since cancelled or moved is cancelled rather than sent.

Reminders carry nothing clinical: when, where, with whom, the service booked, and how to
cancel or move it.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.template.loader import render_to_string
from django.utils import timezone

from acuclinic.clinic.models import Clinic
from acuclinic.core.errors import ServiceError
from acuclinic.core.formats import format_datetime
from acuclinic.notifications import services as notifications
from acuclinic.notifications.choices import MessageChannel, MessageStatus
from acuclinic.notifications.models import Message, MessagingPolicy
from acuclinic.notifications.sms import international_mobile
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment

logger = logging.getLogger(__name__)

KIND = "appointment_reminder"


@dataclass(frozen=True)
class Draft:
    """One reminder as it would be sent now."""

    channel: str
    to: str
    subject: str
    body: str
    html: str = ""


def reminder_key(appointment: Appointment) -> str:
    return f"reminder:{appointment.pk}:{appointment.start.astimezone(UTC).isoformat()}"


def _hours(hours: int) -> str:
    return "1 hour" if hours == 1 else f"{hours} hours"


def _context(appointment: Appointment) -> dict:
    location = appointment.room.location
    clinic = location.clinic
    patient = appointment.patient
    phone = location.phone or clinic.phone
    return {
        "name": patient.preferred_name or patient.given_name,
        "clinic": clinic,
        "location": location,
        "room": appointment.room.name,
        "service": appointment.service.name,
        "practitioner": appointment.practitioner.name,
        "when": format_datetime(appointment.start, location.tz),
        "minutes": int((appointment.end - appointment.start).total_seconds() // 60),
        "phone": phone,
        "email": clinic.email,
        "notice": _hours(clinic.cancellation_notice_hours),
    }


def channels_wanted(patient, policy: MessagingPolicy) -> dict[str, str]:
    """The channels to remind ``patient`` by, each with the address to use."""
    if not patient.appointment_reminders:
        return {}
    wanted = {}
    if policy.email_reminders and patient.contact_by_email and patient.email:
        wanted[MessageChannel.EMAIL.value] = patient.email
    mobile = international_mobile(patient.phone)
    if policy.sms_reminders and patient.contact_by_sms and mobile:
        wanted[MessageChannel.SMS.value] = mobile
    return wanted


def draft_reminders(appointment: Appointment, policy: MessagingPolicy) -> list[Draft]:
    """The reminders ``appointment`` should get, one per channel, as they would read now."""
    wanted = channels_wanted(appointment.patient, policy)
    if not wanted:
        return []
    context = _context(appointment)
    drafts = []
    if MessageChannel.EMAIL in wanted:
        drafts.append(
            Draft(
                channel=MessageChannel.EMAIL,
                to=wanted[MessageChannel.EMAIL],
                subject=f"Reminder: your appointment on {context['when']}",
                body=render_to_string("scheduling/reminders/email.txt", context).strip() + "\n",
                html=render_to_string("scheduling/reminders/email.html", context),
            )
        )
    if MessageChannel.SMS in wanted:
        drafts.append(
            Draft(
                channel=MessageChannel.SMS,
                to=wanted[MessageChannel.SMS],
                subject="",
                body=" ".join(render_to_string("scheduling/reminders/sms.txt", context).split()),
            )
        )
    return drafts


def _policies() -> dict[int, MessagingPolicy]:
    return {
        clinic.pk: notifications.messaging_policy_for(clinic) for clinic in Clinic.objects.all()
    }


def queue_due_reminders(now: datetime | None = None) -> int:
    """Queue every reminder that is due and not yet queued. Returns how many were queued."""
    now = now or timezone.now()
    policies = _policies()
    if not policies:
        return 0
    longest = timedelta(hours=max(p.reminder_lead_hours for p in policies.values()))
    due = list(
        Appointment.objects.filter(
            status=AppointmentStatus.BOOKED, start__gt=now, start__lte=now + longest
        ).select_related("patient", "practitioner__user", "room__location__clinic", "service")
    )
    queued = set(
        Message.objects.filter(kind=KIND, appointment__in=[a.pk for a in due])
        .exclude(status=MessageStatus.CANCELLED)
        .values_list("channel", "dedupe_key")
    )
    count = 0
    for appointment in due:
        clinic = appointment.room.location.clinic
        policy = policies[clinic.pk]
        if appointment.start > now + timedelta(hours=policy.reminder_lead_hours):
            continue
        key = reminder_key(appointment)
        for draft in draft_reminders(appointment, policy):
            if (draft.channel, key) in queued:
                continue
            try:
                notifications.send(
                    kind=KIND,
                    to=draft.to,
                    channel=draft.channel,
                    subject=draft.subject,
                    body=draft.body,
                    html=draft.html,
                    about=appointment,
                    dedupe_key=key,
                    reply_to=clinic.email,
                )
            except ServiceError as exc:
                # One patient's unusable address must not hold up everyone else's.
                logger.warning("No reminder for appointment %s: %s", appointment.pk, exc.message)
            else:
                count += 1
    return count


def _why_channel_unwanted(patient, policy: MessagingPolicy, channel: str) -> str:
    if not patient.appointment_reminders:
        return "The patient no longer wants appointment reminders."
    if channel == MessageChannel.EMAIL:
        if not policy.email_reminders:
            return "The clinic has turned email reminders off."
        if not patient.contact_by_email:
            return "The patient no longer wants emails."
        return "The patient has no email address now."
    if not policy.sms_reminders:
        return "The clinic has turned text message reminders off."
    if not patient.contact_by_sms:
        return "The patient no longer wants text messages."
    return "The patient has no mobile number now."


def reason_not_to_send(message: Message) -> str:
    """Why this reminder should not go now ("" if it should). Run before every attempt."""
    appointment = message.appointment
    if appointment is None:
        return "The appointment no longer exists."
    if appointment.status in (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED):
        return "The appointment was cancelled."
    if appointment.status != AppointmentStatus.BOOKED:
        return f"The appointment is no longer booked ({appointment.get_status_display().lower()})."
    if message.dedupe_key != reminder_key(appointment):
        when = format_datetime(appointment.start, appointment.room.location.tz)
        return f"The appointment moved to {when}; a reminder for the new time replaces this one."
    if appointment.start <= timezone.now():
        return "The appointment has already started."
    policy = notifications.messaging_policy_for(appointment.room.location.clinic)
    draft = next(
        (d for d in draft_reminders(appointment, policy) if d.channel == message.channel), None
    )
    if draft is None:
        return _why_channel_unwanted(appointment.patient, policy, message.channel)
    if (draft.to, draft.subject, draft.body) != (message.recipient, message.subject, message.body):
        return (
            "The appointment or the patient's contact details changed after this reminder "
            "was queued; an up-to-date reminder replaces it."
        )
    return ""

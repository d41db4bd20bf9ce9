"""The clinic's outbox: how every part of acuclinic sends an email or a text message.

    from acuclinic.notifications import services as notifications

    notifications.send(
        kind="appointment_reminder",           # a slug listed in kinds.py
        to=patient.email,
        channel=MessageChannel.EMAIL,          # or MessageChannel.SMS (to = a UK mobile)
        subject="…", body="…", html="…",       # html and attachments: email only
        attachments=[File("visit.ics", ics_bytes, "text/calendar")],
        about=appointment,                     # or a patient; shown on their pages
        dedupe_key=f"reminder:{appointment.pk}:{start}",  # queued once per channel
        not_before=some_time,                  # optional: send no earlier than this
    )

``send`` only records the message and queues its delivery (after the caller's
transaction commits); ``acuclinic worker`` sends it, retries failures with back-off and
records every attempt (delivery.py). So a slow or broken mail server never slows a page
down or rolls back a booking, and nothing is lost when it is down.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Clinic
from acuclinic.clinic.policies import update_clinic_settings
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.notifications import delivery, kinds, sms
from acuclinic.notifications.choices import MessageChannel, MessageStatus
from acuclinic.notifications.models import Attachment, Message, MessagingPolicy, appointment_model
from acuclinic.people.models import Patient

SUBJECT_MAX = 200
DEDUPE_KEY_MAX = 200
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class File:
    """An email attachment."""

    filename: str
    content: bytes | str
    mimetype: str = "application/octet-stream"


def _invalid(code: str, message: str, field: str) -> InvalidRequest:
    return InvalidRequest(code, message, field=field)


def _recipient(channel: str, to: str) -> str:
    to = (to or "").strip()
    if channel == MessageChannel.EMAIL:
        try:
            validate_email(to)
        except ValidationError as exc:
            raise _invalid("invalid_email", f"“{to}” is not an email address.", "to") from exc
        return to
    mobile = sms.international_mobile(to)
    if not mobile:
        raise _invalid(
            "not_a_mobile_number",
            f"“{to}” is not a UK mobile number, so it cannot get texts.",
            "to",
        )
    return mobile


def _check_content(channel, subject, body, html, attachments) -> None:
    if not body.strip():
        raise _invalid("body_required", "A message needs some text.", "body")
    if channel == MessageChannel.EMAIL:
        if not subject.strip():
            raise _invalid("subject_required", "An email needs a subject.", "subject")
        if len(subject) > SUBJECT_MAX or "\n" in subject or "\r" in subject:
            raise _invalid(
                "invalid_subject",
                f"A subject is one line of at most {SUBJECT_MAX} characters.",
                "subject",
            )
    else:
        if html or attachments:
            raise _invalid("sms_is_text_only", "A text message has no HTML or attachments.", "body")
        if len(body) > sms.MAX_LENGTH:
            raise _invalid(
                "sms_too_long", f"A text message is at most {sms.MAX_LENGTH} characters.", "body"
            )
    for file in attachments:
        if len(file.content) > ATTACHMENT_MAX_BYTES or not file.filename:
            raise _invalid("invalid_attachment", f"Cannot attach “{file.filename}”.", "attachments")


def _subjects(about) -> dict:
    if about is None:
        return {}
    if isinstance(about, appointment_model()):
        return {"appointment": about, "patient_id": about.patient_id}
    if isinstance(about, Patient):
        return {"patient": about}
    raise TypeError(f"A message can be about an appointment or a patient, not {about!r}")


def _live(channel: str, dedupe_key: str):
    return Message.objects.filter(channel=channel, dedupe_key=dedupe_key).exclude(
        status=MessageStatus.CANCELLED
    )


def send(
    *,
    kind: str,
    to: str,
    channel: str = MessageChannel.EMAIL,
    subject: str = "",
    body: str,
    html: str = "",
    attachments: Sequence[File] = (),
    about: models.Model | None = None,  # an appointment or a patient
    dedupe_key: str = "",
    not_before: datetime | None = None,
    reply_to: str = "",
    user=None,
) -> Message:
    """Queue one message. Returns it, or, when ``dedupe_key`` was queued before on this
    channel (and not cancelled), the message queued then: nothing new is sent."""
    if kind not in kinds.KINDS:
        raise _invalid("unknown_message_kind", f"“{kind}” is not a kind of message.", "kind")
    if channel not in MessageChannel.values:
        raise _invalid("unknown_channel", f"“{channel}” is not a way of sending.", "channel")
    recipient = _recipient(channel, to)
    _check_content(channel, subject, body, html, attachments)
    if len(dedupe_key) > DEDUPE_KEY_MAX:
        raise _invalid("dedupe_key_too_long", "The dedupe key is too long.", "dedupe_key")
    if not_before is not None and timezone.is_naive(not_before):
        raise _invalid("naive_datetime", "not_before needs a time zone.", "not_before")

    if dedupe_key and (existing := _live(channel, dedupe_key).first()) is not None:
        return existing
    now = timezone.now()
    due = max(now, not_before) if not_before is not None else now
    try:
        # A savepoint, so that losing a race on the dedupe key leaves the caller's own
        # transaction usable.
        with transaction.atomic():
            message = Message.objects.create(
                kind=kind,
                channel=channel,
                recipient=recipient,
                reply_to=reply_to,
                subject=subject.strip(),
                body=body,
                html=html,
                dedupe_key=dedupe_key,
                next_attempt_at=due,
                enqueued_at=now,
                created_by=user if user is not None and user.pk else None,
                **_subjects(about),
            )
            Attachment.objects.bulk_create(
                Attachment(
                    message=message,
                    filename=file.filename,
                    mimetype=file.mimetype,
                    content=file.content.encode()
                    if isinstance(file.content, str)
                    else file.content,
                )
                for file in attachments
            )
            audit.record(AuditAction.CREATE, message, detail=f"{message.kind_label} queued")
    except IntegrityError:
        if not dedupe_key:
            raise
        return _live(channel, dedupe_key).get()
    delivery.enqueue_delivery_on_commit(message.pk, run_after=due)
    return message


def message_retry(message: Message, *, user=None) -> Message:
    """Send a failed message once more, now (a person's decision, e.g. after an
    "outcome unknown" or once a wrong address is fixed). If this attempt fails too the
    message stays failed: no further automatic retries."""
    now = timezone.now()
    with transaction.atomic():
        locked = (
            Message.objects.select_for_update(of=("self",))
            .select_related("appointment", "patient")
            .get(pk=message.pk)
        )
        if locked.status != MessageStatus.FAILED:
            raise Conflict(
                "not_failed",
                f"Only a failed message can be sent again; this one is "
                f"{locked.get_status_display().lower()}.",
            )
        reason = kinds.reason_not_to_send(locked)
        if reason:
            raise Conflict("no_longer_wanted", f"Not sent again: {reason}")
        locked.status = MessageStatus.QUEUED
        locked.reason = ""
        locked.next_attempt_at = now
        locked.enqueued_at = now
        locked.save(
            update_fields=["status", "reason", "next_attempt_at", "enqueued_at", "updated_at"]
        )
        audit.record(
            AuditAction.CHANGE,
            locked,
            changed_fields=["status"],
            detail="sent again by staff",
            user=user,
        )
        delivery.enqueue_delivery_on_commit(locked.pk)
    return locked


POLICY_FIELDS = ["reminder_lead_hours", "email_reminders", "sms_reminders"]


def messaging_policy_for(clinic: Clinic | None) -> MessagingPolicy:
    """The clinic's messaging settings; the defaults when it has not changed any."""
    if clinic is None:
        return MessagingPolicy()
    return MessagingPolicy.objects.filter(clinic=clinic).first() or MessagingPolicy(clinic=clinic)


def messaging_policy_update(clinic: Clinic, *, user=None, **fields) -> MessagingPolicy:
    """Change the clinic's reminder settings."""
    return update_clinic_settings(MessagingPolicy, clinic, POLICY_FIELDS, fields, user=user)

"""The clinic's outbox: every email and text message, its delivery attempts, and the
clinic's messaging settings."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from acuclinic.clinic.models import Clinic
from acuclinic.notifications import kinds
from acuclinic.notifications.choices import AttemptOutcome, MessageChannel, MessageStatus
from acuclinic.people.models import Patient


class Message(models.Model):
    """One email or text message to one recipient, from queued to sent (or not).

    The content is stored as it will be sent, so what went out can always be shown.
    ``status`` moves queued → sending → sent, or → failed (with ``reason``), or →
    cancelled; a message is only ever marked sent after the mail server or SMS service
    accepted it. The same ``dedupe_key`` on the same channel is queued once: asking again
    returns the message already there.
    """

    kind = models.CharField(max_length=40)
    channel = models.CharField(max_length=10, choices=MessageChannel.choices)
    recipient = models.CharField(max_length=254)
    reply_to = models.EmailField(blank=True)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField()
    html = models.TextField(blank=True)
    # What the message is about, for "which messages went out about this appointment?".
    # A message outlives a deleted record: the link is cleared, the message kept.
    # Named, not imported: scheduling sits above the outbox and sends through it.
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.SET_NULL, related_name="messages"
    )
    dedupe_key = models.CharField(max_length=200, blank=True)

    status = models.CharField(
        max_length=10, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    # Why it failed or was cancelled, in words staff can act on.
    reason = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt is due; empty when none will be made without a person.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    # When the attempt now in progress started (status "sending").
    claimed_at = models.DateTimeField(null=True, blank=True)
    # When a delivery task was last put on the queue for it (see delivery.requeue_lost).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # The Message-ID of an email, or the SMS service's reference.
    provider_reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="message_due"),
            models.Index(fields=["created_at"], name="message_created"),
            models.Index(fields=["kind", "created_at"], name="message_kind_created"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=MessageStatus.values), name="message_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=MessageChannel.values), name="message_channel_valid"
            ),
            # "Sent" always says when, and nothing else claims to have been sent.
            models.CheckConstraint(
                condition=Q(status=MessageStatus.SENT, sent_at__isnull=False)
                | (~Q(status=MessageStatus.SENT) & Q(sent_at__isnull=True)),
                name="message_sent_iff_sent_at",
            ),
            models.CheckConstraint(
                condition=~Q(status=MessageStatus.SENDING) | Q(claimed_at__isnull=False),
                name="message_sending_has_claim",
            ),
            # The database, not only the code, refuses a second live copy of a message:
            # two workers sweeping at once cannot both queue the same reminder. A
            # cancelled copy does not count, so a corrected one can replace it.
            models.UniqueConstraint(
                fields=["channel", "dedupe_key"],
                condition=~Q(dedupe_key="") & ~Q(status=MessageStatus.CANCELLED),
                name="message_dedupe_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind_label} to {self.recipient}"

    @property
    def kind_label(self) -> str:
        return kinds.label(self.kind)

    @property
    def will_retry(self) -> bool:
        return self.status == MessageStatus.FAILED and self.next_attempt_at is not None


def appointment_model() -> type[models.Model]:
    """The appointment model a message can be about (scheduling's), reached through the
    foreign key, so that the outbox, which scheduling sends through, never imports it."""
    return Message._meta.get_field("appointment").related_model


class Attachment(models.Model):
    """A file sent with an email, e.g. an appointment as an .ics file."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    filename = models.CharField(max_length=120)
    mimetype = models.CharField(max_length=100)
    content = models.BinaryField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class DeliveryAttempt(models.Model):
    """One try at handing a message over, appended as it starts and closed as it ends."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveSmallIntegerField()
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    # Empty while the attempt is in progress.
    outcome = models.CharField(max_length=10, choices=AttemptOutcome.choices, blank=True)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["message", "number"]
        constraints = [
            models.UniqueConstraint(fields=["message", "number"], name="attempt_unique_number"),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(outcome__in=AttemptOutcome.values),
                name="attempt_outcome_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Attempt {self.number} of {self.message}"


class MessagingPolicy(models.Model):
    """A clinic's reminder settings. Without a row, the defaults below apply."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="messaging_policy")
    reminder_lead_hours = models.PositiveSmallIntegerField(
        "send reminders this many hours before",
        default=48,
        validators=[MinValueValidator(1), MaxValueValidator(168)],
    )
    email_reminders = models.BooleanField("send reminders by email", default=True)
    sms_reminders = models.BooleanField("send reminders by text message", default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "messaging policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(reminder_lead_hours__gte=1, reminder_lead_hours__lte=168),
                name="messagingpolicy_lead_range",
            )
        ]

    def __str__(self) -> str:
        return f"Messaging settings for {self.clinic}"

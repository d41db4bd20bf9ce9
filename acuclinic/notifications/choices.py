from django.db import models


class MessageChannel(models.TextChoices):
    EMAIL = "email", "Email"
    SMS = "sms", "Text message"


class MessageStatus(models.TextChoices):
    """Where a message is on its way out.

    ``failed`` with a next attempt time is waiting to be tried again; without one it has
    been given up on (or the outcome of a send is unknown) and needs a person.
    """

    QUEUED = "queued", "Queued"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class AttemptOutcome(models.TextChoices):
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    # The worker stopped while sending: the server may or may not have taken it.
    UNKNOWN = "unknown", "Outcome unknown"

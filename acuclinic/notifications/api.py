"""Messages about an appointment as JSON: what was sent, to whom, and how delivery went.

The message text is left out: it is in the outbox for clinic admins, and a list of
deliveries is what the front desk and other programs need ("did the reminder go?").
"""

from datetime import datetime

from ninja import Router, Schema
from ninja.responses import codes_4xx

from acuclinic.core.api_auth import require
from acuclinic.core.api_errors import ErrorOut
from acuclinic.core.api_types import get_or_404
from acuclinic.notifications import queries
from acuclinic.notifications.choices import MessageChannel, MessageStatus
from acuclinic.notifications.models import Message, appointment_model
from acuclinic.notifications.presenting import delivery

router = Router()


class MessageOut(Schema):
    id: int
    kind: str
    kind_display: str
    channel: MessageChannel
    recipient: str
    subject: str
    status: MessageStatus
    # "Sent", "Failed – will try again", "Failed – not sent", …: never "Sent" unless sent.
    status_display: str
    reason: str
    attempts: int
    next_attempt_at: datetime | None
    sent_at: datetime | None
    created_at: datetime

    @staticmethod
    def resolve_kind_display(obj: Message) -> str:
        return obj.kind_label

    @staticmethod
    def resolve_status_display(obj: Message) -> str:
        return delivery(obj).label


@router.get(
    "/appointments/{appointment_id}/messages",
    response={200: list[MessageOut], codes_4xx: ErrorOut},
    auth=require("scheduling.view_appointment"),
    tags=["appointments"],
    summary="Messages sent about an appointment, with their delivery",
)
def appointment_messages(request, appointment_id: int):
    """Reminders and other messages about the appointment, newest first. ``status`` is
    ``queued``, ``sending``, ``sent``, ``failed`` (``next_attempt_at`` set while another
    try is coming, with the ``reason``) or ``cancelled`` (with the ``reason``)."""
    appointment = get_or_404(appointment_model(), appointment_id, "appointment")
    return list(queries.messages_about(appointment))

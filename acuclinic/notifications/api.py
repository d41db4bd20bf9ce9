"""Messages about an appointment as JSON: what was sent, to whom, and how delivery went.

The message text is left out: it is in the outbox for clinic admins, and a list of
deliveries is what the front desk and other programs need ("did the reminder go?").
"""

from datetime import date, datetime

from ninja import Query, Router, Schema
from pydantic import Field

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.api_auth import require
from acuclinic.core.api_errors import ERRORS
from acuclinic.core.api_types import Page, PageQuery, get_or_404, page_of
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
    response={200: list[MessageOut], **ERRORS},
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


class OutboxFilters(PageQuery):
    status: MessageStatus | None = Field(None, description="Only messages in this state.")
    retrying: bool = Field(False, description="Only failed messages with another try coming.")
    kind: str = Field("", max_length=40, description="Only this kind, e.g. ``reminder``.")
    channel: MessageChannel | None = Field(None, description="Only email or only texts.")
    since: date | None = Field(None, description="Queued on or after this day (UK).")
    until: date | None = Field(None, description="Queued on or before this day (UK).")


@router.get(
    "/messages",
    response={200: Page[MessageOut], **ERRORS},
    auth=require("notifications.view_message"),
    tags=["messages"],
    summary="The outbox: every message with its delivery state (clinic admins)",
)
def list_messages(request, filters: Query[OutboxFilters]):
    """Every message the clinic queued, newest first, with its delivery state, as the
    outbox page shows them; the text itself is left out. Reading it is audited, as the
    page is: it lists patients' addresses."""
    found = queries.outbox(
        status="retrying" if filters.retrying else (filters.status or ""),
        kind=filters.kind,
        channel=filters.channel or "",
        since=filters.since,
        until=filters.until,
    )
    audit.record(AuditAction.VIEW, object_type="notifications.message", detail="outbox (API)")
    return page_of(found, filters)

"""Everything a patient does in the portal, one function each.

Signing in: ``sign_in_link_request`` emails a link through the outbox and
``sign_in_with_link`` uses it. Appointments: the patient's cancel and move go through
scheduling's own services (the same locks, checks and audit as the front desk), after the
clinic's rules for patients acting online: not once a visit has started, no move inside
the cancellation notice period, and only to a time the online booking rules offer.
"""

import base64
import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Clinic
from acuclinic.core.errors import Conflict, InvalidRequest, NotFound
from acuclinic.core.formats import format_datetime
from acuclinic.notifications import services as notifications
from acuclinic.people.models import Patient
from acuclinic.portal.errors import LinkUnusable, TooManyRequests
from acuclinic.portal.models import LinkRequest, SignInLink
from acuclinic.safety.services import questionnaire_link_create
from acuclinic.scheduling import queries as scheduling_queries
from acuclinic.scheduling import services as scheduling
from acuclinic.scheduling.choices import CancelledBy
from acuclinic.scheduling.models import Appointment

logger = logging.getLogger(__name__)

# Long enough to switch to the mail app and back, short enough that a link found later
# in a mailbox (or a forwarded email) is no use.
LINK_LIFETIME = timedelta(minutes=20)
LINK_MINUTES = int(LINK_LIFETIME.total_seconds() // 60)
# Links are kept a while after they run out, so the outbox's check before sending can
# still find them and support can see what was sent; then they are deleted.
KEEP_LINKS = timedelta(days=30)
# Rate limits on asking for a link: enough for someone who mistypes or loses an email,
# too few to guess dates of birth or flood a mailbox.
RATE_WINDOW = timedelta(hours=1)
MAX_REQUESTS_PER_EMAIL = 5
# Higher: a clinic's waiting room or a household shares one address.
MAX_REQUESTS_PER_ADDRESS = 20
KIND = "portal_sign_in"
REASON_MAX = 200


# ── Signing in ──────────────────────────────────────────────────────────────────────


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def _email_key(email: str) -> str:
    # Keyed, so the table of requests does not give away which addresses were typed.
    return hmac.new(
        settings.SECRET_KEY.encode(), normalise_email(email).encode(), hashlib.sha256
    ).hexdigest()


def _count_request(email: str, client_address: str | None, now: datetime) -> None:
    """Record this request, then refuse it if it is over either limit.

    Every request is written and committed before counting, so two processes racing
    each see the other's row (or commit after the other counted): together they never
    let more than the limit through. Refused requests count too, so hammering the form
    does not wear the limit down.
    """
    since = now - RATE_WINDOW
    LinkRequest.objects.filter(at__lte=since).delete()
    key = _email_key(email)
    LinkRequest.objects.create(at=now, email_digest=key, client_address=client_address)
    recent = LinkRequest.objects.filter(at__gt=since)
    too_many = recent.filter(email_digest=key).count() > MAX_REQUESTS_PER_EMAIL or (
        client_address is not None
        and recent.filter(client_address=client_address).count() > MAX_REQUESTS_PER_ADDRESS
    )
    if too_many:
        raise TooManyRequests(
            "too_many_link_requests",
            "Too many sign-in links have been asked for, for this email address or from "
            "this connection. Please try again in an hour.",
        )


def sign_in_link_request(
    *,
    email: str,
    date_of_birth: date,
    client_address: str | None,
    url_for: Callable[[str], str],
    now: datetime | None = None,
) -> list[SignInLink]:
    """Email a sign-in link to each patient with this email address and date of birth.

    Returns the links made, for tests: the page that calls this must say the same thing
    whether or not anyone matched, so that it does not tell a stranger who is a patient.
    ``url_for(token)`` makes the link's URL. Must not run inside a transaction (the rate
    limit relies on committing each request before counting).
    """
    now = now or timezone.now()
    _count_request(email, client_address, now)
    patients = list(
        Patient.objects.filter(date_of_birth=date_of_birth, email__iexact=normalise_email(email))
    )
    if not patients:
        audit.record(
            AuditAction.LOGIN_FAILED,
            object_type="portal",
            detail="portal link asked for: no patient has that email and date of birth",
        )
        return []
    SignInLink.objects.filter(expires_at__lt=now - KEEP_LINKS).delete()
    clinic = Clinic.objects.order_by("pk").first()
    links = []
    for patient in patients:
        try:
            links.append(_send_link(patient, clinic=clinic, url_for=url_for, now=now))
        except InvalidRequest as exc:
            # An address the outbox refuses (entered before validation existed): nothing
            # was kept; the front desk can correct it.
            logger.warning("Portal link for patient %s not sent: %s", patient.pk, exc.message)
    return links


# What the outbox's copy of a sign-in email shows where the link's token goes.
WITHHELD = "link-withheld"


def _link_token(nonce: str) -> str:
    """The token of the link with this nonce: only the SECRET_KEY turns one into the other."""
    mac = hmac.new(settings.SECRET_KEY.encode(), f"portal-link:{nonce}".encode(), "sha256")
    return base64.urlsafe_b64encode(mac.digest()).rstrip(b"=").decode()


def _send_link(patient: Patient, *, clinic, url_for, now: datetime) -> SignInLink:
    nonce = secrets.token_hex(16)
    token = _link_token(nonce)
    with transaction.atomic():
        link = SignInLink.objects.create(
            patient=patient,
            nonce=nonce,
            token_digest=_digest(token),
            sent_to=patient.email,
            created_at=now,
            expires_at=now + LINK_LIFETIME,
        )
        body = render_to_string(
            "portal/email/sign_in_link.txt",
            {
                "patient": patient,
                "clinic": clinic,
                # Stored withheld; put in by sign_in_email_body as the email goes.
                "url": url_for(token).replace(token, WITHHELD),
                "expires": format_datetime(link.expires_at),
                "minutes": LINK_MINUTES,
            },
        )
        # The outbox's own audit entry (a message queued about the patient) records it.
        notifications.send(
            kind=KIND,
            to=patient.email,
            subject=f"Your sign-in link for {clinic.name if clinic else 'your clinic'}",
            body=body,
            about=patient,
            dedupe_key=f"{KIND}:{link.pk}",
        )
    return link


def sign_in_email_body(message) -> str:
    """The sign-in email as it is sent (kinds.render_at_send): the stored body with the
    link's token put back in, made again from the link's nonce and the SECRET_KEY."""
    link_id = message.dedupe_key.removeprefix(f"{KIND}:")
    link = SignInLink.objects.filter(pk=link_id).first() if link_id.isdigit() else None
    if link is None or not link.nonce:
        return message.body
    return message.body.replace(f"/{WITHHELD}/", f"/{_link_token(link.nonce)}/")


def reason_not_to_send(message) -> str:
    """The outbox's check before each attempt (kinds.py): a link that has been used or
    has run out is not worth sending."""
    link_id = message.dedupe_key.removeprefix(f"{KIND}:")
    link = SignInLink.objects.filter(pk=link_id).first() if link_id.isdigit() else None
    if link is None:
        return "The sign-in link no longer exists."
    if link.used_at is not None:
        return "The patient has already signed in with this link."
    if timezone.now() >= link.expires_at:
        return "The link ran out before it could be sent; the patient can ask for a new one."
    return ""


LINK_UNKNOWN = (
    "This sign-in link is not recognised. Check that you opened the whole link from the "
    "email, or ask for a new one."
)
LINK_USED = "This sign-in link has already been used. Each link works only once."
LINK_EXPIRED = (
    f"This sign-in link has run out. Links work for {LINK_MINUTES} minutes after you ask for them."
)


def sign_in_link_check(token: str, *, now: datetime | None = None) -> SignInLink:
    """The link for ``token`` if it can still sign someone in; LinkUnusable says why not.
    Writes nothing."""
    now = now or timezone.now()
    link = SignInLink.objects.select_related("patient").filter(token_digest=_digest(token)).first()
    if link is None:
        raise LinkUnusable("link_unknown", LINK_UNKNOWN)
    if link.used_at is not None:
        raise LinkUnusable("link_used", LINK_USED, extra={"link": link})
    # A link sent to an address the clinic has since replaced stops working with it.
    moved_away = normalise_email(link.sent_to) != normalise_email(link.patient.email)
    if now >= link.expires_at or moved_away:
        raise LinkUnusable("link_expired", LINK_EXPIRED, extra={"link": link})
    return link


def sign_in_with_link(token: str, *, now: datetime | None = None) -> Patient:
    """Use the link: it is spent, and its patient is the one to sign in.

    A refused link changes nothing; the refusal is audited, as a failed staff sign-in is.
    """
    now = now or timezone.now()
    try:
        link = sign_in_link_check(token, now=now)
        with transaction.atomic():
            # Only one request can move used_at from empty: a double click or a
            # forwarded link racing the patient signs in once.
            if not SignInLink.objects.filter(pk=link.pk, used_at__isnull=True).update(used_at=now):
                raise LinkUnusable("link_used", LINK_USED, extra={"link": link})
            audit.record(
                AuditAction.LOGIN,
                link.patient,
                detail="signed in to the patient portal with an emailed link",
            )
    except LinkUnusable as exc:
        refused = exc.extra.get("link")
        audit.record(
            AuditAction.LOGIN_FAILED,
            refused.patient if refused else None,
            object_type="portal",
            detail=f"portal sign-in refused: {exc.code}",
        )
        raise
    return link.patient


def sign_out_record(patient: Patient) -> None:
    audit.record(AuditAction.LOGOUT, patient, detail="signed out of the patient portal")


# ── Appointments: the clinic's rules for patients acting online ──────────────────────


def notice_hours(appointment: Appointment) -> int:
    return appointment.room.location.clinic.cancellation_notice_hours


def cancellation_is_late(appointment: Appointment, *, now: datetime) -> bool:
    """Inside the clinic's notice period: cancelling now counts as a late cancellation."""
    return scheduling.patient_change(appointment, now=now).late


def why_not_cancellable(appointment: Appointment, *, now: datetime) -> str:
    """Why the patient cannot cancel this online, or "" if they can (the clinic's one
    rule: scheduling.patient_change)."""
    return scheduling.patient_change(appointment, now=now).cancel_refusal


def why_not_movable(appointment: Appointment, *, now: datetime) -> str:
    """Why the patient cannot move this online, or "" if they can.

    Inside the notice period the clinic can no longer offer the time to someone else,
    so a move is a conversation with the front desk, not a click.
    """
    return scheduling.patient_change(appointment, now=now).move_refusal


def _own(appointment: Appointment, patient: Patient) -> None:
    # The views already look appointments up through the patient; this is the second lock.
    if appointment.patient_id != patient.pk:
        raise NotFound("unknown_appointment", "There is no such appointment.")


def appointment_cancel_by_patient(
    appointment: Appointment,
    *,
    patient: Patient,
    reason: str = "",
    warned_late: bool,
    now: datetime | None = None,
) -> Appointment:
    """The patient cancels. ``warned_late`` says whether the page they confirmed on told
    them it would be a late cancellation: if the notice period began while they read it,
    they are asked again rather than surprised."""
    now = now or timezone.now()
    _own(appointment, patient)
    if why := why_not_cancellable(appointment, now=now):
        raise Conflict("not_cancellable", why)
    reason = reason.strip()
    if len(reason) > REASON_MAX:
        raise InvalidRequest(
            "reason_too_long", f"Please keep the reason to {REASON_MAX} characters.", field="reason"
        )
    if cancellation_is_late(appointment, now=now) and not warned_late:
        raise Conflict(
            "late_cancellation_not_confirmed",
            f"Your appointment is now less than {notice_hours(appointment)} hours away, so "
            "cancelling it counts as a late cancellation. Nothing has been cancelled yet: "
            "please confirm again if you still want to cancel.",
        )
    return scheduling.appointment_cancel(
        appointment, reason=reason, cancelled_by=CancelledBy.PATIENT, now=now
    )


def appointment_move_by_patient(
    appointment: Appointment, *, patient: Patient, start: datetime, now: datetime | None = None
) -> Appointment:
    """Move to ``start``, a free time with the same practitioner that the clinic's online
    rules offer (minimum notice, booking horizon): the room may change."""
    now = now or timezone.now()
    _own(appointment, patient)
    if why := why_not_movable(appointment, now=now):
        raise Conflict("not_movable", why)
    if timezone.is_naive(start):
        raise InvalidRequest("naive_datetime", "Choose one of the times offered.", field="start")
    if start == appointment.start:
        raise Conflict("same_time", "Your appointment is already at that time.", field="start")
    chosen = offered_slot(appointment, start=start, now=now)
    if chosen is None:
        raise Conflict(
            "slot_not_offered",
            "That time is no longer free (or is outside the times you can book online). "
            "Please choose another.",
            field="start",
        )
    return scheduling.appointment_move(
        appointment, start=chosen.start, practitioner=appointment.practitioner, room=chosen.room
    )


def offered_slot(appointment: Appointment, *, start: datetime, now: datetime):
    """The free slot at ``start`` the move page would offer, or None."""
    location = appointment.room.location
    day = start.astimezone(location.tz).date()
    free = scheduling_queries.find_slots(
        service=appointment.service,
        location=location,
        first_day=day,
        last_day=day,
        practitioner=appointment.practitioner,
        patient=appointment.patient,
        online=True,
        now=now,
        ignore=appointment,
    )
    return next((slot for slot in free if slot.start == start), None)


# ── The health questionnaire ─────────────────────────────────────────────────────────


def questionnaire_start(patient: Patient, *, now: datetime | None = None) -> str:
    """A fresh single-use link to the safety questionnaire, for the patient signed in
    now: the safety app's own link and page, so its checks and its record are the same
    as when the clinic emails the link. Returns the token (kept nowhere else)."""
    _link, token = questionnaire_link_create(patient, user=None, now=now)
    return token

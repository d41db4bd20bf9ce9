"""Online card payment through a payment provider: one interface, one real adapter
(Stripe Checkout, through the ``stripe`` library).

The patient opens a pay link from their invoice email, is sent to the provider's page,
and pays there; the provider then calls our webhook, whose signature the library checks
against the webhook secret. Only a verified ``checkout.session.completed`` records a
payment, once (its session id is the payment's one-time key: the provider's retries
record nothing more). With no provider configured (``STRIPE_SECRET_KEY`` and
``STRIPE_WEBHOOK_SECRET``), there is no online payment and nothing else changes.
"""

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from acuclinic.billing import courses, services
from acuclinic.billing.choices import (
    InvoiceKind,
    InvoicePurpose,
    InvoiceStatus,
    OnlineBookingPays,
    PaymentMethod,
)
from acuclinic.billing.models import CheckoutSession, Invoice, PayLink
from acuclinic.core.errors import Conflict, InvalidRequest, NotFound
from acuclinic.core.formats import format_datetime
from acuclinic.scheduling.choices import AppointmentStatus

LINK_LIFETIME = timedelta(days=60)
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Started:
    session_id: str
    url: str


@dataclass(frozen=True)
class Paid:
    session_id: str
    amount_pence: int
    currency: str


class BadSignature(Exception):
    """A webhook call whose signature does not verify: refused, nothing recorded."""


class Provider(Protocol):
    name: str

    def start(
        self,
        *,
        invoice: Invoice,
        amount_pence: int,
        description: str,
        success_url: str,
        cancel_url: str,
    ) -> Started: ...

    def paid_event(self, body: bytes, signature: str) -> Paid | None:
        """The payment a verified webhook call reports, or None for other events.
        Raises ``BadSignature`` when the call cannot be verified."""


class StripeCheckout:
    name = "stripe"

    def __init__(self, secret_key: str, webhook_secret: str, *, http_client=None):
        import stripe

        self._stripe = stripe
        self._client = stripe.StripeClient(
            secret_key, http_client=http_client, max_network_retries=1
        )
        self._webhook_secret = webhook_secret

    def start(self, *, reference, amount_pence, description, success_url, cancel_url) -> Started:
        session = self._client.v1.checkout.sessions.create(
            params={
                "mode": "payment",
                "line_items": [
                    {
                        "quantity": 1,
                        "price_data": {
                            "currency": "gbp",
                            "unit_amount": amount_pence,
                            "product_data": {"name": description[:250]},
                        },
                    }
                ],
                "client_reference_id": reference,
                "metadata": {"reference": reference},
                "success_url": success_url,
                "cancel_url": cancel_url,
            }
        )
        return Started(session_id=session.id, url=session.url)

    def paid_event(self, body: bytes, signature: str) -> Paid | None:
        try:
            event = self._stripe.Webhook.construct_event(body, signature, self._webhook_secret)
        except (ValueError, self._stripe.SignatureVerificationError) as exc:
            raise BadSignature(str(exc)) from exc
        if event["type"] != "checkout.session.completed":
            return None
        session = event["data"]["object"].to_dict()
        if session.get("payment_status") != "paid":
            return None
        return Paid(
            session_id=session["id"],
            amount_pence=int(session["amount_total"]),
            currency=str(session.get("currency", "")).lower(),
        )


def provider() -> Provider | None:
    """The configured provider, or None (no online payment)."""
    if settings.STRIPE_SECRET_KEY and settings.STRIPE_WEBHOOK_SECRET:
        return StripeCheckout(settings.STRIPE_SECRET_KEY, settings.STRIPE_WEBHOOK_SECRET)
    return None


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def make_link(invoice: Invoice) -> str:
    """A new pay link's secret (shown once, in the email); only its digest is kept."""
    secret = secrets.token_urlsafe(24)
    PayLink.objects.create(
        invoice=invoice, digest=_digest(secret), expires_at=timezone.now() + LINK_LIFETIME
    )
    return secret


def invoice_for(secret: str) -> Invoice:
    link = (
        PayLink.objects.select_related("invoice__patient")
        .filter(digest=_digest(secret), expires_at__gt=timezone.now())
        .first()
    )
    if link is None:
        raise NotFound("unknown_pay_link", "This payment link is not valid or has expired.")
    return link.invoice


def start(invoice: Invoice, chosen: Provider, *, success_url: str, cancel_url: str) -> Started:
    """Send the patient to pay what the invoice still owes."""
    owed = services.due_on(invoice)
    if owed <= 0:
        raise Conflict("invoice_paid", f"{invoice.reference} has nothing left to pay.")
    started = chosen.start(
        reference=invoice.reference,
        amount_pence=owed,
        description=f"{invoice.reference} – {invoice.clinic_details.get('name', '')}",
        success_url=success_url,
        cancel_url=cancel_url,
    )
    CheckoutSession.objects.create(
        invoice=invoice, provider=chosen.name, session_id=started.session_id, amount_pence=owed
    )
    return started


def start_course(patient, block, chosen: Provider, *, success_url: str, cancel_url: str):
    """Send the patient to buy a prepaid course; it is sold when the payment completes."""
    if not (block.is_active and block.bookable_online):
        raise Conflict("block_not_sold", f"“{block.name}” is not sold online.")
    started = chosen.start(
        reference=f"course-{block.pk}-patient-{patient.pk}",
        amount_pence=block.price_pence,
        description=f"{block.name} – {block.clinic.name}",
        success_url=success_url,
        cancel_url=cancel_url,
    )
    CheckoutSession.objects.create(
        block=block,
        patient=patient,
        provider=chosen.name,
        session_id=started.session_id,
        amount_pence=block.price_pence,
    )
    return started


def record(paid: Paid):
    """Record a verified payment once; a session we did not start is refused."""
    if paid.currency != "gbp":
        raise InvalidRequest("wrong_currency", "Only payments in pounds are accepted.")
    with transaction.atomic():
        # Locked alone (its invoice, course and patient are read after): PostgreSQL
        # cannot lock the nullable side of an outer join.
        session = (
            CheckoutSession.objects.select_for_update().filter(session_id=paid.session_id).first()
        )
        if session is None:
            raise NotFound("unknown_session", "No payment was started with that session.")
        if session.paid_at is not None:
            return []  # the provider's retry of a call already recorded
        if session.block_id is not None:
            return _sell_paid_course(session, paid)
        key = "online:" + hashlib.sha256(paid.session_id.encode()).hexdigest()[:30]
        invoice = session.invoice
        if session.appointment_id is not None:
            # Asked at online booking: the visit's invoice if it has one by now, else
            # the patient's credit for the visit.
            invoice = invoice or _visit_invoice(session.appointment)
        # Paid meanwhile at the desk: the money is the patient's credit, not lost.
        still_owed = invoice is not None and services.due_on(invoice) > 0
        rows = services.record_payment(
            patient=session.patient or session.invoice.patient,
            invoice=invoice if still_owed else None,
            amount_pence=paid.amount_pence,
            method=PaymentMethod.ONLINE_CARD,
            reference=paid.session_id[:100],
            request_key=key,
        )
        if session.paid_at is None:
            session.paid_at = timezone.now()
            session.save(update_fields=["paid_at"])
    return rows


def _sell_paid_course(session: CheckoutSession, paid: Paid):
    """Inside ``record``'s transaction: the course bought online, and its payment."""
    if paid.amount_pence != session.amount_pence:
        raise Conflict("amount_mismatch", "The amount paid is not the course's price.")
    course = courses.sell(patient=session.patient, block=session.block)
    rows = services.record_payment(
        patient=session.patient,
        invoice=course.invoice,
        amount_pence=paid.amount_pence,
        method=PaymentMethod.ONLINE_CARD,
        reference=paid.session_id[:100],
    )
    session.invoice = course.invoice
    session.paid_at = timezone.now()
    session.save(update_fields=["invoice", "paid_at"])
    return rows


# A deposit or full payment at online booking -----------------------------------------
#
# An unpaid or abandoned checkout leaves the visit BOOKED, with the amount owed shown to
# the desk on the patient's account (``unpaid_at_booking``). We do not release the hold:
# the patient already has a confirmation email and a calendar entry for the visit, and
# Stripe tells us nothing when a patient simply closes the page, so releasing would mean
# cancelling, some time later, a visit the patient believes is booked. The desk takes
# the money at the visit (or chases it) instead.


def asked_at_booking(appointment) -> int:
    """The pence online booking asks for this visit now (0: nothing asked, or no
    payment provider set up)."""
    clinic = appointment.room.location.clinic
    chosen = services.settings_for(clinic)
    if not chosen.online_booking_pays or provider() is None:
        return 0
    if paid_at_booking(appointment):
        return 0
    price = services.visit_line(appointment)["amount_pence"]
    if chosen.online_booking_pays == OnlineBookingPays.DEPOSIT:
        price = min(chosen.online_deposit_pence, price)
    invoice = _visit_invoice(appointment)
    if invoice is not None:  # invoiced at booking: never more than it owes
        price = min(price, services.due_on(invoice))
    return max(price, 0)


def _visit_invoice(appointment) -> Invoice | None:
    return Invoice.objects.filter(
        appointment=appointment,
        purpose=InvoicePurpose.VISIT,
        kind=InvoiceKind.INVOICE,
        status=InvoiceStatus.ISSUED,
    ).first()


def start_visit(appointment, *, success_url: str, cancel_url: str) -> Started | None:
    """Send the patient who has just booked online to pay what the clinic asks (a
    deposit or the full price); None when nothing is asked."""
    amount = asked_at_booking(appointment)
    chosen = provider()
    if amount <= 0 or chosen is None:
        return None
    what = "Deposit" if amount < services.visit_line(appointment)["amount_pence"] else "Payment"
    day = format_datetime(appointment.start)
    try:
        started = chosen.start(
            reference=f"visit-{appointment.pk}",
            amount_pence=amount,
            description=f"{what}: {appointment.service.name}, {day}",
            success_url=success_url,
            cancel_url=cancel_url,
        )
    except Exception as exc:  # the provider down or refusing: the booking stands
        logger.exception("Online payment could not start for visit %s", appointment.pk)
        raise Conflict("payment_unavailable", "Online payment is not available just now.") from exc
    CheckoutSession.objects.create(
        appointment=appointment,
        patient=appointment.patient,
        invoice=_visit_invoice(appointment),
        provider=chosen.name,
        session_id=started.session_id,
        amount_pence=amount,
    )
    return started


def apply_paid_at_booking(invoice: Invoice) -> None:
    """The visit invoiced after the patient paid online at booking (kept as credit for
    it): that credit pays the invoice, as far as it goes."""
    sessions = CheckoutSession.objects.filter(
        appointment_id=invoice.appointment_id, paid_at__isnull=False, invoice__isnull=True
    )
    paid = sum(s.amount_pence for s in sessions)
    if invoice.appointment_id is None or not paid:
        return
    amount = min(paid, services.due_on(invoice), services.credit_available(invoice.patient))
    if amount > 0:
        services.record_payment(
            patient=invoice.patient,
            invoice=invoice,
            amount_pence=amount,
            method=PaymentMethod.ACCOUNT_CREDIT,
            reference="Paid online at booking",
        )
    sessions.update(invoice=invoice)


def paid_at_booking(appointment) -> bool:
    """Whether the payment asked at online booking has come through (the webhook)."""
    return CheckoutSession.objects.filter(appointment=appointment, paid_at__isnull=False).exists()


def unpaid_at_booking(patient) -> list[CheckoutSession]:
    """Payments asked at online booking and not completed, for visits still to come and
    not paid since: what the desk should take at the visit."""
    sessions = (
        CheckoutSession.objects.filter(
            patient=patient,
            appointment__isnull=False,
            appointment__start__gte=timezone.now() - timedelta(days=1),
            appointment__status__in=AppointmentStatus.active(),
        )
        .select_related("appointment__service")
        .order_by("appointment__start", "pk")
    )
    by_visit: dict[int, CheckoutSession] = {}
    paid: set[int] = set()
    for s in sessions:
        if s.paid_at is not None:
            paid.add(s.appointment_id)
        by_visit.setdefault(s.appointment_id, s)
    return [s for pk, s in by_visit.items() if pk not in paid]

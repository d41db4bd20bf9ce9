"""The waitlist: patients waiting for an earlier time, and offering them a time that
comes free.

When a booked visit is cancelled or moved, the booking service announces the freed time
after its transaction commits (``scheduling.signals.time_freed``). If anyone waits at that
location, ``receivers.offer_when_freed`` queues a background task (``tasks``) that runs
``offer_freed_time``: it takes the waiting entries in the order
they were added, keeps those the time suits (service, practitioner, weekday, time of
day, date, and earlier than the visit they already hold), asks the availability engine
whether the visit really fits each one (working time, turnover, room, the patient's own
visits, the clinic's online notice), and emails an offer to the first few
(``MAX_OFFERS``), all at once, through the outbox.

Each offer's link works once, until it expires. The first patient to accept books
through the booking service — a new visit, or their later one brought forward — inside
a transaction that locks the freed time's row, so two acceptances are settled one after
the other and the booking service's own lock stops any clash with the diary. Everyone
else who was offered it is emailed that it has gone; an offer still waiting in the
outbox when the time goes is cancelled, not sent.
"""

import hashlib
import logging
import secrets
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Location, Service
from acuclinic.core.errors import Conflict, InvalidRequest, NotFound, ServiceError
from acuclinic.core.formats import format_datetime
from acuclinic.notifications import services as notifications
from acuclinic.notifications.choices import MessageStatus
from acuclinic.notifications.models import Message
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling import queries, services
from acuclinic.scheduling.choices import AppointmentStatus, Channel
from acuclinic.scheduling.models import Appointment
from acuclinic.waitlist.choices import OfferStatus, WaitlistStatus
from acuclinic.waitlist.models import FreedTime, WaitlistEntry, WaitlistOffer

logger = logging.getLogger(__name__)

# Offered at once to at most this many, in waitlist order: enough that someone is
# likely to answer, few enough that most who hurry are not disappointed.
MAX_OFFERS = 5
OFFER_VALID = timedelta(hours=24)
# An offer that would expire sooner than this after it is made is not worth sending.
MIN_TIME_TO_ANSWER = timedelta(hours=1)
MAX_WAIT = timedelta(days=365)
OFFER_KIND, GONE_KIND = "waitlist_offer", "waitlist_gone"
ALL_DAYS = 0b1111111


class OfferUnusable(ServiceError):
    """The offer link cannot be used (unknown, answered, expired, or the time has gone)."""

    status = 409


# Staff: adding and removing entries ---------------------------------------------------


def weekday_mask(weekdays) -> int:
    days = {int(d) for d in weekdays}
    if not days:
        raise InvalidRequest(
            "no_weekdays", "Choose at least one day of the week.", field="weekdays"
        )
    if not days <= set(range(7)):
        raise InvalidRequest(
            "invalid_weekday", "Days of the week are 0 (Monday) to 6 (Sunday).", field="weekdays"
        )
    return sum(1 << d for d in days)


def entry_add(
    *,
    patient: Patient,
    service: Service,
    location: Location,
    weekdays,
    earliest: time,
    latest: time,
    until: date,
    practitioners=(),
    appointment: Appointment | None = None,
    notes: str = "",
    user=None,
    today: date | None = None,
) -> WaitlistEntry:
    """Put ``patient`` on the waitlist. All checks first; nothing is written on a refusal."""
    today = today or timezone.localdate()
    mask = weekday_mask(weekdays)
    if latest <= earliest:
        raise InvalidRequest(
            "window_reversed", "The latest time must be after the earliest.", field="latest"
        )
    if until < today:
        raise InvalidRequest("until_in_past", "Choose today or a later day.", field="until")
    if until > today + MAX_WAIT:
        raise InvalidRequest(
            "until_too_far", "A waitlist entry lasts at most a year.", field="until"
        )
    if not service.is_active:
        raise InvalidRequest(
            "service_inactive", "This service is no longer offered.", field="service"
        )
    if not location.is_active:
        raise InvalidRequest("location_closed", f"{location.name} is closed.", field="location")
    practitioners = list(practitioners)
    for practitioner in practitioners:
        services.check_practitioner(practitioner, service)
    if len(notes) > 200:
        raise InvalidRequest("notes_too_long", "Keep the notes to 200 characters.", field="notes")
    if appointment is not None:
        _check_held_visit(appointment, patient=patient, service=service, location=location)
    if not patient.email:
        raise InvalidRequest(
            "patient_has_no_email",
            f"Offers go by email, and {patient.full_name} has no email address. Add one first.",
            field="patient",
        )
    with transaction.atomic():
        if WaitlistEntry.objects.filter(
            patient=patient, service=service, location=location, status=WaitlistStatus.WAITING
        ).exists():
            raise Conflict(
                "already_waiting",
                f"{patient.full_name} is already waiting for {service.name} at {location.name}.",
            )
        entry = WaitlistEntry.objects.create(
            patient=patient,
            service=service,
            location=location,
            weekdays=mask,
            earliest=earliest,
            latest=latest,
            until=until,
            appointment=appointment,
            notes=notes,
            created_by=user if getattr(user, "pk", None) else None,
        )
        entry.practitioners.set(practitioners)
        audit.record(AuditAction.CREATE, entry, detail="added to the waitlist")
    return entry


def _check_held_visit(appointment, *, patient, service, location) -> None:
    if appointment.patient_id != patient.pk:
        raise InvalidRequest(
            "appointment_not_theirs", "That appointment is another patient's.", field="appointment"
        )
    if appointment.status != AppointmentStatus.BOOKED or appointment.start <= timezone.now():
        raise InvalidRequest(
            "appointment_not_upcoming",
            "Only a booked appointment still to come can be brought forward.",
            field="appointment",
        )
    if appointment.service_id != service.pk or appointment.room.location_id != location.pk:
        raise InvalidRequest(
            "appointment_mismatch",
            "The appointment to bring forward must be for the same service and location.",
            field="appointment",
        )


def entry_remove(entry: WaitlistEntry, *, user=None) -> WaitlistEntry:
    with transaction.atomic():
        locked = WaitlistEntry.objects.select_for_update().get(pk=entry.pk)
        if locked.status != WaitlistStatus.WAITING:
            raise Conflict(
                "not_waiting", f"This entry is already {locked.get_status_display().lower()}."
            )
        locked.status = WaitlistStatus.REMOVED
        locked.ended_at = timezone.now()
        locked.save()
        audit.record(AuditAction.CHANGE, locked, changed_fields=["status"], detail="removed")
    return locked


def waiting(*, today: date | None = None):
    today = today or timezone.localdate()
    return WaitlistEntry.objects.filter(status=WaitlistStatus.WAITING, until__gte=today)


# A time comes free --------------------------------------------------------------------


def suits(
    entry: WaitlistEntry, *, practitioner_id: int, start: datetime, end: datetime, tz
) -> bool:
    """Whether the freed time is one ``entry`` is waiting for (the engine checks the rest)."""
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    allowed = {p.pk for p in entry.practitioners.all()}
    return (
        (not allowed or practitioner_id in allowed)
        and entry.takes_weekday(local_start.weekday())
        and entry.earliest <= local_start.time()
        and local_start.date() == local_end.date()
        and local_end.time() <= entry.latest
        and local_start.date() <= entry.until
        and (
            entry.appointment is None
            or entry.appointment.status != AppointmentStatus.BOOKED
            or start < entry.appointment.start
        )
    )


def public_link(path: str) -> str:
    """An absolute link for an email sent by the worker (no request to take a host from)."""
    base = getattr(settings, "ACUCLINIC_PUBLIC_URL", "http://localhost:8000").rstrip("/")
    return base + path


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def offer_freed_time(
    *,
    practitioner: Practitioner,
    location: Location,
    start: datetime,
    end: datetime,
    now: datetime | None = None,
    link_for: Callable[[str], str] = public_link,
) -> list[WaitlistOffer]:
    """Offer the freed time to the waiting patients it suits, in waitlist order."""
    now = now or timezone.now()
    tz = location.tz
    day = start.astimezone(tz).date()
    notice = timedelta(hours=location.clinic.min_booking_notice_hours)
    expires_at = min(now + OFFER_VALID, start - notice)
    if expires_at - now < MIN_TIME_TO_ANSWER:
        return []
    entries = (
        waiting(today=day)
        .filter(location=location)
        .select_related("patient", "service", "appointment")
        .prefetch_related("practitioners")
        .order_by("created_at", "id")
    )
    with transaction.atomic():
        freed = FreedTime.objects.filter(
            practitioner=practitioner, start=start, taken_at__isnull=True
        ).first()
        already = set(freed.offers.values_list("entry_id", flat=True)) if freed else set()
        made = []
        for position, entry in enumerate(entries, start=1):
            if len(made) + len(already) >= MAX_OFFERS:
                break
            if entry.pk in already or not entry.patient.email:
                continue
            if not suits(entry, practitioner_id=practitioner.pk, start=start, end=end, tz=tz):
                continue
            slot = _visit_at(entry, practitioner=practitioner, start=start, now=now)
            if slot is None:
                continue
            if freed is None:
                freed = FreedTime.objects.create(
                    practitioner=practitioner, location=location, start=start, end=end
                )
            made.append(
                _make_offer(freed, entry, slot, position, expires_at=expires_at, link_for=link_for)
            )
    return made


def _visit_at(entry: WaitlistEntry, *, practitioner, start: datetime, now: datetime):
    """The visit ``entry`` would get at ``start`` with ``practitioner``, if it fits."""
    found = queries.find_slots(
        service=entry.service,
        location=entry.location,
        first_day=start.astimezone(entry.location.tz).date(),
        last_day=start.astimezone(entry.location.tz).date(),
        practitioner=practitioner,
        patient=entry.patient,
        ignore=entry.appointment,
        online=True,
        now=now,
    )
    return next((s for s in found if s.start == start), None)


def _make_offer(freed, entry, slot, position, *, expires_at, link_for) -> WaitlistOffer:
    token = secrets.token_urlsafe(32)
    offer = WaitlistOffer.objects.create(
        freed=freed,
        entry=entry,
        position=position,
        practitioner=slot.practitioner,
        room=slot.room,
        service=entry.service,
        start=slot.start,
        end=slot.end,
        token_digest=_digest(token),
        expires_at=expires_at,
    )
    audit.record(AuditAction.CREATE, offer, detail=f"waitlist offer, place {position}")
    context = _email_context(offer, link=link_for(reverse("waitlist_offer", args=[token])))
    notifications.send(
        kind=OFFER_KIND,
        to=entry.patient.email,
        subject=f"An earlier appointment: {context['when']}",
        body=render_to_string("waitlist/email/offer.txt", context).strip() + "\n",
        about=entry.patient,
        dedupe_key=f"waitlist-offer:{offer.pk}",
        reply_to=context["clinic"].email,
    )
    return offer


def _email_context(offer: WaitlistOffer, **extra) -> dict:
    location = offer.entry.location
    return {
        "name": offer.entry.patient.preferred_name or offer.entry.patient.given_name,
        "clinic": location.clinic,
        "location": location,
        "service": offer.service.name,
        "practitioner": offer.practitioner.name,
        "when": format_datetime(offer.start, location.tz),
        "expires": format_datetime(offer.expires_at, location.tz),
        "held": offer.entry.appointment
        if offer.entry.appointment and offer.entry.appointment.status == AppointmentStatus.BOOKED
        else None,
        "held_when": format_datetime(offer.entry.appointment.start, location.tz)
        if offer.entry.appointment
        else "",
        "phone": location.phone or location.clinic.phone,
        **extra,
    }


# The patient answers ------------------------------------------------------------------

UNKNOWN = "This offer link is not recognised. Check that the whole link was copied from the email."
ANSWERED = "You have already answered this offer."
EXPIRED = "This offer has expired, so the time may have gone to someone else."
GONE = "Sorry: someone else accepted this time first. You are still on the waitlist."
NO_LONGER_WAITING = "You are no longer on the waitlist for this, so the offer has closed."


def offer_open(token: str, *, now: datetime | None = None, lock: bool = False) -> WaitlistOffer:
    """The offer behind a link, if it can still be answered; OfferUnusable says why not."""
    now = now or timezone.now()
    offers = WaitlistOffer.objects.select_related(
        "freed",
        "entry__patient",
        "entry__location__clinic",
        "service",
        "practitioner__user",
        "room",
    )
    if lock:
        offers = offers.select_for_update(of=("self",))
    offer = offers.filter(token_digest=_digest(token or "")).first()
    if offer is None:
        raise NotFound("offer_unknown", UNKNOWN)
    taken = offer.freed.taken_at is not None and offer.status == OfferStatus.OFFERED
    if offer.status == OfferStatus.GONE or taken:
        raise OfferUnusable("offer_gone", GONE, extra={"offer": offer})
    if offer.status != OfferStatus.OFFERED:
        raise OfferUnusable("offer_used", ANSWERED, extra={"offer": offer})
    if now >= offer.expires_at:
        raise OfferUnusable("offer_expired", EXPIRED, extra={"offer": offer})
    if offer.entry.status != WaitlistStatus.WAITING:
        raise OfferUnusable("no_longer_waiting", NO_LONGER_WAITING, extra={"offer": offer})
    return offer


def offer_accept(token: str, *, now: datetime | None = None) -> Appointment:
    """The patient takes the offered time: booked (or their later visit brought forward)
    if nobody took it first. Raises OfferUnusable: "offer_gone" if somebody did, or
    "offer_not_bookable" if the booking service refuses it for this patient alone (the
    time then stays on offer to the others)."""
    now = now or timezone.now()
    with transaction.atomic():
        first_look = offer_open(token, now=now)
        # The freed time's row is locked before any offer's, by every acceptance, so two
        # patients accepting at once queue here (SQLite's transaction already holds the
        # write lock) and the second finds the time taken.
        freed = FreedTime.objects.select_for_update().get(pk=first_look.freed_id)
        offer = offer_open(token, now=now, lock=True)
        appointment, refusal = _book_offer(offer)
        if refusal is not None and refusal.code not in TIME_GONE:
            _answer(offer, OfferStatus.GONE, now=now)
        else:
            _close(freed, winner=offer, appointment=appointment, now=now)
        if appointment is not None:
            entry = offer.entry
            entry.status, entry.ended_at, entry.booked = WaitlistStatus.BOOKED, now, appointment
            entry.save()
            audit.record(AuditAction.CHANGE, entry, changed_fields=["status"], detail="booked")
    if refusal is not None and refusal.code not in TIME_GONE:
        raise OfferUnusable(
            "offer_not_bookable",
            f"We could not book this time for you: {refusal.message} Please phone us.",
            extra={"offer": offer},
        )
    if appointment is None:
        raise OfferUnusable("offer_gone", GONE, extra={"offer": offer})
    return appointment


# The booking service's refusals that mean the time itself has gone (not that it does not
# suit this one patient).
TIME_GONE = {"practitioner_busy", "room_busy", "slot_taken", "room_closed", "practitioner_away"}


def _book_offer(offer: WaitlistOffer) -> tuple[Appointment | None, ServiceError | None]:
    """Book (or bring forward) the offered visit, or say why the booking service refused."""
    entry = offer.entry
    held = entry.appointment
    try:
        if (
            held is not None
            and held.status == AppointmentStatus.BOOKED
            and offer.start < held.start
        ):
            moved = services.appointment_move(
                held, start=offer.start, practitioner=offer.practitioner, room=offer.room
            )
            return moved, None
        booked = services.appointment_book(
            patient=entry.patient,
            practitioner=offer.practitioner,
            room=offer.room,
            service=offer.service,
            start=offer.start,
            channel=Channel.WEB,
            notes="Booked from the waitlist.",
        )
        return booked, None
    except ServiceError as exc:
        logger.info("Waitlist offer %s could not be booked: %s", offer.pk, exc.message)
        return None, exc


def _answer(offer: WaitlistOffer, status: str, *, now: datetime) -> None:
    offer.status, offer.responded_at = status, now
    offer.save(update_fields=["status", "appointment", "responded_at"])
    audit.record(AuditAction.CHANGE, offer, changed_fields=["status"], detail=status)


def _close(
    freed: FreedTime, *, winner: WaitlistOffer, appointment: Appointment | None, now: datetime
) -> None:
    """The freed time is taken: by the winner, or (``appointment`` None) through the diary
    before the winner's booking went through. Everyone else offered it is told."""
    freed.taken_at = now
    freed.save(update_fields=["taken_at"])
    winner.appointment = appointment
    _answer(winner, OfferStatus.ACCEPTED if appointment else OfferStatus.GONE, now=now)
    others = (
        freed.offers.filter(status=OfferStatus.OFFERED)
        .exclude(pk=winner.pk)
        .select_related(
            "entry__patient", "entry__location__clinic", "service", "practitioner__user"
        )
    )
    for offer in others:
        offer.status, offer.responded_at = OfferStatus.GONE, now
        offer.save(update_fields=["status", "responded_at"])
        _tell_gone(offer)


def _tell_gone(offer: WaitlistOffer) -> None:
    context = _email_context(offer)
    notifications.send(
        kind=GONE_KIND,
        to=offer.entry.patient.email,
        subject=f"The appointment on {context['when']} has gone",
        body=render_to_string("waitlist/email/gone.txt", context).strip() + "\n",
        about=offer.entry.patient,
        dedupe_key=f"waitlist-gone:{offer.pk}",
        reply_to=context["clinic"].email,
    )


def offer_decline(token: str, *, now: datetime | None = None) -> WaitlistOffer:
    """No thanks: the patient stays on the waitlist for another time."""
    now = now or timezone.now()
    with transaction.atomic():
        offer = offer_open(token, now=now, lock=True)
        offer.status, offer.responded_at = OfferStatus.DECLINED, now
        offer.save(update_fields=["status", "responded_at"])
        audit.record(AuditAction.CHANGE, offer, changed_fields=["status"], detail="declined")
    return offer


# The outbox asks before each attempt ----------------------------------------------------


def _offer_of(message: Message) -> WaitlistOffer | None:
    _, _, pk = message.dedupe_key.rpartition(":")
    return (
        WaitlistOffer.objects.select_related("freed").filter(pk=int(pk)).first()
        if pk.isdigit()
        else None
    )


def reason_not_to_send(message: Message) -> str:
    """An offer is not sent once its time has gone or it was answered or expired."""
    offer = _offer_of(message)
    if offer is None:
        return "The offer no longer exists."
    if offer.status != OfferStatus.OFFERED or offer.freed.taken_at is not None:
        return "The time was taken before this offer went."
    booked = (
        Appointment.objects.active()
        .holding(offer.start, offer.end)
        .filter(practitioner=offer.practitioner_id)
        .exists()
    )
    if booked:
        return "The time was booked through the diary before this offer went."
    if timezone.now() >= offer.expires_at:
        return "The offer expired before it could be sent."
    return ""


def gone_still_wanted(message: Message) -> str:
    """ "It's gone" only to those whose offer actually went."""
    offer = _offer_of(message)
    if offer is None:
        return "The offer no longer exists."
    sent = Message.objects.filter(
        kind=OFFER_KIND, dedupe_key=f"waitlist-offer:{offer.pk}", status=MessageStatus.SENT
    ).exists()
    return "" if sent else "The offer itself was never sent."

"""Online self-booking: the free times a patient may choose, finding their record
safely, and booking through the same service as the front desk.

**Finding the record without revealing it.** A returning patient is recognised by date
of birth, family name and email or mobile, compared normalised (case, accents, spaces,
hyphens and apostrophes in names; any layout of a UK number). The match is *confident*
only when exactly one record fits and the email typed is that record's own email:
everything the booking sends (confirmation, questionnaire link, cancel link) goes by
email, so nothing about a record ever goes to an address it does not already have.
Anything less (the mobile fits but the email is new, or two records fit) books under a
new record flagged for reception to check against the possible matches. The person
booking sees the same pages and the same email either way, and nothing typed on a web
form ever changes an existing record.

**Booking** goes through ``services.appointment_book`` (channel "web"), so the same
checks and the same lock apply as at the desk: a time taken between choosing and
confirming is refused, and the person is offered the nearest free times instead, under
the clinic's online rules (minimum notice, how far ahead).
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core import signing
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Location, Service
from acuclinic.core.errors import Conflict, InvalidRequest, NotFound
from acuclinic.core.formats import format_datetime
from acuclinic.online_booking import emails as online_emails
from acuclinic.online_booking.choices import PatientMatch
from acuclinic.online_booking.models import OnlineBooking
from acuclinic.online_booking.ratelimit import Limit
from acuclinic.people import services as people_services
from acuclinic.people.choices import Sex
from acuclinic.people.models import Patient, Practitioner
from acuclinic.people.phone import national_digits
from acuclinic.scheduling import queries, services, slots
from acuclinic.scheduling.choices import CancelledBy, Channel
from acuclinic.scheduling.models import Appointment
from acuclinic.scheduling.queries import FreeSlot

# The public pages show a week of times at a time.
WEEK = 7
ALTERNATIVES = 3
# Per connection and per email: a family may book a few visits; a script may not.
BOOKING_LIMITS = (
    Limit("online_booking:address", allowed=10, window=timedelta(hours=1)),
    Limit("online_booking:email", allowed=4, window=timedelta(days=1)),
)
# The contact form, which lands in the enquiry inbox: fewer, as nobody needs many.
CONTACT_LIMITS = (
    Limit("enquiry:address", allowed=5, window=timedelta(hours=1)),
    Limit("enquiry:email", allowed=3, window=timedelta(days=1)),
)

DONE_SALT = "acuclinic.online.booked"
DONE_MAX_AGE = timedelta(hours=2)
MANAGE_SALT = "acuclinic.online.manage"
# Longer than anyone can book ahead; the link also stops once the visit has started.
MANAGE_MAX_AGE = timedelta(days=800)


class SlotGone(Conflict):
    """The chosen time is no longer free; ``alternatives`` are the nearest that are."""

    def __init__(self, alternatives: list[FreeSlot]):
        super().__init__(
            "slot_taken",
            "Sorry, that time has just been taken. Please choose another.",
            extra={"alternatives": [a.as_json() for a in alternatives]},
        )
        self.alternatives = alternatives


@dataclass(frozen=True)
class Choice:
    """What the person picked: a service at a location, with someone (None: anyone),
    starting at ``start``."""

    service: Service
    location: Location
    practitioner: Practitioner | None
    start: datetime

    @property
    def day(self) -> date:
        return self.start.astimezone(self.location.tz).date()


@dataclass(frozen=True)
class Details:
    """Who is booking, as typed on the form."""

    given_name: str
    family_name: str
    date_of_birth: date
    email: str
    phone: str = ""
    condition: str = ""
    wants_contact: bool = False


@dataclass(frozen=True)
class Match:
    patient: Patient | None
    outcome: str
    candidates: list[Patient] = field(default_factory=list)


# The services and times on offer ------------------------------------------------------


def bookable_services():
    return Service.objects.filter(is_active=True, bookable_online=True).order_by("name")


def bookable_locations():
    return Location.objects.filter(is_active=True).select_related("clinic").order_by("name")


def is_first_visit(service: Service) -> bool:
    """A first appointment (assessment, with acupuncture where suitable), as opposed to a
    follow-up in a course already started."""
    return service.first_visit or service.modality == "assessment"


def check_service(service: Service) -> None:
    if not service.is_active or not service.bookable_online:
        raise InvalidRequest(
            "not_bookable_online",
            f"{service.name} cannot be booked online. Please phone us to book it.",
            field="service",
        )


def free_times(
    *,
    service: Service,
    location: Location,
    practitioner: Practitioner | None,
    first_day: date,
    days: int = WEEK,
    now: datetime | None = None,
) -> list[FreeSlot]:
    """Free times on ``days`` days from ``first_day`` under the clinic's online rules.
    For "anyone", one per start time: the first practitioner free then."""
    check_service(service)
    found = queries.find_slots(
        service=service,
        location=location,
        first_day=first_day,
        last_day=first_day + timedelta(days=days - 1),
        practitioner=practitioner,
        online=True,
        now=now,
    )
    if practitioner is not None:
        return found
    seen, distinct = set(), []
    for slot in found:
        if slot.start not in seen:
            seen.add(slot.start)
            distinct.append(slot)
    return distinct


def practitioners_at(service: Service, location: Location) -> list[Practitioner]:
    """Whom a patient may ask for: working at ``location`` now or later, qualified in
    the acupuncture ``service`` may include and, when it needles, with the credentials
    (and the council's registration there, if it asks for one) on some day that can be
    booked online."""
    today = timezone.localdate()
    working = (
        Practitioner.objects.filter(is_active=True, working_patterns__location=location)
        .filter(
            Q(working_patterns__valid_until__isnull=True)
            | Q(working_patterns__valid_until__gte=today)
        )
        .select_related("user")
        .prefetch_related("credentials")
        .distinct()
    )
    qualified = [p for p in working if p.is_qualified_for(service.needling)]
    if not service.needling:
        return qualified
    window = booking_window(location)
    first, last = (m.astimezone(location.tz).date() for m in (window.earliest, window.latest))
    return [p for p in qualified if p.may_needle_between(first, last, location)]


def booking_window(location: Location, now: datetime | None = None) -> queries.BookingWindow:
    return queries.booking_window(location.clinic, now=now or timezone.now(), online=True)


def check_choice(choice: Choice, *, now: datetime) -> None:
    """The choice keeps the online rules: a service offered online, and a start after
    the minimum notice and before booking closes."""
    check_service(choice.service)
    if not choice.location.is_active:
        raise InvalidRequest("location_closed", f"{choice.location.name} is closed.")
    window = booking_window(choice.location, now)
    tz = choice.location.tz
    if choice.start < now:
        raise InvalidRequest(
            "in_the_past",
            f"{format_datetime(choice.start, tz)} has already passed. Please choose another time.",
            field="start",
        )
    if choice.start < window.earliest:
        raise InvalidRequest(
            "too_soon",
            f"Online bookings need {choice.location.clinic.min_booking_notice_hours} hours' "
            f"notice, so {format_datetime(choice.start, tz)} is too soon. Please choose a "
            "later time, or phone us.",
            field="start",
        )
    if choice.start > window.latest:
        raise InvalidRequest(
            "too_far_ahead",
            f"Online booking opens {choice.location.clinic.booking_horizon_days} days ahead; "
            f"{format_datetime(choice.start, tz)} is further than that.",
            field="start",
        )


def free_slot_for(choice: Choice, *, patient: Patient | None, now: datetime) -> FreeSlot | None:
    """The free visit at exactly the chosen time (with anyone free then, for "anyone")."""
    found = queries.find_slots(
        service=choice.service,
        location=choice.location,
        first_day=choice.day,
        last_day=choice.day,
        practitioner=choice.practitioner,
        patient=patient,
        online=True,
        now=now,
    )
    return next((s for s in found if s.start == choice.start), None)


def alternatives(choice: Choice, *, patient: Patient | None, now: datetime) -> list[FreeSlot]:
    """The nearest free times a patient may book online: with the practitioner chosen
    first, then anyone, one per time; the same day or, failing that, three days around."""
    wanted_id = choice.practitioner.pk if choice.practitioner is not None else None
    for spread in (0, 3):
        found = queries.find_slots(
            service=choice.service,
            location=choice.location,
            first_day=choice.day - timedelta(days=spread),
            last_day=choice.day + timedelta(days=spread),
            patient=patient,
            online=True,
            now=now,
        )
        by_key = {(f.start, f.practitioner.pk): f for f in found}
        engine = [slots.Slot(f.start, f.practitioner.pk, f.room.pk, f.end) for f in found]
        chosen = slots.nearest(engine, choice.start, practitioner_id=wanted_id, limit=ALTERNATIVES)
        if chosen:
            return [by_key[(s.start, s.practitioner_id)] for s in chosen]
    return []


# Finding the patient's record ---------------------------------------------------------


def normal_name(text: str) -> str:
    """'O’Brien-Smith ' and 'obrien smith' are the same name; so are 'Zoë' and 'Zoe'."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^\w]|_", "", letters.casefold())


def normal_email(text: str) -> str:
    return (text or "").strip().lower()


def find_patient(details: Details) -> Match:
    """The existing record this person is, if that is certain; see the module's notes."""
    family = normal_name(details.family_name)
    email = normal_email(details.email)
    mobile = national_digits(details.phone)
    candidates = []
    same_email = []
    for patient in Patient.objects.filter(date_of_birth=details.date_of_birth).order_by("pk"):
        if normal_name(patient.family_name) != family:
            continue
        email_fits = bool(email) and normal_email(patient.email) == email
        mobile_fits = bool(mobile) and patient.phone_digits == mobile
        if email_fits or mobile_fits:
            candidates.append(patient)
        if email_fits:
            same_email.append(patient)
    if len(candidates) == 1 and same_email:
        return Match(patient=candidates[0], outcome=PatientMatch.MATCHED)
    if candidates:
        return Match(patient=None, outcome=PatientMatch.POSSIBLE_DUPLICATE, candidates=candidates)
    return Match(patient=None, outcome=PatientMatch.NEW)


def _new_patient(details: Details) -> Patient:
    contact = details.wants_contact
    return people_services.patient_create(
        given_name=details.given_name.strip(),
        family_name=details.family_name.strip(),
        date_of_birth=details.date_of_birth,
        sex=Sex.UNKNOWN,
        email=details.email.strip(),
        phone=details.phone.strip(),
        contact_by_email=contact,
        contact_by_sms=contact and bool(details.phone.strip()),
        contact_by_phone=contact,
        appointment_reminders=contact,
    )


FRONT_DESK_NOTE = {
    PatientMatch.MATCHED: "Booked online.",
    PatientMatch.NEW: "Booked online as a new patient: please check their details.",
    PatientMatch.POSSIBLE_DUPLICATE: (
        "Booked online under a new record that may be a returning patient: check it "
        "against the possible matches (Enquiries → New patients to check)."
    ),
}


# Booking ------------------------------------------------------------------------------


def book(
    *, choice: Choice, details: Details, link_for: Callable[[str], str], now: datetime | None = None
) -> OnlineBooking:
    """Book ``choice`` for the person in ``details``, all or nothing: the record (found
    or new), the appointment, the note of what was typed and the confirmation email.

    ``link_for(path)`` makes the absolute links the email carries. Raises SlotGone, with
    the nearest alternatives, if the time is no longer free.
    """
    now = now or timezone.now()
    check_choice(choice, now=now)
    match = find_patient(details)
    with transaction.atomic():
        free = free_slot_for(choice, patient=match.patient, now=now)
        if free is None:
            raise SlotGone(alternatives(choice, patient=match.patient, now=now))
        patient = match.patient or _new_patient(details)
        try:
            appointment = services.appointment_book(
                patient=patient,
                practitioner=free.practitioner,
                room=free.room,
                service=choice.service,
                start=free.start,
                channel=Channel.WEB,
                notes=FRONT_DESK_NOTE[match.outcome],
            )
        except Conflict as exc:
            # Taken in the moment between the look and the lock.
            raise SlotGone(alternatives(choice, patient=match.patient, now=now)) from exc
        booking = OnlineBooking.objects.create(
            appointment=appointment,
            given_name=details.given_name.strip(),
            family_name=details.family_name.strip(),
            date_of_birth=details.date_of_birth,
            email=details.email.strip(),
            phone=details.phone.strip(),
            condition=details.condition,
            wants_contact=details.wants_contact,
            match=match.outcome,
        )
        booking.possible_matches.set(match.candidates)
        audit.record(AuditAction.CREATE, booking, detail=f"online booking: {match.outcome}")
        online_emails.send_confirmation(
            booking,
            greeting_name=details.given_name.strip(),
            manage_link=link_for(manage_path(appointment)),
            link_for=link_for,
        )
    return booking


# Links the patient holds --------------------------------------------------------------


def done_token(appointment: Appointment) -> str:
    """For the "you are booked" page straight after booking (short-lived)."""
    return signing.dumps(appointment.pk, salt=DONE_SALT)


def manage_token(appointment: Appointment) -> str:
    """For the link in the confirmation email that lets the patient cancel. It names the
    visit as it was booked (when, and with whom): once the visit is moved or given to
    another practitioner the link is refused, and it ends a day after the visit."""
    return signing.dumps([appointment.pk, *_visit_as_booked(appointment)], salt=MANAGE_SALT)


def _visit_as_booked(appointment: Appointment) -> list[int]:
    return [int(appointment.start.timestamp()), appointment.practitioner_id]


# A manage link still opens this long after the visit ended (to see it was kept).
MANAGE_AFTER_VISIT = timedelta(days=1)
LINK_CHANGED = (
    "This link is for a visit that has since been changed, or has passed. The clinic "
    "sends a new link when it moves a visit; or phone us."
)


def manage_path(appointment: Appointment) -> str:
    from django.urls import reverse

    return reverse("online_manage", args=[manage_token(appointment)])


UNKNOWN_LINK = (
    "This link is not recognised or has expired. Check that the whole link was copied "
    "from the email, or phone us."
)


def _appointment_from(token: str, *, salt: str, max_age: timedelta) -> Appointment:
    try:
        pk = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature as exc:  # SignatureExpired is one too
        raise NotFound("link_unknown", UNKNOWN_LINK) from exc
    return _appointment(pk)


def _appointment(pk) -> Appointment:
    appointment = (
        Appointment.objects.for_diary()
        .select_related("room__location__clinic")
        .filter(pk=pk)
        .first()
    )
    if appointment is None:
        raise NotFound("link_unknown", UNKNOWN_LINK)
    return appointment


def booked_appointment(token: str) -> Appointment:
    return _appointment_from(token, salt=DONE_SALT, max_age=DONE_MAX_AGE)


def managed_appointment(token: str, *, now: datetime | None = None) -> Appointment:
    try:
        payload = signing.loads(token, salt=MANAGE_SALT, max_age=MANAGE_MAX_AGE)
    except signing.BadSignature as exc:
        raise NotFound("link_unknown", UNKNOWN_LINK) from exc
    # Links made before they named the visit (a bare id) are no longer honoured.
    if not isinstance(payload, list) or len(payload) != 3:
        raise NotFound("link_unknown", UNKNOWN_LINK)
    appointment = _appointment(payload[0])
    now = now or timezone.now()
    if payload[1:] != _visit_as_booked(appointment) or now > appointment.end + MANAGE_AFTER_VISIT:
        raise NotFound("link_changed", LINK_CHANGED)
    return appointment


@dataclass(frozen=True)
class Cancellable:
    allowed: bool
    reason: str = ""
    late: bool = False  # cancelling now is a late cancellation: the patient confirms first


def can_cancel_online(appointment: Appointment, *, now: datetime) -> Cancellable:
    """The clinic's one rule (scheduling.patient_change), as the manage link says it:
    patients cancel until the visit starts; inside the notice period it counts as late
    and they confirm that first."""
    verdict = services.patient_change(appointment, now=now)
    return Cancellable(verdict.may_cancel, verdict.cancel_refusal, verdict.late)


def cancel(
    appointment: Appointment, *, warned_late: bool = False, now: datetime | None = None
) -> Appointment:
    """The patient cancels through the link in their email. Inside the notice period only
    once the page has told them it is a late cancellation (``warned_late``)."""
    now = now or timezone.now()
    verdict = can_cancel_online(appointment, now=now)
    if not verdict.allowed:
        raise Conflict("not_cancellable", verdict.reason)
    if verdict.late and not warned_late:
        hours = appointment.room.location.clinic.cancellation_notice_hours
        raise Conflict(
            "late_cancellation_not_confirmed",
            f"Your appointment is now less than {hours} hours away, so cancelling it counts "
            "as a late cancellation. Nothing has been cancelled yet: please confirm again "
            "if you still want to cancel.",
        )
    with transaction.atomic():
        cancelled = services.appointment_cancel(
            appointment,
            reason="Cancelled online by the patient",
            cancelled_by=CancelledBy.PATIENT,
            now=now,
        )
        online_emails.send_cancellation(cancelled)
    return cancelled


# Reception checks the records online bookings made ------------------------------------


def to_check():
    """Online bookings that made a new record, not yet checked by reception."""
    return (
        OnlineBooking.objects.exclude(match=PatientMatch.MATCHED)
        .filter(checked_at__isnull=True)
        .select_related(
            "appointment__patient", "appointment__service", "appointment__room__location"
        )
        # As a list on each booking (``matches``): a related manager per booking costs
        # a queryset built for each of the 200 rows the page lists, half its time.
        .prefetch_related(Prefetch("possible_matches", to_attr="matches"))
        .order_by("created_at", "id")
    )


def booking_checked(booking: OnlineBooking, *, user, note: str = "") -> OnlineBooking:
    """Reception has checked the new record (and merged or corrected it by hand)."""
    if len(note) > 200:
        raise InvalidRequest("note_too_long", "Keep the note to 200 characters.", field="note")
    with transaction.atomic():
        locked = OnlineBooking.objects.select_for_update().get(pk=booking.pk)
        if locked.match == PatientMatch.MATCHED:
            raise Conflict("nothing_to_check", "This booking found the patient's own record.")
        if locked.checked_at is not None:
            raise Conflict("already_checked", "This booking has already been checked.")
        locked.checked_at, locked.checked_by, locked.check_note = timezone.now(), user, note
        locked.save(update_fields=["checked_at", "checked_by", "check_note"])
        audit.record(AuditAction.CHANGE, locked, changed_fields=["checked_at"], detail="checked")
    return locked

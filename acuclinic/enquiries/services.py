"""The enquiry inbox: every way people get in touch, in one list for reception.

The web form lands here directly (``enquiry_receive_web``, behind the same bot checks
and rate limits as online booking); phone calls and emails are entered by staff
(``enquiry_record``). Each enquiry is new, replied, booked or closed. "Booked" is only
ever set by booking from the enquiry (``enquiry_book``), in the same transaction as the
appointment, so a booked enquiry always names its appointment.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.enquiries.choices import EnquiryChannel, EnquiryStatus, Topic
from acuclinic.enquiries.models import Enquiry
from acuclinic.people import services as people_services
from acuclinic.people.models import Patient
from acuclinic.people.phone import national_digits
from acuclinic.scheduling import services
from acuclinic.scheduling.choices import Channel
from acuclinic.scheduling.models import Appointment

NAME_MAX = 120
MESSAGE_MAX = 2000
NOTES_MAX = 4000
# How the booking records where it came from.
BOOKED_BY = {
    EnquiryChannel.PHONE: Channel.PHONE,
    EnquiryChannel.EMAIL: Channel.EMAIL,
    EnquiryChannel.WEB: Channel.WEB,
}
# Statuses staff set by hand; "booked" comes with a booking.
HAND_SET = (EnquiryStatus.NEW, EnquiryStatus.REPLIED, EnquiryStatus.CLOSED)


def _clean(*, name: str, email: str, phone: str, message: str, condition: str) -> dict[str, str]:
    name, email, phone, message = (
        (name or "").strip(),
        (email or "").strip(),
        (phone or "").strip(),
        (message or "").strip(),
    )
    if not name:
        raise InvalidRequest("name_required", "Give the person's name.", field="name")
    if len(name) > NAME_MAX:
        raise InvalidRequest(
            "name_too_long", f"Keep the name to {NAME_MAX} characters.", field="name"
        )
    if email:
        try:
            validate_email(email)
        except ValidationError as exc:
            raise InvalidRequest(
                "invalid_email", f"“{email}” is not an email address.", field="email"
            ) from exc
    if len(phone) > 30:
        raise InvalidRequest("invalid_phone", "That is not a phone number.", field="phone")
    if not email and not phone:
        raise InvalidRequest(
            "no_contact_details",
            "Give an email address or a phone number, so the clinic can reply.",
            field="email",
        )
    if not message:
        raise InvalidRequest(
            "message_required", "Write what the enquiry is about.", field="message"
        )
    if len(message) > MESSAGE_MAX:
        raise InvalidRequest(
            "message_too_long", f"Keep the message to {MESSAGE_MAX} characters.", field="message"
        )
    if condition and condition not in Topic.values:
        raise InvalidRequest(
            "invalid_condition", "Choose one of the conditions.", field="condition"
        )
    return {"name": name, "email": email, "phone": phone, "message": message}


def enquiry_receive_web(
    *, name: str, email: str = "", phone: str = "", message: str, condition: str = "", now=None
) -> Enquiry:
    """A message sent through the public contact form."""
    fields = _clean(name=name, email=email, phone=phone, message=message, condition=condition)
    with transaction.atomic():
        enquiry = Enquiry.objects.create(
            channel=EnquiryChannel.WEB,
            condition=condition,
            received_at=now or timezone.now(),
            **fields,
        )
        audit.record(AuditAction.CREATE, enquiry, detail="web enquiry")
    return enquiry


def enquiry_record(
    *,
    channel: str,
    name: str,
    email: str = "",
    phone: str = "",
    message: str,
    condition: str = "",
    received_at: datetime | None = None,
    user,
) -> Enquiry:
    """A phone call or an email, entered by the member of staff who took it."""
    if channel not in (EnquiryChannel.PHONE, EnquiryChannel.EMAIL):
        raise InvalidRequest(
            "invalid_channel",
            "Staff enter phone and email enquiries; web ones arrive by themselves.",
            field="channel",
        )
    now = timezone.now()
    received_at = received_at or now
    if timezone.is_naive(received_at):
        raise InvalidRequest(
            "naive_datetime", "Give the time with its time zone.", field="received_at"
        )
    if received_at > now + timedelta(minutes=5):
        raise InvalidRequest(
            "received_in_future", "An enquiry cannot arrive in the future.", field="received_at"
        )
    if received_at < now - timedelta(days=365):
        raise InvalidRequest(
            "received_too_long_ago",
            "Enter enquiries from the last year only.",
            field="received_at",
        )
    fields = _clean(name=name, email=email, phone=phone, message=message, condition=condition)
    with transaction.atomic():
        enquiry = Enquiry.objects.create(
            channel=channel,
            condition=condition,
            received_at=received_at,
            handled_by=user,
            created_by=user,
            **fields,
        )
        audit.record(AuditAction.CREATE, enquiry, detail=f"{channel} enquiry")
    return enquiry


def _locked(enquiry: Enquiry) -> Enquiry:
    return Enquiry.objects.select_for_update().get(pk=enquiry.pk)


def enquiry_update(
    enquiry: Enquiry, *, user, status: str | None = None, notes: str | None = None
) -> Enquiry:
    """Mark an enquiry replied, closed or new again, and keep reception's notes."""
    if status is not None and status not in EnquiryStatus.values:
        raise InvalidRequest("invalid_status", f"“{status}” is not a status.", field="status")
    if status == EnquiryStatus.BOOKED:
        raise InvalidRequest(
            "book_from_enquiry",
            "An enquiry is marked booked by booking from it, so it names the appointment.",
            field="status",
        )
    if notes is not None and len(notes) > NOTES_MAX:
        raise InvalidRequest(
            "notes_too_long", f"Keep the notes to {NOTES_MAX} characters.", field="notes"
        )
    with transaction.atomic():
        locked = _locked(enquiry)
        if locked.status == EnquiryStatus.BOOKED and status not in (None, EnquiryStatus.BOOKED):
            raise Conflict(
                "already_booked",
                "This enquiry led to a booking; change the appointment instead.",
                field="status",
            )
        changed = []
        if status is not None and status != locked.status:
            locked.status = status
            changed.append("status")
        if notes is not None and notes != locked.notes:
            locked.notes = notes
            changed.append("notes")
        if not changed:
            return locked
        locked.handled_by = user
        locked.save()
        audit.record(
            AuditAction.CHANGE,
            locked,
            changed_fields=changed,
            detail=locked.status if "status" in changed else "",
        )
    return locked


def patient_prefill(enquiry: Enquiry) -> dict:
    """A new patient's details as far as the enquiry gives them (name, email, phone)."""
    given, _, family = enquiry.name.strip().rpartition(" ")
    if not given:
        given, family = family, ""
    return {
        "given_name": given,
        "family_name": family,
        "email": enquiry.email,
        "phone": enquiry.phone,
    }


def likely_patients(enquiry: Enquiry, *, limit: int = 10) -> list[Patient]:
    """Records the enquirer may already have: the same email or phone, or the same name."""
    match = Q()
    if enquiry.email:
        match |= Q(email__iexact=enquiry.email)
    digits = national_digits(enquiry.phone)
    if len(digits) >= 10:
        match |= Q(phone_digits=digits)
    prefill = patient_prefill(enquiry)
    if prefill["family_name"]:
        match |= Q(
            family_name__iexact=prefill["family_name"], given_name__iexact=prefill["given_name"]
        )
    if not match:
        return []
    return list(Patient.objects.filter(match).order_by("family_name", "given_name")[:limit])


def enquiry_link_patient(enquiry: Enquiry, *, patient: Patient, user) -> Enquiry:
    """Say which patient the enquiry is from (found, or just created from it)."""
    with transaction.atomic():
        locked = _locked(enquiry)
        if locked.status == EnquiryStatus.BOOKED:
            raise Conflict("already_booked", "This enquiry has already been booked.")
        if locked.patient_id == patient.pk:
            return locked
        locked.patient = patient
        locked.handled_by = user
        locked.save()
        audit.record(AuditAction.CHANGE, locked, changed_fields=["patient"])
    return locked


def enquiry_create_patient(enquiry: Enquiry, *, user, **fields) -> Patient:
    """A new patient record from the enquiry's details and what reception adds."""
    with transaction.atomic():
        patient = people_services.patient_create(**fields)
        enquiry_link_patient(enquiry, patient=patient, user=user)
    return patient


def enquiry_book(
    enquiry: Enquiry,
    *,
    practitioner,
    room,
    service,
    start: datetime,
    user,
    patient: Patient | None = None,
    extra_session: bool = False,
) -> Appointment:
    """Book the enquirer's appointment and mark the enquiry booked, together. ``patient``
    says whose record it is, if the enquiry does not name one yet."""
    with transaction.atomic():
        locked = _locked(enquiry)
        if locked.status == EnquiryStatus.BOOKED:
            raise Conflict(
                "already_booked", "This enquiry has already been booked.", field="enquiry"
            )
        if patient is not None:
            locked.patient = patient
        if locked.patient_id is None:
            raise InvalidRequest(
                "no_patient",
                "Choose the patient first: an existing record, or a new one.",
                field="patient",
            )
        appointment = services.appointment_book(
            patient=locked.patient,
            practitioner=practitioner,
            room=room,
            service=service,
            start=start,
            channel=BOOKED_BY[locked.channel],
            notes=f"Booked from enquiry {locked.pk}.",
            extra_session=extra_session,
            user=user,
        )
        locked.appointment = appointment
        locked.status = EnquiryStatus.BOOKED
        locked.handled_by = user
        locked.save()
        audit.record(
            AuditAction.CHANGE,
            locked,
            changed_fields=["appointment", "patient", "status"],
            detail=EnquiryStatus.BOOKED,
        )
    return appointment


def new_count() -> int:
    return Enquiry.objects.filter(status=EnquiryStatus.NEW).count()

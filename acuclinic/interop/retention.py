"""Retention: which records are past the time they must be kept, and anonymising them.

Anonymising removes the patient's personal data (name, contact details, address, NHS
number, day and month of birth, free text in their summary and appointments, the messages
sent to them) and keeps what the clinic's reports count: visits, sessions, measures,
events, sex and year of birth. Signed notes and safety records are final — the database
refuses to change them — and stay as written, linked only to the anonymised patient;
referral letters, whose text names the patient (name, birth date, NHS number, address)
and can never be edited, are deleted instead. The audit trail is append-only and stays
whole; the anonymisation itself is audited.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db import transaction
from django.db.models import DateField, Exists, Max, OuterRef, Q, Subquery
from django.db.models.functions import Cast, TruncDate
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.errors import InvalidRequest
from acuclinic.interop import retention_rules
from acuclinic.interop.models import Anonymisation, RetentionPolicy
from acuclinic.notifications.models import Message
from acuclinic.outcomes.models import Measurement
from acuclinic.people.models import ClinicalSummary, Patient
from acuclinic.safety.models import Referral
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.treatment.models import SessionNote

ANONYMISED_FIELDS = [
    "given_name",
    "family_name",
    "preferred_name",
    "date_of_birth",
    "email",
    "phone",
    "address_line1",
    "address_line2",
    "town",
    "postcode",
    "gp_practice",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relationship",
    "nhs_number",
]


def policy() -> RetentionPolicy:
    found = RetentionPolicy.objects.first()
    return found or RetentionPolicy.objects.create()


def rules(p: RetentionPolicy | None = None) -> retention_rules.Rules:
    p = p or policy()
    return retention_rules.Rules(p.adult_years, p.child_until_age, p.child_until_age_if_17)


@dataclass
class Due:
    patient: Patient
    last_contact: date
    duty: retention_rules.Duty


def _latest(queryset, field):
    return Subquery(queryset.values("patient").annotate(last=Max(field)).values("last")[:1])


def with_last_contact():
    """Patients not yet anonymised, each with the day of their last contact."""
    visits = Appointment.objects.filter(
        patient=OuterRef("pk"),
        status__in=[AppointmentStatus.COMPLETED, AppointmentStatus.ARRIVED],
    )
    notes = SessionNote.objects.filter(patient=OuterRef("pk"))
    measures = Measurement.objects.filter(patient=OuterRef("pk"))
    return (
        Patient.objects.exclude(pk__in=Anonymisation.objects.values("patient"))
        .annotate(
            last_visit=Cast(_latest(visits, "start"), DateField()),
            last_note=_latest(notes, "session_date"),
            last_measure=_latest(measures, "taken_on"),
            registered=TruncDate("created_at"),
        )
        .order_by("pk")
    )


def _last_contact(p) -> date:
    days = [d for d in (p.last_visit, p.last_note, p.last_measure, p.registered) if d]
    return max(d if isinstance(d, date) else date.fromisoformat(str(d)[:10]) for d in days)


def duty_for(patient: Patient) -> tuple[date, retention_rules.Duty]:
    p = with_last_contact().get(pk=patient.pk)
    last = _last_contact(p)
    return last, retention_rules.duty(p.date_of_birth, last, rules())


def _quiet_since(day: date):
    """Patients with no contact (registration, visit, note or measure) on or after
    ``day``, as a filter the database applies before any last contact is worked out."""
    since = datetime.combine(day, time.min, tzinfo=UTC)
    visits = Appointment.objects.filter(
        patient=OuterRef("pk"),
        status__in=[AppointmentStatus.COMPLETED, AppointmentStatus.ARRIVED],
        start__gte=since,
    )
    notes = SessionNote.objects.filter(patient=OuterRef("pk"), session_date__gte=day)
    measures = Measurement.objects.filter(patient=OuterRef("pk"), taken_on__gte=day)
    return Q(created_at__lt=since) & ~Exists(visits) & ~Exists(notes) & ~Exists(measures)


def past_retention(today: date | None = None) -> list[Due]:
    today = today or timezone.localdate()
    r = rules()
    due = []
    # A record is kept at least ``adult_years`` after its last contact (a child's for
    # longer), so only a patient quiet since then can be past retention: the others,
    # nearly every patient of a working clinic, are left out by the database instead of
    # each being read with its last contact (0.3 s at 2,500 patients on SQLite). Three
    # days' margin covers a date read in UTC beside one read in the clinic's time zone.
    quiet_since = retention_rules.add_years(today, -r.adult_years) + timedelta(days=3)
    candidates = with_last_contact().filter(_quiet_since(quiet_since))
    for p in candidates.iterator(chunk_size=2000):
        last = _last_contact(p)
        d = retention_rules.duty(p.date_of_birth, last, r)
        if d.keep_until < today:
            due.append(Due(p, last, d))
    return due


def anonymise(patient_ids: list[int], *, user, reason: str, today: date | None = None) -> int:
    """Anonymise these patients, each of whom must be past retention; all or none."""
    today = today or timezone.localdate()
    allowed = {d.patient.pk for d in past_retention(today)}
    refused = [pk for pk in patient_ids if pk not in allowed]
    if refused:
        raise InvalidRequest(
            "retention_applies",
            f"{len(refused)} of these records must still be kept (or are already "
            "anonymised): nothing was changed.",
        )
    with transaction.atomic():
        for patient in Patient.objects.filter(pk__in=patient_ids).select_for_update():
            _anonymise(patient, user=user, reason=reason)
    return len(patient_ids)


def _anonymise(patient: Patient, *, user, reason: str) -> None:
    Patient.objects.filter(pk=patient.pk).update(
        given_name="Anonymised",
        family_name=f"patient {patient.pk}",
        preferred_name="",
        date_of_birth=date(patient.date_of_birth.year, 1, 1),
        email="",
        phone="",
        phone_digits="",
        address_line1="",
        address_line2="",
        town="",
        postcode="",
        gp_practice="",
        emergency_contact_name="",
        emergency_contact_phone="",
        emergency_contact_relationship="",
        nhs_number="",
        contact_by_email=False,
        contact_by_sms=False,
        contact_by_phone=False,
        appointment_reminders=False,
        updated_at=timezone.now(),
    )
    ClinicalSummary.objects.filter(patient=patient).update(history="")
    Appointment.objects.filter(patient=patient).update(notes="", cancellation_reason="")
    Message.objects.filter(patient=patient).update(
        recipient="", reply_to="", subject="", body="", html=""
    )
    Referral.objects.filter(patient=patient).delete()
    Anonymisation.objects.create(patient=patient, done_by=user, reason=reason)
    patient.refresh_from_db()  # so the audit entry names the anonymised record
    audit.record(
        AuditAction.CHANGE,
        patient,
        changed_fields=ANONYMISED_FIELDS,
        detail=f"anonymised: {reason}"[:200],
        user=user,
    )


def erasure_check(patient: Patient, today: date | None = None) -> tuple[bool, str]:
    """Whether an erasure request can be granted now, and why (not)."""
    today = today or timezone.localdate()
    if Anonymisation.objects.filter(patient=patient).exists():
        return False, "This record has already been anonymised."
    _last, d = duty_for(patient)
    if d.keep_until >= today:
        return False, (
            f"The clinic must keep this record until {d.keep_until:%a %-d %b %Y}: "
            f"{d.reason} ({retention_rules.SOURCE}) UK GDPR art. 17(3)(c) and (3)(b) allow "
            "the clinic to refuse erasure while it has this duty; tell the patient so, and "
            "when the record will be anonymised."
        )
    return True, (
        f"Past retention: it had to be kept until {d.keep_until:%a %-d %b %Y} ({d.reason})."
    )


def erase(patient: Patient, *, user, today: date | None = None) -> None:
    """Grant an erasure request by anonymising, or refuse saying why (InvalidRequest)."""
    allowed, why = erasure_check(patient, today)
    if not allowed:
        raise InvalidRequest("retention_applies", why)
    anonymise([patient.pk], user=user, reason="the patient's erasure request", today=today)

"""What a referral letter says, gathered from the record: the clinic's details, the
patient's, the refer flags standing with the answers that raised them, and who signs it.
The words themselves are referral_letter.py's."""

from datetime import date, datetime

from django.utils import timezone

from acuclinic.clinic.models import Clinic
from acuclinic.core.formats import format_date
from acuclinic.people.choices import CredentialKind
from acuclinic.people.models import Patient, Practitioner
from acuclinic.safety import catalogue, presenting, queries
from acuclinic.safety.referral_letter import LetterFacts, LetterFlag


def clinic_details() -> dict:
    """Name, address of the first active location, phone and email of the clinic."""
    clinic = Clinic.objects.order_by("pk").first()
    if clinic is None:
        return {"name": "", "address": "", "phone": "", "email": ""}
    location = clinic.locations.filter(is_active=True).order_by("pk").first()
    return {
        "name": clinic.name,
        "address": location.address if location else "",
        "phone": clinic.phone or (location.phone if location else ""),
        "email": clinic.email,
    }


def registration_of(practitioner: Practitioner, day: date) -> str:
    """The number a recipient checks the signer by: their professional registration
    (HCPC, GMC, NMC) valid on the day, else the latest; an acupuncturist with no statutory
    register gives their acupuncture body membership instead. "" when none is on file."""
    for kind, what in (
        (CredentialKind.REGISTRATION, "registration"),
        (CredentialKind.MEMBERSHIP, "membership"),
    ):
        held = [c for c in practitioner.credentials.all() if c.kind == kind]
        if not held:
            continue
        valid = [
            c
            for c in held
            if c.valid_from <= day and (c.valid_until is None or day <= c.valid_until)
        ]
        chosen = max(valid or held, key=lambda c: c.valid_from)
        return f"{chosen.body} {what} number {chosen.number}"
    return ""


def letter_flags(status: queries.SafetyStatus, *, today: date) -> tuple[LetterFlag, ...]:
    """Each standing refer flag, with the answers that raised it and the advice given."""
    if status.assessment is None:
        return ()
    drugs = catalogue.current().drugs_by_id
    age = status.patient.age_on(today)
    return tuple(
        LetterFlag(
            title=finding.rule.title,
            urgency=finding.rule.urgency or "urgent",
            answers=presenting.raising_answers(
                finding, status.questionnaire.answers, drugs, age=age
            ),
            advice=finding.rule.patient,
        )
        for finding in status.assessment.referrals
    )


def letter_facts(
    patient: Patient,
    status: queries.SafetyStatus,
    *,
    practitioner: Practitioner,
    destination: str,
    notes: str,
    now: datetime,
) -> LetterFacts:
    today = timezone.localdate(now)
    clinic = clinic_details()
    return LetterFacts(
        destination=destination,
        issued_on=format_date(today),
        clinic_name=clinic["name"],
        clinic_address=clinic["address"],
        clinic_phone=clinic["phone"],
        clinic_email=clinic["email"],
        patient_name=patient.full_name,
        # A birth date without its weekday, as forms and letters give it.
        date_of_birth=f"{patient.date_of_birth.day} {patient.date_of_birth:%B %Y}",
        nhs_number=patient.nhs_number_display,
        patient_address=patient.address,
        gp_practice=patient.gp_practice,
        questionnaire_on=format_date(queries.local_date(status.questionnaire.submitted_at)),
        flags=letter_flags(status, today=today),
        clinician_name=practitioner.name,
        profession=practitioner.get_profession_display(),
        registration=registration_of(practitioner, today),
        notes=notes,
    )

"""Patients, their clinical summaries, and practitioners, as JSON.

Contact details are for every front-desk role; the clinical summary needs
``people.view_clinical`` (never reception); credential numbers and dates are for
clinic admins (``people.view_credential``).
"""

from datetime import date, datetime

from django.utils import timezone
from ninja import PatchDict, Query, Router, Schema, Status
from ninja.responses import codes_4xx
from pydantic import field_validator

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.choices import Modality
from acuclinic.core.api_auth import require
from acuclinic.core.api_errors import ErrorOut
from acuclinic.core.api_types import (
    BirthDate,
    Flag,
    InputSchema,
    Page,
    PageQuery,
    get_or_404,
    page_of,
    text,
)
from acuclinic.core.errors import NotFound
from acuclinic.people import nhs_number, queries, services
from acuclinic.people.choices import ConditionChoice, Sex
from acuclinic.people.models import ClinicalSummary, Credential, Patient, Practitioner

router = Router()

ERRORS = {codes_4xx: ErrorOut}


# Patients ------------------------------------------------------------------------


class PatientIn(InputSchema):
    """A new patient. Give an email address or a phone number, or both."""

    given_name: text(80)
    family_name: text(80)
    preferred_name: text(80) = ""
    date_of_birth: BirthDate
    sex: Sex
    email: text(254) = ""
    phone: text(30) = ""
    address_line1: text(120) = ""
    address_line2: text(120) = ""
    town: text(80) = ""
    postcode: text(10) = ""
    contact_by_email: Flag = True
    contact_by_sms: Flag = False
    contact_by_phone: Flag = True
    appointment_reminders: Flag = True
    gp_practice: text(160) = ""
    nhs_number: text(20) = ""
    emergency_contact_name: text(120) = ""
    emergency_contact_phone: text(30) = ""
    emergency_contact_relationship: text(60) = ""

    @field_validator("nhs_number")
    @classmethod
    def _digits_only(cls, value: str | None) -> str | None:
        # "943 476 5919" and "9434765919" are the same number; store the digits.
        return nhs_number.normalise(value) if value is not None else None


class PatientSummaryOut(Schema):
    id: int
    full_name: str
    given_name: str
    family_name: str
    preferred_name: str
    date_of_birth: date
    email: str
    phone: str


class PatientOut(PatientSummaryOut):
    sex: Sex
    address_line1: str
    address_line2: str
    town: str
    postcode: str
    contact_by_email: bool
    contact_by_sms: bool
    contact_by_phone: bool
    appointment_reminders: bool
    gp_practice: str
    nhs_number: str
    emergency_contact_name: str
    emergency_contact_phone: str
    emergency_contact_relationship: str
    created_at: datetime
    updated_at: datetime


class PatientSearch(PageQuery):
    q: text(200) = ""


@router.get(
    "/patients",
    response={200: Page[PatientSummaryOut], **ERRORS},
    auth=require("people.view_patient"),
    tags=["patients"],
    summary="Find patients",
)
def list_patients(request, search: Query[PatientSearch]):
    """Search by name, date of birth (12/03/1980) or phone number; no ``q`` lists
    everyone by family name. Which records were listed is audited, not the words typed."""
    patients = queries.search_patients(search.q) if search.q.strip() else Patient.objects.all()
    page = page_of(patients.order_by("family_name", "given_name", "pk"), search)
    audit.record(AuditAction.SEARCH, object_type="people.patient", detail=f"{page['count']} found")
    return page


@router.post(
    "/patients",
    response={201: PatientOut, **ERRORS},
    auth=require("people.add_patient"),
    tags=["patients"],
    summary="Register a patient",
)
def create_patient(request, payload: PatientIn):
    services.patient_check_reachable(email=payload.email, phone=payload.phone)
    return Status(201, services.patient_create(**payload.model_dump()))


@router.get(
    "/patients/{patient_id}",
    response={200: PatientOut, **ERRORS},
    auth=require("people.view_patient"),
    tags=["patients"],
    summary="Open a patient's record (audited)",
)
def get_patient(request, patient_id: int):
    patient = get_or_404(Patient, patient_id, "patient")
    services.patient_viewed(patient)
    return patient


@router.patch(
    "/patients/{patient_id}",
    response={200: PatientOut, **ERRORS},
    auth=require("people.change_patient"),
    tags=["patients"],
    summary="Change a patient's details",
)
def update_patient(request, patient_id: int, payload: PatchDict[PatientIn]):
    """Send only the fields that change. The changed field names are audited."""
    patient = get_or_404(Patient, patient_id, "patient")
    services.patient_check_reachable(
        email=payload.get("email", patient.email), phone=payload.get("phone", patient.phone)
    )
    return services.patient_update(patient, **payload)


# Clinical summary (clinicians only) ----------------------------------------------


class ClinicalSummaryIn(InputSchema):
    presenting_condition: ConditionChoice
    history: text(20_000) = ""


class ClinicalSummaryOut(Schema):
    patient_id: int
    presenting_condition: ConditionChoice
    presenting_condition_display: str
    history: str
    updated_at: datetime
    updated_by: str

    @staticmethod
    def resolve_presenting_condition_display(obj: ClinicalSummary) -> str:
        return obj.get_presenting_condition_display()

    @staticmethod
    def resolve_updated_by(obj: ClinicalSummary) -> str:
        return obj.updated_by.display_name


@router.get(
    "/patients/{patient_id}/clinical-summary",
    response={200: ClinicalSummaryOut, **ERRORS},
    auth=require("people.view_clinical"),
    tags=["clinical"],
    summary="Read a patient's clinical summary (audited)",
)
def get_clinical_summary(request, patient_id: int):
    patient = get_or_404(Patient, patient_id, "patient")
    summary = ClinicalSummary.objects.filter(patient=patient).select_related("updated_by").first()
    if summary is None:
        raise NotFound(
            "no_clinical_summary", f"No clinical summary has been written for {patient} yet."
        )
    audit.record(AuditAction.VIEW, summary)
    return summary


@router.put(
    "/patients/{patient_id}/clinical-summary",
    response={200: ClinicalSummaryOut, **ERRORS},
    auth=require("people.view_clinical", "people.change_clinicalsummary"),
    tags=["clinical"],
    summary="Write or replace a patient's clinical summary",
)
def put_clinical_summary(request, patient_id: int, payload: ClinicalSummaryIn):
    patient = get_or_404(Patient, patient_id, "patient")
    return services.clinical_summary_save(
        patient,
        user=request.auth,
        presenting_condition=payload.presenting_condition.value,
        history=payload.history,
    )


# Practitioners -------------------------------------------------------------------


class CredentialOut(Schema):
    kind: str
    body: str
    number: str
    valid_from: date
    valid_until: date


class PractitionerOut(Schema):
    id: int
    name: str
    profession: str
    profession_display: str
    modalities: list[str]
    is_active: bool
    credentials_valid_today: bool
    credential_problems: list[str]
    # Registration numbers and dates: clinic admins only; null for everyone else.
    credentials: list[CredentialOut] | None

    @staticmethod
    def resolve_profession_display(obj: Practitioner) -> str:
        return obj.get_profession_display()

    @staticmethod
    def resolve_modalities(obj: Practitioner) -> list[str]:
        needling = (Modality.MEDICAL, Modality.TRADITIONAL)
        return [m.value for m in needling if obj.is_qualified_for(m)]

    @staticmethod
    def resolve_credential_problems(obj: Practitioner) -> list[str]:
        return obj.credential_problems(timezone.localdate())

    @staticmethod
    def resolve_credentials_valid_today(obj: Practitioner) -> bool:
        return not obj.credential_problems(timezone.localdate())

    @staticmethod
    def resolve_credentials(obj: Practitioner, context) -> list[Credential] | None:
        if not context["request"].auth.has_perm("people.view_credential"):
            return None
        return list(obj.credentials.all())


def _practitioners():
    return Practitioner.objects.select_related("user").prefetch_related("credentials")


@router.get(
    "/practitioners",
    response={200: list[PractitionerOut], **ERRORS},
    auth=require("people.view_practitioner"),
    tags=["practitioners"],
    summary="List practitioners",
)
def list_practitioners(request):
    return list(_practitioners())


@router.get(
    "/practitioners/{practitioner_id}",
    response={200: PractitionerOut, **ERRORS},
    auth=require("people.view_practitioner"),
    tags=["practitioners"],
    summary="One practitioner",
)
def get_practitioner(request, practitioner_id: int):
    return get_or_404(_practitioners(), practitioner_id, "practitioner")

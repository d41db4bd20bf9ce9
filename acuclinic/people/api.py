"""Patients, their clinical summaries, and practitioners, as JSON.

Contact details are for every front-desk role; the clinical summary needs
``people.view_clinical`` (never reception); credential numbers and dates are for
clinic admins (``people.view_credential``), who also record and remove credentials.
"""

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, PatchDict, Query, Router, Schema, Status
from pydantic import field_validator

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.choices import Modality
from acuclinic.clinic.models import Location
from acuclinic.core.api_auth import require
from acuclinic.core.api_errors import ERRORS
from acuclinic.core.api_types import (
    BirthDate,
    Day,
    Flag,
    InputSchema,
    Page,
    PageQuery,
    get_or_404,
    page_of,
    text,
)
from acuclinic.core.errors import NotFound
from acuclinic.people import credentials_setup, nhs_number, queries, services
from acuclinic.people.choices import ConditionChoice, CredentialKind, Profession, Sex
from acuclinic.people.models import ClinicalSummary, Credential, Patient, Practitioner, User

router = Router()


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
    audit.patient_records_read(len(page["items"]))
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
    id: int
    kind: CredentialKind
    kind_display: str
    body: str = Field(
        description="The regulator, acupuncture body or insurer; for a local authority "
        "registration or licence, the council."
    )
    number: str
    valid_from: date
    valid_until: date | None = Field(
        description="Null only for a council registration with no end date (LG(MP)A 1982 "
        "s.14 registrations are one-off)."
    )
    counts: bool = Field(
        description="False for a record that can never count, e.g. a BAAB “membership”: "
        "the BAAB accredits courses, it is not a membership body."
    )
    note: str = Field(description="Why it does not count; empty when it can.")

    @staticmethod
    def resolve_kind_display(obj: Credential) -> str:
        return obj.get_kind_display()

    @staticmethod
    def resolve_note(obj: Credential) -> str:
        return obj.not_counted_because


class LocationCheckOut(Schema):
    """Whether the practitioner may needle at one location today: their credentials and
    what that location's council licensing asks of them and of the premises."""

    location_id: int
    location: str
    may_needle_today: bool
    problems: list[str]


class OfferedServiceOut(Schema):
    id: int
    name: str


class PractitionerOut(Schema):
    id: int
    name: str
    profession: str
    profession_display: str
    modalities: list[str]
    is_active: bool
    credentials_valid_today: bool = Field(
        description="Registration, membership and insurance hold today (any location's "
        "council licensing is in ``at_locations``)."
    )
    credential_problems: list[str]
    at_locations: list[LocationCheckOut] = Field(
        description="For each open location: may they needle there today, and if not, why."
    )
    # Registration numbers and dates: clinic admins only; null for everyone else.
    credentials: list[CredentialOut] | None
    profile: str = Field(description="Training, special interests, languages.")
    services_offered: list[OfferedServiceOut] = Field(
        description="The services they offer: those chosen, or (none chosen) every active "
        "service they are qualified for."
    )
    services_chosen: bool = Field(description="False: none chosen, so every one they may give.")

    @staticmethod
    def resolve_services_offered(obj: Practitioner) -> list:
        return credentials_setup.services_offered(obj, getattr(obj, "active_services", None))

    @staticmethod
    def resolve_services_chosen(obj: Practitioner) -> bool:
        return bool(obj.services.all())

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
    def resolve_at_locations(obj: Practitioner) -> list[dict]:
        today = timezone.localdate()
        checks = []
        for location in getattr(obj, "checked_locations", ()):
            problems = obj.credential_problems(today, location)
            checks.append(
                {
                    "location_id": location.pk,
                    "location": location.name,
                    "may_needle_today": not problems,
                    "problems": problems,
                }
            )
        return checks

    @staticmethod
    def resolve_credentials(obj: Practitioner, context) -> list[Credential] | None:
        if not context["request"].auth.has_perm("people.view_credential"):
            return None
        return list(obj.credentials.all())


def _practitioners():
    return Practitioner.objects.select_related("user").prefetch_related("credentials", "services")


def _with_locations(practitioners: list[Practitioner]) -> list[Practitioner]:
    """Each with the open locations to check them against and the active services they
    may offer (each read once for all)."""
    locations = list(
        Location.objects.filter(is_active=True)
        .prefetch_related("premises_registrations")
        .order_by("name", "pk")
    )
    services = credentials_setup.active_services()
    for practitioner in practitioners:
        practitioner.checked_locations = locations
        practitioner.active_services = services
    return practitioners


@router.get(
    "/practitioners",
    response={200: list[PractitionerOut], **ERRORS},
    auth=require("people.view_practitioner"),
    tags=["practitioners"],
    summary="List practitioners",
)
def list_practitioners(request):
    return _with_locations(list(_practitioners()))


@router.get(
    "/practitioners/{practitioner_id}",
    response={200: PractitionerOut, **ERRORS},
    auth=require("people.view_practitioner"),
    tags=["practitioners"],
    summary="One practitioner",
)
def get_practitioner(request, practitioner_id: int):
    return _with_locations([get_or_404(_practitioners(), practitioner_id, "practitioner")])[0]


class CredentialIn(InputSchema):
    """A credential to record. A renewal is a new credential: the old one stays on file."""

    kind: CredentialKind
    body: text(80) = Field(
        description="HCPC, GMC or NMC for a registration; AACP, BMAS or BAcC for a "
        "membership; the insurer; or, for a local authority registration or licence, the "
        "council as a location names it."
    )
    number: text(40)
    valid_from: Day
    valid_until: Day | None = Field(
        None, description="Required except for a council registration with no end date."
    )


@router.post(
    "/practitioners/{practitioner_id}/credentials",
    response={201: CredentialOut, **ERRORS},
    auth=require("people.view_credential", "people.add_credential"),
    tags=["practitioners"],
    summary="Record a practitioner's credential (clinic admins)",
)
def add_credential(request, practitioner_id: int, payload: CredentialIn):
    """A registration, acupuncture body membership, indemnity policy, or the council's
    acupuncture registration or special treatment licence where a location's council
    licenses acupuncture. Refused (422, code ``invalid_<field>`` or ``unknown_council``)
    with nothing written when a rule is broken; a duplicate is a 409. Audited."""
    practitioner = get_or_404(Practitioner, practitioner_id, "practitioner")
    return Status(
        201, services.credential_add(practitioner, user=request.auth, **payload.model_dump())
    )


@router.delete(
    "/practitioners/{practitioner_id}/credentials/{credential_id}",
    response={204: None, **ERRORS},
    auth=require("people.view_credential", "people.delete_credential"),
    tags=["practitioners"],
    summary="Remove a credential recorded by mistake (clinic admins)",
)
def remove_credential(request, practitioner_id: int, credential_id: int):
    """For a mistake only: a credential that ended stays on file as history. Audited."""
    practitioner = get_or_404(Practitioner, practitioner_id, "practitioner")
    credential = get_or_404(practitioner.credentials.all(), credential_id, "credential")
    services.credential_remove(credential, user=request.auth)
    return Status(204, None)


class PractitionerIn(InputSchema):
    """A practitioner's profile for an existing staff account (invite them first)."""

    user_id: int = Field(description="The staff account (people's /account/staff/ page).")
    profession: Profession
    qualified_medical: bool = False
    qualified_traditional: bool = False
    profile: text(2000) = ""


class PractitionerChange(InputSchema):
    """Send only the fields that change."""

    profession: Profession | None = None
    qualified_medical: bool | None = None
    qualified_traditional: bool | None = None
    profile: text(2000) | None = None
    is_active: bool | None = None
    services: list[int] | None = Field(
        None, description="Service ids offered; an empty list means every one they may give."
    )


def _profile_fields(payload) -> dict:
    fields = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    if "profession" in fields:
        fields["profession"] = Profession(fields["profession"]).value
    return fields


@router.post(
    "/practitioners",
    response={201: PractitionerOut, **ERRORS},
    auth=require("people.view_practitioner", "people.add_practitioner"),
    tags=["practitioners"],
    summary="Give a staff account a practitioner's profile (clinic admins)",
)
def add_practitioner(request, payload: PractitionerIn):
    """They cannot be booked for acupuncture until their registration, membership and
    insurance are on file (POST …/credentials). An account that already has a profile is
    a 409 ``already_practitioner``."""
    fields = _profile_fields(payload)
    user = get_or_404(User.objects.all(), fields.pop("user_id"), "user")
    practitioner = credentials_setup.practitioner_add(user, by=request.auth, **fields)
    return Status(201, _with_locations([_practitioners().get(pk=practitioner.pk)])[0])


@router.patch(
    "/practitioners/{practitioner_id}",
    response={200: PractitionerOut, **ERRORS},
    auth=require("people.view_practitioner", "people.change_practitioner"),
    tags=["practitioners"],
    summary="Change a practitioner's profile, qualifications or services (clinic admins)",
)
def change_practitioner(request, practitioner_id: int, payload: PractitionerChange):
    """A service in a kind of acupuncture they are not qualified in is a 422
    ``not_qualified``; nothing changes then. Audited."""
    practitioner = get_or_404(Practitioner, practitioner_id, "practitioner")
    fields = _profile_fields(payload)
    credentials_setup.practitioner_update(practitioner, by=request.auth, **fields)
    return _with_locations([_practitioners().get(pk=practitioner.pk)])[0]

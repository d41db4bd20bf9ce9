"""Which model each FHIR resource type is read from, who may read it, how it is searched.

The CapabilityStatement (``/fhir/R4/metadata``) is written from this table, so it lists
exactly what the server does. Permissions are those of the pages and /api/v1/ for the same
records (people/roles.py): reception holds none of the clinical ones.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Exists, OuterRef, Q

from acuclinic.billing.models import Invoice
from acuclinic.clinic.models import Clinic, Location, Service
from acuclinic.interop.fhir import resources
from acuclinic.outcomes import catalogue
from acuclinic.outcomes.models import Course, Measurement
from acuclinic.people.models import ClinicalSummary, Patient, Practitioner
from acuclinic.safety import catalogue as safety_catalogue
from acuclinic.safety import queries as safety_queries
from acuclinic.safety.models import Consent, Questionnaire
from acuclinic.scheduling.models import Appointment
from acuclinic.treatment.models import AdverseEvent, NeedleLot, SessionNote

CLINICAL = ("people.view_clinical",)


@dataclass(frozen=True)
class Reader:
    """What a render function may need to know about the reader."""

    user: object
    clinic_id: int | None

    @classmethod
    def of(cls, user) -> "Reader":
        """``user`` reading the clinic's records (the one clinic this server holds)."""
        return cls(user=user, clinic_id=Clinic.objects.values_list("pk", flat=True).first())

    @cached_property
    def chosen_lists(self) -> dict[str, str]:
        """The clinic's point lists that questionnaires are assessed with: read once for a
        page of Flags, not once for each."""
        return safety_queries.chosen_lists(safety_queries.clinic_policy())


@dataclass(frozen=True)
class Kind:
    name: str
    perms: tuple[str, ...]
    queryset: Callable
    render: Callable  # (obj, Reader) -> dict
    # ORM lookups for the search parameters; None: the parameter is not supported.
    patient: str | None = None
    date: str | None = None
    date_is_day: bool = False
    last_updated: str | None = None
    status: dict[str, Q] = field(default_factory=dict)
    # Whether a read names a patient's record, so it is audited.
    about_patient: bool = False

    @property
    def search_params(self) -> dict[str, str]:
        """Name → FHIR search parameter type, as the CapabilityStatement lists them."""
        params = {"_id": "token", "_count": "number"}
        if self.patient:
            params["patient"] = "reference"
        if self.date:
            params["date"] = "date"
        if self.last_updated:
            params["_lastUpdated"] = "date"
        if self.status:
            params["status"] = "token"
        return params


def _appointment_status() -> dict[str, Q]:
    out: dict[str, Q] = {}
    for ours, theirs in resources.APPOINTMENT_STATUS.items():
        out[theirs] = out.get(theirs, Q(pk__in=[])) | Q(status=ours)
    return out


def _flags():
    """Questionnaires for Flags, each knowing whether a later version replaced it."""
    later = Questionnaire.objects.filter(
        patient=OuterRef("patient"), version__gt=OuterRef("version")
    )
    return (
        Questionnaire.objects.select_related("patient")
        .prefetch_related("agreements")
        .annotate(superseded=Exists(later))
    )


def _flag(q, reader) -> dict:
    assessment = safety_catalogue.current().evaluate(
        q.answers,
        age=q.patient.age_on(q.submitted_at.date()),
        chosen_lists=reader.chosen_lists,
        agreements={a.rule_id for a in q.agreements.all()},
    )
    return resources.flag(q, assessment, latest=not q.superseded)


def _measure_name(code: str) -> str:
    measure = catalogue.current().measure(code)
    return measure.name if measure else code


# Each queryset selects what its resources and its model's ``__str__`` read (most name
# the patient, an appointment also its practitioner): a search's audit entries record
# each resource's ``str()``, and without them a page of results cost a query for each.
KINDS: dict[str, Kind] = {
    k.name: k
    for k in [
        Kind(
            "Patient",
            ("people.view_patient",),
            lambda: Patient.objects.all(),
            lambda o, r: resources.patient(o),
            patient="pk",
            last_updated="updated_at",
            about_patient=True,
        ),
        Kind(
            "Practitioner",
            ("people.view_practitioner",),
            lambda: Practitioner.objects.select_related("user").prefetch_related("credentials"),
            lambda o, r: resources.practitioner(
                o, with_credentials=r.user.has_perm("people.view_credential")
            ),
        ),
        Kind(
            "PractitionerRole",
            ("people.view_practitioner",),
            lambda: Practitioner.objects.select_related("user"),
            lambda o, r: resources.practitioner_role(o, clinic_id=r.clinic_id),
        ),
        Kind(
            "Organization",
            ("clinic.view_clinic",),
            lambda: Clinic.objects.all(),
            lambda o, r: resources.organization(o),
        ),
        Kind(
            "Location",
            ("clinic.view_location",),
            lambda: Location.objects.all(),
            lambda o, r: resources.location(o),
            status={"active": Q(is_active=True), "inactive": Q(is_active=False)},
        ),
        Kind(
            "HealthcareService",
            ("clinic.view_service",),
            lambda: Service.objects.all(),
            lambda o, r: resources.healthcare_service(o),
        ),
        Kind(
            "Schedule",
            ("people.view_practitioner",),
            lambda: Practitioner.objects.select_related("user"),
            lambda o, r: resources.schedule(o),
        ),
        Kind(
            "Appointment",
            ("scheduling.view_appointment",),
            lambda: Appointment.objects.select_related(
                "service", "room", "patient", "practitioner__user"
            ),
            lambda o, r: resources.appointment(o),
            patient="patient_id",
            date="start",
            last_updated="updated_at",
            status=_appointment_status(),
            about_patient=True,
        ),
        Kind(
            "Encounter",
            ("treatment.view_sessionnote", *CLINICAL),
            lambda: SessionNote.objects.select_related("appointment", "patient"),
            lambda o, r: resources.encounter(o),
            patient="patient_id",
            date="session_date",
            date_is_day=True,
            last_updated="updated_at",
            status={"finished": Q(signed_at__isnull=False), "in-progress": Q(signed_at=None)},
            about_patient=True,
        ),
        Kind(
            "Procedure",
            ("treatment.view_sessionnote", *CLINICAL),
            lambda: SessionNote.objects.select_related("appointment", "patient").prefetch_related(
                "points", "needle_uses"
            ),
            lambda o, r: resources.procedure(o),
            patient="patient_id",
            date="session_date",
            date_is_day=True,
            last_updated="updated_at",
            status={"completed": Q(signed_at__isnull=False), "in-progress": Q(signed_at=None)},
            about_patient=True,
        ),
        Kind(
            "Observation",
            ("outcomes.view_course", *CLINICAL),
            lambda: Measurement.objects.select_related("patient"),
            lambda o, r: resources.observation(o, measure_name=_measure_name(o.measure)),
            patient="patient_id",
            date="taken_on",
            date_is_day=True,
            last_updated="recorded_at",
            about_patient=True,
        ),
        Kind(
            "QuestionnaireResponse",
            ("safety.view_questionnaire", *CLINICAL),
            lambda: Questionnaire.objects.select_related("patient"),
            lambda o, r: resources.questionnaire_response(o),
            patient="patient_id",
            date="submitted_at",
            about_patient=True,
        ),
        Kind(
            "Flag",
            ("safety.view_questionnaire", *CLINICAL),
            _flags,
            _flag,
            patient="patient_id",
            date="submitted_at",
            about_patient=True,
        ),
        Kind(
            "Consent",
            ("safety.view_consent", *CLINICAL),
            lambda: Consent.objects.select_related("patient"),
            lambda o, r: resources.consent(o),
            patient="patient_id",
            date="given_at",
            about_patient=True,
        ),
        Kind(
            "AdverseEvent",
            ("treatment.view_adverseevent", *CLINICAL),
            lambda: AdverseEvent.objects.select_related("note"),
            lambda o, r: resources.adverse_event(o),
            patient="note__patient_id",
            date="recorded_at",
            about_patient=True,
        ),
        Kind(
            "Condition",
            ("people.view_clinicalsummary", *CLINICAL),
            lambda: ClinicalSummary.objects.select_related("patient"),
            lambda o, r: resources.condition(o),
            patient="patient_id",
            last_updated="updated_at",
            about_patient=True,
        ),
        Kind(
            "CarePlan",
            ("outcomes.view_course", *CLINICAL),
            lambda: Course.objects.select_related("patient"),
            lambda o, r: resources.care_plan(o),
            patient="patient_id",
            date="started_on",
            date_is_day=True,
            last_updated="refreshed_at",
            status={"active": Q(ended_on=None), "completed": Q(ended_on__isnull=False)},
            about_patient=True,
        ),
        Kind(
            "Invoice",
            ("billing.view_invoice",),
            lambda: Invoice.objects.select_related("policy__insurer").prefetch_related("lines"),
            lambda o, r: resources.invoice(o),
            patient="patient_id",
            date="issued_at",
            status={"draft": Q(status="draft"), "issued": Q(status="issued")},
            about_patient=True,
        ),
        Kind(
            "Device",
            ("treatment.view_needlelot",),
            lambda: NeedleLot.objects.all(),
            lambda o, r: resources.device(o),
            status={"active": Q(recalled_at=None), "inactive": Q(recalled_at__isnull=False)},
        ),
    ]
}

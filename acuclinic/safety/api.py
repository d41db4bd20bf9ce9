"""Safety screening as JSON: questionnaires, flags, consent, and the gate before needling.

The same services as the safety pages, under the same permissions. Reception may see
that a patient has safety flags and whether their questionnaire is current, and may
email the questionnaire link; the answers, the flags themselves, consent and the reasons
a gate is closed are for clinicians (``people.view_clinical``). Every clinician's read
of screening content is audited, as on the pages.
"""

from datetime import date, datetime
from typing import Any, Literal

from django.urls import reverse
from django.utils import timezone
from ninja import Router, Schema, Status

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.api_auth import require
from acuclinic.core.api_errors import ERRORS, ErrorOut
from acuclinic.core.api_types import AwareDateTime, Flag, Id, InputSchema, get_or_404, text
from acuclinic.core.errors import InvalidRequest
from acuclinic.core.formats import format_date, format_datetime
from acuclinic.people.models import Patient, Practitioner
from acuclinic.safety import catalogue, presenting, queries, services
from acuclinic.safety.choices import ConsentMethod, FilledBy, Risk
from acuclinic.safety.models import (
    ChangeCheck,
    Consent,
    PrecautionAcknowledgement,
    Questionnaire,
    QuestionnaireLink,
    SpecialistAgreement,
)
from acuclinic.safety.rules import Assessment, Finding, Outcome
from acuclinic.scheduling.models import Appointment

router = Router(tags=["safety"])

CLINICAL = "people.view_clinical"

# Consent is to a kind of acupuncture, never to an assessment or a review.
NeedlingModality = Literal["medical", "traditional"]


def _local(moment: datetime) -> datetime:
    return timezone.localtime(moment)


def _display(moment: datetime | None) -> str | None:
    return format_datetime(moment) if moment is not None else None


def _is_clinician(request) -> bool:
    return request.auth.has_perm(CLINICAL)


def _patient(patient_id: int) -> Patient:
    return get_or_404(Patient, patient_id, "patient")


def _appointment(appointment_id: int) -> Appointment:
    return get_or_404(
        Appointment.objects.select_related(
            "patient", "practitioner__user", "service__clinic", "room__location"
        ).prefetch_related("practitioner__credentials"),
        appointment_id,
        "appointment",
    )


# ── Where a patient stands ───────────────────────────────────────────────────────────


class QuestionnaireStateOut(Schema):
    state: Literal["missing", "out_of_date", "current"]
    version: int | None
    completed_at: datetime | None
    completed_display: str | None
    # The first day the questionnaire is no longer current (a full one is due again).
    due_on: date | None
    due_display: str | None
    # False when questions that now apply to the patient were never answered (asked
    # since, or the record now names a condition that asks them): fill it in again.
    # null when there is no questionnaire.
    complete: bool | None


class OverrideOut(Schema):
    lowers_to: str
    by: str
    prompt: str


class FlagOut(Schema):
    rule_id: str
    title: str
    label: str
    # The banner's line, with the points to avoid and "no electro-acupuncture".
    banner: str
    outcome: Literal["refer", "contraindicated", "precaution", "none"]
    urgency: str | None
    practitioner_advice: str
    patient_advice: str
    source: str
    # Lowered by a recorded agreement (a specialist, or the GP after a referral).
    overridden: bool
    # How a recorded agreement may lower this flag; null when it never can.
    override: OverrideOut | None
    # A precaution whose risk discussion is not yet recorded.
    needs_discussion: bool


class PointListOut(Schema):
    id: str
    name: str
    source: str


class AcknowledgementOut(Schema):
    id: int
    rule_id: str
    questionnaire_version: int
    discussion: str
    acknowledged_by: str
    acknowledged_at: datetime

    @staticmethod
    def resolve_questionnaire_version(obj: PrecautionAcknowledgement) -> int:
        return obj.questionnaire.version

    @staticmethod
    def resolve_acknowledged_by(obj: PrecautionAcknowledgement) -> str:
        return obj.acknowledged_by.display_name

    @staticmethod
    def resolve_acknowledged_at(obj: PrecautionAcknowledgement) -> datetime:
        return _local(obj.acknowledged_at)


class AgreementOut(Schema):
    id: int
    rule_id: str
    questionnaire_version: int
    agreed_by: str
    agreed_on: date
    reason: str
    recorded_by: str
    recorded_at: datetime

    @staticmethod
    def resolve_questionnaire_version(obj: SpecialistAgreement) -> int:
        return obj.questionnaire.version

    @staticmethod
    def resolve_recorded_by(obj: SpecialistAgreement) -> str:
        return obj.recorded_by.display_name

    @staticmethod
    def resolve_recorded_at(obj: SpecialistAgreement) -> datetime:
        return _local(obj.recorded_at)


class SafetyDetailOut(Schema):
    """What only clinicians see: each flag and what has been recorded about it."""

    outcome: Literal["refer", "contraindicated", "precaution", "none"]
    flags: list[FlagOut]
    avoid_points: list[str]
    avoid_point_list: PointListOut | None
    avoid_regions: list[str]
    no_electro: bool
    acknowledgements: list[AcknowledgementOut]
    agreements: list[AgreementOut]


class SafetyOut(Schema):
    patient_id: int
    questionnaire: QuestionnaireStateOut
    has_flags: bool
    # null for reception: they see that there are flags, never what they are.
    clinical: SafetyDetailOut | None


def _questionnaire_state(status: queries.SafetyStatus) -> dict:
    questionnaire = status.questionnaire
    return {
        "state": status.state,
        "version": questionnaire.version if questionnaire else None,
        "completed_at": _local(questionnaire.submitted_at) if questionnaire else None,
        "completed_display": _display(questionnaire.submitted_at) if questionnaire else None,
        "due_on": status.due_on,
        "due_display": format_date(status.due_on) if status.due_on else None,
        "complete": status.is_complete if questionnaire else None,
    }


def _flag(finding: Finding, status: queries.SafetyStatus) -> dict:
    rule = finding.rule
    override = rule.override
    return {
        "rule_id": rule.id,
        "title": rule.title,
        "label": finding.label,
        "banner": presenting.banner_line(finding, status.assessment),
        "outcome": finding.outcome.key,
        "urgency": rule.urgency,
        "practitioner_advice": rule.practitioner,
        "patient_advice": rule.patient,
        "source": rule.source,
        "overridden": finding.overridden,
        "override": (
            {"lowers_to": override.to.key, "by": override.by, "prompt": override.prompt}
            if override is not None
            else None
        ),
        "needs_discussion": finding.outcome == Outcome.PRECAUTION
        and finding.rule_id not in status.acknowledgements,
    }


def _detail(status: queries.SafetyStatus) -> dict:
    assessment = status.assessment or Assessment(outcome=Outcome.NONE)
    point_list = queries.pregnancy_list(status.policy) if assessment.avoid_points else None
    return {
        "outcome": assessment.outcome.key,
        "flags": [_flag(finding, status) for finding in assessment.findings],
        "avoid_points": list(assessment.avoid_points),
        "avoid_point_list": (
            {"id": point_list.id, "name": point_list.name, "source": point_list.source}
            if point_list is not None
            else None
        ),
        "avoid_regions": list(assessment.avoid_regions),
        "no_electro": assessment.no_electro,
        "acknowledgements": list(status.acknowledgements.values()),
        "agreements": list(status.agreements.values()),
    }


@router.get(
    "/patients/{patient_id}/safety",
    response={200: SafetyOut, **ERRORS},
    auth=require("people.view_patient"),
    summary="A patient's safety screening at a glance (clinicians: every flag; audited)",
)
def get_safety(request, patient_id: int):
    """Everyone at the front desk sees whether the questionnaire is complete and current
    and whether there are flags. Clinicians also get ``clinical``: each flag with its
    advice and source, the points and regions to avoid, "no electro", and the risk
    discussions and agreements on file; for everyone else it is ``null``."""
    patient = _patient(patient_id)
    status = queries.safety_status(patient, today=timezone.localdate())
    clinical = _is_clinician(request)
    if clinical:
        audit.record(
            AuditAction.VIEW, status.questionnaire or patient, detail="safety summary (API)"
        )
    return {
        "patient_id": patient.pk,
        "questionnaire": _questionnaire_state(status),
        "has_flags": status.has_flags,
        "clinical": _detail(status) if clinical else None,
    }


# ── Questionnaires ───────────────────────────────────────────────────────────────────


class QuestionnaireSummaryOut(Schema):
    id: int
    patient_id: int
    version: int
    submitted_at: datetime
    submitted_display: str
    filled_by: FilledBy
    # The clinician who entered it; null when the patient filled it in by their link.
    entered_by: str | None
    rules_version: str

    @staticmethod
    def resolve_submitted_at(obj: Questionnaire) -> datetime:
        return _local(obj.submitted_at)

    @staticmethod
    def resolve_submitted_display(obj: Questionnaire) -> str:
        return format_datetime(obj.submitted_at)

    @staticmethod
    def resolve_entered_by(obj: Questionnaire) -> str | None:
        return obj.entered_by.display_name if obj.entered_by else None


class AnswerLineOut(Schema):
    section: str
    question: str
    answer: str
    flagged: bool


class QuestionnaireOut(QuestionnaireSummaryOut):
    # Keyed by question (see the questionnaire form); drugs by their ids.
    answers: dict[str, Any]
    # The same answers in words, section by section, as the safety record shows them.
    answers_display: list[AnswerLineOut]

    @staticmethod
    def resolve_answers_display(obj: Questionnaire) -> list[dict]:
        sections = presenting.answer_lines(obj.answers, catalogue.current().drugs_by_id)
        return [
            {
                "section": title,
                "question": line.question,
                "answer": line.answer,
                "flagged": line.flagged,
            }
            for title, lines in sections
            for line in lines
        ]


class QuestionnaireIn(InputSchema):
    """Every answer, keyed by question; a drug by its id or its name."""

    answers: dict[str, Any]


@router.get(
    "/patients/{patient_id}/questionnaires",
    response={200: list[QuestionnaireSummaryOut], **ERRORS},
    auth=require(CLINICAL, "safety.view_questionnaire"),
    summary="A patient's questionnaire versions, newest first (audited)",
)
def list_questionnaires(request, patient_id: int):
    patient = _patient(patient_id)
    versions = list(
        Questionnaire.objects.filter(patient=patient)
        .select_related("entered_by")
        .order_by("-version")
    )
    audit.record(AuditAction.VIEW, patient, detail="questionnaire versions (API)")
    return versions


@router.get(
    "/questionnaires/{questionnaire_id}",
    response={200: QuestionnaireOut, **ERRORS},
    auth=require(CLINICAL, "safety.view_questionnaire"),
    summary="One questionnaire version with every answer (audited)",
)
def get_questionnaire(request, questionnaire_id: int):
    questionnaire = get_or_404(
        Questionnaire.objects.select_related("entered_by"), questionnaire_id, "questionnaire"
    )
    audit.record(
        AuditAction.VIEW, questionnaire, detail=f"questionnaire version {questionnaire.version}"
    )
    return questionnaire


@router.post(
    "/patients/{patient_id}/questionnaires",
    response={201: QuestionnaireOut, **ERRORS},
    auth=require(CLINICAL, "safety.add_questionnaire"),
    summary="Record a full questionnaire as a new version",
)
def create_questionnaire(request, patient_id: int, payload: QuestionnaireIn):
    """Answers are checked as on the form: a problem answers 422 ``invalid_answers``
    with ``errors``, one per question (``required``, ``contradiction``,
    ``unknown_drug``, ``out_of_range``…), and nothing is saved. Filling it in on the
    day of a visit also answers "any changes since last time?" for that visit."""
    patient = _patient(patient_id)
    saved = services.questionnaire_record(patient, answers=payload.answers, user=request.auth)
    return Status(201, saved)


class LinkOut(Schema):
    id: int
    patient_id: int
    sent_to: str
    created_at: datetime
    expires_at: datetime
    expires_display: str

    @staticmethod
    def resolve_created_at(obj: QuestionnaireLink) -> datetime:
        return _local(obj.created_at)

    @staticmethod
    def resolve_expires_at(obj: QuestionnaireLink) -> datetime:
        return _local(obj.expires_at)

    @staticmethod
    def resolve_expires_display(obj: QuestionnaireLink) -> str:
        return format_datetime(obj.expires_at)


@router.post(
    "/patients/{patient_id}/questionnaire-links",
    response={201: LinkOut, **ERRORS, 502: ErrorOut},
    auth=require("safety.add_questionnairelink"),
    summary="Email the patient a single-use link to fill in their questionnaire",
)
def send_questionnaire_link(request, patient_id: int):
    """No body. The link goes to the patient's email address and is never returned
    here. A patient without an email address is a 422 ``patient_has_no_email``; a mail
    server that refuses the message is a 502 ``email_not_sent`` (no link is kept)."""
    patient = _patient(patient_id)
    link = services.questionnaire_link_send(
        patient,
        user=request.auth,
        url_for=lambda token: request.build_absolute_uri(
            reverse("safety_public_questionnaire", args=[token])
        ),
    )
    return Status(201, link)


# ── At each visit ────────────────────────────────────────────────────────────────────


class ChangeCheckIn(InputSchema):
    """The patient's answer to "Any changes since last time?"."""

    any_changes: Flag


class ChangeCheckOut(Schema):
    id: int
    appointment_id: int
    questionnaire_id: int
    questionnaire_version: int
    confirmed_by: str
    confirmed_at: datetime

    @staticmethod
    def resolve_questionnaire_version(obj: ChangeCheck) -> int:
        return obj.questionnaire.version

    @staticmethod
    def resolve_confirmed_by(obj: ChangeCheck) -> str:
        return obj.confirmed_by.display_name

    @staticmethod
    def resolve_confirmed_at(obj: ChangeCheck) -> datetime:
        return _local(obj.confirmed_at)


@router.post(
    "/appointments/{appointment_id}/change-check",
    response={201: ChangeCheckOut, **ERRORS},
    auth=require(CLINICAL, "safety.add_changecheck"),
    summary="Record the patient's answer to “Any changes since last time?” at this visit",
)
def record_change_check(request, appointment_id: int, payload: ChangeCheckIn):
    """``{"any_changes": false}`` records the confirmation against the latest
    questionnaire. If something has changed, record a new questionnaire instead
    (``POST /patients/{id}/questionnaires``): ``true`` is refused with
    ``changes_reported`` so a change is never filed as "no changes"."""
    appointment = _appointment(appointment_id)
    if payload.any_changes:
        raise InvalidRequest(
            "changes_reported",
            "The patient reports changes: record a new questionnaire for them instead "
            f"(POST /api/v1/patients/{appointment.patient_id}/questionnaires).",
            field="any_changes",
        )
    check = services.visit_no_changes_confirm(appointment, user=request.auth)
    return Status(201, check)


# ── Consent ──────────────────────────────────────────────────────────────────────────


class PractitionerRef(Schema):
    id: int
    name: str


class ConsentOut(Schema):
    id: int
    patient_id: int
    modality: str
    modality_display: str
    risks_explained: list[Risk]
    method: ConsentMethod
    given_at: datetime
    given_display: str
    taken_by: PractitionerRef
    recorded_by: str
    recorded_at: datetime
    notes: str

    @staticmethod
    def resolve_modality_display(obj: Consent) -> str:
        return obj.get_modality_display()

    @staticmethod
    def resolve_given_at(obj: Consent) -> datetime:
        return _local(obj.given_at)

    @staticmethod
    def resolve_given_display(obj: Consent) -> str:
        return format_datetime(obj.given_at)

    @staticmethod
    def resolve_recorded_by(obj: Consent) -> str:
        return obj.recorded_by.display_name

    @staticmethod
    def resolve_recorded_at(obj: Consent) -> datetime:
        return _local(obj.recorded_at)


class ConsentIn(InputSchema):
    modality: NeedlingModality
    # Every risk must have been explained (see the consent form).
    risks_explained: list[Risk]
    method: ConsentMethod
    given_at: AwareDateTime
    # Who took consent; by default the practitioner calling.
    taken_by: Id | None = None
    notes: text(2000) = ""


@router.get(
    "/patients/{patient_id}/consents",
    response={200: list[ConsentOut], **ERRORS},
    auth=require(CLINICAL, "safety.view_consent"),
    summary="A patient's consents to acupuncture, newest first (audited)",
)
def list_consents(request, patient_id: int):
    patient = _patient(patient_id)
    consents = queries.consents_for(patient)
    audit.record(AuditAction.VIEW, patient, detail="consents (API)")
    return consents


@router.post(
    "/patients/{patient_id}/consents",
    response={201: ConsentOut, **ERRORS},
    auth=require(CLINICAL, "safety.add_consent"),
    summary="Record informed consent to a kind of acupuncture",
)
def create_consent(request, patient_id: int, payload: ConsentIn):
    """Consent dated in the future (``consent_in_future``), a risk not explained
    (``risks_not_all_explained``) or a taker not qualified in the modality
    (``taker_not_qualified``) is refused and nothing is written."""
    patient = _patient(patient_id)
    if payload.taken_by is not None:
        taken_by = get_or_404(
            Practitioner.objects.select_related("user"), payload.taken_by, "practitioner"
        )
    else:
        taken_by = Practitioner.objects.select_related("user").filter(user=request.auth).first()
        if taken_by is None:
            raise InvalidRequest(
                "taken_by_required",
                "Say which practitioner took consent (taken_by): you are not one.",
                field="taken_by",
            )
    consent = services.consent_record(
        patient,
        modality=payload.modality,
        risks_explained=[risk.value for risk in payload.risks_explained],
        method=payload.method.value,
        given_at=payload.given_at,
        taken_by=taken_by,
        notes=payload.notes,
        user=request.auth,
    )
    return Status(201, consent)


# ── Risk discussions and agreements ──────────────────────────────────────────────────


class AcknowledgementIn(InputSchema):
    """The risk discussion for one standing precaution (its ``rule_id`` from the flags)."""

    rule_id: text(60)
    discussion: text(5000)


class AgreementIn(InputSchema):
    """An agreement that lowers a flag whose rule allows it, with its reason."""

    rule_id: text(60)
    agreed_by: text(160)
    agreed_on: date
    reason: text(5000)


@router.post(
    "/patients/{patient_id}/acknowledgements",
    response={201: AcknowledgementOut, **ERRORS},
    auth=require(CLINICAL, "safety.add_precautionacknowledgement"),
    summary="Record the risk discussion a precaution needs",
)
def create_acknowledgement(request, patient_id: int, payload: AcknowledgementIn):
    patient = _patient(patient_id)
    record = services.precaution_acknowledge(
        patient, rule_id=payload.rule_id, discussion=payload.discussion, user=request.auth
    )
    return Status(201, record)


@router.post(
    "/patients/{patient_id}/agreements",
    response={201: AgreementOut, **ERRORS},
    auth=require(CLINICAL, "safety.add_specialistagreement"),
    summary="Record an agreement that lowers a flag (a specialist, or the GP after a referral)",
)
def create_agreement(request, patient_id: int, payload: AgreementIn):
    """Only flags whose rule says so can be lowered (``override_not_allowed``
    otherwise), and never without a reason (``override_without_reason``)."""
    patient = _patient(patient_id)
    agreement = services.specialist_agreement_record(
        patient,
        rule_id=payload.rule_id,
        agreed_by=payload.agreed_by,
        agreed_on=payload.agreed_on,
        reason=payload.reason,
        user=request.auth,
    )
    return Status(201, agreement)


# ── The gate before needling ─────────────────────────────────────────────────────────


class GateFailureOut(Schema):
    code: str
    message: str
    # For a flag: the rule concerned, to record the discussion or agreement that clears it.
    rule_id: str | None


class GateOut(Schema):
    appointment_id: int
    # The gate is checked for the appointment's own day, in the location's time zone.
    day: date
    day_display: str
    # False when the visit puts no needles in (the gate does not apply).
    needed: bool
    allowed: bool
    failed: int
    # Each failed condition; null for reception, who see only whether it is open.
    failures: list[GateFailureOut] | None


@router.get(
    "/appointments/{appointment_id}/gate",
    response={200: GateOut, **ERRORS},
    auth=require("scheduling.view_appointment"),
    summary="May needling start at this appointment, and if not, why not",
)
def get_gate(request, appointment_id: int):
    """Codes: ``questionnaire_missing``, ``questionnaire_out_of_date``,
    ``changes_not_confirmed``, ``consent_missing``, ``refer``, ``contraindicated``,
    ``precaution_not_acknowledged``, ``not_qualified``, ``credentials_lapsed``,
    ``appointment_not_active``. Reception sees whether the gate is open and how many
    conditions failed; the reasons are clinical and are for clinicians."""
    appointment = _appointment(appointment_id)
    day = timezone.localtime(appointment.start, appointment.room.location.tz).date()
    verdict = services.needling_gate(appointment, today=day)
    clinical = _is_clinician(request)
    if clinical and verdict.needed:
        audit.record(AuditAction.VIEW, appointment.patient, detail="needling gate (API)")
    return {
        "appointment_id": appointment.pk,
        "day": day,
        "day_display": format_date(day),
        "needed": verdict.needed,
        "allowed": verdict.allowed,
        "failed": len(verdict.failures),
        "failures": (
            [
                {"code": f.code, "message": f.message, "rule_id": f.rule_id or None}
                for f in verdict.failures
            ]
            if clinical
            else None
        ),
    }

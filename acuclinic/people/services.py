"""Writes to patient records. Each one is atomic and audited."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.people.models import ClinicalSummary, Patient

PATIENT_FIELDS = [
    f.name
    for f in Patient._meta.get_fields()
    if getattr(f, "editable", False) and not f.auto_created and f.name not in {"id"}
]


def _validated(patient: Patient) -> None:
    try:
        patient.full_clean()
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidRequest("invalid_" + field, f"{field}: {messages[0]}", field=field) from exc


def patient_create(**fields) -> Patient:
    patient = Patient(**fields)
    _validated(patient)
    try:
        with transaction.atomic():
            patient.save()
            audit.record(AuditAction.CREATE, patient, changed_fields=list(fields))
    except IntegrityError as exc:
        raise Conflict(
            "duplicate_nhs_number",
            "Another patient already has this NHS number.",
            field="nhs_number",
        ) from exc
    return patient


def patient_update(patient: Patient, **fields) -> Patient:
    before = audit.snapshot(patient, PATIENT_FIELDS)
    for name, value in fields.items():
        setattr(patient, name, value)
    _validated(patient)
    changed = audit.changed_field_names(before, patient, PATIENT_FIELDS)
    if not changed:
        return patient
    try:
        with transaction.atomic():
            patient.save()
            audit.record(AuditAction.CHANGE, patient, changed_fields=changed)
    except IntegrityError as exc:
        raise Conflict(
            "duplicate_nhs_number",
            "Another patient already has this NHS number.",
            field="nhs_number",
        ) from exc
    return patient


def patient_viewed(patient: Patient, *, detail: str = "") -> None:
    """Record that someone opened this patient's record."""
    audit.record(AuditAction.VIEW, patient, detail=detail)


def clinical_summary_save(patient: Patient, *, user, presenting_condition: str, history: str):
    with transaction.atomic():
        summary, created = ClinicalSummary.objects.select_for_update().get_or_create(
            patient=patient,
            defaults={
                "presenting_condition": presenting_condition,
                "history": history,
                "updated_by": user,
            },
        )
        if not created:
            summary.presenting_condition = presenting_condition
            summary.history = history
            summary.updated_by = user
            summary.full_clean(exclude=["patient", "updated_by"])
            summary.save()
        audit.record(
            AuditAction.CREATE if created else AuditAction.CHANGE,
            summary,
            changed_fields=["presenting_condition", "history"],
        )
    return summary

"""Setting the clinic up from the browser and the API: its own details (name, phone,
email, website: used on every page and email), and the services patients book with
their length and base price. Each change is validated like the database would, audited
by field, and atomic; a bad value raises ``InvalidRequest`` (``invalid_<field>``)."""

from django.db import transaction

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.choices import Modality
from acuclinic.clinic.models import Clinic, Service
from acuclinic.clinic.policies import apply_settings, refuse_unknown
from acuclinic.core.errors import InvalidRequest

CLINIC_DETAILS = ("name", "email", "phone", "website")
SERVICE_FIELDS = (
    "name",
    "modality",
    "needling",
    "duration_minutes",
    "turnover_minutes",
    "price_pence",
    "description",
    "is_active",
    "bookable_online",
    "first_visit",
)


def clinic_details_update(clinic: Clinic, *, user=None, **fields) -> Clinic:
    refuse_unknown(fields, CLINIC_DETAILS)
    others = [f.name for f in Clinic._meta.concrete_fields if f.name not in CLINIC_DETAILS]
    with transaction.atomic():
        row = Clinic.objects.select_for_update().get(pk=clinic.pk)
        apply_settings(row, CLINIC_DETAILS, fields, exclude=others, user=user)
    return row


def _same_name_taken(clinic: Clinic, name: str, *, other_than: int | None) -> bool:
    return (
        Service.objects.filter(clinic=clinic, name__iexact=(name or "").strip())
        .exclude(pk=other_than)
        .exists()
    )


def service_save(service: Service | None, *, clinic: Clinic, user=None, **fields) -> Service:
    """Add a service (``service`` None) or change one: only the fields given change."""
    refuse_unknown(fields, SERVICE_FIELDS)
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
        if _same_name_taken(clinic, fields["name"], other_than=service.pk if service else None):
            raise InvalidRequest(
                "duplicate_service", "There is already a service with that name.", field="name"
            )
    with transaction.atomic():
        if service is None:
            row = Service(clinic=clinic)
        else:
            row = Service.objects.select_for_update().get(pk=service.pk)
        new = row.pk is None
        # A treatment service needles in its own modality whatever the form's needling
        # box said (as Service.save does), not a database constraint's raw message.
        if fields.get("modality", row.modality) in Modality.needling():
            fields["needling"] = fields.get("modality", row.modality)
        apply_settings(row, SERVICE_FIELDS, fields, exclude=["clinic"], user=user)
        if new:
            audit.record(AuditAction.CREATE, row, detail="service added", user=user)
    return row

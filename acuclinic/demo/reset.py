"""Is there clinic data in the way of the demo, and deleting it when asked to (--reset).

The demo is never mixed into a real clinic: any clinic, patient, practitioner,
appointment or staff account already in the database stops the build unless the
operator explicitly resets. A reset deletes every table of the project's apps except
the audit trail, which is append-only; staff accounts the trail names are switched off
rather than deleted, so the trail still says who did what.
"""

from django.apps import apps
from django.db import models

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Clinic
from acuclinic.people.models import Patient, Practitioner, User
from acuclinic.scheduling.models import Appointment

_COUNTED = (
    (Clinic, "clinic", "clinics"),
    (Patient, "patient", "patients"),
    (Practitioner, "practitioner", "practitioners"),
    (Appointment, "appointment", "appointments"),
    (User, "staff account", "staff accounts"),
)


def existing_data() -> list[str]:
    """What the database already holds, e.g. ['1 clinic', '312 patients']; [] when empty."""
    found = []
    for model, one, many in _COUNTED:
        count = model.objects.count()
        if count:
            found.append(f"{count:,} {one if count == 1 else many}")
    return found


def clinic_rows() -> int:
    """Rows in the clinic's tables and staff accounts (the audit trail not included)."""
    tables = [*_project_models(), User, User.groups.through]
    return sum(model._base_manager.count() for model in tables)


def delete_clinic_data() -> int:
    """Delete every clinic record and staff account the audit trail allows; rows removed."""
    removed = 0
    for model in _referrers_first(_project_models()):
        removed += model._base_manager.all().delete()[0]
    named = AuditEntry.objects.filter(actor__isnull=False).values("actor_id")
    removed += User.objects.exclude(pk__in=named).delete()[0]
    kept = User.objects.all()
    User.groups.through.objects.filter(user__in=kept).delete()
    kept.update(is_active=False, is_superuser=False, is_staff=False)
    return removed


def _project_models() -> list[type[models.Model]]:
    """The project's tables, present and future, minus the audit trail and accounts."""
    found = [
        model
        for model in apps.get_models()
        if model.__module__.startswith("acuclinic.")
        and model not in (AuditEntry, User)
        and not model._meta.proxy
    ]
    return sorted(found, key=lambda m: m._meta.label)


def _referrers_first(found: list[type[models.Model]]) -> list[type[models.Model]]:
    """Order tables so each is emptied before any table it points at (PROTECT allows no
    other order)."""
    remaining, ordered = list(found), []
    while remaining:
        for model in remaining:
            pointed_at = any(
                field.related_model is model
                for other in remaining
                if other is not model
                for field in other._meta.concrete_fields
                if field.is_relation
            )
            if not pointed_at:
                ordered.append(model)
                remaining.remove(model)
                break
        else:
            names = ", ".join(m._meta.label for m in remaining)
            raise RuntimeError(f"Cannot order these tables for deletion: {names}")
    return ordered

"""Writing to the audit trail. Every service that touches personal data calls record()."""

from django.db import models

from acuclinic.audit.context import current_actor
from acuclinic.audit.models import AuditAction, AuditEntry
from acuclinic.people.roles import role_of


def _resolve_user(actor):
    if actor is None:
        return None
    user = actor.user
    return user.resolve() if hasattr(user, "resolve") else user


def _patient_id_for(obj) -> int | None:
    from acuclinic.people.models import Patient

    if isinstance(obj, Patient):
        return obj.pk
    return getattr(obj, "patient_id", None)


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    object_type: str | None = None,
    changed_fields: list[str] | None = None,
    detail: str = "",
    user=None,
) -> AuditEntry:
    """Append one entry for ``action`` on ``obj`` by the current actor."""
    actor = current_actor()
    user = user if user is not None else _resolve_user(actor)
    if obj is not None and object_type is None:
        object_type = obj._meta.label_lower
    return AuditEntry.objects.create(
        actor=user if user is not None and user.pk else None,
        actor_username=getattr(user, "username", "") or "",
        actor_role=role_of(user) if user is not None else "system",
        action=action,
        object_type=object_type or "",
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=str(obj)[:200] if obj is not None else "",
        patient_id=_patient_id_for(obj) if obj is not None else None,
        changed_fields=sorted(changed_fields or []),
        detail=detail[:200],
        client_address=actor.client_address if actor else None,
        via=actor.via if actor else "command",
    )


def changed_field_names(before: dict, after: models.Model, fields) -> list[str]:
    """Fields of ``after`` whose values differ from the ``before`` snapshot."""
    return [name for name in fields if before.get(name) != getattr(after, name)]


def snapshot(obj: models.Model, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


__all__ = ["AuditAction", "changed_field_names", "record", "snapshot"]

"""Changing one of a clinic's policy rows (screening, charting, messaging…).

Each app keeps its clinic-wide settings in a small model with a one-to-one ``clinic``
and defaults on every field; a clinic that never changed anything has no row. Changing
settings is the same everywhere: refuse names that are not settings, lock the row (or
create it), validate the model, and audit the fields that actually changed. Settings
kept on a row of another kind (the booking rules on the clinic itself) go through the
same last steps, ``apply_settings``.
"""

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import models, transaction

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.errors import InvalidRequest


def refuse_unknown(fields: dict, allowed: Sequence[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise InvalidRequest("unknown_setting", f"Unknown setting “{sorted(unknown)[0]}”.")


def update_clinic_settings(
    model: type[models.Model], clinic, allowed: Sequence[str], fields: dict, *, user=None
):
    """Set ``fields`` on ``clinic``'s row of ``model`` and return the row.

    An invalid value raises ``InvalidRequest`` with code ``invalid_<field>`` and writes
    nothing; a change that changes nothing writes nothing either.
    """
    refuse_unknown(fields, allowed)
    with transaction.atomic():
        row = model.objects.select_for_update().filter(clinic=clinic).first() or model(
            clinic=clinic
        )
        apply_settings(row, allowed, fields, exclude=["clinic"], user=user)
    return row


def apply_settings(
    row: models.Model, allowed: Sequence[str], fields: dict, *, exclude: Sequence[str], user=None
) -> list[str]:
    """Set ``fields`` on ``row``, which the caller has locked inside its transaction;
    validate it (leaving out ``exclude``); save and audit it if anything changed (or it
    is new). Returns the names of the fields that changed.

    For settings kept on a row that is not a settings row of its own, such as the
    booking rules on the clinic itself (clinic.booking_rules).
    """
    before = audit.snapshot(row, list(allowed))
    for name, value in fields.items():
        setattr(row, name, value)
    try:
        row.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidRequest("invalid_" + field, messages[0], field=field) from exc
    changed = audit.changed_field_names(before, row, list(allowed))
    if changed or row.pk is None:
        row.save()
        audit.record(AuditAction.CHANGE, row, changed_fields=changed, user=user)
    return changed

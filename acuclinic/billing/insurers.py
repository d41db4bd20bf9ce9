"""Visits billed to a health insurer: the insurer's part and the patient's excess on
separate invoices, the authorised sessions counted down, never billed past them."""

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.billing import services
from acuclinic.billing.choices import InvoicePurpose
from acuclinic.billing.models import InsurancePolicy, Outstanding
from acuclinic.core.errors import Conflict
from acuclinic.scheduling.models import Appointment


def policy_for(appointment) -> InsurancePolicy | None:
    """The patient's policy in force on the visit's day (the latest if several)."""
    day = timezone.localtime(appointment.start).date()
    return (
        InsurancePolicy.objects.filter(
            patient_id=appointment.patient_id, valid_from__lte=day, valid_until__gte=day
        )
        .select_related("insurer")
        .order_by("-valid_from", "-pk")
        .first()
    )


def bill_visit(appointment, policy: InsurancePolicy, *, user=None) -> list:
    """Bill a visit under ``policy``: the patient's excess (what is left of it) to the
    patient, the rest to the insurer. Refused past the authorised sessions
    (``authorisation_used_up``): get a new authorisation first."""
    appointment = Appointment.objects.select_related(
        "service", "practitioner__user", "room__location__clinic", "patient"
    ).get(pk=appointment.pk)
    if appointment.status in services.NOT_GIVEN:
        raise Conflict("visit_not_given", "A visit that was not given is not billed.")
    clinic = appointment.room.location.clinic
    try:
        with transaction.atomic():
            locked = InsurancePolicy.objects.select_for_update().get(pk=policy.pk)
            if locked.sessions_used >= locked.sessions_authorised:
                raise Conflict(
                    "authorisation_used_up",
                    f"{locked.insurer.name} authorised {locked.sessions_authorised} sessions "
                    "and all are used: record a new authorisation before billing them.",
                )
            line = services.visit_line(appointment)
            price = line["amount_pence"]
            excess = min(price, locked.excess_pence - locked.excess_used_pence)
            made = []
            for part, purpose, for_insurer in (
                (price - excess, InvoicePurpose.VISIT, True),
                (excess, InvoicePurpose.EXCESS, False),
            ):
                if part <= 0:
                    continue
                invoice = services.create_draft(
                    patient=appointment.patient,
                    clinic=clinic,
                    purpose=purpose,
                    appointment=appointment,
                    user=user,
                )
                if for_insurer:
                    invoice.policy = locked
                    invoice.save(update_fields=["policy"])
                what = line["description"] if for_insurer else f"Excess: {line['description']}"
                services.add_line(invoice, **{**line, "amount_pence": part, "description": what})
                made.append(services.issue(invoice))
            locked.sessions_used += 1
            locked.excess_used_pence += excess
            locked.save(update_fields=["sessions_used", "excess_used_pence"])
            audit.record(
                AuditAction.CHANGE,
                locked,
                changed_fields=["sessions_used"],
                detail=f"session {locked.sessions_used} of {locked.sessions_authorised} billed",
            )
    except IntegrityError as exc:
        raise Conflict("already_invoiced", "This visit has already been invoiced.") from exc
    return made


def insurer_debt() -> list[tuple[str, int]]:
    """What each insurer still owes: one query over what is outstanding."""
    rows = (
        Outstanding.objects.filter(invoice__policy__isnull=False)
        .values_list("invoice__policy__insurer__name")
        .annotate(s=Sum("owed_pence"))
        .order_by("-s")
    )
    return list(rows)

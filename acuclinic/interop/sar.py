"""Subject access requests: the register and the archive of everything held on a patient.

The archive is a zip holding ``record.html`` (readable: every record of the patient and
who viewed or changed it), ``record.fhir.json`` (the same as a FHIR R4 Bundle) and
``audit.csv``. Producing it is audited.
"""

import io
import json
import zipfile
from datetime import date

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction, AuditEntry
from acuclinic.billing.models import Invoice
from acuclinic.billing.money import pounds
from acuclinic.core import spreadsheet
from acuclinic.core.errors import InvalidRequest
from acuclinic.interop.fhir.registry import KINDS, Reader
from acuclinic.interop.models import SubjectAccessRequest
from acuclinic.interop.sar_dates import one_month_after
from acuclinic.notifications.models import Message
from acuclinic.outcomes.models import Course, Measurement
from acuclinic.people.models import ClinicalSummary, Patient
from acuclinic.safety.models import Consent, Questionnaire, Referral
from acuclinic.scheduling.models import Appointment
from acuclinic.treatment.models import AdverseEvent, SessionNote


def sar_register(*, patient: Patient, received_on: date, requested_by: str, user):
    today = timezone.localdate()
    if received_on > today:
        raise InvalidRequest(
            "received_in_future", "The date received cannot be in the future.", field="received_on"
        )
    with transaction.atomic():
        sar = SubjectAccessRequest.objects.create(
            patient=patient,
            received_on=received_on,
            due_on=one_month_after(received_on),
            requested_by=requested_by.strip(),
            recorded_by=user,
        )
        audit.record(AuditAction.CREATE, sar, object_type="interop.subjectaccessrequest", user=user)
    return sar


def fhir_bundle(patient: Patient, *, user, base_url: str) -> dict:
    """Every FHIR resource about ``patient``, as a collection Bundle."""
    reader = Reader(user=user, clinic_id=None)
    entries = []
    for kind in KINDS.values():
        if not kind.patient:
            continue
        for obj in kind.queryset().filter(**{kind.patient: patient.pk}).order_by("pk"):
            body = kind.render(obj, reader)
            entries.append({"fullUrl": f"{base_url}/{kind.name}/{body['id']}", "resource": body})
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": timezone.now().isoformat(),
        "entry": entries,
    }


def _record(patient: Patient) -> dict:
    notes = (
        SessionNote.objects.filter(patient=patient)
        .select_related("practitioner__user", "appointment")
        .prefetch_related("points", "addenda", "needle_uses__lot")
        .order_by("session_date", "pk")
    )
    return {
        "patient": patient,
        "summary": ClinicalSummary.objects.filter(patient=patient).first(),
        "appointments": Appointment.objects.filter(patient=patient)
        .select_related("practitioner__user", "service", "room__location")
        .order_by("start"),
        "notes": notes,
        "events": AdverseEvent.objects.filter(note__patient=patient).order_by("recorded_at"),
        "questionnaires": Questionnaire.objects.filter(patient=patient).order_by("version"),
        "consents": Consent.objects.filter(patient=patient).order_by("given_at"),
        # Letters to the GP or A&E, word for word as issued.
        "referrals": Referral.objects.filter(patient=patient)
        .select_related("issued_by")
        .order_by("issued_at", "pk"),
        "measurements": Measurement.objects.filter(patient=patient).order_by("taken_on", "pk"),
        "courses": Course.objects.filter(patient=patient).order_by("started_on"),
        "messages": Message.objects.filter(patient=patient).order_by("pk"),
        "invoices": [
            (i.reference, i.issued_at, pounds(i.total_pence), pounds(i.vat_pence))
            for i in Invoice.objects.filter(patient=patient).order_by("created_at", "pk")
        ],
        "audit": AuditEntry.objects.filter(patient_id=patient.pk).order_by("at", "id"),
    }


def _audit_csv(entries) -> str:
    header = ["when (UTC)", "who", "role", "action", "record", "detail", "via"]
    return spreadsheet.csv_text(
        [
            header,
            *(
                [
                    e.at.isoformat(),
                    e.actor_username or "system",
                    e.actor_role,
                    e.get_action_display(),
                    f"{e.object_type} {e.object_id}".strip(),
                    e.detail,
                    e.via,
                ]
                for e in entries
            ),
        ]
    )


def sar_archive(sar: SubjectAccessRequest, *, user, base_url: str) -> bytes:
    """The zip for ``sar``; audited, and the request marked produced."""
    patient = sar.patient
    with transaction.atomic():
        # Recorded first, so the archive's own audit shows this production too.
        audit.record(
            AuditAction.VIEW,
            patient,
            detail=f"subject access request {sar.pk}: whole record exported",
            user=user,
        )
        record = _record(patient)
        html = render_to_string(
            "interop/sar_record.html", {**record, "sar": sar, "produced_at": timezone.now()}
        )
        bundle = fhir_bundle(patient, user=user, base_url=base_url)
        audit_csv = _audit_csv(record["audit"])
        sar.produced_at = timezone.now()
        sar.produced_by = user
        sar.save(update_fields=["produced_at", "produced_by"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("record.html", html)
        archive.writestr("record.fhir.json", json.dumps(bundle, ensure_ascii=False, indent=1))
        archive.writestr("audit.csv", audit_csv)
    return buffer.getvalue()

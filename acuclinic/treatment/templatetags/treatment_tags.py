"""Treatment on other apps' pages: {% session_note_link appointment %} on the appointment
and {% treatment_section patient %} on the patient record.

Both show only to clinicians (people.view_clinical and treatment.view_sessionnote):
reception sees neither that a note exists nor anything in it.
"""

from django import template

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.treatment import checks, queries
from acuclinic.treatment.models import SessionNote
from acuclinic.treatment.services import ATTENDED

register = template.Library()

READ_NOTES = ("people.view_clinical", "treatment.view_sessionnote")


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


@register.inclusion_tag("treatment/_note_link.html", takes_context=True)
def session_note_link(context, appointment):
    user = _user(context)
    if user is None or not user.has_perms(READ_NOTES) or not appointment.service.needling:
        return {"show": False}
    note = SessionNote.objects.filter(appointment=appointment).first()
    can_start = (
        note is None
        and appointment.status in ATTENDED
        and user.has_perm("treatment.add_sessionnote")
        and appointment.practitioner.user_id == user.pk
    )
    return {
        "show": note is not None or can_start,
        "note": note,
        "can_start": can_start,
        "appointment": appointment,
    }


@register.inclusion_tag("treatment/_patient_section.html", takes_context=True)
def treatment_section(context, patient):
    user = _user(context)
    if user is None or not user.has_perms(READ_NOTES):
        return {"show": False}
    notes = queries.notes_for_patient(patient)
    if notes:
        # Which sessions a patient had is clinical content: its read is audited.
        audit.record(
            AuditAction.VIEW,
            patient,
            object_type="treatment.sessionnote",
            detail="treatment history",
        )
    return {"show": True, "notes": notes, "patient": patient}


@register.filter
def check_labels(codes) -> str:
    """["avoid_point", "no_electro"] → "a point to avoid, the bar on electro-acupuncture"."""
    return ", ".join(checks.LABELS.get(code, code) for code in codes)

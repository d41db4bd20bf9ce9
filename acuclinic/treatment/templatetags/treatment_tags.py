"""Treatment on other apps' pages: {% session_note_link appointment %} on the appointment
and {% treatment_section patient %} on the patient record.

Both show only to clinicians (people.view_clinical and treatment.view_sessionnote):
reception sees neither that a note exists nor anything in it.
"""

from django import template
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.formats import format_datetime
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.scheduling.services import arrival_opens
from acuclinic.treatment import checks, queries
from acuclinic.treatment.models import SessionNote
from acuclinic.treatment.services import ATTENDED

register = template.Library()

READ_NOTES = ("people.view_clinical", "treatment.view_sessionnote")


def _user(context):
    request = context.get("request")
    return getattr(request, "user", None)


def _why_no_note(appointment) -> str:
    """What must happen before this visit's session note can be written, in words."""
    status = appointment.status
    if status in (AppointmentStatus.CANCELLED, AppointmentStatus.LATE_CANCELLED):
        return "No session note: this visit was cancelled."
    if status == AppointmentStatus.DID_NOT_ATTEND:
        return "No session note: the patient did not attend."
    if status == AppointmentStatus.BOOKED:
        opens = timezone.localtime(arrival_opens(appointment))
        return (
            "Session note: mark the patient as arrived first (from "
            f"{format_datetime(opens)}); the note can then be written, and signed once the "
            "visit has started."
        )
    return (
        f"Session note: only {appointment.practitioner.name}, who sees the patient at this "
        "visit, writes it."
    )


@register.inclusion_tag("treatment/_note_link.html", takes_context=True)
def session_note_link(context, appointment):
    """The session note of a visit, always in view: a link, or what must come first."""
    user = _user(context)
    if user is None or not user.has_perms(READ_NOTES) or not appointment.service.needling:
        return {"show": False}
    note = _note_of(appointment)
    can_start = (
        note is None
        and appointment.status in ATTENDED
        and user.has_perm("treatment.add_sessionnote")
        and appointment.practitioner.user_id == user.pk
    )
    return {
        "show": True,
        "note": note,
        "can_start": can_start,
        "waiting_for": "" if note is not None or can_start else _why_no_note(appointment),
        "appointment": appointment,
    }


def _note_of(appointment) -> SessionNote | None:
    """The visit's note: read with the visits when a list of them shows a link each (my
    day selects ``session_note``, None when there is none), else asked for."""
    reverse = Appointment.session_note.related
    if reverse.is_cached(appointment):
        return reverse.get_cached_value(appointment)
    return SessionNote.objects.filter(appointment=appointment).first()


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

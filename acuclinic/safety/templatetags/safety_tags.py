"""{% safety_banner patient %}: a patient's standing safety flags, at a glance.

Clinicians (people.view_clinical) see each flag in words; reception sees only whether
there are flags and whether the questionnaire is current, never what the flags are.

{% credential_notice user %}: at the top of every staff page, a practitioner's own
registration, membership or insurance that ends within 30 days (or has ended), and what
a council's licensing asks of them, or of the premises, where they work and is missing,
so the reminder is in front of them every day and not only in an email.

{% safety_glance glance %}: the same role rules in a small box for one patient among many
(a diary card); the view loads them all with ``safety.glance.glances``.
"""

from django import template
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.people.models import Practitioner
from acuclinic.safety import glance, queries

register = template.Library()


@register.inclusion_tag("safety/banner.html", takes_context=True)
def safety_banner(context, patient, appointment=None):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("people.view_patient"):
        return {"show": False}
    status = queries.safety_status(patient, today=timezone.localdate())
    clinical = glance.sees_flags(user)
    if clinical and status.questionnaire is not None:
        # Flags are read from the patient's answers: a read of clinical content.
        audit.record(AuditAction.VIEW, status.questionnaire, detail="safety banner")
    flags = glance.flag_lines(status) if clinical else []
    outcome = status.assessment.outcome.key if status.assessment is not None else "none"
    return {
        "show": True,
        "clinical": clinical,
        "patient": patient,
        "status": status,
        "flags": flags,
        "outcome": outcome,
        "appointment": appointment
        if appointment is not None and appointment.service.needling
        else None,
        "can_send_link": user.has_perm("safety.add_questionnairelink") and bool(patient.email),
        "can_fill_in": clinical and user.has_perm("safety.add_questionnaire"),
        # A referral made is part of the flags' story: clinicians see it at the top.
        "referral": queries.latest_referral(patient)
        if clinical and user.has_perm("safety.view_referral")
        else None,
        "can_refer": clinical
        and user.has_perm("safety.add_referral")
        and status.assessment is not None
        and bool(status.assessment.referrals),
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def safety_glance(seen: "glance.Glance | None"):
    """One patient's safety in a list (a diary card), from ``glance.glances``, which
    loads every patient on the page at once and applies the same role rules."""
    return seen.html() if seen is not None else ""


@register.inclusion_tag("safety/credential_notice.html")
def credential_notice(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return {}
    practitioner = (
        Practitioner.objects.filter(user=user, is_active=True)
        .prefetch_related("credentials")
        .first()
    )
    if practitioner is None:
        return {}
    today = timezone.localdate()
    return {
        "expiring": queries.expiring_credentials(today=today, practitioner=practitioner),
        # Already lapsed, with no renewal on file: they cannot be booked to needle
        # anywhere, or at a location whose council asks for its registration or licence.
        "problems": practitioner.credential_problems(today),
        "problems_at": queries.licensing_problems_where_working(practitioner, today=today),
        "can_open_list": user.has_perm("people.view_clinical"),
    }

"""Scheduling on other apps' pages: a patient's appointments on their record."""

from django import template
from django.utils import timezone

from acuclinic.scheduling import queries

register = template.Library()


@register.simple_tag
def patient_visits(patient) -> queries.PatientVisits:
    return queries.patient_visits(patient, now=timezone.now())


@register.inclusion_tag("scheduling/_undo.html", takes_context=True)
def undo_offer(context):
    """The move or cancellation this user made in the last few minutes, with its undo."""
    from acuclinic.scheduling.views.changes import undo_offer as kept_for

    request = context.get("request")
    return {
        "undo": kept_for(request) if request is not None else None,
        "csrf_token": context.get("csrf_token"),
    }

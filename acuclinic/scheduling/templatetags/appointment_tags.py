"""Scheduling on other apps' pages: a patient's appointments on their record."""

from django import template
from django.utils import timezone

from acuclinic.scheduling import queries

register = template.Library()


@register.simple_tag
def patient_visits(patient) -> queries.PatientVisits:
    return queries.patient_visits(patient, now=timezone.now())

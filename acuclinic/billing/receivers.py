"""Billing listens to scheduling: a visit booked, attended, missed or cancelled."""

from django.dispatch import receiver

from acuclinic.billing import events
from acuclinic.billing.models import InsurancePolicy, PrepaidCourse
from acuclinic.scheduling.signals import diary_cards, visit_status_changed


@receiver(visit_status_changed, dispatch_uid="billing.visit_status_changed")
def visit_changed(sender, appointment, old, new, **kwargs):
    events.on_visit_status(appointment, old=old, new=new)


@receiver(diary_cards, dispatch_uid="billing.diary_cards")
def annotate_diary_cards(sender, *, appointments, user, today, **kwargs) -> None:
    """The diary's cards (scheduling.signals.diary_cards): the patient's prepaid course,
    "3 of 6 used", and a warning when the visit will use its last session. One query
    for the whole page."""
    patients = {a.patient_id for a in appointments}
    open_courses = {}
    for course in PrepaidCourse.objects.filter(
        patient_id__among=patients, closed_at__isnull=True, expires_on__gte=today
    ).order_by("expires_on", "pk"):
        if course.used < course.sessions:
            open_courses.setdefault(course.patient_id, course)
    cover = {}
    for policy in InsurancePolicy.objects.filter(
        patient_id__among=patients, valid_from__lte=today, valid_until__gte=today
    ).order_by("valid_from", "pk"):
        cover[policy.patient_id] = policy
    for appointment in appointments:
        policy = cover.get(appointment.patient_id)
        # Warn before the last authorised session, and when none is left.
        appointment.insurer_left = policy.left if policy and policy.left <= 1 else None
        course = open_courses.get(appointment.patient_id)
        appointment.prepaid = course.summary if course else ""
        appointment.prepaid_last = bool(
            course and course.left == 1 and appointment.status == "booked"
        )

"""My day: a practitioner's own visits of the day, in order, each with what they need
before the patient walks in — the safety glance, the questionnaire, the session number
of the course, the planner's suggestion — and one click to the session note.

It reads what the apps below own (scheduling's visits and the diary cards' signal that
safety and outcomes answer, outcomes' planner, treatment's note link); it writes nothing.
"""

from datetime import date, datetime, time, timedelta

from django.shortcuts import redirect, render
from django.utils import timezone

from acuclinic.core.access import staff_view
from acuclinic.outcomes import queries as outcomes
from acuclinic.people.models import Practitioner
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.scheduling.signals import diary_cards

SHOWN = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED)
READ_COURSES = ("people.view_clinical", "outcomes.view_course")


def _day(request) -> date:
    try:
        return date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        return timezone.localdate()


def _suggestions(user, appointments, *, today: date) -> dict[int, str]:
    """The planner's sentence for each patient's open course (clinicians only)."""
    if not user.has_perms(READ_COURSES):
        return {}
    found = {}
    patients = {a.patient_id: a.patient for a in appointments}.values()
    for patient_id, views in outcomes.course_views_for(patients, today=today).items():
        open_views = [v for v in views if v.course.is_open]
        if open_views:
            found[patient_id] = open_views[-1].plan.decision.sentence
    return found


@staff_view("people.view_clinical", "scheduling.view_appointment")
def my_day(request):
    practitioner = Practitioner.objects.filter(user=request.user).first()
    if practitioner is None:
        return redirect("diary")
    day = _day(request)
    start = timezone.make_aware(datetime.combine(day, time.min))
    appointments = list(
        Appointment.objects.filter(
            practitioner=practitioner,
            start__gte=start,
            start__lt=start + timedelta(days=1),
            status__in=SHOWN,
        )
        # Each visit's note with it: a link to it on every card (treatment's tag).
        .select_related(
            "patient", "service", "room__location__clinic", "practitioner__user", "session_note"
        )
        .order_by("start", "pk")
    )
    today = timezone.localdate()
    # The same glance, questionnaire state and session number as on the diary's cards.
    diary_cards.send(sender=Appointment, appointments=appointments, user=request.user, today=day)
    suggestions = _suggestions(request.user, appointments, today=today)
    for appointment in appointments:
        appointment.suggestion = suggestions.get(appointment.patient_id, "")
    return render(
        request,
        "myday/day.html",
        {
            "practitioner": practitioner,
            "day": day,
            "is_today": day == today,
            "previous": day - timedelta(days=1),
            "next": day + timedelta(days=1),
            "appointments": appointments,
            "nav": "my_day",
        },
    )

"""What safety adds to other apps' pages through their signals (connected in apps.py)."""

from datetime import date

from acuclinic.safety import glance
from acuclinic.scheduling.choices import AppointmentStatus


def annotate_diary_cards(
    sender, *, appointments, user, today: date, flags_in_words: bool = True, **kwargs
) -> None:
    """The diary's cards (scheduling.signals.diary_cards): each patient's safety at a
    glance, by the banner's rules, for every patient on the page at once, and whether the
    questionnaire will be out of date by the visit. With ``flags_in_words`` False (the
    week, the calendar's feed) the cards say only whether there are flags."""
    patients = {a.patient_id: a.patient for a in appointments}
    seen = glance.glances(
        user, patients.values(), today=today, where="diary", in_words=flags_in_words
    )
    for appointment in appointments:
        appointment.safety = seen.get(appointment.patient_id)
        appointment.questionnaire_due = questionnaire_due(appointment, today)


def questionnaire_due(appointment, today: date) -> bool:
    """A visit still to come whose day the patient's questionnaire will not cover: what
    reception chases (by sending the link) before the patient arrives."""
    seen = getattr(appointment, "safety", None)
    day = appointment.start.astimezone(appointment.room.location.tz).date()
    if seen is None or day < today or appointment.status != AppointmentStatus.BOOKED:
        return False
    due_on = seen.status.due_on
    return due_on is None or day >= due_on

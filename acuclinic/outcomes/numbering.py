"""One count of sessions: the number a visit is, or will be, in the patient's course.

Computed here and nowhere else, so the appointment, the diary card, the course timeline,
"my day" and the portal say the same "session 4". A signed session is numbered by its
place among the course's signed sessions, oldest first (session date, then note) — the
order the planner walks, so the timeline's "Session 4" is this number. A visit not yet
signed comes after every session signed before its day and after the visits booked
before it since the course began (a first visit with no course yet is session 1).

Cancelled and missed visits have no number, nor do visits without needling.
"""

from collections import defaultdict
from datetime import date, timedelta
from typing import NamedTuple

from django.db.models import Q
from django.utils import timezone

from acuclinic.outcomes.models import Course
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment


class _Signed(NamedTuple):
    day: date
    note_id: int
    appointment_id: int


COUNTED = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED)


def _window(courses: list[Course], day: date) -> tuple[date, date]:
    """The days of the course ``day`` belongs to (or of the course it would open)."""
    for course in courses:
        if course.started_on <= day and (course.ended_on is None or day <= course.ended_on):
            return course.started_on, course.ended_on or date.max
    ended = [c.ended_on for c in courses if c.ended_on is not None and c.ended_on < day]
    return (max(ended) + timedelta(days=1) if ended else date.min), date.max


def session_numbers(appointments) -> dict[int, int]:
    """{appointment id: its session number in the course} for the visits that have one."""
    visits = [a for a in appointments if a.service.needling and a.status in COUNTED]
    patient_ids = {a.patient_id for a in visits}
    if not patient_ids:
        return {}
    courses = defaultdict(list)
    for course in Course.objects.filter(patient_id__in=patient_ids):
        courses[course.patient_id].append(course)
    # One query for both: the signed sessions (by session date, then note, as the
    # planner walks them) and the visits still to be signed.
    signed, unsigned = defaultdict(list), defaultdict(list)
    rows = (
        Appointment.objects.filter(patient_id__in=patient_ids)
        .exclude(service__needling="")
        .filter(Q(status__in=COUNTED) | Q(session_note__signed_at__isnull=False))
        .values_list(
            "pk",
            "patient_id",
            "start",
            "session_note__id",
            "session_note__signed_at",
            "session_note__session_date",
        )
    )
    for pk, patient_id, start, note_id, signed_at, day in rows:
        if signed_at is not None:
            signed[patient_id].append(_Signed(day, note_id, pk))
        else:
            unsigned[patient_id].append((start, pk))
    for found in signed.values():
        found.sort()
    numbers = {}
    for visit in visits:
        day = timezone.localdate(visit.start)
        first, last = _window(courses[visit.patient_id], day)
        in_course = [f for f in signed[visit.patient_id] if first <= f.day <= last]
        place = next((n for n, f in enumerate(in_course, 1) if f.appointment_id == visit.pk), None)
        if place is None:
            before = sum(1 for f in in_course if f.day <= day)
            booked = sum(
                1
                for start, pk in unsigned[visit.patient_id]
                if pk != visit.pk
                and (start, pk) < (visit.start, visit.pk)
                and timezone.localdate(start) >= first
            )
            place = before + booked + 1
        numbers[visit.pk] = place
    return numbers


def session_number(appointment: Appointment) -> int | None:
    return session_numbers([appointment]).get(appointment.pk)


def annotate_diary_cards(sender, *, appointments, **kwargs) -> None:
    """scheduling.signals.diary_cards: each card's ``course_session``."""
    numbers = session_numbers(appointments)
    for appointment in appointments:
        appointment.course_session = numbers.get(appointment.pk)

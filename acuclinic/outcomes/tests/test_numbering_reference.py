"""Session numbers agree with the definition, read the slow way: mixed histories (closed and
open courses, cancelled and missed visits, visits without needling, sessions signed on a
day other than the visit's) numbered as the diary numbers a week of them, and compared
with a count over each patient's whole history, written here straight from
numbering.py's docstring."""

import random
from datetime import date, datetime, time, timedelta

import pytest
from django.utils import timezone

from acuclinic.clinic.choices import Modality
from acuclinic.clinic.models import Room, Service
from acuclinic.outcomes import numbering
from acuclinic.outcomes.choices import EndReason
from acuclinic.outcomes.models import Course
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories
from acuclinic.treatment.models import SessionNote

COUNTED = {AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED}


def _course_window(courses, day: date) -> tuple[date, date]:
    for started, ended in courses:
        if started <= day and (ended is None or day <= ended):
            return started, ended or date.max
    ended = [e for _, e in courses if e is not None and e < day]
    return (max(ended) + timedelta(days=1) if ended else date.min), date.max


def reference_numbers(visits) -> dict[int, int]:
    """Each visit's number, from every row of its patient's history."""
    numbers = {}
    for visit in visits:
        if not visit.service.needling or visit.status not in COUNTED:
            continue
        courses = list(
            Course.objects.filter(patient=visit.patient).values_list("started_on", "ended_on")
        )
        first, last = _course_window(courses, timezone.localdate(visit.start))
        history = Appointment.objects.filter(patient=visit.patient).exclude(service__needling="")
        signed, unsigned = [], []
        for a in history.select_related("session_note"):
            note = getattr(a, "session_note", None)
            if note is not None and note.signed_at is not None:
                if first <= note.session_date <= last:
                    signed.append((note.session_date, note.pk, a.pk))
            elif a.status in COUNTED:
                unsigned.append(a)
        signed.sort()
        mine = [n for n, (_, _, pk) in enumerate(signed, 1) if pk == visit.pk]
        if mine:
            numbers[visit.pk] = mine[0]
            continue
        day = timezone.localdate(visit.start)
        before = sum(1 for d, _, _ in signed if d <= day)
        booked = sum(
            1
            for a in unsigned
            if a.pk != visit.pk
            and (a.start, a.pk) < (visit.start, visit.pk)
            and timezone.localdate(a.start) >= first
        )
        numbers[visit.pk] = before + booked + 1
    return numbers


def _course(clinic, patient, practitioner, start: int, end: int | None) -> Course:
    """A course from ``start`` days from today to ``end`` (None: still open)."""
    today = timezone.localdate()
    return Course.objects.create(
        patient=patient,
        clinic=clinic,
        practitioner=practitioner,
        modality=Modality.MEDICAL,
        started_on=today + timedelta(days=start),
        ended_on=None if end is None else today + timedelta(days=end),
        end_reason="" if end is None else EndReason.DISCHARGED,
        refreshed_at=timezone.now(),
    )


def _histories(seed: int, clinic, practitioner, patients, *, overlapping=False) -> None:
    """Random, but each seed the same: every visit in a slot of its own (one practitioner,
    one room), courses that never overlap (unless ``overlapping``: a record put right by
    hand can leave two courses over the same weeks), notes signed on the visit's day or
    a few days off it."""
    rng = random.Random(seed)
    today = timezone.localdate()
    room = Room.objects.order_by("pk").first()
    services = list(Service.objects.filter(clinic=clinic))
    slots = [(d, h) for d in range(-300, 21) for h in range(8, 19)]
    rng.shuffle(slots)
    for patient in patients:
        # Zero to three courses, oldest first, the last one perhaps still open.
        edges = sorted(rng.sample(range(-320, 0), 2 * rng.randint(0, 3)))
        courses = list(zip(edges[::2], edges[1::2], strict=True))
        if overlapping:
            starts = sorted(rng.sample(range(-200, -20), rng.randint(3, 5)))
            courses = [(start, start + rng.randint(30, 150)) for start in starts]
        for n, (start, end) in enumerate(courses):
            open_ = n == len(courses) - 1 and rng.random() < 0.5
            _course(clinic, patient, practitioner, start, None if open_ else end)
        for _ in range(rng.randint(3, 18)):
            days, hour = slots.pop()
            service = rng.choice(services)
            start = timezone.make_aware(datetime.combine(today + timedelta(days=days), time(hour)))
            past = days < 0
            status = rng.choice(
                [AppointmentStatus.COMPLETED] * 4
                + [AppointmentStatus.CANCELLED, AppointmentStatus.DID_NOT_ATTEND]
                if past
                else [AppointmentStatus.BOOKED] * 4 + [AppointmentStatus.CANCELLED]
            )
            visit = Appointment.objects.create(
                patient=patient,
                practitioner=practitioner,
                service=service,
                room=room,
                start=start,
                end=start + timedelta(minutes=45),
                status=status,
                **({"cancelled_at": start} if status == AppointmentStatus.CANCELLED else {}),
            )
            if past and service.needling and rng.random() < 0.8:
                # Signed notes, now and then dated a few days off the visit (typed late).
                shift = rng.choice([0] * 6 + [-3, 2, 9])
                signed = start + timedelta(hours=1) if rng.random() < 0.9 else None
                SessionNote.objects.create(
                    appointment=visit,
                    patient=patient,
                    practitioner=practitioner,
                    clinic=clinic,
                    session_date=start.date() + timedelta(days=shift),
                    modality=service.needling,
                    pain_before=rng.randint(0, 10),
                    needles_out=0,
                    needles_in=0,
                    created_by=practitioner.user,
                    created_at=start,
                    updated_at=signed or start,
                    signed_at=signed,
                    signed_by=practitioner.user if signed else None,
                )


@pytest.mark.parametrize("seed, overlapping", [(1, False), (2, False), (3, False), (4, True)])
def test_a_weeks_numbers_are_those_counted_from_the_whole_history(
    seed, overlapping, clinic, practitioner
):
    patients = [factories.patient(given_name=f"P{n}") for n in range(12)]
    _histories(seed, clinic, practitioner, patients, overlapping=overlapping)
    today = timezone.localdate()
    everything = list(Appointment.objects.select_related("service", "patient"))
    # Each week the diary could show, back to the oldest visits, and every visit at once.
    windows = [(today + timedelta(days=d), 7) for d in range(-301, 21, 7)] + [(date.min, 0)]
    checked = 0
    for begin, days in windows:
        shown = [
            a
            for a in everything
            if days == 0 or begin <= timezone.localdate(a.start) < begin + timedelta(days=days)
        ]
        expected = reference_numbers(shown)
        assert numbering.session_numbers(shown) == expected, f"week from {begin}"
        checked += len(expected)
    assert checked > 80  # the histories did give numbers to compare


def test_visits_of_one_week_in_two_courses_begun_before_it_are_counted_from_the_history(
    clinic, practitioner, patient
):
    # Two courses over the same weeks (put right by hand): the week's first visit falls
    # in the newer one, which ends mid-week, its last in the older, and both began before
    # the week, so neither can be counted from the week's rows alone.
    today = timezone.localdate()
    for start, end in ((-100, 60), (-5, 3)):
        _course(clinic, patient, practitioner, start, end)
    factories.weekly_sessions(
        patient, practitioner, [6, 5, 4], first_day=today - timedelta(days=40), every_days=7
    )
    week = [
        factories.appointment(
            patient=patient,
            practitioner=practitioner,
            start=timezone.make_aware(datetime.combine(today + timedelta(days=d), time(10))),
        )
        for d in (1, 5)
    ]
    visits = list(Appointment.objects.filter(pk__in=[v.pk for v in week]).select_related("service"))
    assert numbering.session_numbers(visits) == reference_numbers(visits)

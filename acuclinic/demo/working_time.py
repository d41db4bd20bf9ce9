"""The demo's working time: weekly patterns from each practitioner's rota, the days the
clinic closes, and some leave and training — written before the diary is filled, so
every appointment the diary books lies inside working time, as the booking service
would require.

A practitioner works the whole of the location's opening hours on each rota day (one
pattern per opening period, from the first day of the demo's history). The clinic closes
on Christmas Day, Boxing Day and New Year's Day. Medical acupuncturists take a week of
leave (colleagues in the same modality cover their patients); everyone has a training
day ahead. The diary filler reads ``PractitionerPlan.days_off`` and books nobody then.
"""

import random
from datetime import date, timedelta

from acuclinic.clinic.choices import Modality
from acuclinic.demo.clinic import ClinicPlan
from acuclinic.demo.spec import DemoSpec
from acuclinic.demo.staff import StaffPlan
from acuclinic.scheduling.choices import ExceptionKind
from acuclinic.scheduling.models import WorkingException, WorkingPattern

# The clinic closes on these days (month, day) — the diary books nothing then.
CLOSED_DAYS = {(12, 25): "Christmas Day", (12, 26): "Boxing Day", (1, 1): "New Year's Day"}
LEAVE_NOTES = ("Annual leave", "Family holiday", "Annual leave (booked in January)")
TRAINING_NOTES = (
    "AACP study day: dry needling update",
    "Clinical governance training",
    "Safeguarding refresher",
    "BMAS foundation course, day 2",
)


def closed_on(day: date) -> bool:
    return (day.month, day.day) in CLOSED_DAYS


def build_working_time(
    spec: DemoSpec, rng: random.Random, plan: ClinicPlan, staff: StaffPlan
) -> None:
    patterns = [
        WorkingPattern(
            practitioner=p.practitioner,
            location=plan.locations[where].location,
            weekday=weekday,
            starts=opens,
            ends=closes,
            valid_from=spec.history_start,
            created_by=staff.admin,
        )
        for p in staff.practitioners
        for weekday, where in sorted(p.rota.items())
        for opens, closes in plan.locations[where].hours.get(weekday, [])
    ]
    WorkingPattern.objects.bulk_create(patterns)

    exceptions = [
        WorkingException(
            kind=ExceptionKind.BANK_HOLIDAY,
            first_day=day,
            last_day=day,
            note=CLOSED_DAYS[(day.month, day.day)],
            created_by=staff.admin,
        )
        for day in _days(spec.history_start, spec.horizon)
        if closed_on(day)
    ]
    for practitioner in staff.practitioners:
        if practitioner.modality == Modality.MEDICAL:
            monday = _a_monday(rng, spec.history_start, spec.horizon - timedelta(days=7))
            if monday is not None:
                leave = (monday, monday + timedelta(days=4))
                exceptions.append(
                    WorkingException(
                        practitioner=practitioner.practitioner,
                        kind=ExceptionKind.LEAVE,
                        first_day=leave[0],
                        last_day=leave[1],
                        note=rng.choice(LEAVE_NOTES),
                        created_by=staff.admin,
                    )
                )
                practitioner.days_off.update(_days(leave[0], leave[1] + timedelta(days=1)))
        training = _a_rota_day(rng, practitioner.rota, spec.today, spec.horizon)
        if training is not None:
            exceptions.append(
                WorkingException(
                    practitioner=practitioner.practitioner,
                    kind=ExceptionKind.TRAINING,
                    first_day=training,
                    last_day=training,
                    note=rng.choice(TRAINING_NOTES),
                    created_by=staff.admin,
                )
            )
            practitioner.days_off.add(training)
    WorkingException.objects.bulk_create(exceptions)


def _days(first: date, end: date):
    """Each day from ``first`` up to (not including) ``end``."""
    day = first
    while day < end:
        yield day
        day += timedelta(days=1)


def _a_monday(rng: random.Random, first: date, last: date) -> date | None:
    mondays = [d for d in _days(first, last + timedelta(days=1)) if d.weekday() == 0]
    return rng.choice(mondays) if mondays else None


def _a_rota_day(rng: random.Random, rota: dict, first: date, end: date) -> date | None:
    days = [d for d in _days(first + timedelta(days=1), end) if d.weekday() in rota]
    return rng.choice(days) if days else None

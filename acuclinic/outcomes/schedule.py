"""Which measures are due, for the practitioner and for the patient. Pure: no Django.

The schedule (issue 6, shared/clinical §4): pain at every session comes from the session
note (never entered twice); the condition's disability measure and the PSFS at baseline
(before the first needling), after the initial series and at discharge; for low back
pain the STarT Back screening tool once, at baseline; the PGIC after the initial series
and at discharge; and pain diary entries between sessions.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from acuclinic.outcomes.catalogue import PAIN, Catalogue, Measure

BASELINE, AFTER_INITIAL, DISCHARGE, DIARY = "baseline", "after_initial", "discharge", "diary"
TIMEPOINT_LABELS = {
    BASELINE: "at the start of the course",
    AFTER_INITIAL: "after the first weekly series",
    DISCHARGE: "at discharge",
    DIARY: "between sessions",
}
# How far either side of a time point a measure still counts for it.
BASELINE_BEFORE, BASELINE_AFTER = timedelta(days=28), timedelta(days=14)
AFTER_INITIAL_BEFORE = timedelta(days=7)
DISCHARGE_BEFORE, DISCHARGE_FOR = timedelta(days=14), timedelta(days=28)


@dataclass(frozen=True)
class Due:
    measure: Measure
    timepoint: str
    since: date

    @property
    def label(self) -> str:
        return TIMEPOINT_LABELS[self.timepoint]

    @property
    def code(self) -> str:
        return self.measure.code


@dataclass(frozen=True)
class CourseFacts:
    """What the schedule needs to know about a course (or a course about to start)."""

    condition: str
    starts: date  # the first session, or the first booked needling visit
    started: bool  # False: the first needling is still to come
    left_initial_on: date | None = None
    ended_on: date | None = None
    in_review: bool = False
    last_pain_day: date | None = None  # a session or a diary entry


def _taken(taken: dict[str, list[date]], code: str, start: date, end: date | None) -> bool:
    return any(start <= day and (end is None or day <= end) for day in taken.get(code, ()))


def due_measures(
    course: CourseFacts,
    *,
    catalogue: Catalogue,
    taken: Iterable[tuple[str, date]],
    today: date,
    diary_every_days: int = 7,
) -> list[Due]:
    """The measures due ``today`` for ``course``, given the (code, day) already taken."""
    by_code: dict[str, list[date]] = {}
    for code, day in taken:
        by_code.setdefault(code, []).append(day)
    every = (*catalogue.disability_for(course.condition), *catalogue.every_course)
    at_baseline = (*every, *catalogue.baseline_only_for(course.condition))
    after = (*every, *catalogue.after_treatment)
    found: list[Due] = []

    def need(codes, timepoint: str, since: date, start: date, end: date | None = None):
        for code in codes:
            if not _taken(by_code, code, start, end):
                found.append(Due(catalogue.measures[code], timepoint, since))

    starts = course.starts
    if course.ended_on is not None:
        ended = course.ended_on
        if today <= ended + DISCHARGE_FOR:
            need(after, DISCHARGE, ended, ended - DISCHARGE_BEFORE)
        return found
    baseline_ends = starts + BASELINE_AFTER
    # Once the first weekly series is over, a measure taken now answers "after the first
    # series", not the baseline: a missed baseline is not asked for alongside it.
    if not course.started or (today <= baseline_ends and course.left_initial_on is None):
        need(
            at_baseline, BASELINE, starts - BASELINE_BEFORE, starts - BASELINE_BEFORE, baseline_ends
        )
    if not course.started:
        return found
    left = course.left_initial_on
    if left is not None:
        need(after, AFTER_INITIAL, left, max(left - AFTER_INITIAL_BEFORE, starts + timedelta(1)))
    last = course.last_pain_day
    if (
        not course.in_review
        and last is not None
        and today - last >= timedelta(days=diary_every_days)
    ):
        found.append(Due(catalogue.measures[PAIN], DIARY, last + timedelta(diary_every_days)))
    return found

"""Which measures are due, and when (pure)."""

from datetime import date, timedelta

from acuclinic.outcomes import catalogue
from acuclinic.outcomes.schedule import (
    AFTER_INITIAL,
    BASELINE,
    DIARY,
    DISCHARGE,
    CourseFacts,
    due_measures,
)

CAT = catalogue.load()
START = date(2026, 3, 2)


def due(course, taken=(), today=START, **kwargs):
    found = due_measures(course, catalogue=CAT, taken=taken, today=today, **kwargs)
    return {(d.code, d.timepoint) for d in found}


def test_before_the_first_needling_the_baseline_disability_and_psfs_are_due():
    upcoming = CourseFacts(condition="low_back", starts=START, started=False)
    assert due(upcoming, today=START - timedelta(days=3)) == {
        ("rmdq", BASELINE),
        ("psfs", BASELINE),
        ("startback", BASELINE),  # low back pain: screened for risk once, at the start
    }


def test_the_start_back_screen_is_for_low_back_pain_and_only_at_baseline():
    for condition in ("low_back", "sciatica"):
        assert ("startback", BASELINE) in due(CourseFacts(condition, START, started=True))
    for condition in ("whiplash", "headache", "fibromyalgia", "msk", ""):
        assert ("startback", BASELINE) not in due(CourseFacts(condition, START, started=True))
    left = START + timedelta(days=28)
    course = CourseFacts("low_back", START, started=True, left_initial_on=left, ended_on=left)
    assert not {code for code, _ in due(course, today=left)} & {"startback"}


def test_each_condition_takes_its_own_disability_measure():
    for condition, code in [("whiplash", "ndi"), ("headache", "hit6"), ("fibromyalgia", "fiqr")]:
        course = CourseFacts(condition=condition, starts=START, started=True)
        assert (code, BASELINE) in due(course)
    # Without a disability measure for the condition (or none recorded): the PSFS alone.
    assert due(CourseFacts(condition="", starts=START, started=True)) == {("psfs", BASELINE)}


def test_a_baseline_taken_in_its_window_is_no_longer_due():
    course = CourseFacts(condition="low_back", starts=START, started=True)
    taken = [("rmdq", START - timedelta(days=2)), ("psfs", START), ("startback", START)]
    assert due(course, taken) == set()
    # Taken too long before the course began, it does not count as its baseline.
    assert ("rmdq", BASELINE) in due(course, [("rmdq", START - timedelta(days=40))])


def test_a_missed_baseline_stops_being_due_two_weeks_into_the_course():
    course = CourseFacts(condition="low_back", starts=START, started=True)
    assert due(course, today=START + timedelta(days=15)) == set()


def test_once_the_first_series_is_over_a_missed_baseline_is_not_asked_for_beside_it():
    # Sessions on days 0, 7 and 14, improved at two: every other week from day 14.
    left = START + timedelta(days=14)
    course = CourseFacts("low_back", START, started=True, left_initial_on=left)
    assert due(course, today=left) == {
        ("rmdq", AFTER_INITIAL),
        ("psfs", AFTER_INITIAL),
        ("pgic", AFTER_INITIAL),
    }


def test_after_the_first_series_disability_psfs_and_global_change_are_due():
    left = START + timedelta(days=28)
    course = CourseFacts(condition="sciatica", starts=START, started=True, left_initial_on=left)
    taken = [("rmdq", START), ("psfs", START)]
    assert due(course, taken, today=left) == {
        ("rmdq", AFTER_INITIAL),
        ("psfs", AFTER_INITIAL),
        ("pgic", AFTER_INITIAL),
    }
    later = [*taken, ("rmdq", left), ("psfs", left), ("pgic", left + timedelta(days=1))]
    assert due(course, later, today=left + timedelta(days=2)) == set()


def test_at_discharge_the_same_measures_fall_due_for_four_weeks():
    ended = START + timedelta(days=120)
    course = CourseFacts(condition="whiplash", starts=START, started=True, ended_on=ended)
    assert due(course, today=ended) == {
        ("ndi", DISCHARGE),
        ("psfs", DISCHARGE),
        ("pgic", DISCHARGE),
    }
    assert due(course, today=ended + timedelta(days=29)) == set()


def test_a_pain_diary_entry_is_due_a_week_after_the_last_pain_score():
    course = CourseFacts(
        condition="msk", starts=START, started=True, last_pain_day=START + timedelta(days=10)
    )
    taken = [("psfs", START)]
    assert due(course, taken, today=START + timedelta(days=16)) == set()
    assert due(course, taken, today=START + timedelta(days=17)) == {("nprs", DIARY)}
    assert due(course, taken, today=START + timedelta(days=14), diary_every_days=4) == {
        ("nprs", DIARY)
    }


def test_no_diary_is_asked_for_while_the_course_waits_for_a_review():
    course = CourseFacts(
        condition="msk", starts=START, started=True, in_review=True, last_pain_day=START
    )
    assert ("nprs", DIARY) not in due(course, [("psfs", START)], today=START + timedelta(30))

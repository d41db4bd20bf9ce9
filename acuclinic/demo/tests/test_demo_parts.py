"""The demo builder's pure parts: the spec, course shapes, local time, synthetic numbers."""

import random
from datetime import UTC, date, datetime

import pytest

from acuclinic.core.formats import LONDON
from acuclinic.demo import courses, synthetic
from acuclinic.demo.spec import DemoSpec, add_months
from acuclinic.demo.timeline import Occupancy, local_moment, nearest_bit, window_mask
from acuclinic.people import nhs_number

TODAY = date(2026, 4, 15)


def test_scale_multiplies_locations_rooms_practitioners_and_patients():
    spec = DemoSpec.at_scale(3, today=TODAY, seed=9)
    assert (spec.locations, spec.rooms, spec.practitioners, spec.patients) == (6, 15, 18, 900)
    assert spec.seed == 9


def test_history_runs_whole_calendar_months_around_today():
    spec = DemoSpec(today=date(2026, 3, 31), months_back=1, months_ahead=1)
    assert spec.history_start == date(2026, 2, 28)  # no 31 February
    assert spec.horizon == date(2026, 5, 1)  # the day after 30 April


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"scale": 0}, "scale must be between 1 and 200"),
        ({"practitioners": 1}, "at least two practitioners"),
        ({"rooms": 1, "locations": 2}, "every location needs at least one room"),
        ({"months_ahead": 25}, "months ahead must be between 0 and 24"),
        ({"months_back": 0, "months_ahead": 0}, "at least one month of appointments"),
        ({"days_a_week": 6}, "days a week must be between 1 and 5"),
        ({"days_a_week": 0}, "days a week must be between 1 and 5"),
    ],
)
def test_an_impossible_spec_is_refused_with_the_reason(fields, message):
    with pytest.raises(ValueError, match=message):
        DemoSpec(today=TODAY, **fields)


def test_add_months_goes_backwards_across_a_year():
    assert add_months(date(2026, 1, 15), -2) == date(2025, 11, 15)


def _days(steps):
    elapsed, days = 0, []
    for step in steps:
        elapsed += step.gap_days
        days.append(elapsed)
    return days


def test_a_responder_has_weekly_then_fortnightly_then_monthly_sessions():
    steps = courses.plan_course(
        random.Random(1), courses.Archetype.RESPONDER, max_days=400, ongoing=True
    )
    gaps = [s.gap_days for s in steps]
    assert steps[0].kind == courses.FIRST and gaps[0] == 0
    weekly = gaps[1 : gaps.index(14)]
    assert 3 <= len(weekly) <= 5 and set(weekly) == {7}
    monthly = gaps[gaps.index(14) + 3 :]
    assert monthly and all(gap >= 28 for gap in monthly)
    assert _days(steps)[-1] > 400 - 36  # ongoing maintenance fills the window


def test_a_patient_without_improvement_is_reviewed_after_six_weekly_sessions():
    steps = courses.plan_course(random.Random(2), courses.Archetype.NON_RESPONDER, max_days=400)
    assert [s.kind for s in steps] == [courses.FIRST] + [courses.TREATMENT] * 5 + [courses.REVIEW]
    assert {s.gap_days for s in steps[1:]} == {7}


def test_an_early_stopper_comes_at_most_three_times():
    for seed in range(20):
        steps = courses.plan_course(random.Random(seed), courses.Archetype.EARLY_STOP, max_days=400)
        assert 1 <= len(steps) <= 3


def test_a_relapse_starts_a_new_weekly_series_with_a_review():
    steps = courses.plan_course(random.Random(3), courses.Archetype.RELAPSE, max_days=720)
    restart = next(i for i, s in enumerate(steps) if s.gap_days >= 42)
    assert steps[restart].kind == courses.REVIEW
    assert steps[restart + 1].gap_days == 7


def test_a_course_stops_at_the_window():
    steps = courses.plan_course(random.Random(4), courses.Archetype.RESPONDER, max_days=20)
    assert _days(steps)[-1] <= 20


def test_ten_o_clock_is_ten_o_clock_in_london_in_winter_and_summer():
    winter = local_moment(date(2026, 3, 27), 40, LONDON)
    summer = local_moment(date(2026, 3, 30), 40, LONDON)
    assert winter == datetime(2026, 3, 27, 10, tzinfo=UTC)
    assert summer == datetime(2026, 3, 30, 9, tzinfo=UTC)
    assert winter.astimezone(LONDON).hour == summer.astimezone(LONDON).hour == 10


def test_occupancy_refuses_to_hold_the_same_time_twice():
    busy = Occupancy()
    busy.take("room", TODAY, 40, 4)
    assert not busy.is_free("room", TODAY, 43, 2)
    assert busy.is_free("room", TODAY, 44, 2)  # back to back is fine
    assert busy.is_free("other room", TODAY, 40, 4)
    with pytest.raises(ValueError):
        busy.take("room", TODAY, 42, 1)


def _steps(mask: int) -> list[int]:
    return [n for n in range(96) if mask >> n & 1]


def test_a_free_time_never_runs_across_the_lunch_break_or_past_closing():
    # Open 09:00–13:00 and 14:00–18:00 (steps 36–52 and 56–72); a 60-minute session.
    window = window_mask([(36, 52), (56, 72)])
    busy = Occupancy()
    busy.take("practitioner", TODAY, 40, 2)  # 10:00–10:30 taken
    starts = _steps(busy.free_starts("practitioner", TODAY, window, 4))
    assert starts == [36, *range(42, 49), *range(56, 69)]


def test_the_nearest_free_start_wins_and_the_earlier_of_two_equally_near():
    assert nearest_bit(0b1000001, 3) == 0
    assert nearest_bit(0b1000001, 4) == 6
    assert nearest_bit(0, 4) is None


def test_nhs_numbers_are_valid_unique_and_from_the_never_issued_999_range():
    pool = synthetic.NhsNumberPool(random.Random(5))
    numbers = [pool.take() for _ in range(2000)]
    assert len(set(numbers)) == 2000
    assert all(n.startswith("999") and nhs_number.is_valid(n) for n in numbers)


def test_phone_numbers_come_from_ofcom_drama_ranges():
    mobiles = synthetic.NumberPool(random.Random(6), synthetic.DRAMA_MOBILE_PREFIX)
    numbers = [mobiles.take() for _ in range(1000)]
    assert len(set(numbers)) == 1000
    assert all("07700 900000" <= n <= "07700 900999" for n in numbers)


def test_email_addresses_are_plain_ascii_on_reserved_domains():
    email = synthetic.email_for("Siobhan", "O'Brien-Lefèvre", 7, random.Random(7))
    assert email.split("@")[0] == "siobhan.obrienlefevre7"
    assert email.split("@")[1] in synthetic.EMAIL_DOMAINS


@pytest.mark.parametrize(
    ("fields", "sets"),
    [
        ({}, 1),  # scale 1: 300 patients, 7 months
        ({"scale": 3, "patients": 900, "locations": 6, "rooms": 15}, 3),
        # The scheduling benchmark's clinic: 25 times scale 1's patients, given directly.
        ({"patients": 7500, "practitioners": 20, "rooms": 17, "locations": 3}, 25),
        # Ten years of scale 1's clinic uses twice the needles of five.
        ({"months_back": 119, "months_ahead": 1}, 2),
    ],
)
def test_a_bigger_or_older_clinic_opens_more_needle_lots_so_none_outgrows_a_delivery(fields, sets):
    # A demo with 10,000 patients at scale 1 once stopped on the lot size check (a lot
    # holds at most 100,000 needles); the lots now follow patients and years.
    from acuclinic.demo.treatment import lot_sets

    assert lot_sets(DemoSpec(today=TODAY, **fields)) == sets

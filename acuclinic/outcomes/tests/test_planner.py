"""The course planner: each rule of issue 6 by example, and properties over any course."""

import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acuclinic.outcomes import guidance
from acuclinic.outcomes.guidance import CONTACT_TIME, SESSIONS, Guidance
from acuclinic.outcomes.planner import (
    Action,
    DiaryEntry,
    Limit,
    Phase,
    Rules,
    Session,
    hours,
    plan_course,
)
from acuclinic.outcomes.scoring import PainRule

MONDAY = date(2026, 1, 5)
RULES = Rules()


def weekly(*pains, minutes=30, start=MONDAY, every=7):
    return [
        Session(start + timedelta(days=every * n), pain, minutes, ref=n + 1)
        for n, pain in enumerate(pains)
    ]


def plan(sessions, **kwargs):
    """The plan as it stands on the day of the last session, unless told otherwise."""
    kwargs.setdefault("rules", RULES)
    kwargs.setdefault("today", max((s.day for s in sessions), default=MONDAY))
    return plan_course(sessions, **kwargs)


# ── The rules, one by one ────────────────────────────────────────────────────────────


def test_a_new_course_is_weekly_with_the_first_pain_as_baseline():
    result = plan(weekly(7))
    assert (result.baseline, result.phase, result.series) == (7, Phase.INITIAL, 1)
    assert result.decision.action == Action.BOOK
    assert result.decision.interval_days == 7
    assert result.decision.next_date == MONDAY + timedelta(days=7)


def test_two_improved_sessions_in_a_row_move_to_every_other_week():
    result = plan(weekly(7, 6, 5, 4))
    assert result.phase == Phase.TAPER
    assert result.decision.interval_days == 14
    assert result.decision.sentence == (
        "Pain 4/10 vs baseline 7/10 at two sessions: moving to every other week."
    )
    assert result.decision.next_date == MONDAY + timedelta(days=21 + 14)


def test_one_improved_session_between_two_that_are_not_keeps_the_course_weekly():
    result = plan(weekly(7, 5, 6, 5))
    assert result.phase == Phase.INITIAL
    assert result.first_mcid_session == 2


def test_the_clinic_can_measure_improvement_as_thirty_percent():
    # From 10, 30% is 3 points: a fall of 2 is not enough under the percentage rule.
    percent = Rules(pain=PainRule("percent", percent=30))
    assert plan(weekly(10, 8, 8), rules=percent).phase == Phase.INITIAL
    assert plan(weekly(10, 7, 7), rules=percent).phase == Phase.TAPER
    assert plan(weekly(10, 8, 8)).phase == Phase.TAPER  # the default: 2 points


def test_improvement_held_through_the_taper_moves_to_monthly():
    result = plan(weekly(7, 5, 4) + weekly(4, 3, start=MONDAY + timedelta(days=28), every=14))
    assert result.phase == Phase.MAINTENANCE
    assert result.decision.interval_days == 28
    assert "moving to monthly maintenance" in result.decision.sentence


def test_a_session_back_near_baseline_is_a_relapse_and_a_new_weekly_series():
    result = plan(weekly(7, 5, 4, 4, 3, 6))
    assert (result.phase, result.series, result.relapses) == (Phase.INITIAL, 2, 1)
    assert result.decision.interval_days == 7
    assert result.decision.sentence == (
        "Pain 6/10 vs baseline 7/10: back within 2 points of baseline, so a relapse: "
        "starting weekly series 2."
    )


def test_two_rises_by_the_mcid_above_the_lowest_are_a_relapse_even_below_baseline():
    # Baseline 9, lowest 2; 4 and 5 are still improved from baseline but 2+ above the low.
    result = plan(weekly(9, 6, 5, 2, 4, 5))
    assert result.relapses == 1
    assert "2 or more above its lowest (2/10) at two measures in a row" in (
        result.decision.sentence
    )


def test_pain_diary_entries_count_towards_a_relapse():
    sessions = weekly(8, 5, 4, 3)
    diary = [DiaryEntry(MONDAY + timedelta(days=24), 5), DiaryEntry(MONDAY + timedelta(days=26), 6)]
    result = plan(sessions, diary=diary)
    assert (result.series, result.relapses) == (2, 1)
    assert "pain diary" in result.decision.sentence


def test_a_single_bad_diary_day_is_not_a_relapse():
    sessions = weekly(8, 5, 4, 3)
    result = plan(sessions, diary=[DiaryEntry(MONDAY + timedelta(days=24), 6)])
    assert result.relapses == 0


def test_a_second_relapse_is_counted_as_series_three():
    result = plan(weekly(7, 5, 4, 6, 5, 4, 6))
    assert (result.series, result.relapses) == (3, 2)


def test_no_response_after_the_trial_prompts_a_review_instead_of_a_booking():
    result = plan(weekly(7, 7, 6, 7, 6, 7))
    assert result.phase == Phase.REVIEW
    assert result.non_response
    assert result.decision.action == Action.REVIEW
    assert result.decision.next_date is None
    assert result.decision.sentence.startswith("No response after six sessions")


def test_the_trial_length_is_the_clinics_setting():
    assert plan(weekly(7, 7, 7, 7), rules=Rules(trial_sessions=4)).phase == Phase.REVIEW
    assert plan(weekly(7, 7, 7, 7)).phase == Phase.INITIAL


def test_a_review_that_continues_starts_a_fresh_trial():
    sessions = weekly(7, 7, 7, 7, 7, 7, 7)
    result = plan(sessions, reviews=[MONDAY + timedelta(days=40)])
    assert result.phase == Phase.INITIAL
    assert result.decision.action == Action.BOOK
    assert result.non_response  # it did not respond to the first trial


def test_a_closed_course_proposes_nothing():
    result = plan(weekly(7, 5, 4), ended_on=MONDAY + timedelta(days=20))
    assert result.decision.action == Action.ENDED
    assert result.decision.next_date is None


def test_contact_time_is_added_up_and_warns_at_the_clinics_own_cap_if_it_set_one():
    capped = Rules(contact_cap_minutes=300)
    nine = plan(weekly(*[7] * 5 + [5, 4, 4, 4], minutes=30), rules=capped)
    assert nine.contact_minutes == 270
    assert nine.warnings == [
        "Contact time 4 h 30 min of the 5 h cap: another 30 min session would reach it."
    ]
    ten = plan(weekly(*[7] * 5 + [5, 4, 4, 4, 4], minutes=30), rules=capped)
    assert ten.warnings == [
        "Contact time 5 h has reached the clinic's own cap of 5 h for a course."
    ]
    # By default there is none: NICE's limit depends on the condition (the guidance).
    assert Rules().contact_cap_minutes is None
    assert plan(weekly(*[7] * 12)).warnings == []


def test_the_proposed_date_is_never_in_the_past():
    result = plan(weekly(7), today=MONDAY + timedelta(days=30))
    assert result.decision.next_date == MONDAY + timedelta(days=31)


def test_the_timeline_has_a_span_per_phase_with_its_sessions():
    result = plan(weekly(7, 5, 4) + weekly(4, 3, 6, start=MONDAY + timedelta(days=28), every=14))
    labels = [(span.label, [m.number for m in span.sessions]) for span in result.spans]
    assert labels == [
        ("Weekly (initial)", [1, 2, 3]),
        ("Every other week", [4, 5]),
        ("Monthly maintenance", []),
        ("Weekly series 2", [6]),
    ]


def test_no_signed_session_means_nothing_to_plan_yet():
    result = plan([])
    assert result.decision.action == Action.WAIT
    assert result.baseline is None


@pytest.mark.parametrize(("minutes", "text"), [(300, "5 h"), (270, "4 h 30 min"), (45, "45 min")])
def test_hours_reads_as_people_write_it(minutes, text):
    assert hours(minutes) == text


# ── Properties over any course ───────────────────────────────────────────────────────

ALLOWED = {
    Phase.INITIAL: {Phase.TAPER, Phase.REVIEW},
    Phase.TAPER: {Phase.MAINTENANCE, Phase.INITIAL},
    Phase.MAINTENANCE: {Phase.INITIAL},
    Phase.REVIEW: {Phase.TAPER, Phase.INITIAL},
}

rules_strategy = st.builds(
    Rules,
    pain=st.one_of(
        st.builds(PainRule, st.just("points"), st.integers(1, 5)),
        st.builds(PainRule, st.just("percent"), st.just(2), st.integers(10, 60)),
    ),
    improving_sessions=st.integers(1, 4),
    taper_sessions=st.integers(1, 6),
    relapse_measures=st.integers(1, 4),
    trial_sessions=st.integers(3, 12),
    initial_days=st.integers(5, 10),
    taper_days=st.integers(10, 21),
    maintenance_days=st.integers(21, 56),
    contact_cap_minutes=st.one_of(st.none(), st.integers(60, 1200)),
)


@st.composite
def courses(draw):
    pains = draw(st.lists(st.integers(0, 10), min_size=1, max_size=30))
    gaps = draw(st.lists(st.integers(1, 35), min_size=len(pains), max_size=len(pains)))
    minutes = draw(st.lists(st.sampled_from([20, 30, 45, 60]), min_size=len(pains)))
    day, sessions = MONDAY, []
    for n, pain in enumerate(pains):
        sessions.append(Session(day, pain, minutes[n % len(minutes)], ref=n + 1))
        day += timedelta(days=gaps[n])
    diary = draw(
        st.lists(st.builds(DiaryEntry, st.dates(MONDAY, day), st.integers(0, 10)), max_size=10)
    )
    return sessions, diary


@settings(max_examples=300, deadline=None)
@given(courses(), rules_strategy)
def test_phases_only_change_as_the_rules_allow(course, rules):
    sessions, diary = course
    result = plan(sessions, diary=diary, rules=rules)
    current, series = Phase.INITIAL, 1
    for change in result.changes:
        if change.series > series:
            # A relapse: only from a course that had improved, into a new weekly series.
            assert current in (Phase.TAPER, Phase.MAINTENANCE), (current, change)
            assert (change.phase, change.series) == (Phase.INITIAL, series + 1)
            assert f"starting weekly series {change.series}." in change.sentence
        else:
            assert change.phase in ALLOWED[current], (current, change)
        current, series = change.phase, change.series
    assert current == result.phase
    assert result.series == series == 1 + result.relapses


@settings(max_examples=300, deadline=None)
@given(courses(), rules_strategy)
def test_every_decision_matches_its_phase_and_explains_itself(course, rules):
    sessions, diary = course
    result = plan(sessions, diary=diary, rules=rules)
    decision = result.decision
    assert decision.sentence
    if result.phase == Phase.REVIEW:
        assert decision.action == Action.REVIEW and decision.next_date is None
    else:
        assert decision.action == Action.BOOK
        assert decision.interval_days == rules.interval(result.phase)
        assert decision.next_date > max(s.day for s in sessions)
        assert decision.next_date >= sessions[-1].day + timedelta(days=decision.interval_days)


@settings(max_examples=300, deadline=None)
@given(courses(), rules_strategy)
def test_taper_only_follows_enough_improved_sessions_in_a_row(course, rules):
    sessions, diary = course
    result = plan(sessions, diary=diary, rules=rules)
    by_day = {}
    for mark in result.marks:
        by_day.setdefault(mark.day, []).append(mark)
    for change in result.changes:
        if change.phase == Phase.TAPER:
            before = [m for m in result.marks if m.day <= change.day]
            run = before[-rules.improving_sessions :]
            assert len(run) == rules.improving_sessions
            assert all(m.improved for m in run)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 10), min_size=1, max_size=20), rules_strategy)
def test_a_course_that_never_improves_is_reviewed_after_the_trial(pains, rules):
    baseline = max(pains)
    flat = [baseline] + [p for p in pains if not rules.pain.improved(baseline, p)]
    result = plan(weekly(*flat), rules=rules)
    if len(flat) >= rules.trial_sessions:
        assert result.decision.action == Action.REVIEW
        assert result.non_response
    else:
        assert result.phase == Phase.INITIAL
    assert result.first_mcid_session is None


@settings(max_examples=200, deadline=None)
@given(courses(), rules_strategy)
def test_later_sessions_never_rewrite_how_earlier_ones_were_read(course, rules):
    sessions, _ = course
    full = plan(sessions, rules=rules)
    for cut in range(1, len(sessions)):
        prefix = plan(sessions[:cut], rules=rules)
        assert prefix.marks == full.marks[:cut]


@settings(max_examples=200, deadline=None)
@given(courses(), rules_strategy, st.randoms(use_true_random=False))
def test_the_order_sessions_arrive_in_does_not_matter(course, rules, rnd):
    sessions, diary = course
    shuffled, shuffled_diary = list(sessions), list(diary)
    rnd.shuffle(shuffled)
    rnd.shuffle(shuffled_diary)
    one = plan(sessions, diary=diary, rules=rules)
    other = plan(shuffled, diary=shuffled_diary, rules=rules)
    assert (one.marks, one.changes, one.decision) == (other.marks, other.changes, other.decision)


@settings(max_examples=200, deadline=None)
@given(courses(), rules_strategy)
def test_contact_time_is_the_sum_of_the_sessions_and_warns_only_near_the_cap(course, rules):
    sessions, _ = course
    result = plan(sessions, rules=rules)
    total = sum(s.minutes for s in sessions)
    assert result.contact_minutes == total
    cap = rules.contact_cap_minutes
    near = cap is not None and total + sessions[-1].minutes >= cap
    assert bool(result.warnings) == near


@settings(max_examples=200, deadline=None)
@given(courses(), rules_strategy)
def test_every_session_sits_in_one_span_of_its_phase(course, rules):
    sessions, diary = course
    result = plan(sessions, diary=diary, rules=rules)
    placed = [m for span in result.spans for m in span.sessions]
    assert sorted(placed, key=lambda m: m.number) == result.marks
    for span in result.spans:
        assert all(m.phase == span.phase and m.series == span.series for m in span.sessions)


@settings(max_examples=300, deadline=None)
@given(courses(), rules_strategy)
def test_no_session_back_within_the_mcid_of_baseline_stays_in_taper_or_maintenance(course, rules):
    sessions, diary = course
    result = plan(sessions, diary=diary, rules=rules)
    for mark in result.marks:
        if mark.phase in (Phase.TAPER, Phase.MAINTENANCE):
            assert rules.pain.improved(result.baseline, mark.pain), mark


@settings(max_examples=300, deadline=None)
@given(courses(), rules_strategy)
def test_monthly_maintenance_follows_enough_fortnightly_sessions(course, rules):
    sessions, diary = course
    result = plan(sessions, diary=diary, rules=rules)
    for n, change in enumerate(result.changes):
        if change.phase != Phase.MAINTENANCE:
            continue
        taper = result.changes[n - 1]
        assert (taper.phase, taper.series) == (Phase.TAPER, change.series)
        given_in_taper = [
            m
            for m in result.marks
            if taper.day <= m.day <= change.day
            and m.phase == Phase.TAPER
            and m.series == change.series
        ]
        assert len(given_in_taper) == rules.taper_sessions


@settings(max_examples=300, deadline=None)
@given(courses(), rules_strategy)
def test_only_sessions_move_a_course_on_a_diary_entry_can_only_start_a_relapse(course, rules):
    sessions, diary = course
    result = plan(sessions, diary=diary, rules=rules)
    session_days = {s.day for s in sessions}
    for change in result.changes:
        if change.phase in (Phase.TAPER, Phase.MAINTENANCE, Phase.REVIEW):
            assert change.day in session_days, change
        else:
            assert change.series > 1  # the only other change: a relapse


@settings(max_examples=300, deadline=None)
@given(courses(), rules_strategy, st.data())
def test_a_review_comes_after_exactly_a_trial_and_continuing_gives_a_fresh_one(course, rules, data):
    sessions, diary = course
    reviews = data.draw(st.lists(st.dates(MONDAY, sessions[-1].day), max_size=3))
    result = plan(sessions, diary=diary, rules=rules, reviews=reviews)
    for n, change in enumerate(result.changes):
        if change.phase != Phase.REVIEW:
            continue
        previous = result.changes[n - 1] if n else None
        if previous is None:
            since = [m for m in result.marks if m.day <= change.day]
        else:
            # The series (or the further trial) began with ``previous``: a relapse at a
            # session counts that session; a review or a diary entry comes after the
            # day's session.
            assert previous.phase == Phase.INITIAL
            after_the_day = previous.sentence.startswith("Reviewed") or "pain diary" in (
                previous.sentence
            )
            since = [
                m
                for m in result.marks
                if m.series == change.series
                and previous.day <= m.day <= change.day
                and (m.day > previous.day or not after_the_day)
            ]
        assert len(since) == rules.trial_sessions, (change, previous)
        # Not reviewed while improving: the trial ended without enough improved in a row.
        run = len(since) - max((k + 1 for k, m in enumerate(since) if not m.improved), default=0)
        assert run < rules.improving_sessions


# ── Properties against NICE's guidance ───────────────────────────────────────────────


def _text(**fields):
    return {name: "x" for name in ("name", "short", "advice", "source", "checked")} | fields


guidance_strategy = st.one_of(
    st.sampled_from(list(guidance.load().guidance.values())),
    st.builds(
        lambda minutes, single: Guidance(
            **_text(id="t", kind=CONTACT_TIME, limit_minutes=minutes, single_course=single)
        ),
        st.integers(30, 900),
        st.booleans(),
    ),
    st.builds(
        lambda cap, low, extra: Guidance(
            **_text(id="s", kind=SESSIONS, limit_sessions=cap, weeks_min=low, weeks_max=low + extra)
        ),
        st.integers(1, 15),
        st.integers(1, 8),
        st.integers(0, 6),
    ),
)


@st.composite
def guided(draw):
    sessions, diary = draw(courses())
    found = draw(guidance_strategy)
    earlier = draw(st.integers(0, 2))
    reviews = draw(st.lists(st.dates(MONDAY, sessions[-1].day + timedelta(days=30)), max_size=3))
    return sessions, diary, found, earlier, reviews


@settings(max_examples=300, deadline=None)
@given(guided(), rules_strategy)
def test_the_guidance_never_changes_what_the_pain_decides_it_only_adds_to_the_sentence(
    course, rules
):
    sessions, diary, found, earlier, reviews = course
    alone = plan(sessions, diary=diary, rules=rules, reviews=reviews)
    with_it = plan(
        sessions, diary=diary, rules=rules, reviews=reviews, guidance=found, earlier_courses=earlier
    )
    # Booking is never blocked: the action, phase and proposed date are the pain's alone.
    assert (with_it.decision.action, with_it.decision.phase, with_it.decision.next_date) == (
        alone.decision.action,
        alone.decision.phase,
        alone.decision.next_date,
    )
    assert (with_it.marks, with_it.changes) == (alone.marks, alone.changes)
    assert with_it.decision.sentence.startswith(alone.decision.sentence)
    standing = with_it.standing
    advised = standing.complete and standing.reviewed_on is None
    assert with_it.decision.review_advised == advised
    if advised:
        assert with_it.decision.sentence == f"{alone.decision.sentence} {standing.sentence}"
        assert "the course NICE recommends is complete" in standing.sentence
    else:
        assert with_it.decision.sentence == alone.decision.sentence


@settings(max_examples=300, deadline=None)
@given(guided(), rules_strategy)
def test_where_a_course_stands_follows_from_its_time_or_its_sessions_and_weeks(course, rules):
    sessions, diary, found, earlier, reviews = course
    result = plan(
        sessions, diary=diary, rules=rules, reviews=reviews, guidance=found, earlier_courses=earlier
    )
    standing = result.standing
    ordered = sorted(sessions, key=lambda s: (s.day, s.ref))
    used = sum(s.minutes for s in sessions)
    week = (ordered[-1].day - ordered[0].day).days // 7 + 1
    assert (standing.minutes, standing.sessions, standing.week) == (used, len(sessions), week)
    if found.kind == CONTACT_TIME:
        limit = found.limit_minutes
        assert standing.progress == f"{hours(used)} of {hours(limit)} used"
        expected = Limit.OVER if used > limit else Limit.AT if used == limit else None
        if expected:
            assert standing.status == expected
        else:
            near = used + ordered[-1].minutes >= limit
            assert standing.status == (Limit.NEAR if near else Limit.WITHIN)
        repeat = found.single_course and earlier > 0
        assert standing.complete == (used >= limit or repeat)
        if standing.complete and not repeat:
            # Reached at the first session whose running total got to the limit.
            running = [sum(s.minutes for s in ordered[: n + 1]) for n in range(len(ordered))]
            first = next(n for n, total in enumerate(running) if total >= limit)
            assert standing.reached_on == ordered[first].day
    elif found.kind == SESSIONS:
        cap, high = found.limit_sessions, found.weeks_max
        assert standing.progress.startswith(f"session {len(sessions)} of up to {cap}, week {week}")
        assert standing.complete == (len(sessions) >= cap or week > high)
        if standing.complete:
            assert standing.status == (
                Limit.AT if len(sessions) == cap and week <= high else Limit.OVER
            )
    else:
        assert (standing.status, standing.progress, standing.complete) == (Limit.NONE, "", False)
    if standing.complete:
        assert standing.reached_on in {s.day for s in sessions}
        agreed = [d for d in reviews if d >= standing.reached_on]
        assert standing.reviewed_on == (min(agreed) if agreed else None)
    else:
        assert standing.reached_on is None and standing.reviewed_on is None


def test_the_planner_and_the_scoring_are_pure_python():
    """planner.py, scoring.py, schedule.py, charts.py, catalogue.py and guidance.py import
    no Django: they can be tested, and reasoned about, on their own."""
    modules = ["planner", "scoring", "schedule", "charts", "catalogue", "guidance"]
    code = (
        "import sys\n"
        + "".join(f"import acuclinic.outcomes.{m}\n" for m in modules)
        + "print(sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')))"
    )
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_relapse_session_that_still_beats_baseline_counts_towards_the_new_series_run():
    """Found by the property above: baseline 2, better at once, a rise of one point after
    tapering starts series 2 at a session that is still better than baseline; with the two
    sessions after it that is three improved in a row, so the series tapers, not reviews."""
    rules = Rules(
        pain=PainRule("points", 1),
        improving_sessions=3,
        taper_sessions=1,
        relapse_measures=1,
        trial_sessions=3,
    )
    pains = [2, 0, 0, 0, 1, 0, 0]
    sessions = [
        Session(day=MONDAY + timedelta(days=n), pain=pain, minutes=20, ref=n + 1)
        for n, pain in enumerate(pains)
    ]
    result = plan_course(sessions, rules=rules, today=MONDAY + timedelta(days=7))
    last = result.changes[-1]
    assert (last.series, last.phase) == (2, Phase.TAPER)

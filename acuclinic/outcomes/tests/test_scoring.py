"""Scoring each measure against worked examples, with and without unanswered items, and
whether a change reaches the measure's MCID. Properties run without a deadline: a loaded
machine must not fail them."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acuclinic.outcomes import catalogue, scoring
from acuclinic.outcomes.scoring import PainRule, ScoringError

CAT = catalogue.load()
M = CAT.measures


def _refused(code, answers):
    with pytest.raises(ScoringError) as caught:
        scoring.score_items(M[code], answers)
    return caught.value


# ── Worked examples ──────────────────────────────────────────────────────────────────


def test_rmdq_counts_the_statements_ticked():
    answers = [True] * 9 + [False] * 15
    assert scoring.score_items(M["rmdq"], answers).value == Decimal(9)


def test_rmdq_with_two_unanswered_is_scaled_to_twenty_four():
    # 11 yes of 22 answered: 11 × 24 ÷ 22 = 12.
    answers = [True] * 11 + [False] * 11 + [None, None]
    score = scoring.score_items(M["rmdq"], answers)
    assert (score.value, score.answered, score.missing) == (Decimal(12), 22, 2)
    assert score.rescaled


def test_rmdq_with_three_unanswered_is_not_scored():
    error = _refused("rmdq", [True] * 10 + [False] * 11 + [None] * 3)
    assert error.code == "items_missing"
    assert "3 items unanswered" in error.message
    assert "at most 2" in error.message


def test_odi_worked_example_from_the_scoring_instructions():
    # 16 of a possible 50: 32%.
    sections = [2, 2, 2, 2, 2, 2, 1, 1, 1, 1]
    assert scoring.score_items(M["odi"], sections).value == Decimal(32)


def test_odi_with_one_section_missed_divides_by_45():
    # 16 of a possible 45: 35.6% (the instructions print 35.5, truncated).
    sections = [2, 2, 2, 2, 2, 2, 2, 1, 1, None]
    assert scoring.score_items(M["odi"], sections).value == Decimal("35.6")


def test_odi_with_two_sections_missed_is_not_scored():
    error = _refused("odi", [2, 2, 2, 2, 2, 2, 2, 2, None, None])
    assert error.code == "items_missing"


def test_ndi_totals_out_of_fifty_and_stands_the_mean_in_for_one_missing_item():
    assert scoring.score_items(M["ndi"], [3] * 10).value == Decimal(30)
    # 27 over 9 sections: 27 × 10 ÷ 9 = 30.
    assert scoring.score_items(M["ndi"], [3] * 9 + [None]).value == Decimal(30)
    assert _refused("ndi", [3] * 8 + [None, None]).code == "items_missing"


def test_psfs_is_the_mean_of_the_activities_rated():
    activities = [("Walking the dog", 3), ("Gardening", 4), ("Sitting at work", 4)]
    assert scoring.score_items(M["psfs"], activities).value == Decimal("3.7")


def test_psfs_ignores_empty_rows_but_needs_three_activities():
    activities = [("Walking", 5), ("Lifting", 6), ("", None), ("", None)]
    error = _refused("psfs", activities)
    assert error.code == "too_few_activities"


def test_psfs_refuses_an_activity_named_but_not_rated():
    error = _refused("psfs", [("Walking", 5), ("Lifting", 6), ("Cycling", None)])
    assert (error.code, error.field) == ("items_missing", "item_3")


def test_psfs_refuses_a_rating_without_an_activity():
    error = _refused("psfs", [("Walking", 5), ("", 6), ("Cycling", 2)])
    assert (error.code, error.field) == ("activity_unnamed", "activity_2")


def test_psfs_refuses_more_than_five_activities():
    error = _refused("psfs", [(f"Activity {n}", 5) for n in range(6)])
    assert error.code == "too_many_activities"


def test_fiqr_domains_are_weighted_and_added():
    # Function 9 × 6 = 54 ÷ 3 = 18; overall 2 × 5 = 10; symptoms 10 × 4 = 40 ÷ 2 = 20.
    answers = [6] * 9 + [5] * 2 + [4] * 10
    assert scoring.score_items(M["fiqr"], answers).value == Decimal(48)


def test_fiqr_weights_a_domain_for_its_unanswered_items():
    # Function: 7 answered × 6 = 42, × 9 ÷ 7 = 54, ÷ 3 = 18: the same as all answered.
    answers = [6] * 7 + [None, None] + [5] * 2 + [4] * 10
    assert scoring.score_items(M["fiqr"], answers).value == Decimal(48)


def test_fiqr_refuses_an_unanswered_overall_item():
    error = _refused("fiqr", [6] * 9 + [5, None] + [4] * 10)
    assert error.code == "items_missing"
    assert "overall impact (items 10–11)" in error.message


def test_pgic_and_pain_take_one_answer_in_range():
    assert scoring.score_items(M["pgic"], [2]).value == Decimal(2)
    assert scoring.score_items(M["nprs"], [0]).value == Decimal(0)
    assert _refused("nprs", [11]).code == "score_out_of_range"
    assert _refused("pgic", [0]).code == "score_out_of_range"
    assert _refused("nprs", [None]).code == "items_missing"


def _agreed(*numbers):
    return [n in numbers for n in range(1, 10)]


@pytest.mark.parametrize(
    ("agreed", "total", "group"),
    [
        # Keele's cut-offs (Hill et al. 2008): 0–3 overall is low risk; from 4, the
        # distress subscale (statements 5–9) decides: 4 or 5 is high, less is medium.
        ((), 0, "low"),
        ((2, 3), 2, "low"),
        ((5, 6, 7), 3, "low"),  # three distress statements, but only 3 overall
        ((1, 2, 3, 4), 4, "medium"),  # no distress statement at all
        ((1, 3, 5, 6, 9), 5, "medium"),  # subscale 3
        ((1, 5, 6, 7, 8), 5, "high"),  # subscale 4
        ((1, 2, 3, 4, 5, 6, 7, 8, 9), 9, "high"),
    ],
)
def test_start_back_counts_the_statements_agreed_and_gives_the_risk_group(agreed, total, group):
    score = scoring.score_items(M["startback"], _agreed(*agreed))
    assert (score.value, score.group) == (Decimal(total), group)
    assert scoring.risk_group(M["startback"], _agreed(*agreed)) == group


def test_start_back_with_a_statement_unanswered_is_not_scored():
    answers = _agreed(1, 5)
    answers[6] = None
    error = _refused("startback", answers)
    assert error.code == "items_missing"
    assert "1 item unanswered" in error.message and "at most 0" in error.message


def test_start_back_takes_yes_or_no_answers_and_no_total():
    assert _refused("startback", [*_agreed(1)[:8], 2]).code == "score_out_of_range"
    with pytest.raises(ScoringError) as caught:
        scoring.score_total(M["startback"], 5)
    assert caught.value.code == "items_needed"


def test_start_back_measures_no_change_so_has_no_mcid_line():
    assert not scoring.meets_mcid(M["startback"], Decimal(8), Decimal(1))
    assert scoring.mcid_line(M["startback"], Decimal(8)) is None
    assert scoring.risk_group(M["rmdq"], [True] * 24) == ""


@pytest.mark.parametrize("bad", [-1, 6, 2.5, "3", True])
def test_an_odi_section_outside_zero_to_five_is_refused(bad):
    error = _refused("odi", [1] * 9 + [bad])
    assert (error.code, error.field) == ("score_out_of_range", "item_10")


def test_a_questionnaire_with_the_wrong_number_of_answers_is_refused():
    assert _refused("rmdq", [True] * 23).code == "wrong_item_count"
    assert _refused("odi", "0123456789").code == "wrong_item_count"


def test_hit6_takes_only_a_total():
    assert _refused("hit6", [6] * 6).code == "total_only"
    assert scoring.score_total(M["hit6"], 60).value == Decimal(60)


@pytest.mark.parametrize(
    ("code", "total", "error"),
    [
        ("hit6", 35, "score_out_of_range"),
        ("hit6", 79, "score_out_of_range"),
        ("hit6", Decimal("60.5"), "not_a_whole_number"),
        ("rmdq", 25, "score_out_of_range"),
        ("odi", Decimal("101"), "score_out_of_range"),
        ("odi", Decimal("35.55"), "too_precise"),
        ("odi", Decimal("NaN"), "score_out_of_range"),
        ("fiqr", True, "score_out_of_range"),
        ("psfs", 5, "items_needed"),
    ],
)
def test_totals_outside_the_measure_are_refused(code, total, error):
    with pytest.raises(ScoringError) as caught:
        scoring.score_total(M[code], total)
    assert caught.value.code == error


def test_mymop2_profile_is_the_mean_of_its_four_ratings():
    # Symptom 1, symptom 2, activity, wellbeing: (4 + 3 + 5 + 2) ÷ 4 = 3.5.
    score = scoring.score_items(M["mymop2"], [4, 3, 5, 2])
    assert (score.value, score.answered, score.missing) == (Decimal("3.5"), 4, 0)


def test_mymop2_with_one_symptom_chosen_is_the_mean_of_the_other_three():
    # (4 + 5 + 3) ÷ 3 = 4.
    score = scoring.score_items(M["mymop2"], [4, None, 5, 3])
    assert (score.value, score.answered, score.missing) == (Decimal(4), 3, 1)
    assert scoring.score_items(M["mymop2"], [5, None, 4, 4]).value == Decimal("4.3")


@pytest.mark.parametrize(
    ("answers", "field", "names"),
    [
        ([None, 3, 5, 2], "item_1", "Rate symptom 1"),
        ([4, 3, None, 2], "item_3", "Rate activity"),
        ([4, None, 5, None], "item_4", "Rate wellbeing"),
        ([None, None, None, None], "item_1", "Rate symptom 1, activity, wellbeing"),
    ],
)
def test_mymop2_needs_symptom_1_the_activity_and_wellbeing(answers, field, names):
    error = _refused("mymop2", answers)
    assert (error.code, error.field) == ("items_missing", field)
    assert error.message.startswith(names)


@pytest.mark.parametrize("bad", [-1, 7, 2.5, True])
def test_a_mymop2_rating_outside_zero_to_six_is_refused(bad):
    error = _refused("mymop2", [4, 3, bad, 2])
    assert (error.code, error.field) == ("score_out_of_range", "item_3")


def test_mymop2_takes_a_profile_score_from_a_licensed_copy_within_zero_to_six():
    assert scoring.score_total(M["mymop2"], Decimal("3.3")).value == Decimal("3.3")
    with pytest.raises(ScoringError) as caught:
        scoring.score_total(M["mymop2"], Decimal("6.5"))
    assert caught.value.code == "score_out_of_range"


def test_mymop2_reaches_its_mcid_at_a_fall_of_one_point():
    mymop = M["mymop2"]
    assert scoring.meets_mcid(mymop, Decimal("4.0"), Decimal("3.0"))
    assert not scoring.meets_mcid(mymop, Decimal("4.0"), Decimal("3.3"))
    assert scoring.mcid_line(mymop, Decimal("4.5")) == Decimal("3.5")


def test_the_ndi_range_is_met_by_every_estimate_only_past_nine_and_a_half():
    ndi = M["ndi"]
    assert scoring.meets_mcid(ndi, Decimal(30), Decimal("20.5"))  # 9.5: every estimate
    assert not scoring.meets_mcid(ndi, Decimal(30), Decimal(24))  # 6: some estimates
    assert scoring.within_mcid_range(ndi, Decimal(30), Decimal(24))
    assert scoring.within_mcid_range(ndi, Decimal(30), Decimal(25))  # 5: Vernon's
    assert not scoring.within_mcid_range(ndi, Decimal(30), Decimal(26))
    assert not scoring.within_mcid_range(ndi, Decimal(30), Decimal(20))
    assert scoring.mcid_band(ndi, Decimal(30)) == (Decimal(25), Decimal("20.5"))
    assert scoring.mcid_line(ndi, Decimal(30)) == Decimal(25)  # the nearer end


def test_the_hit6_range_runs_from_a_fall_of_two_and_a_half_to_six():
    hit6 = M["hit6"]
    assert scoring.mcid_band(hit6, Decimal(66)) == (Decimal("63.5"), Decimal(60))
    assert scoring.within_mcid_range(hit6, Decimal(66), Decimal(63))
    assert scoring.meets_mcid(hit6, Decimal(66), Decimal(60))
    # Near the floor of 36 the lines stop at the scale's end.
    assert scoring.mcid_band(hit6, Decimal(40)) == (Decimal("37.5"), Decimal(36))
    assert scoring.mcid_band(M["rmdq"], Decimal(10)) is None


# ── Properties ───────────────────────────────────────────────────────────────────────

ITEM_MEASURES = ["rmdq", "odi", "ndi", "fiqr", "startback", "mymop2"]


def _answers_for(code):
    measure = M[code]
    if measure.scoring in (catalogue.COUNT, catalogue.STRATIFY):
        value = st.booleans()
    else:
        value = st.integers(measure.item_min, measure.item_max)
    return st.lists(st.one_of(value, st.none()), min_size=measure.items, max_size=measure.items)


@pytest.mark.parametrize("code", ITEM_MEASURES)
def test_any_scored_questionnaire_lies_within_its_range(code):
    measure = M[code]

    @settings(deadline=None)
    @given(_answers_for(code))
    def check(answers):
        try:
            score = scoring.score_items(measure, answers)
        except ScoringError as error:
            # Refused only for too many unanswered items.
            assert error.code == "items_missing"
            return
        assert measure.score_min <= score.value <= measure.score_max
        assert score.answered + score.missing == measure.items

    check()


@pytest.mark.parametrize("code", ["rmdq", "odi", "ndi"])
def test_leaving_out_an_item_that_matched_the_mean_changes_nothing(code):
    measure = M[code]
    top = measure.item_max

    @settings(deadline=None)
    @given(st.integers(0, top))
    def check(level):
        full = [bool(level) if top == 1 else level] * measure.items
        fewer = [*full[:-1], None]
        assert scoring.score_items(measure, full).value == scoring.score_items(measure, fewer).value

    check()


@settings(deadline=None)
@given(st.integers(0, 10), st.integers(0, 10))
def test_the_pain_rule_in_points_is_a_fall_of_at_least_the_points(baseline, pain):
    assert PainRule("points", 2).improved(baseline, pain) == (baseline - pain >= 2)


@settings(deadline=None)
@given(st.integers(0, 10), st.integers(0, 10))
def test_the_pain_rule_in_percent_is_a_fall_of_at_least_that_share(baseline, pain):
    improved = PainRule("percent", percent=30).improved(baseline, pain)
    assert improved == (baseline > pain and (baseline - pain) / baseline >= 0.3)


def test_pain_from_zero_cannot_improve():
    assert not PainRule("percent", percent=30).improved(0, 0)
    assert not PainRule("points", 2).improved(0, 0)


def test_mcid_either_points_or_percent_of_baseline():
    rmdq = M["rmdq"]
    assert scoring.meets_mcid(rmdq, Decimal(20), Decimal(15))  # 5 points
    assert scoring.meets_mcid(rmdq, Decimal(10), Decimal(7))  # 30%
    assert not scoring.meets_mcid(rmdq, Decimal(20), Decimal(16))
    psfs = M["psfs"]  # higher is better
    assert scoring.meets_mcid(psfs, Decimal(3), Decimal(5))
    assert not scoring.meets_mcid(psfs, Decimal(5), Decimal(3))
    assert scoring.meets_mcid(M["pgic"], Decimal(4), Decimal(2))
    assert not scoring.meets_mcid(M["pgic"], Decimal(4), Decimal(3))


def test_the_chart_line_is_the_nearer_of_the_two_criteria():
    # RMDQ from 10: 30% is 3 points, nearer than 5.
    assert scoring.mcid_line(M["rmdq"], Decimal(10)) == Decimal(7)
    assert scoring.mcid_line(M["rmdq"], Decimal(20)) == Decimal(15)
    assert scoring.mcid_line(M["psfs"], Decimal(3)) == Decimal(5)


@settings(deadline=None)
@given(
    st.lists(st.one_of(st.integers(0, 6), st.none()), min_size=4, max_size=4),
)
def test_a_mymop2_profile_is_the_mean_of_what_was_rated_or_refused_for_a_required_item(answers):
    measure = M["mymop2"]
    rated = [a for a in answers if a is not None]
    required_left = [n for n, a in enumerate(answers, 1) if a is None and n != 2]
    if required_left:
        assert _refused("mymop2", answers).code == "items_missing"
        return
    score = scoring.score_items(measure, answers)
    exact = Decimal(sum(rated)) / len(rated)
    assert abs(score.value - exact) <= Decimal("0.05")
    assert 0 <= score.value <= 6


@settings(deadline=None)
@given(st.sampled_from(["ndi", "hit6"]), st.data())
def test_a_contested_mcid_is_met_or_within_its_range_or_neither_never_both(code, data):
    measure = M[code]
    baseline = Decimal(data.draw(st.integers(measure.score_min, measure.score_max)))
    value = Decimal(data.draw(st.integers(measure.score_min, measure.score_max)))
    met = scoring.meets_mcid(measure, baseline, value)
    some = scoring.within_mcid_range(measure, baseline, value)
    assert not (met and some)
    better = scoring.improvement(measure, baseline, value)
    low, high = measure.mcid_range
    assert met == (better >= high)
    assert some == (low <= better < high)

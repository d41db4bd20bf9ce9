"""The measures data file: every measure sourced and licensed, and a broken file refused."""

from decimal import Decimal

import pytest

from acuclinic.outcomes import catalogue, guidance
from acuclinic.outcomes.catalogue import CatalogueError
from acuclinic.people.choices import ConditionChoice

CAT = catalogue.load()


def test_every_measure_has_its_mcid_source_licence_and_missing_rule():
    for measure in CAT.measures.values():
        assert measure.mcid_source and measure.mcid_text, measure.code
        assert measure.licence_note and measure.missing_rule and measure.checked, measure.code


def test_patients_are_shown_only_measures_whose_wording_is_free():
    shown = {m.code for m in CAT.measures.values() if m.patient_can_complete}
    assert shown == {"nprs", "psfs", "pgic"}
    for code in ("rmdq", "odi", "ndi", "hit6", "fiqr", "startback"):
        assert not CAT.measures[code].question, f"{code}'s wording must not be reproduced"


def test_the_issue_and_clinical_reference_measures_are_all_there():
    # Every measure of shared/clinical §4, the STarT Back screening tool among them.
    named = {"nprs", "rmdq", "psfs", "pgic", "odi", "ndi", "hit6", "fiqr", "startback", "mymop2"}
    assert named <= set(CAT.measures)


def test_every_presenting_condition_has_a_schedule():
    assert set(CAT.disability) == set(ConditionChoice.values)
    assert CAT.disability_for("low_back") == ("rmdq",)
    assert CAT.disability_for("whiplash") == ("ndi",)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ('mcid_source = "Moseng', 'mcid_source = " "\nformer_source = "Moseng'),
            "every MCID needs its source",
        ),
        (
            (
                'completed_by = "clinician"\nmax_missing = 1',
                'completed_by = "patient"\nmax_missing = 1',
            ),
            "only a measure whose wording may be shown",
        ),
        (('scoring = "count"', 'scoring = "tally"'), "unknown scoring 'tally'"),
        (('every_course = ["psfs"]', 'every_course = ["sf36"]'), "unknown measure 'sf36'"),
        (("high_subscale_min = 4", "high_subscale_min = 6"), "within the subscale's range"),
        (("low_max = 3\n", ""), "a stratifying tool needs subscale_first, low_max"),
        (("mcid_range = [5, 9.5]", "mcid_range = [9.5, 5]"), "from a smaller to a larger change"),
        (
            (
                "mcid_points = 0\nmcid_percent = 0\nmcid_range = [2.5",
                "mcid_points = 6\nmcid_percent = 0\nmcid_range = [2.5",
            ),
            "gives no single mcid_points",
        ),
        (("optional_items = [2]", "optional_items = [5]"), "optional_items must be item numbers"),
        (('conditions = ["headache"]', 'conditions = ["migraine"]'), "unknown condition"),
        (('mdc_source = "Stratford', 'former = "Stratford'), "needs both mdc_text and mdc_source"),
    ],
)
def test_a_malformed_data_file_is_refused_naming_the_problem(tmp_path, change, problem):
    text = catalogue.DATA_FILE.read_text(encoding="utf-8")
    old, new = change
    assert old in text
    broken = tmp_path / "measures.toml"
    broken.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogueError, match=problem):
        catalogue.load(broken)


# ── Issue 12, point 11: the measures' MCIDs, their sources, and the MYMOP2 ───────────


def test_the_psfs_cites_moseng_for_its_mcid_and_stratford_for_its_detectable_change():
    psfs = CAT.measures["psfs"]
    assert psfs.mcid_points == 2
    assert psfs.mcid_source.startswith("Moseng T") and "2013" in psfs.mcid_source
    assert "Stratford" not in psfs.mcid_source
    assert (
        psfs.mdc_text == "2 points for the mean of the activities, 3 points for a single activity"
    )
    assert psfs.mdc_source.startswith("Stratford P") and "1995" in psfs.mdc_source


def test_the_hit6_shows_its_range_and_the_figure_for_tension_type_headache():
    hit6 = CAT.measures["hit6"]
    assert hit6.mcid_range == (Decimal("2.5"), Decimal("6"))
    assert (hit6.mcid_points, hit6.mcid_percent) == (0, 0)
    assert "2.5 to 6 points" in hit6.mcid_text
    assert "8 points for chronic tension-type headache" in hit6.mcid_text
    assert "Smelt" in hit6.mcid_source and "Castien" in hit6.mcid_source


def test_the_ndi_shows_the_contested_range_of_five_to_nine_and_a_half_of_fifty():
    ndi = CAT.measures["ndi"]
    assert ndi.mcid_range == (Decimal(5), Decimal("9.5"))
    assert "from 5 points of 50" in ndi.mcid_text and "9.5 of 50" in ndi.mcid_text
    assert "Vernon" in ndi.mcid_source and "Cleland" in ndi.mcid_source


def test_the_mymop2_is_scored_as_a_profile_and_offered_for_every_condition():
    mymop = CAT.measures["mymop2"]
    assert (mymop.scoring, mymop.items, mymop.item_min, mymop.item_max) == ("profile", 4, 0, 6)
    assert mymop.item_labels[0] == "Symptom 1" and mymop.item_labels[2:] == (
        "Activity",
        "Wellbeing",
    )
    assert mymop.optional_items == (2,)  # the second symptom
    assert (mymop.mcid_points, mymop.lower_is_better) == (1, True)
    assert "Paterson" in mymop.mcid_source
    # Licensed by Meaningful Measures: entered by the clinician, its forms never shown.
    assert (mymop.licence, mymop.completed_by, mymop.question) == ("licensed", "clinician", "")
    assert "Meaningful Measures" in mymop.licence_note
    for condition in ConditionChoice.values:
        assert "mymop2" in [m.code for m in CAT.offered_for(condition)], condition


def test_condition_specific_measures_are_offered_for_their_conditions_only():
    assert [m.code for m in CAT.offered_for("headache") if m.code != "nprs"] == [
        "psfs",
        "pgic",
        "hit6",
        "mymop2",
    ]
    assert "rmdq" in [m.code for m in CAT.offered_for("sciatica")]
    assert "rmdq" not in [m.code for m in CAT.offered_for("whiplash")]


# ── The guidance per condition (data/guidance.toml) ──────────────────────────────────


def test_every_condition_has_its_nice_guidance_with_the_reason_and_sources():
    book = guidance.load(conditions=ConditionChoice.values)
    for code in [*ConditionChoice.values, guidance.UNRECORDED]:
        entry = book.for_condition(code)
        assert entry.why and entry.why_source, code
        assert entry.guidance.source and entry.guidance.checked, code


def test_a_guidance_file_that_leaves_a_condition_out_is_refused(tmp_path):
    text = guidance.DATA_FILE.read_text(encoding="utf-8")
    start = text.index("[condition.whiplash]")
    end = text.index("[condition.other]")
    broken = tmp_path / "guidance.toml"
    broken.write_text(text[:start] + text[end:], encoding="utf-8")
    guidance.load(broken)  # the file on its own is well formed...
    with pytest.raises(CatalogueError, match=r"no guidance for condition\(s\) whiplash"):
        guidance.load(broken, conditions=ConditionChoice.values)  # ...but not for the app


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (("limit_minutes = 300\n", ""), "a contact_time limit needs limit_minutes"),
        (("weeks_min = 5", "weeks_min = 9"), "weeks_min must not be above weeks_max"),
        (('[condition.msk]\nguidance = "ng193"', '[condition.msk]\nguidance = "ng999"'), "ng999"),
        (('kind = "not_recommended"', 'kind = "discouraged"'), "kind must be one of"),
        (('short = "NICE CG150"\n', 'short = "NICE CG150"\nlimit_minutes = 300\n'), "not apply"),
        (('guidance = "cg150"\n', 'guidance = "cg150"\nwas = "ng150"\n'), "unknown field"),
        (("[condition.migraine]", "[condition.migraine]"), "unknown condition"),
    ],
)
def test_a_malformed_guidance_file_is_refused_naming_the_problem(tmp_path, change, problem):
    text = guidance.DATA_FILE.read_text(encoding="utf-8")
    old, new = change
    if old == "[condition.migraine]":
        text += '\n[condition.migraine]\nguidance = "cg150"\nwhy = "x"\nwhy_source = "y"\n'
    else:
        assert old in text
        text = text.replace(old, new, 1)
    broken = tmp_path / "guidance.toml"
    broken.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogueError, match=problem):
        guidance.load(broken, conditions=ConditionChoice.values)

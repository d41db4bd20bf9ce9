"""The measures data file: every measure sourced and licensed, and a broken file refused."""

import pytest

from acuclinic.outcomes import catalogue
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
    named = {"nprs", "rmdq", "psfs", "pgic", "odi", "ndi", "hit6", "fiqr", "startback"}
    assert named <= set(CAT.measures)


def test_every_presenting_condition_has_a_schedule():
    assert set(CAT.disability) == set(ConditionChoice.values)
    assert CAT.disability_for("low_back") == ("rmdq",)
    assert CAT.disability_for("whiplash") == ("ndi",)


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            ('mcid_source = "Stratford', 'mcid_source = " "\nformer_source = "Stratford'),
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

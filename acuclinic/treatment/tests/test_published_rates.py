"""The published adverse-event figures in data/adverse_events.toml are those of
shared/clinical §3 (as corrected for issue 12), each with its count, denominator and
interval where §3 gives them, and nothing is left "to be verified"."""

from pathlib import Path

import pytest

from acuclinic.treatment import catalogue

DATA = Path(catalogue.DATA_DIR) / "adverse_events.toml"

# shared/clinical §3, row by row: (study, the clinic row it sits beside) →
# (count, of, value per 1,000, 95% CI per 1,000 or None).
SECTION_3 = {
    # White 2001: 43 significant minor events in 31,822 consultations (≈1.4 per 1,000);
    # no serious events.
    ("white-2001", "significant"): (43, 31822, 1.4, None),
    ("white-2001", "serious"): (0, 31822, 0.0, None),
    # MacPherson 2001: 43 significant minor events in 34,407 treatments (≈1.3 per 1,000);
    # no serious events, 95% CI 0–1.1 per 10,000.
    ("macpherson-2001", "significant"): (43, 34407, 1.3, None),
    ("macpherson-2001", "serious"): (0, 34407, 0.0, (0.0, 0.11)),
    # MacPherson 2004: 682 of 6,348 responders, 107 per 1,000 (95% CI 100–115);
    # three serious events.
    ("macpherson-2004", "any-patient"): (682, 6348, 107.0, (100.0, 115.0)),
    ("macpherson-2004", "serious-patient"): (3, 6348, 0.5, None),
    # MacPherson and Thomas 2005: pain or bruising 29.7% of patients; tiredness 24.4%.
    ("macpherson-thomas-2005", "needle-site"): (None, None, 297.0, None),
    ("macpherson-thomas-2005", "tiredness"): (None, None, 244.0, None),
    # Witt 2009: 19,726 of 229,230 (8.6%) ≥1 adverse effect; 2.2% needed treatment
    # (4,963 in the stored abstract); bleeding or haematoma 6.1%; two pneumothoraces.
    ("witt-2009", "any-patient"): (19726, 229230, 86.0, None),
    ("witt-2009", "treated-patient"): (4963, 229230, 22.0, None),
    ("witt-2009", "bleeding-patient"): (None, None, 61.0, None),
    ("witt-2009", "pneumothorax-patient"): (2, 229230, 0.009, None),
}


@pytest.fixture(scope="module")
def cat():
    return catalogue.load()


def test_the_data_file_gives_the_figures_of_the_clinical_reference(cat):
    found = {
        (study.id, figure.compare): (
            figure.count,
            figure.of,
            figure.value,
            None if figure.low is None else (figure.low, figure.high),
        )
        for study in cat.studies
        for figure in study.figures
    }
    assert found == SECTION_3


def test_what_each_study_counted_is_as_the_clinical_reference_says(cat):
    counted = {study.id: study.counted for study in cat.studies}
    assert counted == {
        "white-2001": "significant",
        "macpherson-2001": "significant",
        "macpherson-2004": "every",
        "macpherson-thomas-2005": "every",
        "witt-2009": "every",
    }
    sizes = {study.id: study.size for study in cat.studies}
    assert sizes["white-2001"] == "31,822 consultations"
    assert sizes["macpherson-2001"] == "34,407 treatments"
    assert sizes["witt-2009"].startswith("229,230 patients")


def test_every_study_and_the_rule_say_what_was_checked_and_nothing_awaits_checking(cat):
    text = DATA.read_text(encoding="utf-8").lower()
    assert "to be verified" not in text and "verify" not in text
    assert all(study.checked and study.definition and study.citation for study in cat.studies)
    assert cat.significance.source and cat.significance.checked
    # The rule rests on the surveys' own definition of "significant".
    assert "unusual, novel, dangerous, significantly inconvenient" in cat.significance.source
    assert {"fainting", "retained_needle"} <= cat.significance.types

"""Questionnaires are write-once, so answers kept under earlier versions of the
questions must still be read, and read as the current rules say.

The answer sets below are spelled out as the questionnaire of rules version 2026.1 kept
them: no "what would you like treated", no neck, headache or chemotherapy questions,
warfarin the only medicine with an INR.
"""

import pytest

from acuclinic.safety import catalogue
from acuclinic.safety.rules import Outcome, unanswered

RULES = catalogue.current()

OLD_CLEAR = {
    "pregnant": "no",
    "anticoagulants": [],
    "anticoagulant_other": "",
    "antiplatelets": [],
    "antiplatelet_other": "",
    "bleeding_disorder": False,
    "implanted_device": False,
    "epilepsy": False,
    "diabetes": False,
    "immunosuppressed": False,
    "lymphoedema": False,
    "skin_problem": False,
    "metal_allergy": False,
    "needle_anxiety": False,
    "recent_surgery": False,
    "new_back_pain": False,
    "ces_saddle_numbness": False,
    "ces_bladder_bowel": False,
    "ces_leg_weakness": False,
    "ces_sexual_dysfunction": False,
    "history_of_cancer": False,
    "weight_loss": False,
    "fever_or_unwell": False,
    "recent_trauma": False,
    "osteoporosis_or_steroids": False,
    "iv_drug_use": False,
    "night_pain": False,
    "unable_to_consent": False,
}


def old(**answers) -> dict:
    return {**OLD_CLEAR, **answers}


def flags(answers, **kwargs) -> tuple[Outcome, set[str]]:
    result = RULES.evaluate(answers, age=kwargs.pop("age", 40), **kwargs)
    return result.outcome, {f.rule_id for f in result.findings}


def test_an_old_clear_questionnaire_is_still_clear_and_complete():
    assert flags(old()) == (Outcome.NONE, set())
    assert unanswered(old(), facts={"condition": "low_back"}) == ()


def test_old_answers_keep_their_values_valid_under_the_current_questions():
    # Only the questions added since are missing: no old value is refused.
    added = {"treatment_areas": ["back"], "new_neck_pain": False}
    answers = old(
        anticoagulants=["warfarin"],
        warfarin_inr="in_range",
        lymphoedema=True,
        lymphoedema_limbs=["left_arm"],
    )
    _, errors = RULES.validate({**answers, **added})
    assert errors == []
    _, errors = RULES.validate(answers)
    assert {e.field for e in errors} == set(added)


def test_an_old_precaution_evaluates_as_it_did():
    answers = old(
        anticoagulants=["warfarin"],
        warfarin_inr="in_range",
        lymphoedema=True,
        lymphoedema_limbs=["left_arm"],
    )
    result = RULES.evaluate(answers, age=40)
    assert result.outcome == Outcome.PRECAUTION
    assert {f.rule_id for f in result.findings} == {"anticoagulant", "lymphoedema"}
    assert result.avoid_regions == ("left arm",)


def test_an_old_cancer_history_without_new_back_pain_no_longer_refers():
    # Under 2026.1 this knee patient was sent for urgent referral; the rule now needs
    # new or changed spinal pain.
    assert flags(old(history_of_cancer=True)) == (Outcome.NONE, set())


def test_an_old_cancer_history_with_new_back_pain_refers_on_the_cancer_pathway():
    outcome, found = flags(old(history_of_cancer=True, new_back_pain=True))
    assert (outcome, found) == (Outcome.REFER, {"cancer-new-spinal-pain"})


def test_an_old_gp_review_of_serious_pathology_still_lowers_that_flag():
    answers = old(recent_trauma=True, new_back_pain=True)
    assert flags(answers) == (Outcome.REFER, {"serious-pathology"})
    lowered = flags(answers, agreements={"serious-pathology"})
    assert lowered == (Outcome.PRECAUTION, {"serious-pathology"})


def test_an_old_answer_of_weakened_immunity_asks_about_chemotherapy_before_needling():
    answers = old(immunosuppressed=True)
    assert flags(answers) == (Outcome.PRECAUTION, {"immunosuppressed"})
    assert [q.key for q in unanswered(answers)] == ["chemotherapy_counts"]


@pytest.mark.parametrize(("condition", "section"), [("headache", "headache"), ("whiplash", "neck")])
def test_an_old_questionnaire_of_a_headache_or_whiplash_patient_is_incomplete(condition, section):
    missing = unanswered(old(), facts={"condition": condition})
    assert missing and {q.section for q in missing} == {section}


@pytest.mark.parametrize("condition", ["low_back", "msk", "fibromyalgia", None])
def test_an_old_questionnaire_of_any_other_patient_is_complete(condition):
    assert unanswered(old(), facts={"condition": condition}) == ()


def test_a_patient_filled_questionnaire_is_not_incomplete_for_want_of_a_clinicians_answer():
    answers = {key: value for key, value in old().items() if key != "unable_to_consent"}
    assert unanswered(answers, audience="patient") == ()

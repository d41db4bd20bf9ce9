"""Checking a questionnaire before it is kept: each problem named on its own field."""

import pytest

from acuclinic.safety import catalogue
from acuclinic.testing.factories import safety_answers

RULES = catalogue.current()


def problems(answers, audience="staff") -> dict[str, str]:
    _, errors = RULES.validate(answers, audience=audience)
    return {e.field: e.code for e in errors}


def test_a_complete_clear_questionnaire_has_no_problems():
    assert problems(safety_answers()) == {}


@pytest.mark.parametrize(
    ("answers", "field", "code"),
    [
        ({"pregnant": "no", "pregnancy_weeks": 14}, "pregnancy_weeks", "contradiction"),
        ({"pregnant": "trying", "pregnancy_weeks": 6}, "pregnancy_weeks", "contradiction"),
        ({"pregnant": "yes"}, "pregnancy_weeks", "required"),
        ({"pregnant": "yes", "pregnancy_weeks": 0}, "pregnancy_weeks", "out_of_range"),
        ({"pregnant": "yes", "pregnancy_weeks": 43}, "pregnancy_weeks", "out_of_range"),
        ({"pregnant": "yes", "pregnancy_weeks": 14.5}, "pregnancy_weeks", "invalid"),
        ({"pregnant": "perhaps"}, "pregnant", "invalid"),
        ({"anticoagulants": ["Xarelo"]}, "anticoagulants", "unknown_drug"),
        ({"antiplatelets": ["aspirin", "asprin"]}, "antiplatelets", "unknown_drug"),
        ({"anticoagulants": ["aspirin"]}, "anticoagulants", "wrong_drug_class"),
        ({"anticoagulants": "warfarin"}, "anticoagulants", "invalid"),
        ({"anticoagulants": ["warfarin"]}, "warfarin_inr", "required"),
        ({"warfarin_inr": "in_range"}, "warfarin_inr", "contradiction"),
        ({"anticoagulants": ["acenocoumarol"]}, "warfarin_inr", "required"),
        ({"anticoagulants": ["phenindione"]}, "warfarin_inr", "required"),
        ({"treatment_areas": []}, "treatment_areas", "required"),
        ({"treatment_areas": ["knee"]}, "treatment_areas", "invalid"),
        (
            {"immunosuppressed": True, "chemotherapy_counts": None},
            "chemotherapy_counts",
            "required",
        ),
        ({"chemotherapy_counts": "low_counts"}, "chemotherapy_counts", "contradiction"),
        (
            {"treatment_areas": ["headache"], "headache_thunderclap": None},
            "headache_thunderclap",
            "required",
        ),
        ({"treatment_areas": ["neck"], "neck_dizziness": None}, "neck_dizziness", "required"),
        ({"headache_thunderclap": True}, "headache_thunderclap", "contradiction"),
        ({"neck_clumsy_hands": True}, "neck_clumsy_hands", "contradiction"),
        ({"lymphoedema": True}, "lymphoedema_limbs", "required"),
        (
            {"lymphoedema": False, "lymphoedema_limbs": ["left_arm"]},
            "lymphoedema_limbs",
            "contradiction",
        ),
        ({"lymphoedema": True, "lymphoedema_limbs": ["tail"]}, "lymphoedema_limbs", "invalid"),
        ({"skin_problem": True}, "skin_problem_site", "required"),
        ({"skin_problem_site": "left knee"}, "skin_problem_site", "contradiction"),
        ({"implanted_device": True}, "implanted_device_kind", "required"),
        ({"implanted_device_kind": ["pacemaker"]}, "implanted_device_kind", "contradiction"),
        (
            {"recent_surgery": True, "recent_surgery_site": "x" * 121},
            "recent_surgery_site",
            "too_long",
        ),
        ({"epilepsy": None}, "epilepsy", "required"),
        ({"epilepsy": "yes"}, "epilepsy", "invalid"),
        ({"epilepsy": 1}, "epilepsy", "invalid"),
        ({"favourite_colour": "blue"}, "favourite_colour", "unknown_question"),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_bad_answer_is_named_on_its_field(answers, field, code):
    assert problems(safety_answers(**answers)).get(field) == code


def test_no_to_a_question_that_does_not_apply_is_set_aside():
    # A back-pain patient's "no" about headaches, or "no" to chemotherapy after saying
    # their immunity is fine, says nothing.
    answers, errors = RULES.validate(
        safety_answers(headache_thunderclap=False, chemotherapy_counts="no")
    )
    assert errors == []
    assert "headache_thunderclap" not in answers
    assert "chemotherapy_counts" not in answers


def test_a_yes_to_a_headache_question_without_headaches_ticked_asks_the_patient_to_look():
    _, errors = RULES.validate(
        safety_answers(audience="patient", headache_thunderclap=True), audience="patient"
    )
    (error,) = errors
    assert error.message == (
        "This is asked about headaches: tick “Headaches or migraine” above, or check this answer."
    )


def test_a_record_that_says_headache_asks_the_headache_questions_whatever_is_ticked():
    # As posted by a patient who ticked back pain only and left the rest blank.
    answers = {
        key: value
        for key, value in safety_answers(treatment_areas=["back"]).items()
        if not key.startswith(("headache_", "neck_"))
    }
    problems_found = {
        e.field: e.code for e in RULES.validate(answers, facts={"condition": "headache"})[1]
    }
    assert problems_found.get("headache_thunderclap") == "required"
    assert "neck_dizziness" not in problems_found
    whiplash = {e.field for e in RULES.validate(answers, facts={"condition": "whiplash"})[1]}
    assert "neck_dizziness" in whiplash and "headache_thunderclap" not in whiplash
    # A knee patient, or one whose record names no condition, answers neither set.
    for condition in ("msk", None):
        assert RULES.validate(answers, facts={"condition": condition})[1] == []


def test_a_headache_patient_who_answers_every_question_is_kept_with_the_answers():
    answers, errors = RULES.validate(
        safety_answers(treatment_areas=["headache", "neck"]), facts={"condition": "headache"}
    )
    assert errors == []
    assert answers["headache_thunderclap"] is False
    assert answers["neck_clumsy_hands"] is False
    assert "condition" not in answers


def test_facts_that_are_not_derived_facts_cannot_stand_in_for_answers():
    answers = {k: v for k, v in safety_answers().items() if not k.startswith("headache_")}
    _, errors = RULES.validate(answers, facts={"treatment_areas": ["headache"]})
    assert errors == []


def test_lymphoedema_may_be_of_a_trunk_quadrant_or_a_side_of_the_neck():
    answers, errors = RULES.validate(
        safety_answers(lymphoedema=True, lymphoedema_limbs=["right_neck", "left_upper_trunk"])
    )
    assert errors == []
    assert answers["lymphoedema_limbs"] == ["left_upper_trunk", "right_neck"]


def test_the_unknown_drug_message_names_the_drug_and_says_where_else_to_write_it():
    _, errors = RULES.validate(safety_answers(anticoagulants=["apixaban", "Xarelo"]))
    assert errors[0].message == (
        "Not on our list: “Xarelo”. Choose from the list, or write it under "
        "“Another anticoagulant not listed”."
    )


def test_drugs_may_be_given_by_name_in_any_case_and_are_kept_by_id():
    answers, errors = RULES.validate(
        safety_answers(anticoagulants=["APIXABAN", "Warfarin"], warfarin_inr="in_range")
    )
    assert errors == []
    assert answers["anticoagulants"] == ["apixaban", "warfarin"]


def test_every_problem_is_reported_at_once_not_just_the_first():
    answers = safety_answers(
        pregnant="no", pregnancy_weeks=12, anticoagulants=["Xarelo"], lymphoedema=True
    )
    assert problems(answers) == {
        "pregnancy_weeks": "contradiction",
        "anticoagulants": "unknown_drug",
        "lymphoedema_limbs": "required",
    }


def test_a_patient_cannot_answer_the_clinicians_question_about_capacity():
    answers = safety_answers(audience="patient", unable_to_consent=False)
    assert problems(answers, audience="patient") == {"unable_to_consent": "unknown_question"}
    assert problems(safety_answers(audience="patient"), audience="patient") == {}


def test_text_answers_are_tidied_and_optional_lists_default_to_empty():
    answers, errors = RULES.validate(
        safety_answers(skin_problem=True, skin_problem_site="  left   knee ", anticoagulants=None)
    )
    assert errors == []
    assert answers["skin_problem_site"] == "left knee"
    assert answers["anticoagulants"] == []


@pytest.mark.parametrize("raw", [None, [], "pregnant", 42])
def test_answers_that_are_not_a_set_of_fields_are_refused_whole(raw):
    answers, errors = RULES.validate(raw)
    assert answers == {}
    assert [e.code for e in errors] == ["invalid"]

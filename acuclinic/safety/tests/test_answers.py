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

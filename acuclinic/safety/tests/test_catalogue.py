"""The data files are checked at start-up; a mistake stops the application, loudly."""

import shutil

import pytest

from acuclinic.safety import catalogue
from acuclinic.safety.catalogue import RulesFileError

GOOD_RULE = """
[[rule]]
id = "diabetes"
title = "Diabetes"
label = "Diabetes"
any = ["diabetes"]
outcome = "precaution"
practitioner = "Take care."
source = "AACP"
"""


@pytest.fixture
def data_dir(tmp_path):
    for name in catalogue.FILES:
        shutil.copy(catalogue.DATA_DIR / name, tmp_path / name)
    return tmp_path


def write_rules(data_dir, body: str, version: str = 'version = "test"\n'):
    (data_dir / "rules.toml").write_text(version + body)


def test_the_shipped_data_loads_with_a_version_that_changes_when_a_file_does(data_dir):
    shipped = catalogue.load(data_dir)
    assert shipped.version == catalogue.current().version
    assert shipped.version.startswith("2026.2+")
    write_rules(data_dir, GOOD_RULE, version='version = "2026.2"\n')
    assert catalogue.load(data_dir).version != shipped.version


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('outcome = "precaution"', 'outcome = "maybe"'), "rule “diabetes”: “outcome” must be"),
        (('any = ["diabetes"]', 'any = ["diabetis"]'), "there is no question “diabetis”"),
        (('any = ["diabetes"]', 'any = ["diabetes is yes"]'), "'is' works on a choice"),
        (('any = ["diabetes"]', 'any = ["pregnant is maybe"]'), "“maybe” is not one of"),
        (('any = ["diabetes"]', 'any = ["anticoagulants has heparinx"]'), "not a drug"),
        (('any = ["diabetes"]', 'any = ["age < old"]'), "a comparison needs"),
        (('any = ["diabetes"]', 'any = ["diabetes and epilepsy"]'), "cannot read condition"),
        (
            ('any = ["diabetes"]', 'any = ["diabetes or diabetis"]'),
            "there is no question “diabetis”",
        ),
        (('any = ["diabetes"]', 'any = ["diabetes or"]'), "cannot read condition"),
        (
            ('any = ["diabetes"]', 'any = ["condition is headache"]'),
            "a rule cannot read “condition”",
        ),
        (('any = ["diabetes"]', "any = []"), "at least one condition"),
        (('source = "AACP"', ""), "“source” is missing"),
        (('title = "Diabetes"', 'title = "Diabetes"\nsevere = true'), "unknown field “severe”"),
        (('label = "Diabetes"', 'label = "{sugar} level"'), "“sugar”, which is not a question"),
        (('outcome = "precaution"', 'outcome = "refer"'), "needs “urgency”"),
        (
            ('outcome = "precaution"', 'outcome = "precaution"\nurgency = "urgent"'),
            "only a refer rule has an urgency",
        ),
        (
            ('outcome = "precaution"', 'outcome = "precaution"\navoid_points = "knees"'),
            "slot “knees”",
        ),
        (
            (
                'outcome = "precaution"',
                'outcome = "precaution"\noverride = {to = "refer", by = "x", prompt = "y"}',
            ),
            "an override must lower the outcome",
        ),
        (('id = "diabetes"', 'id = "Diabetes Rule"'), "lower-case words joined by dashes"),
    ],
)
def test_a_malformed_rule_is_refused_with_its_id_and_the_problem(data_dir, change, message):
    old, new = change
    write_rules(data_dir, GOOD_RULE.replace(old, new))
    with pytest.raises(RulesFileError) as exc:
        catalogue.load(data_dir)
    assert "rules.toml" in str(exc.value)
    assert message in str(exc.value)


def test_an_emergency_referral_cannot_be_made_overridable(data_dir):
    rule = GOOD_RULE.replace(
        'outcome = "precaution"',
        'outcome = "refer"\nurgency = "emergency"\npatient = "Go to A&E."\n'
        'override = {to = "precaution", by = "GP", prompt = "Who?"}',
    )
    write_rules(data_dir, rule)
    with pytest.raises(RulesFileError, match="emergency referral cannot be overridden"):
        catalogue.load(data_dir)


def test_two_rules_with_one_id_are_refused(data_dir):
    write_rules(data_dir, GOOD_RULE + GOOD_RULE)
    with pytest.raises(RulesFileError, match="rule “diabetes”: the id is used twice"):
        catalogue.load(data_dir)


def test_a_file_that_is_not_toml_is_refused_naming_the_file(data_dir):
    write_rules(data_dir, "[[rule]\nid = ")
    with pytest.raises(RulesFileError, match=r"rules\.toml: not valid TOML"):
        catalogue.load(data_dir)


def test_a_rules_file_without_a_version_is_refused(data_dir):
    write_rules(data_dir, GOOD_RULE, version="")
    with pytest.raises(RulesFileError, match="“version” is missing"):
        catalogue.load(data_dir)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ('"GB21"', '"GB45"', "GB has points 1–44, not GB45"),
        ('"GB21"', '"XX1"', "“XX1” is not a WHO point code"),
        ("default = false", "default = true", "slot “pregnancy” needs exactly one default"),
    ],
)
def test_a_bad_point_list_is_refused(data_dir, old, new, message):
    path = data_dir / "points.toml"
    path.write_text(path.read_text().replace(old, new, 1))
    with pytest.raises(RulesFileError, match=message):
        catalogue.load(data_dir)


def test_a_drug_of_an_unknown_class_is_refused_with_its_id(data_dir):
    path = data_dir / "drugs.toml"
    path.write_text(path.read_text().replace('class = "antiplatelet"', 'class = "statin"', 1))
    with pytest.raises(RulesFileError, match=r"drugs\.toml: drug “aspirin”: “class” must be"):
        catalogue.load(data_dir)


def test_the_application_refuses_to_start_with_a_malformed_rules_file(data_dir, monkeypatch):
    from django.apps import apps

    write_rules(data_dir, GOOD_RULE.replace('outcome = "precaution"', 'outcome = "sometimes"'))
    monkeypatch.setattr(catalogue, "DATA_DIR", data_dir)
    catalogue.current.cache_clear()
    try:
        with pytest.raises(RulesFileError, match="rule “diabetes”: “outcome” must be"):
            apps.get_app_config("safety").ready()
    finally:
        monkeypatch.undo()
        catalogue.current.cache_clear()
    assert catalogue.current().rules


def test_a_question_in_a_section_asked_only_sometimes_must_share_its_condition(monkeypatch):
    from dataclasses import replace

    from acuclinic.safety.questions import QUESTIONS

    loose = tuple(
        replace(q, only_when=None, contradiction="") if q.key == "neck_dizziness" else q
        for q in QUESTIONS
    )
    monkeypatch.setattr(catalogue, "QUESTIONS", loose)
    with pytest.raises(RulesFileError, match="“neck_dizziness” must be asked when its section is"):
        catalogue.load()


def test_a_follow_up_question_asked_before_the_answer_it_depends_on_is_refused(monkeypatch):
    from acuclinic.safety.questions import QUESTIONS

    monkeypatch.setattr(catalogue, "QUESTIONS", tuple(reversed(QUESTIONS)))
    with pytest.raises(RulesFileError, match="which must come before it"):
        catalogue.load()

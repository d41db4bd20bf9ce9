"""Assessments are remembered (rules.Seen): the diary assesses every patient on a page
again at each reload, so the same answers give back the assessment already made. What
must hold is that a remembered assessment is always the one the rules would give now."""

import json

from acuclinic.safety import catalogue
from acuclinic.safety.rules import Ruleset, Seen, StoredAnswers, unanswered
from acuclinic.testing.factories import safety_answers


def _fresh(ruleset: Ruleset, answers, **kwargs):
    return ruleset._evaluate(
        answers,
        kwargs.get("age"),
        kwargs.get("chosen_lists") or {},
        kwargs.get("agreements", ()),
    )


def test_the_same_answers_give_the_same_assessment_without_evaluating_again():
    rules = catalogue.current()
    answers = safety_answers(anticoagulant="yes")

    first = rules.evaluate(answers, age=54)
    again = rules.evaluate(dict(answers), age=54)  # an equal dict, read again

    assert again is first
    assert again == _fresh(rules, answers, age=54)


def test_anything_the_assessment_depends_on_gives_a_new_one():
    rules = catalogue.current()
    answers = safety_answers(pregnant="yes", pregnancy_weeks=12)
    assessment = rules.evaluate(answers, age=30)
    assert assessment.has_flags and assessment.avoid_points

    # The answers themselves, the age, and the clinic's point lists are all part of it.
    changed = {**answers, "pregnant": "no"}
    assert rules.evaluate(changed, age=30) == _fresh(rules, changed, age=30)
    assert not rules.evaluate(changed, age=30).avoid_points
    assert rules.evaluate(answers, age=15) == _fresh(rules, answers, age=15)
    aacp = {"pregnancy": next(p.id for p in rules.lists_for("pregnancy") if not p.default)}
    chosen = rules.evaluate(answers, age=30, chosen_lists=aacp)
    assert chosen == _fresh(rules, answers, age=30, chosen_lists=aacp)
    assert chosen.avoid_points != assessment.avoid_points


def test_a_recorded_agreement_lowers_the_flag_even_after_it_was_seen_raised():
    rules = catalogue.current()
    lowerable = rules.by_id["headache-arteritis"]
    answers = safety_answers(treatment_areas=["head"], headache_arteritis=True)
    raised = rules.evaluate(answers, age=70)
    assert any(f.rule_id == lowerable.id and not f.overridden for f in raised.findings)

    lowered = rules.evaluate(answers, age=70, agreements={lowerable.id})

    assert lowered is not raised
    assert lowered == _fresh(rules, answers, age=70, agreements={lowerable.id})
    finding = next(f for f in lowered.findings if f.rule_id == lowerable.id)
    assert finding.overridden and finding.outcome == lowerable.override.to


def test_the_memo_forgets_the_oldest_beyond_its_limit():
    seen = Seen()
    seen.LIMIT = 3
    keys = [Seen.key({"n": n}, 40) for n in range(4)]
    for n, key in enumerate(keys):
        seen.put(key, n)

    assert seen.get(keys[0]) is None
    assert [seen.get(k) for k in keys[1:]] == [1, 2, 3]


def test_answers_that_are_not_json_are_assessed_every_time_not_remembered():
    assert Seen.key({"when": object()}, 40) is None
    assert Seen().get(None) is None


def test_unanswered_questions_are_remembered_by_answers_facts_and_audience():
    # A back-pain questionnaire kept before the record said "headache": the headache
    # questions now apply and were never asked. Asked the other way first, so a
    # remembered answer for one set of facts is never given for another.
    answers = {k: v for k, v in safety_answers().items() if not k.startswith("headache")}
    assert unanswered(answers, facts={}) == ()
    headache = unanswered(answers, facts={"condition": "headache"})
    assert headache
    assert unanswered(dict(answers), facts={"condition": "headache"}) == headache
    assert unanswered(answers, facts={}) == ()


def test_answers_read_as_stored_text_are_looked_up_by_it_and_parsed_only_when_assessed():
    rules = catalogue.current()
    answers = safety_answers(anticoagulant="yes", treatment_areas=["head"])
    text = json.dumps(answers)

    stored = StoredAnswers(text)
    first = rules.evaluate(stored, age=61, written=Seen.written(stored))
    # Not remembered yet: the text was parsed to assess it, to what the dict gives.
    assert first == _fresh(rules, answers, age=61)
    assert dict(stored) == answers and stored["anticoagulant"] == "yes"
    missing = unanswered(stored, facts={"condition": "headache"}, written=stored.text)

    # The next page's read of the same stored answers finds both by the text alone.
    again = StoredAnswers(text)
    assert rules.evaluate(again, age=61, written=Seen.written(again)) is first
    assert unanswered(again, facts={"condition": "headache"}, written=again.text) is missing
    assert again._parsed is None
    # Anything else about the patient still gives a new assessment.
    assert rules.evaluate(again, age=15, written=again.text) == _fresh(rules, answers, age=15)

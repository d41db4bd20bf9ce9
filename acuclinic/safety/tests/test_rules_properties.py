"""Properties of the evaluator over every combination of answers hypothesis can find."""

from hypothesis import given, settings
from hypothesis import strategies as st

from acuclinic.safety import catalogue
from acuclinic.safety.questions import BOOL, CHOICE, DRUGS, MULTI, NUMBER, QUESTIONS, TEXT
from acuclinic.safety.rules import Outcome, evaluate

RULES = catalogue.current()
POINT_LISTS = {slot: RULES.default_list(slot).points for slot in ("pregnancy",)}


def _value(question):
    """Any answer of the right type, including contradictory and out-of-range ones."""
    if question.kind == BOOL:
        return st.booleans()
    if question.kind == CHOICE:
        return st.sampled_from([c for c, _ in question.choices])
    if question.kind == NUMBER:
        return st.integers(min_value=-5, max_value=60)
    if question.kind == TEXT:
        return st.text(max_size=30)
    if question.kind == MULTI:
        return st.lists(st.sampled_from([c for c, _ in question.choices]), unique=True)
    assert question.kind == DRUGS
    ids = [d.id for d in RULES.drugs_of(question.drug_class)]
    return st.lists(st.sampled_from(ids), unique=True)


ANSWERS = st.fixed_dictionaries({}, optional={q.key: _value(q) for q in QUESTIONS})
AGES = st.none() | st.integers(min_value=0, max_value=110)
AGREEMENTS = st.sets(st.sampled_from(sorted(RULES.by_id)))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=10,
)
JUNK = st.dictionaries(st.sampled_from([q.key for q in QUESTIONS]) | st.text(max_size=12), JSON)


def run(answers, age=None, agreements=(), rules=None):
    return evaluate(
        answers,
        rules if rules is not None else RULES.rules,
        drugs=RULES.drugs_by_id,
        age=age,
        point_lists=POINT_LISTS,
        agreements=agreements,
    )


@settings(max_examples=300, deadline=None)
@given(answers=ANSWERS, age=AGES, agreements=AGREEMENTS)
def test_no_combination_of_answers_crashes_and_the_worst_finding_sets_the_outcome(
    answers, age, agreements
):
    result = run(answers, age, agreements)
    assert result.outcome == max((f.outcome for f in result.findings), default=Outcome.NONE)


@settings(max_examples=300, deadline=None)
@given(raw=JUNK | JSON)
def test_checking_answers_never_crashes_on_any_input(raw):
    cleaned, errors = RULES.validate(raw)
    assert isinstance(cleaned, dict)
    assert all(e.field and e.code and e.message for e in errors)


@settings(max_examples=300, deadline=None)
@given(answers=ANSWERS, age=AGES)
def test_a_matching_refer_or_contraindication_is_never_let_through(answers, age):
    facts = {**answers, "age": age}
    result = run(answers, age)
    for rule in RULES.rules:
        if rule.outcome >= Outcome.CONTRAINDICATED and rule.matches(facts):
            assert result.outcome >= rule.outcome, rule.id
            assert result.blocks_needling


@settings(max_examples=300, deadline=None)
@given(answers=ANSWERS, age=AGES, agreements=AGREEMENTS)
def test_an_agreement_lowers_only_a_rule_that_allows_it_and_only_as_far_as_it_says(
    answers, age, agreements
):
    facts = {**answers, "age": age}
    result = run(answers, age, agreements)
    for rule in RULES.rules:
        if not rule.matches(facts):
            continue
        floor = rule.outcome
        if rule.override is not None and rule.id in agreements:
            floor = rule.override.to
        assert result.outcome >= floor, rule.id
        if rule.urgency == "emergency":
            assert result.outcome == Outcome.REFER


@settings(max_examples=200, deadline=None)
@given(answers=ANSWERS, age=AGES, agreements=AGREEMENTS, data=st.data())
def test_the_order_of_rules_and_of_answers_does_not_change_the_result(
    answers, age, agreements, data
):
    shuffled_rules = data.draw(st.permutations(RULES.rules))
    shuffled_answers = dict(data.draw(st.permutations(list(answers.items()))))
    assert run(shuffled_answers, age, agreements, shuffled_rules) == run(answers, age, agreements)


@settings(max_examples=300, deadline=None)
@given(answers=ANSWERS, age=AGES)
def test_avoid_and_no_electro_flags_add_up_whatever_the_outcome(answers, age):
    facts = {**answers, "age": age}
    result = run(answers, age)
    matched = [rule for rule in RULES.rules if rule.matches(facts)]
    assert result.no_electro == any(rule.no_electro for rule in matched)
    wants_points = any(rule.avoid_points == "pregnancy" for rule in matched)
    assert set(result.avoid_points) == (set(POINT_LISTS["pregnancy"]) if wants_points else set())


@settings(max_examples=200, deadline=None)
@given(answers=ANSWERS)
def test_answers_that_pass_the_checks_pass_again_unchanged(answers):
    cleaned, errors = RULES.validate(answers)
    if not errors:
        assert RULES.validate(cleaned) == (cleaned, [])

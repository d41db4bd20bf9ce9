"""The significance rule on its own (pure): one place decides, and says why in words."""

import pytest

from acuclinic.treatment import catalogue, significance
from acuclinic.treatment.choices import EventType, Severity

RULE = catalogue.load().significance


@pytest.mark.parametrize("kind", EventType.values)
@pytest.mark.parametrize("severity", Severity.values)
def test_an_event_needs_the_question_only_when_type_and_severity_leave_it_open(kind, severity):
    settled = significance.settled(RULE, kind, severity)
    # Settled events are significant whatever the answer; open ones follow the answer.
    for answer in (True, False, None):
        marked = significance.is_significant(RULE, kind, severity, answer)
        assert marked is (True if settled else bool(answer))
    assert settled is (
        kind in {"fainting", "retained_needle", "infection", "pneumothorax"}
        or severity in {"moderate", "serious"}
    )


def test_the_rule_in_words_names_the_types_the_severities_and_the_question():
    text = significance.describe(RULE, dict(EventType.choices), dict(Severity.choices))
    assert text == (
        "An event counts as significant if its type is fainting, retained needle, infection "
        "or pneumothorax; if it was moderate or serious; or if the practitioner answered yes "
        "to “Was it severe, unusual or lasting?”"
    )


def test_each_marking_is_explained():
    def explain(why, asked=True):
        return significance.explain(
            why, type_label="Retained needle", severity_label="Moderate", asked=asked
        )

    assert explain("type") == "Significant: retained needle is always counted as significant."
    assert explain("severity") == "Significant: every moderate event is counted as significant."
    assert explain("judged") == "Significant: judged severe, unusual or lasting."
    assert explain("") == "Not significant: a usual, passing reaction."
    assert explain("", asked=False).startswith("Not significant by its type and severity;")

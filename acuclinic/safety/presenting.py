"""Turning answers and flags into the words the pages show. Pure."""

from collections.abc import Mapping
from dataclasses import dataclass

from acuclinic.safety.questions import BOOL, BY_KEY, DERIVED, SECTIONS, for_audience
from acuclinic.safety.rules import Assessment, Drug, Finding, display_value

# The banner is read at a glance: the first few points, the rest on the safety page.
BANNER_POINTS = 4


def banner_line(finding: Finding, assessment: Assessment) -> str:
    """e.g. "Pregnant, 14 weeks — avoid LI4, SP6, BL60, GB21…; no electro-acupuncture"."""
    extras = []
    if finding.rule.avoid_points and assessment.avoid_points:
        points = assessment.avoid_points
        shown = ", ".join(points[:BANNER_POINTS]) + ("…" if len(points) > BANNER_POINTS else "")
        extras.append(f"avoid {shown}")
    if finding.rule.no_electro and "electro" not in finding.label:
        extras.append("no electro-acupuncture")
    return finding.label + (" — " + "; ".join(extras) if extras else "")


@dataclass(frozen=True)
class AnswerLine:
    question: str
    answer: str
    flagged: bool


def answer_lines(answers: Mapping, drugs: Mapping[str, Drug]) -> list[tuple[str, list]]:
    """[(section title, [AnswerLine…])…] for the questions that were asked."""
    sections: dict[str, list[AnswerLine]] = {}
    for question in for_audience("staff"):
        if question.key not in answers:
            continue
        value = answers[question.key]
        if value in (None, "", []):
            sections.setdefault(question.section, []).append(AnswerLine(question.label, "—", False))
            continue
        if question.kind == BOOL:
            text = "Yes" if value is True else "No"
        else:
            text = display_value(question.key, answers, drugs)
            text = text[0].upper() + text[1:]
        flagged = not question.neutral and (
            value is True or (question.kind != BOOL and value != "no")
        )
        sections.setdefault(question.section, []).append(AnswerLine(question.label, text, flagged))
    titles = {section.key: section.title for section in SECTIONS}
    return [(titles[key], lines) for key, lines in sections.items()]


def raising_answers(
    finding: Finding, answers: Mapping, drugs: Mapping[str, Drug], *, age: int | None = None
) -> tuple[tuple[str, str], ...]:
    """The answers that made a flag's rule match, as (question, answer) in words, in the
    rule's order: what a referral letter tells the doctor. A derived fact (the age) is
    given with its own label."""
    facts = {**answers, "age": age}
    rule = finding.rule
    lines: list[tuple[str, str]] = []
    seen: set[str] = set()
    for condition in (*rule.all, *rule.any):
        for part in condition.parts:
            if part.field in seen or not part.holds(facts):
                continue
            seen.add(part.field)
            question = BY_KEY.get(part.field) or DERIVED[part.field]
            value = facts.get(part.field)
            if question.kind == BOOL:
                text = "Yes" if value is True else "No"
            else:
                text = display_value(part.field, facts, drugs)
                text = text[:1].upper() + text[1:]
            lines.append((question.label, text))
    return tuple(lines)

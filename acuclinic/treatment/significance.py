"""Which adverse events are "significant": the one rule the note page, the API and the
report share (pure, no Django).

The two 2001 surveys the clinic compares itself with (White et al.; MacPherson et al.,
BMJ 2001;323:485 and 486) counted only *significant* events: unusual, novel, dangerous,
significantly inconvenient, or needing further information. The rule and its sources are
in data/adverse_events.toml ([significant]); an event is significant when

1. its type is significant by nature (fainting, a forgotten needle…), or
2. its severity is (moderate or worse: it needed action or treatment), or
3. the practitioner judged it severe, unusual or lasting — the one thing the type and
   severity cannot tell, so the form asks it whenever they do not settle it.

Nothing is stored but the practitioner's answer: the marking is derived each time, so
events recorded before the rule existed are marked by the same rule (and an event is
never changed after it is written).
"""

from acuclinic.treatment.catalogue import Significance as Rule

BY_TYPE, BY_SEVERITY, JUDGED = "type", "severity", "judged"


def settled(rule: Rule, event_type: str, severity: str) -> bool:
    """Whether type and severity alone make the event significant (no need to ask)."""
    return event_type in rule.types or severity in rule.severities


def reason(rule: Rule, event_type: str, severity: str, severe_or_lasting: bool | None) -> str:
    """Why the event is significant (BY_TYPE, BY_SEVERITY or JUDGED), or "" if it is not.

    ``severe_or_lasting`` is None when nobody was asked (an event recorded before the
    question existed, or one its type or severity already settles): then only the type
    and the severity count.
    """
    if event_type in rule.types:
        return BY_TYPE
    if severity in rule.severities:
        return BY_SEVERITY
    if severe_or_lasting:
        return JUDGED
    return ""


def is_significant(
    rule: Rule, event_type: str, severity: str, severe_or_lasting: bool | None
) -> bool:
    return bool(reason(rule, event_type, severity, severe_or_lasting))


def explain(why: str, *, type_label: str, severity_label: str, asked: bool = True) -> str:
    """The marking in words, as the note page and the API give it.

    ``asked``: whether the practitioner answered the question (False for an event
    recorded before it was asked).
    """
    if why == BY_TYPE:
        return f"Significant: {type_label.lower()} is always counted as significant."
    if why == BY_SEVERITY:
        return f"Significant: every {severity_label.lower()} event is counted as significant."
    if why == JUDGED:
        return "Significant: judged severe, unusual or lasting."
    if not asked:
        return (
            "Not significant by its type and severity; recorded before the clinic asked "
            "whether an event was severe, unusual or lasting."
        )
    return "Not significant: a usual, passing reaction."


def describe(rule: Rule, type_labels: dict[str, str], severity_labels: dict[str, str]) -> str:
    """The rule in a sentence, types and severities in the order given."""
    types = [label.lower() for key, label in type_labels.items() if key in rule.types]
    graver = [label.lower() for key, label in severity_labels.items() if key in rule.severities]
    parts = []
    if types:
        parts.append(f"its type is {_either(types)}")
    if graver:
        parts.append(f"it was {_either(graver)}")
    parts.append(f"the practitioner answered yes to “{rule.question}”")
    text = "An event counts as significant if " + "; if ".join(parts[:-1]) + f"; or if {parts[-1]}"
    # A question ends the sentence itself: no full stop after its closing quote.
    return text if rule.question.endswith(("?", ".")) else f"{text}."


def _either(words: list[str]) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} or {words[-1]}"

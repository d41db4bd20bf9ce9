"""Health-questionnaire answers → safety flags. Pure: no Django, no files.

The rules are data (data/rules.toml, read by catalogue.py). This module knows how to
read a rule's conditions, check a set of answers, and combine the rules that match:

- the most severe outcome wins: refer > contraindicated > precaution > none;
- avoid-point, avoid-region and no-electro flags add up across every matching rule;
- a recorded agreement (a specialist, or the GP after a referral) lowers only the rule
  that declares it may be lowered, and only as far as it says.

The result does not depend on the order of the rules or of the answers.
"""

import json
import re
import string
import threading
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import IntEnum
from functools import cache

from acuclinic.safety.questions import (
    BOOL,
    BY_KEY,
    CHOICE,
    DERIVED,
    DRUGS,
    MULTI,
    NUMBER,
    TEXT,
    Question,
    for_audience,
)


class Outcome(IntEnum):
    """How far a flag stops treatment; higher is more severe."""

    NONE = 0
    PRECAUTION = 1
    CONTRAINDICATED = 2
    REFER = 3

    @classmethod
    def named(cls, name: str) -> "Outcome":
        return cls[name.upper()]

    @property
    def key(self) -> str:
        return self.name.lower()


EMERGENCY, URGENT = "emergency", "urgent"
URGENCIES = (EMERGENCY, URGENT)

# ── Conditions ───────────────────────────────────────────────────────────────────────

_CONDITION = re.compile(
    r"^\s*(?P<negate>not\s+)?(?P<field>[a-z][a-z0-9_]*)"
    r"(?:\s+(?P<op>is|has|<=|>=|<|>)\s+(?P<value>[A-Za-z0-9_.-]+))?\s*$"
)
COMPARISONS = {
    "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    ">=": lambda a, b: a >= b,
}


def _literal(text: str):
    if text in ("true", "false"):
        return text == "true"
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    return text


def _is_number(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True)
class Condition:
    """One test over the answers, e.g. ``pregnant is yes`` or ``age < 16``."""

    field: str
    op: str  # "truthy", "falsy", "is", "has", or a comparison
    value: object = None
    text: str = ""

    def holds(self, facts: Mapping) -> bool:
        actual = facts.get(self.field)
        if self.op == "truthy":
            return _truthy(actual)
        if self.op == "falsy":
            return not _truthy(actual)
        if self.op == "is":
            # type() so that True never equals 1 and "1" never equals 1.
            return type(actual) is type(self.value) and actual == self.value
        if self.op == "has":
            return isinstance(actual, list | tuple) and self.value in actual
        compare = COMPARISONS[self.op]
        return _is_number(actual) and compare(actual, self.value)

    @property
    def parts(self) -> tuple["Condition", ...]:
        return (self,)


@dataclass(frozen=True)
class Either:
    """Any of several conditions: ``new_back_pain or new_neck_pain``."""

    parts: tuple[Condition, ...]
    text: str = ""

    def holds(self, facts: Mapping) -> bool:
        return any(c.holds(facts) for c in self.parts)


def may_hold(condition: "Condition | Either", known: Mapping) -> bool:
    """Could the condition hold, given only the answers known so far? A part over an
    answer not yet given might; so a form shows what it cannot yet rule out."""
    return any(part.field not in known or part.holds(known) for part in condition.parts)


def _truthy(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str | list | tuple):
        return len(value) > 0
    return False


_OR = re.compile(r"\s+or\s+")


def parse_condition(text: str) -> "Condition | Either":
    """Parse a condition, or several joined by "or"; ValueError says what is wrong."""
    if not isinstance(text, str):
        raise ValueError(f"a condition must be text, not {text!r}")
    pieces = _OR.split(text.strip())
    if len(pieces) > 1:
        return Either(tuple(_parse_one(piece) for piece in pieces), text=text)
    return _parse_one(text)


def _parse_one(text: str) -> Condition:
    match = _CONDITION.match(text)
    if not match:
        raise ValueError(
            f"cannot read condition {text!r} "
            "(expected 'key', 'not key', 'key is value', 'key has value' or 'key < n', "
            "or several joined by 'or')"
        )
    name, op, raw = match["field"], match["op"], match["value"]
    if op is None:
        return Condition(name, "falsy" if match["negate"] else "truthy", text=text)
    if match["negate"]:
        raise ValueError(f"condition {text!r}: 'not' works only with a bare key")
    return Condition(name, op, _literal(raw), text=text)


def check_condition(condition: "Condition | Either", drug_ids: Collection[str] = ()) -> None:
    """Does the condition make sense for its question? ValueError if not."""
    for part in condition.parts:
        _check_one(part, drug_ids)


def _check_one(condition: Condition, drug_ids: Collection[str]) -> None:
    question = BY_KEY.get(condition.field) or DERIVED.get(condition.field)
    where = f"condition {condition.text!r}"
    if question is None:
        raise ValueError(f"{where}: there is no question “{condition.field}”")
    kind, op, value = question.kind, condition.op, condition.value
    if op in ("truthy", "falsy"):
        if kind not in (BOOL, MULTI, DRUGS, TEXT):
            raise ValueError(f"{where}: a {kind} answer needs 'is' or a comparison")
    elif op == "is":
        if kind != CHOICE:
            raise ValueError(f"{where}: 'is' works on a choice, and {question.key} is {kind}")
        if value not in dict(question.choices):
            options = ", ".join(dict(question.choices))
            raise ValueError(f"{where}: “{value}” is not one of {options}")
    elif op == "has":
        if kind == MULTI and value not in dict(question.choices):
            raise ValueError(f"{where}: “{value}” is not one of the choices")
        if kind == DRUGS and value not in drug_ids:
            raise ValueError(f"{where}: “{value}” is not a drug in drugs.toml")
        if kind not in (MULTI, DRUGS):
            raise ValueError(f"{where}: 'has' works on a list, and {question.key} is {kind}")
    elif kind != NUMBER or not _is_number(value):
        raise ValueError(f"{where}: a comparison needs a number question and a whole number")


# ── Reference data ───────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Drug:
    id: str
    name: str
    drug_class: str
    group: str
    source: str


@dataclass(frozen=True)
class PointList:
    id: str
    slot: str
    name: str
    points: tuple[str, ...]
    default: bool
    source: str
    checked: str = ""


@dataclass(frozen=True)
class Override:
    """A recorded agreement that lowers a rule's outcome (e.g. a haematologist's)."""

    to: Outcome
    by: str
    prompt: str


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    label: str
    outcome: Outcome
    practitioner: str
    source: str
    all: tuple["Condition | Either", ...] = ()
    any: tuple["Condition | Either", ...] = ()
    urgency: str | None = None
    patient: str = ""
    avoid_points: str | None = None
    avoid_regions_from: str | None = None
    no_electro: bool = False
    override: Override | None = None
    checked: str = ""

    def matches(self, facts: Mapping) -> bool:
        if not all(c.holds(facts) for c in self.all):
            return False
        return not self.any or any(c.holds(facts) for c in self.any)


# ── Answers ──────────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class AnswerError:
    """One problem with one answer, for the form field it names."""

    field: str
    code: str
    message: str


def _empty(value) -> bool:
    return value is None or value == "" or value == [] or value == ()


def _drug_lookup(drugs: Iterable[Drug]) -> dict[str, Drug]:
    """Ids and names, case-insensitively, so an API client may send "Apixaban"."""
    lookup = {}
    for drug in drugs:
        lookup[drug.id.lower()] = drug
        lookup[drug.name.lower()] = drug
    return lookup


def _clean_one(question: Question, value, drugs: Mapping[str, Drug]):
    """The answer in its stored form, or an AnswerError."""
    key = question.key

    def error(code: str, message: str) -> AnswerError:
        return AnswerError(key, code, message)

    if question.kind == BOOL:
        if not isinstance(value, bool):
            return error("invalid", "Answer yes or no.")
        return value
    if question.kind == CHOICE:
        if not isinstance(value, str) or value not in dict(question.choices):
            return error("invalid", "Choose one of the answers offered.")
        return value
    if question.kind == NUMBER:
        if isinstance(value, str) and re.fullmatch(r"\s*\d{1,3}\s*", value):
            value = int(value)
        if not _is_number(value):
            return error("invalid", "Give a whole number.")
        if not question.minimum <= value <= question.maximum:
            return error(
                "out_of_range", f"Give a number from {question.minimum} to {question.maximum}."
            )
        return value
    if question.kind == TEXT:
        if not isinstance(value, str):
            return error("invalid", "Give a short text answer.")
        if "\x00" in value:
            # PostgreSQL cannot store NUL in JSON text; refuse it on both databases alike.
            return error("invalid", "Text cannot contain NUL characters.")
        value = " ".join(value.split())
        if len(value) > question.max_length:
            return error("too_long", f"Keep this under {question.max_length} characters.")
        return value
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        return error("invalid", "Choose from the list.")
    if question.kind == MULTI:
        allowed = [c for c, _ in question.choices]
        unknown = [v for v in value if v not in allowed]
        if unknown:
            return error("invalid", f"“{unknown[0]}” is not one of the choices.")
        return [c for c in allowed if c in value]
    # DRUGS: resolve ids or names; name the ones we do not know.
    chosen, unknown, wrong_class = [], [], []
    for name in value:
        drug = drugs.get(name.strip().lower())
        if drug is None:
            unknown.append(name.strip())
        elif drug.drug_class != question.drug_class:
            wrong_class.append(drug)
        elif drug.id not in chosen:
            chosen.append(drug.id)
    if unknown:
        names = ", ".join(f"“{n[:40]}”" for n in unknown)
        other = BY_KEY[question.other_key].label if question.other_key else "Other"
        return error(
            "unknown_drug",
            f"Not on our list: {names}. Choose from the list, or write it under “{other}”.",
        )
    if wrong_class:
        drug = wrong_class[0]
        return error(
            "wrong_drug_class",
            f"{drug.name} is an {drug.drug_class}, not an {question.drug_class}.",
        )
    return sorted(chosen)


def _says_no(question: Question, value) -> bool:
    if question.kind == BOOL:
        return value is False
    return question.kind == CHOICE and value == "no" and "no" in dict(question.choices)


def _applies(question: Question, facts: Mapping) -> bool:
    return question.only_when is None or _only_when(question.only_when).holds(facts)


@cache
def _only_when(text: str) -> "Condition | Either":
    """A question's condition, parsed once: the conditions are the questionnaire's own
    fixed text, and a diary page asks about every patient on it (``unanswered``)."""
    return parse_condition(text)


def validate_answers(
    raw,
    *,
    drugs: Iterable[Drug],
    audience: str = "staff",
    facts: Mapping | None = None,
) -> tuple[dict, list[AnswerError]]:
    """Check a whole questionnaire; return the cleaned answers and every problem found.

    ``facts`` are what the patient's record says (``{"condition": "headache"}``): a
    follow-up applies when its condition holds over them and the answers before it;
    "no" to one that does not apply is set aside, anything else is a contradiction.
    Never raises, whatever ``raw`` holds: bad input is a list of errors, one per field.
    """
    if not isinstance(raw, Mapping):
        return {}, [AnswerError("__all__", "invalid", "The answers must be a set of fields.")]
    asked = for_audience(audience)
    errors = [
        AnswerError(
            str(key)[:60] or "__all__", "unknown_question", f"There is no question “{key!s:.60}”."
        )
        for key in raw
        if key not in {q.key for q in asked}
    ]
    lookup = _drug_lookup(drugs)
    derived = {key: value for key, value in (facts or {}).items() if key in DERIVED}
    cleaned: dict = {}
    for question in asked:
        value = raw.get(question.key)
        if not _applies(question, {**derived, **cleaned}):
            # "No" to a question that does not apply says nothing: set it aside. Anything
            # else may be a warning sign given in the wrong place: ask again.
            if not _empty(value) and not _says_no(question, value):
                errors.append(AnswerError(question.key, "contradiction", question.contradiction))
            continue
        if _empty(value):
            if not question.optional:
                errors.append(AnswerError(question.key, "required", "Answer this question."))
            elif question.kind in (MULTI, DRUGS):
                cleaned[question.key] = []
            elif question.kind == TEXT:
                cleaned[question.key] = ""
            continue
        result = _clean_one(question, value, lookup)
        if isinstance(result, AnswerError):
            errors.append(result)
        else:
            cleaned[question.key] = result
    return cleaned, errors


def unanswered(
    answers: Mapping,
    *,
    facts: Mapping | None = None,
    audience: str = "staff",
    written: str | None = None,
) -> tuple[Question, ...]:
    """Follow-up questions that apply to these stored answers now but have no answer.

    A questionnaire kept before a question was added, or before the record named the
    condition that makes it apply (a headache patient's answers from before the headache
    questions), is incomplete: the patient has not been asked. Questions asked of
    everyone are left out, so that every older questionnaire is not incomplete at once.
    """
    if not isinstance(answers, Mapping):
        return ()
    derived = {key: value for key, value in (facts or {}).items() if key in DERIVED}
    # Remembered like assessments (Seen): the diary asks this of every patient it shows.
    key = Seen.key(answers, audience, tuple(sorted(derived.items())), written=written)
    found = _unanswered_seen.get(key)
    if found is None:
        found = _unanswered_seen.put(key, _unanswered(answers, derived, audience))
    return found


def _unanswered(answers: Mapping, derived: dict, audience: str) -> tuple[Question, ...]:
    known = {**derived, **answers}
    return tuple(
        question
        for question in for_audience(audience)
        if question.only_when is not None
        and not question.optional
        and question.key not in answers
        and _applies(question, known)
    )


# ── Evaluation ───────────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Finding:
    """One matching rule, with its outcome after any recorded agreement."""

    rule: Rule
    label: str
    outcome: Outcome
    overridden: bool = False

    @property
    def rule_id(self) -> str:
        return self.rule.id


@dataclass(frozen=True)
class Assessment:
    outcome: Outcome
    findings: tuple[Finding, ...] = ()
    avoid_points: tuple[str, ...] = ()
    avoid_regions: tuple[str, ...] = ()
    no_electro: bool = False

    def with_outcome(self, outcome: Outcome) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.outcome == outcome)

    @property
    def referrals(self) -> tuple[Finding, ...]:
        return self.with_outcome(Outcome.REFER)

    @property
    def contraindications(self) -> tuple[Finding, ...]:
        return self.with_outcome(Outcome.CONTRAINDICATED)

    @property
    def precautions(self) -> tuple[Finding, ...]:
        return self.with_outcome(Outcome.PRECAUTION)

    @property
    def has_flags(self) -> bool:
        return bool(self.findings)

    @property
    def blocks_needling(self) -> bool:
        return self.outcome >= Outcome.CONTRAINDICATED


def display_value(key: str, answers: Mapping, drugs: Mapping[str, Drug]) -> str:
    """An answer as words, for labels and regions: "Apixaban", "left arm"."""
    question = BY_KEY.get(key) or DERIVED.get(key)
    value = answers.get(key)
    if question is None or _empty(value):
        return "?" if question is None or question.kind != DRUGS else ""
    if question.kind == DRUGS:
        values = value if isinstance(value, list | tuple) else []
        names = [drugs[v].name if v in drugs else str(v) for v in values]
        other = answers.get(question.other_key) if question.other_key else None
        return ", ".join(names + ([other] if isinstance(other, str) and other else []))
    if question.kind == MULTI:
        values = value if isinstance(value, list | tuple) else [value]
        return ", ".join(question.choice_label(str(v)).lower() for v in values)
    if question.kind == CHOICE:
        return question.choice_label(str(value))
    if question.kind == BOOL:
        return "yes" if value is True else "no"
    return str(value)


def label_fields(label: str) -> list[str]:
    """The answer keys a label inserts, e.g. ["pregnancy_weeks"]."""
    return [name for _, name, _, _ in string.Formatter().parse(label) if name is not None]


def _render_label(rule: Rule, answers: Mapping, drugs: Mapping[str, Drug]) -> str:
    values = {key: display_value(key, answers, drugs) for key in label_fields(rule.label)}
    text = rule.label.format_map(values)
    # An answer typed in lower case ("fondaparinux — bleeding…") still starts a capital.
    return text[0].upper() + text[1:] if text else rule.title


def evaluate(
    answers: Mapping,
    rules: Sequence[Rule],
    *,
    drugs: Mapping[str, Drug] | None = None,
    age: int | None = None,
    point_lists: Mapping[str, Sequence[str]] | None = None,
    agreements: Collection[str] = (),
) -> Assessment:
    """The flags these answers raise under these rules.

    ``point_lists`` maps a slot ("pregnancy") to the points the clinic avoids for it;
    ``agreements`` holds the ids of rules with a recorded agreement that may lower them.
    """
    drugs = drugs or {}
    point_lists = point_lists or {}
    facts = dict(answers) if isinstance(answers, Mapping) else {}
    facts["age"] = age
    findings = []
    slots: set[str] = set()
    regions: set[str] = set()
    no_electro = False
    for rule in rules:
        if not rule.matches(facts):
            continue
        outcome = rule.outcome
        overridden = rule.override is not None and rule.id in agreements
        if overridden:
            outcome = rule.override.to
        findings.append(Finding(rule, _render_label(rule, facts, drugs), outcome, overridden))
        if rule.avoid_points:
            if rule.avoid_points not in point_lists:
                raise ValueError(f"rule {rule.id}: no point list for slot {rule.avoid_points}")
            slots.add(rule.avoid_points)
        if rule.avoid_regions_from:
            for region in display_value(rule.avoid_regions_from, facts, drugs).split(", "):
                if region and region != "?":
                    regions.add(region)
        no_electro = no_electro or rule.no_electro
    points: list[str] = []
    for slot in sorted(slots):
        points.extend(p for p in point_lists[slot] if p not in points)
    findings.sort(key=lambda f: (-f.outcome, f.rule.id))
    return Assessment(
        outcome=max((f.outcome for f in findings), default=Outcome.NONE),
        findings=tuple(findings),
        avoid_points=tuple(points),
        avoid_regions=tuple(sorted(regions)),
        no_electro=no_electro,
    )


@dataclass(frozen=True)
class Ruleset:
    """Everything the evaluator needs, as loaded from data/ (see catalogue.py)."""

    version: str
    rules: tuple[Rule, ...]
    drugs: tuple[Drug, ...]
    point_lists: tuple[PointList, ...]
    by_id: dict[str, Rule] = field(default_factory=dict, compare=False)
    # Assessments already made, by what they were made from (see ``evaluate``).
    seen: "Seen" = field(default_factory=lambda: Seen(), compare=False, repr=False)

    def __post_init__(self):
        self.by_id.update({rule.id: rule for rule in self.rules})

    @property
    def drugs_by_id(self) -> dict[str, Drug]:
        return {d.id: d for d in self.drugs}

    def drugs_of(self, drug_class: str) -> tuple[Drug, ...]:
        return tuple(d for d in self.drugs if d.drug_class == drug_class)

    def lists_for(self, slot: str) -> tuple[PointList, ...]:
        return tuple(p for p in self.point_lists if p.slot == slot)

    def default_list(self, slot: str) -> PointList:
        return next(p for p in self.lists_for(slot) if p.default)

    def point_list(self, list_id: str) -> PointList | None:
        return next((p for p in self.point_lists if p.id == list_id), None)

    def validate(
        self, answers, *, audience: str = "staff", facts: Mapping | None = None
    ) -> tuple[dict, list[AnswerError]]:
        return validate_answers(answers, drugs=self.drugs, audience=audience, facts=facts)

    def evaluate(
        self,
        answers: Mapping,
        *,
        age: int | None = None,
        chosen_lists: Mapping[str, str] | None = None,
        agreements: Collection[str] = (),
        written: str | None = None,
    ) -> Assessment:
        """Evaluate with the clinic's chosen point lists (slot → list id), else defaults.

        The same answers, age, lists and agreements always give the same assessment, so
        one already made is given again: a diary page assesses every patient on it, and
        each reload assesses the same patients' unchanged answers. (An assessment is
        immutable, so one can be shared.)"""
        chosen_lists = chosen_lists or {}
        key = Seen.key(
            answers,
            age,
            tuple(sorted(chosen_lists.items())),
            frozenset(agreements),
            written=written,
        )
        found = self.seen.get(key)
        if found is None:
            found = self.seen.put(key, self._evaluate(answers, age, chosen_lists, agreements))
        return found

    def _evaluate(self, answers, age, chosen_lists, agreements) -> Assessment:
        lists = {}
        for slot in {p.slot for p in self.point_lists}:
            chosen = self.point_list(chosen_lists.get(slot, ""))
            lists[slot] = (
                chosen.points if chosen and chosen.slot == slot else self.default_list(slot).points
            )
        return evaluate(
            answers,
            self.rules,
            drugs=self.drugs_by_id,
            age=age,
            point_lists=lists,
            agreements=agreements,
        )


class StoredAnswers(Mapping):
    """Answers as the database keeps them, JSON text, parsed only when first read.

    ``Seen`` remembers assessments by the answers written as JSON, so answers read as
    text can be looked up by that text at once (``Seen.written`` gives it back): a
    diary week's reload finds its four hundred patients' assessments without parsing
    their answers or writing them out again, which was a sixth of its safety reads.
    Equal answers stored as different text (another key order) are only remembered
    twice. Read-only, as a stored questionnaire is."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._parsed: dict | None = None

    @property
    def _answers(self) -> dict:
        if self._parsed is None:
            self._parsed = json.loads(self.text)
        return self._parsed

    def __getitem__(self, key):
        return self._answers[key]

    def __iter__(self):
        return iter(self._answers)

    def __len__(self) -> int:
        return len(self._answers)


class Seen:
    """A bounded memo of assessments, safe to share between a server's threads: the
    oldest is forgotten first. 2,000 covers the patients of several weeks of a busy
    clinic's diary in well under a megabyte or two."""

    LIMIT = 2000

    def __init__(self) -> None:
        self._found: dict = {}
        self._lock = threading.Lock()

    @staticmethod
    def written(answers) -> str | None:
        """The answers as one value (JSON); None if they cannot be written so."""
        if isinstance(answers, StoredAnswers):
            return answers.text
        try:
            return json.dumps(answers, sort_keys=True, separators=(",", ":"))
        except (TypeError, ValueError):
            return None

    @staticmethod
    def key(answers, *made_with, written: str | None = None) -> tuple | None:
        """What a result is made from, as a value: the answers written as JSON, then
        whatever else it depends on (``made_with``, each hashable); None if the answers
        cannot be written so (then nothing is remembered). ``written``: the answers
        already written (``Seen.written``), by a caller that asks more than once."""
        written = written or Seen.written(answers)
        return None if written is None else (written, *made_with)

    def get(self, key):
        return None if key is None else self._found.get(key)

    def put(self, key, assessment):
        if key is not None:
            with self._lock:
                if len(self._found) >= self.LIMIT:
                    del self._found[next(iter(self._found))]
                self._found[key] = assessment
        return assessment


_unanswered_seen = Seen()

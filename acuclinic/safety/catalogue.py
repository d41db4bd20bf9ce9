"""Load the screening rules, medicines and point lists from data/, and refuse bad ones.

Called once at start-up (SafetyConfig.ready): a typo in a rules file must stop the
application with the file, the rule id and the problem, never screen patients wrongly.
Pure apart from reading the files (no Django).
"""

import hashlib
import re
import tomllib
from functools import cache
from pathlib import Path

from acuclinic.safety.questions import (
    BY_KEY,
    DERIVED,
    DRUGS,
    MULTI,
    QUESTIONS,
    SECTION_BY_KEY,
    TEXT,
)
from acuclinic.safety.rules import (
    EMERGENCY,
    URGENCIES,
    Condition,
    Drug,
    Either,
    Outcome,
    Override,
    PointList,
    Rule,
    Ruleset,
    check_condition,
    label_fields,
    parse_condition,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = ("rules.toml", "drugs.toml", "points.toml")

DRUG_CLASSES = ("anticoagulant", "antiplatelet")
# WHO Standard Acupuncture Point Locations (2008): points per meridian (shared/clinical §6).
MERIDIAN_POINTS = {
    "LU": 11,
    "LI": 20,
    "ST": 45,
    "SP": 21,
    "HT": 9,
    "SI": 19,
    "BL": 67,
    "KI": 27,
    "PC": 9,
    "TE": 23,
    "GB": 44,
    "LR": 14,
    "GV": 28,
    "CV": 24,
}
_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_POINT = re.compile(r"^([A-Z]{2})(\d{1,2})$")

RULE_KEYS = {
    "id",
    "title",
    "label",
    "outcome",
    "urgency",
    "all",
    "any",
    "practitioner",
    "patient",
    "avoid_points",
    "avoid_regions_from",
    "no_electro",
    "override",
    "source",
    "checked",
}
DRUG_KEYS = {"id", "name", "class", "group", "source"}
LIST_KEYS = {"id", "slot", "default", "name", "points", "source", "checked"}
# Derived facts the evaluator is given. "condition" decides what is asked; the rules
# read the answers themselves, so that the record cannot silently switch a rule off.
RULE_FACTS = {"age"}


class RulesFileError(Exception):
    """A data file the application refuses to start with."""


def _text(entry: dict, key: str, *, required: bool = True) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"“{key}” must be text")
    if required and not value.strip():
        raise ValueError(f"“{key}” is missing")
    return " ".join(value.split())


def _unknown_keys(entry: dict, allowed: set[str]) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ValueError(f"unknown field “{unknown[0]}” (a typo?)")


def _conditions(entry: dict, key: str, drug_ids: set[str]) -> tuple[Condition | Either, ...]:
    raw = entry.get(key, [])
    if not isinstance(raw, list):
        raise ValueError(f"“{key}” must be a list of conditions")
    conditions = tuple(parse_condition(text) for text in raw)
    for condition in conditions:
        check_condition(condition, drug_ids)
        for part in condition.parts:
            if part.field in DERIVED and part.field not in RULE_FACTS:
                raise ValueError(
                    f"condition {condition.text!r}: a rule cannot read “{part.field}” "
                    "(it decides which questions are asked)"
                )
    return conditions


def _outcome(name, *, field: str) -> Outcome:
    if not isinstance(name, str) or name.upper() not in Outcome.__members__:
        raise ValueError(f"“{field}” must be refer, contraindicated, precaution or none")
    return Outcome.named(name)


def _rule(entry: dict, drug_ids: set[str], slots: set[str]) -> Rule:
    _unknown_keys(entry, RULE_KEYS)
    outcome = _outcome(entry.get("outcome"), field="outcome")
    all_ = _conditions(entry, "all", drug_ids)
    any_ = _conditions(entry, "any", drug_ids)
    if not all_ and not any_:
        raise ValueError("a rule needs at least one condition in “all” or “any”")

    urgency = entry.get("urgency")
    if outcome == Outcome.REFER and urgency not in URGENCIES:
        raise ValueError("a refer rule needs “urgency” = emergency or urgent")
    if outcome != Outcome.REFER and urgency is not None:
        raise ValueError("only a refer rule has an urgency")
    patient = _text(entry, "patient", required=outcome == Outcome.REFER)

    label = _text(entry, "label")
    for name in label_fields(label):
        if name not in BY_KEY and name not in DERIVED:
            raise ValueError(f"the label inserts “{name}”, which is not a question")

    avoid_points = entry.get("avoid_points")
    if avoid_points is not None and avoid_points not in slots:
        raise ValueError(f"“avoid_points” names slot “{avoid_points}”, not in points.toml")
    regions = entry.get("avoid_regions_from")
    if regions is not None and (regions not in BY_KEY or BY_KEY[regions].kind not in (MULTI, TEXT)):
        raise ValueError(f"“avoid_regions_from” must name a list or text question, not {regions}")
    no_electro = entry.get("no_electro", False)
    if not isinstance(no_electro, bool):
        raise ValueError("“no_electro” must be true or false")

    override = None
    if "override" in entry:
        raw = entry["override"]
        if not isinstance(raw, dict):
            raise ValueError("“override” must be a table with to, by and prompt")
        _unknown_keys(raw, {"to", "by", "prompt"})
        to = _outcome(raw.get("to"), field="override.to")
        if not Outcome.NONE < to < outcome:
            raise ValueError("an override must lower the outcome, and not to none")
        if urgency == EMERGENCY:
            raise ValueError("an emergency referral cannot be overridden")
        override = Override(to=to, by=_text(raw, "by"), prompt=_text(raw, "prompt"))

    return Rule(
        id=entry["id"],
        title=_text(entry, "title"),
        label=label,
        outcome=outcome,
        practitioner=_text(entry, "practitioner"),
        source=_text(entry, "source"),
        all=all_,
        any=any_,
        urgency=urgency,
        patient=patient,
        avoid_points=avoid_points,
        avoid_regions_from=regions,
        no_electro=no_electro,
        override=override,
        checked=_text(entry, "checked", required=False),
    )


def _drug(entry: dict) -> Drug:
    _unknown_keys(entry, DRUG_KEYS)
    drug_class = entry.get("class")
    if drug_class not in DRUG_CLASSES:
        raise ValueError(f"“class” must be one of {', '.join(DRUG_CLASSES)}")
    return Drug(
        id=entry["id"],
        name=_text(entry, "name"),
        drug_class=drug_class,
        group=_text(entry, "group"),
        source=_text(entry, "source"),
    )


def check_point(code: str) -> None:
    match = _POINT.match(code) if isinstance(code, str) else None
    if not match or match[1] not in MERIDIAN_POINTS:
        raise ValueError(f"“{code}” is not a WHO point code such as LI4")
    if not 1 <= int(match[2]) <= MERIDIAN_POINTS[match[1]]:
        raise ValueError(f"{match[1]} has points 1–{MERIDIAN_POINTS[match[1]]}, not {code}")


def _point_list(entry: dict) -> PointList:
    _unknown_keys(entry, LIST_KEYS)
    points = entry.get("points")
    if not isinstance(points, list) or not points:
        raise ValueError("“points” must be a non-empty list")
    for code in points:
        check_point(code)
    if len(set(points)) != len(points):
        raise ValueError("a point is listed twice")
    if not isinstance(entry.get("default", False), bool):
        raise ValueError("“default” must be true or false")
    return PointList(
        id=entry["id"],
        slot=_text(entry, "slot"),
        name=_text(entry, "name"),
        points=tuple(points),
        default=entry.get("default", False),
        source=_text(entry, "source"),
        checked=_text(entry, "checked", required=False),
    )


def _entries(data: dict, table: str, filename: str) -> list[dict]:
    entries = data.get(table)
    if not isinstance(entries, list) or not entries:
        raise RulesFileError(f"{filename}: no [[{table}]] entries")
    return entries


def _each(entries: list[dict], filename: str, kind: str, build):
    """Build every entry; name the file and the entry's id in any error."""
    built, seen = [], set()
    for position, entry in enumerate(entries, start=1):
        ident = entry.get("id") if isinstance(entry, dict) else None
        where = f"{filename}: {kind} “{ident}”" if ident else f"{filename}: {kind} #{position}"
        if not isinstance(ident, str) or not _ID.match(ident):
            raise RulesFileError(f"{where}: “id” must be lower-case words joined by dashes")
        if ident in seen:
            raise RulesFileError(f"{where}: the id is used twice")
        seen.add(ident)
        try:
            built.append(build(entry))
        except (ValueError, KeyError, TypeError) as exc:
            raise RulesFileError(f"{where}: {exc}") from exc
    return built


def _read(directory: Path, filename: str) -> tuple[dict, bytes]:
    path = directory / filename
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise RulesFileError(f"{filename}: cannot be read ({exc.strerror})") from exc
    try:
        return tomllib.loads(raw.decode("utf-8")), raw
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RulesFileError(f"{filename}: not valid TOML ({exc})") from exc


def _check_follow_up_questions(drugs: list[Drug]) -> None:
    """Each follow-up question's condition must make sense and look only at answers
    asked before it (the answers are checked in order) or at facts from the record; a
    question in a section asked only sometimes shares the section's condition."""
    asked_before: set[str] = set()
    for question in QUESTIONS:
        section = SECTION_BY_KEY.get(question.section)
        if section is None:
            raise RulesFileError(f"questions.py: “{question.key}”: no section “{question.section}”")
        if section.only_when is not None and question.only_when != section.only_when:
            raise RulesFileError(
                f"questions.py: “{question.key}” must be asked when its section is "
                f"({section.only_when!r})"
            )
        if question.only_when is not None:
            try:
                condition = parse_condition(question.only_when)
                check_condition(condition, {d.id for d in drugs})
            except ValueError as exc:
                raise RulesFileError(f"questions.py: “{question.key}”: {exc}") from exc
            for part in condition.parts:
                if part.field not in asked_before and part.field not in DERIVED:
                    raise RulesFileError(
                        f"questions.py: “{question.key}” is asked when “{part.field}” is "
                        "answered, which must come before it"
                    )
            if not question.contradiction:
                raise RulesFileError(f"questions.py: “{question.key}” needs a contradiction text")
        asked_before.add(question.key)


def load(directory: Path = DATA_DIR) -> Ruleset:
    """Read and check every data file; RulesFileError names the first problem."""
    rules_data, rules_raw = _read(directory, "rules.toml")
    drugs_data, drugs_raw = _read(directory, "drugs.toml")
    points_data, points_raw = _read(directory, "points.toml")

    drugs = _each(_entries(drugs_data, "drug", "drugs.toml"), "drugs.toml", "drug", _drug)
    lists = _each(_entries(points_data, "list", "points.toml"), "points.toml", "list", _point_list)
    slots = {p.slot for p in lists}
    for slot in sorted(slots):
        defaults = [p.id for p in lists if p.slot == slot and p.default]
        if len(defaults) != 1:
            raise RulesFileError(
                f"points.toml: slot “{slot}” needs exactly one default list, has {len(defaults)}"
            )
    for question in BY_KEY.values():
        if question.kind == DRUGS and not any(d.drug_class == question.drug_class for d in drugs):
            raise RulesFileError(f"drugs.toml: no {question.drug_class} for “{question.key}”")

    _check_follow_up_questions(drugs)

    declared = rules_data.get("version")
    if not isinstance(declared, str) or not declared.strip():
        raise RulesFileError("rules.toml: “version” is missing")
    drug_ids = {d.id for d in drugs}
    rules = _each(
        _entries(rules_data, "rule", "rules.toml"),
        "rules.toml",
        "rule",
        lambda entry: _rule(entry, drug_ids, slots),
    )
    # The declared version, plus a digest so that an edit without a new version number
    # still shows as a different rules version on every questionnaire screened with it.
    digest = hashlib.sha256(rules_raw + drugs_raw + points_raw).hexdigest()[:10]
    return Ruleset(
        version=f"{declared.strip()}+{digest}",
        rules=tuple(rules),
        drugs=tuple(drugs),
        point_lists=tuple(lists),
    )


@cache
def current() -> Ruleset:
    """The rules the running application screens with (loaded once)."""
    return load(DATA_DIR)

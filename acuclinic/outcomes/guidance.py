"""NICE's guidance on a course of acupuncture, by presenting condition, from
data/guidance.toml: loaded and checked at start-up (OutcomesConfig.ready), read by the
course planner. Pure apart from reading the file (no Django).

Each condition maps to one guidance entry: a limit on professional time (NG193, chronic
primary pain), on sessions and weeks (CG150, headaches), a note that NICE does not
recommend acupuncture (NG59, low back pain and sciatica), or the statement that no NICE
limit applies. The data file says, with sources, why each condition gets the one it does.
"""

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from acuclinic.outcomes.catalogue import CatalogueError

DATA_FILE = Path(__file__).resolve().parent / "data" / "guidance.toml"

CONTACT_TIME, SESSIONS, NOT_RECOMMENDED, NO_LIMIT = (
    "contact_time",
    "sessions",
    "not_recommended",
    "no_limit",
)
KINDS = (CONTACT_TIME, SESSIONS, NOT_RECOMMENDED, NO_LIMIT)
# The entry for a course opened with no presenting condition recorded.
UNRECORDED = "unrecorded"


@dataclass(frozen=True)
class Guidance:
    """One guideline's advice on a course of acupuncture, and its limit if it sets one."""

    id: str
    kind: str
    name: str  # "NICE NG193 (2021): chronic primary pain"
    short: str  # "NICE NG193", for sentences
    advice: str
    source: str
    checked: str
    limit_minutes: int | None = None
    single_course: bool = False
    limit_sessions: int | None = None
    weeks_min: int | None = None
    weeks_max: int | None = None

    @property
    def has_limit(self) -> bool:
        return self.kind in (CONTACT_TIME, SESSIONS)


@dataclass(frozen=True)
class ConditionGuidance:
    """The guidance a presenting condition is read against, and why."""

    condition: str
    guidance: Guidance
    why: str
    why_source: str


@dataclass(frozen=True)
class GuidanceBook:
    version: str
    guidance: dict[str, Guidance]
    conditions: dict[str, ConditionGuidance]

    def for_condition(self, condition: str) -> ConditionGuidance:
        """The entry for a course's condition ("" when none was recorded)."""
        return self.conditions.get(condition or UNRECORDED) or self.conditions[UNRECORDED]


_TEXT = ("name", "short", "advice", "source", "checked")
_LIMITS = ("limit_minutes", "single_course", "limit_sessions", "weeks_min", "weeks_max")


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _guidance(key: str, raw: dict, name: str) -> Guidance:
    def fail(problem: str):
        raise CatalogueError(f"{name}: guidance {key!r}: {problem}")

    extra = set(raw) - {"kind", *_TEXT, *_LIMITS}
    if extra:
        fail(f"unknown field(s) {', '.join(sorted(extra))}")
    if raw.get("kind") not in KINDS:
        fail(f"kind must be one of {', '.join(KINDS)}")
    for field in _TEXT:
        if not isinstance(raw.get(field), str) or not raw[field].strip():
            fail(f"{field} must be given (every entry needs its wording and its source)")
    kind = raw["kind"]
    needed = {
        CONTACT_TIME: ("limit_minutes",),
        SESSIONS: ("limit_sessions", "weeks_min", "weeks_max"),
    }.get(kind, ())
    for field in needed:
        if not _whole(raw.get(field)):
            fail(f"a {kind} limit needs {field} as a whole number above 0")
    allowed = {*needed, "single_course"} if kind == CONTACT_TIME else set(needed)
    stray = {f for f in _LIMITS if f in raw} - allowed
    if stray:
        fail(f"{', '.join(sorted(stray))} do(es) not apply to a {kind} entry")
    if "single_course" in raw and not isinstance(raw["single_course"], bool):
        fail("single_course must be true or false")
    if kind == SESSIONS and raw["weeks_min"] > raw["weeks_max"]:
        fail("weeks_min must not be above weeks_max")
    return Guidance(
        id=key,
        kind=kind,
        **{field: raw[field].strip() for field in _TEXT},
        limit_minutes=raw.get("limit_minutes"),
        single_course=raw.get("single_course", False),
        limit_sessions=raw.get("limit_sessions"),
        weeks_min=raw.get("weeks_min"),
        weeks_max=raw.get("weeks_max"),
    )


def load(path: Path = DATA_FILE, *, conditions: Iterable[str] | None = None) -> GuidanceBook:
    """The guidance in ``path``; with ``conditions`` (the condition codes), also refused
    unless every condition has an entry and every entry is a condition."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{path.name}: {exc}") from exc
    guidance = {
        key: _guidance(key, entry, path.name) for key, entry in raw.get("guidance", {}).items()
    }
    found: dict[str, ConditionGuidance] = {}
    for code, entry in raw.get("condition", {}).items():
        extra = set(entry) - {"guidance", "why", "why_source"}
        if extra:
            raise CatalogueError(
                f"{path.name}: condition {code!r}: unknown field(s) {', '.join(sorted(extra))}"
            )
        if entry.get("guidance") not in guidance:
            raise CatalogueError(
                f"{path.name}: condition {code!r} names unknown guidance {entry.get('guidance')!r}"
            )
        for field in ("why", "why_source"):
            if not isinstance(entry.get(field), str) or not entry[field].strip():
                raise CatalogueError(
                    f"{path.name}: condition {code!r}: {field} must say why, with its source"
                )
        found[code] = ConditionGuidance(
            code, guidance[entry["guidance"]], entry["why"].strip(), entry["why_source"].strip()
        )
    if UNRECORDED not in found:
        raise CatalogueError(f"{path.name}: the {UNRECORDED!r} condition is missing")
    book = GuidanceBook(str(raw.get("version", "")), guidance, found)
    if conditions is not None:
        check_conditions(book, conditions, name=path.name)
    return book


def check_conditions(book: GuidanceBook, conditions: Iterable[str], *, name: str = "") -> None:
    """Refuse a book that leaves a condition out, or lists one that does not exist."""
    codes = set(conditions)
    label = name or DATA_FILE.name
    missing = codes - set(book.conditions)
    if missing:
        raise CatalogueError(f"{label}: no guidance for condition(s) {', '.join(sorted(missing))}")
    unknown = set(book.conditions) - codes - {UNRECORDED}
    if unknown:
        raise CatalogueError(f"{label}: unknown condition(s) {', '.join(sorted(unknown))}")


@cache
def current() -> GuidanceBook:
    return load()

"""The outcome measures in data/measures.toml, loaded and checked.

Called once at start-up (OutcomesConfig.ready): a typo in the data file stops the
application naming the entry and the problem, rather than scoring against a wrong
definition. Pure apart from reading the file (no Django).
"""

import tomllib
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "measures.toml"

SINGLE, COUNT, SECTIONS, MEAN, CATEGORY, DOMAINS, STRATIFY, PROFILE, TOTAL = (
    "single",
    "count",
    "sections",
    "mean",
    "category",
    "domains",
    "stratify",
    "profile",
    "total",
)
SCORINGS = (SINGLE, COUNT, SECTIONS, MEAN, CATEGORY, DOMAINS, STRATIFY, PROFILE, TOTAL)
# A measure offered for every presenting condition.
ANY = "any"
# A stratifying tool's groups, from the least to the most at risk.
LOW, MEDIUM, HIGH = "low", "medium", "high"
LOWER, HIGHER = "lower", "higher"
PATIENT, CLINICIAN = "patient", "clinician"
# Licences under which the patient may be shown the questionnaire on our pages.
SHOWN_TO_PATIENTS = {"free"}

PAIN = "nprs"
PSFS = "psfs"
PGIC = "pgic"


class CatalogueError(Exception):
    """A data file the application refuses to start with."""


@dataclass(frozen=True)
class Domain:
    name: str
    items: int
    divisor: int
    max_missing: int


@dataclass(frozen=True)
class Measure:
    """One outcome measure: how it is scored, what change matters, and its licence."""

    code: str
    name: str
    short: str
    scoring: str
    items: int
    item_min: int
    item_max: int
    score_min: int
    score_max: int
    whole: bool
    better: str
    unit: str
    mcid_points: int
    mcid_percent: int
    mcid_text: str
    mcid_source: str
    licence: str
    licence_note: str
    completed_by: str
    max_missing: int
    missing_rule: str
    checked: str
    missing_source: str = ""
    question: str = ""
    min_items: int = 0
    responder_max: int = 0
    categories: tuple[str, ...] = ()
    domains: tuple[Domain, ...] = ()
    # A stratifying tool (scoring "stratify"): where its subscale starts (item number)
    # and the cut-offs of its risk groups.
    subscale_first: int = 0
    low_max: int = 0
    high_subscale_min: int = 0
    # Where published MCIDs differ: the smallest and the largest, in points. A change
    # between the two is important by some estimates only.
    mcid_range: tuple[Decimal, Decimal] | None = None
    # The minimal detectable change (beyond measurement error), where it is published
    # apart from the MCID.
    mdc_text: str = ""
    mdc_source: str = ""
    # The presenting conditions it is offered for ("any": every condition).
    conditions: tuple[str, ...] = (ANY,)
    # A profile's items (scoring "profile"): their labels, and those that may be left out.
    item_labels: tuple[str, ...] = ()
    optional_items: tuple[int, ...] = ()

    @property
    def lower_is_better(self) -> bool:
        return self.better == LOWER

    @property
    def patient_can_complete(self) -> bool:
        """Whether a patient can fill it in on our pages (its wording may be shown)."""
        return self.completed_by == PATIENT and self.licence in SHOWN_TO_PATIENTS

    @property
    def takes_items(self) -> bool:
        """Whether item answers can be entered (every kind but a licensed total)."""
        return self.scoring != TOTAL

    @property
    def takes_total(self) -> bool:
        """Whether a total from a licensed copy can be entered instead of the items (not
        for a stratifying tool: its group needs the answers, not just their count)."""
        return self.completed_by == CLINICIAN and self.scoring != STRATIFY

    @property
    def measures_change(self) -> bool:
        """Whether it is taken again to see change (and charted); a screening tool is not."""
        return self.scoring != STRATIFY

    def offered_for(self, condition: str) -> bool:
        """Whether it is offered for a presenting condition (every condition for "any")."""
        return ANY in self.conditions or condition in self.conditions

    def category_label(self, value: int) -> str:
        if not self.categories:
            return ""
        return self.categories[value - self.item_min]


@dataclass(frozen=True)
class Catalogue:
    version: str
    measures: dict[str, Measure]
    every_course: tuple[str, ...]
    after_treatment: tuple[str, ...]
    disability: dict[str, tuple[str, ...]]
    baseline_only: dict[str, tuple[str, ...]]

    def measure(self, code: str) -> Measure | None:
        return self.measures.get(code)

    def disability_for(self, condition: str) -> tuple[str, ...]:
        """The disability measures for a presenting condition ("" when not recorded)."""
        return self.disability.get(condition, ())

    def baseline_only_for(self, condition: str) -> tuple[str, ...]:
        """The screening tools taken once, before the first needling, for a condition."""
        return self.baseline_only.get(condition, ())

    def offered_for(self, condition: str) -> list[Measure]:
        """The measures offered for a presenting condition, in the file's order."""
        return [m for m in self.measures.values() if m.offered_for(condition)]


_REQUIRED = {
    "code": str,
    "name": str,
    "short": str,
    "scoring": str,
    "items": int,
    "item_min": int,
    "item_max": int,
    "score_min": int,
    "score_max": int,
    "whole": bool,
    "better": str,
    "unit": str,
    "mcid_points": int,
    "mcid_percent": int,
    "mcid_text": str,
    "mcid_source": str,
    "licence": str,
    "licence_note": str,
    "completed_by": str,
    "max_missing": int,
    "missing_rule": str,
    "checked": str,
}


def _measure(raw: dict) -> Measure:
    code = raw.get("code", "?")

    def fail(problem: str):
        raise CatalogueError(f"{DATA_FILE.name}: measure {code!r}: {problem}")

    for name, kind in _REQUIRED.items():
        if not isinstance(raw.get(name), kind):
            fail(f"{name} must be a {kind.__name__}")
    if raw["scoring"] not in SCORINGS:
        fail(f"unknown scoring {raw['scoring']!r}")
    if raw["better"] not in (LOWER, HIGHER):
        fail("better must be 'lower' or 'higher'")
    if raw["completed_by"] not in (PATIENT, CLINICIAN):
        fail("completed_by must be 'patient' or 'clinician'")
    if raw["completed_by"] == PATIENT and raw["licence"] not in SHOWN_TO_PATIENTS:
        fail("only a measure whose wording may be shown can be completed by patients")
    if not raw["score_min"] < raw["score_max"] or not raw["item_min"] < raw["item_max"]:
        fail("the lowest score must be below the highest")
    if raw["mcid_points"] < 0 or not 0 <= raw["mcid_percent"] < 100:
        fail("the MCID must be positive points or a percentage below 100")
    if not raw["mcid_source"].strip():
        fail("every MCID needs its source")
    domains = tuple(
        Domain(d["name"], d["items"], d["divisor"], d["max_missing"]) for d in raw.get("domain", [])
    )
    if raw["scoring"] == DOMAINS and sum(d.items for d in domains) != raw["items"]:
        fail("the domains' items must add up to the measure's items")
    categories = tuple(raw.get("categories", ()))
    if categories and len(categories) != raw["item_max"] - raw["item_min"] + 1:
        fail("there must be one category label per point of the scale")
    if raw["scoring"] == MEAN and not 1 <= raw.get("min_items", 0) <= raw["items"]:
        fail("min_items must be between 1 and items")
    strata = ("subscale_first", "low_max", "high_subscale_min")
    if raw["scoring"] == STRATIFY:
        if not all(isinstance(raw.get(name), int) for name in strata):
            fail(f"a stratifying tool needs {', '.join(strata)}")
        if not 1 <= raw["subscale_first"] <= raw["items"]:
            fail("subscale_first must be an item number")
        if not 0 <= raw["low_max"] < raw["score_max"]:
            fail("low_max must lie within the score's range")
        if not 0 < raw["high_subscale_min"] <= raw["items"] - raw["subscale_first"] + 1:
            fail("high_subscale_min must lie within the subscale's range")
        if raw["mcid_points"] or raw["mcid_percent"]:
            fail("a stratifying tool measures no change: its MCID must be 0")
        if raw["item_min"] != 0 or raw["item_max"] != 1:
            fail("a stratifying tool's items are yes/no (0–1)")
    mcid_range = _mcid_range(raw, fail)
    if bool(raw.get("mdc_text")) != bool(raw.get("mdc_source")):
        fail("a detectable change needs both mdc_text and mdc_source")
    conditions = raw.get("conditions", [ANY])
    if not conditions or not all(isinstance(c, str) and c for c in conditions):
        fail("conditions must list condition codes, or 'any'")
    labels, optional = tuple(raw.get("item_labels", ())), tuple(raw.get("optional_items", ()))
    if raw["scoring"] == PROFILE:
        if len(labels) != raw["items"]:
            fail("a profile needs one item label per item")
        if not all(isinstance(n, int) and 1 <= n <= raw["items"] for n in optional):
            fail("optional_items must be item numbers")
        if len(optional) != raw["max_missing"] or len(optional) >= raw["items"]:
            fail("a profile may leave out only its optional items (max_missing = their count)")
    elif labels or optional:
        fail("item_labels and optional_items are for a profile only")
    known = {*_REQUIRED, "question", "min_items", "responder_max", "categories", "domain"}
    known.update(("missing_source", *strata, *_OPTIONAL))
    extra = set(raw) - known
    if extra:
        fail(f"unknown field(s) {', '.join(sorted(extra))}")
    fields = {name: raw[name] for name in _REQUIRED}
    return Measure(
        **fields,
        missing_source=raw.get("missing_source", ""),
        question=raw.get("question", ""),
        min_items=raw.get("min_items", 0),
        responder_max=raw.get("responder_max", 0),
        categories=categories,
        domains=domains,
        subscale_first=raw.get("subscale_first", 0),
        low_max=raw.get("low_max", 0),
        high_subscale_min=raw.get("high_subscale_min", 0),
        mcid_range=mcid_range,
        mdc_text=raw.get("mdc_text", ""),
        mdc_source=raw.get("mdc_source", ""),
        conditions=tuple(conditions),
        item_labels=labels,
        optional_items=optional,
    )


_OPTIONAL = (
    "mcid_range",
    "mdc_text",
    "mdc_source",
    "conditions",
    "item_labels",
    "optional_items",
)


def _mcid_range(raw: dict, fail) -> tuple[Decimal, Decimal] | None:
    """A contested MCID: [smallest, largest] in points, in place of a single figure."""
    if "mcid_range" not in raw:
        return None
    found = raw["mcid_range"]
    if (
        not isinstance(found, list)
        or len(found) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in found)
    ):
        fail("mcid_range must be [smallest, largest] in points")
    low, high = (Decimal(str(v)) for v in found)
    if not 0 < low < high <= raw["score_max"] - raw["score_min"]:
        fail("mcid_range must run from a smaller to a larger change within the score's span")
    if raw["mcid_points"] or raw["mcid_percent"]:
        fail("a measure with an mcid_range gives no single mcid_points or mcid_percent")
    return (low, high)


def load(path: Path = DATA_FILE) -> Catalogue:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CatalogueError(f"{path.name}: {exc}") from exc
    measures: dict[str, Measure] = {}
    for entry in raw.get("measure", []):
        measure = _measure(entry)
        if measure.code in measures:
            raise CatalogueError(f"{path.name}: measure {measure.code!r} is listed twice")
        measures[measure.code] = measure
    for needed in (PAIN, PSFS, PGIC):
        if needed not in measures:
            raise CatalogueError(f"{path.name}: the {needed!r} measure is missing")
    schedule = raw.get("schedule", {})
    disability = {key: tuple(codes) for key, codes in schedule.get("disability", {}).items()}
    baseline_only = {key: tuple(codes) for key, codes in schedule.get("baseline_only", {}).items()}
    named = [
        *schedule.get("every_course", []),
        *schedule.get("after_treatment", []),
        *(code for codes in disability.values() for code in codes),
        *(code for codes in baseline_only.values() for code in codes),
    ]
    for code in named:
        if code not in measures:
            raise CatalogueError(f"{path.name}: the schedule names an unknown measure {code!r}")
    # The schedule lists every condition: a measure may be offered only for those.
    for measure in measures.values():
        unknown = set(measure.conditions) - set(disability) - {ANY}
        if unknown:
            raise CatalogueError(
                f"{path.name}: measure {measure.code!r} is offered for unknown condition(s) "
                f"{', '.join(sorted(unknown))}"
            )
    return Catalogue(
        version=str(raw.get("version", "")),
        measures=measures,
        every_course=tuple(schedule.get("every_course", ())),
        after_treatment=tuple(schedule.get("after_treatment", ())),
        disability=disability,
        baseline_only=baseline_only,
    )


@cache
def current() -> Catalogue:
    return load()

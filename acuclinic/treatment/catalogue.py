"""The point catalogues and treatment reference data in data/, loaded and checked.

Called once at start-up (TreatmentConfig.ready): a typo in a data file stops the
application with the file, the entry and the problem, rather than charting against a
wrong catalogue. Pure apart from reading the files (no Django).

Three kinds of entry share one code space, so a session note charts any of them:
- WHO standard acupuncture points (acupoints.toml): LU1 … CV24;
- extra points (extra_points.toml): EX-B2 …;
- trigger-point muscles for medical acupuncture (trigger_points.toml): TP-QL ….
"""

import re
import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
FILES = (
    "acupoints.toml",
    "extra_points.toml",
    "trigger_points.toml",
    "regions.toml",
    "aftercare.toml",
    "adverse_events.toml",
)

ACUPOINT, EXTRA, TRIGGER_POINT = "acupoint", "extra", "trigger_point"
KIND_LABELS = {ACUPOINT: "WHO point", EXTRA: "Extra point", TRIGGER_POINT: "Trigger point"}
MIDLINE, PAIRED = "midline", "paired"
FRONT, BACK = "front", "back"
VIEWS = (FRONT, BACK)
# The chart's figure is 200 units wide (midline at 100) and 440 tall (see chart.py).
MAX_DX, MAX_Y = 90, 440

_WHO_CODE = re.compile(r"^([A-Z]{2})-?0*(\d{1,2})$")
_EXTRA_CODE = re.compile(r"^EX-?(HN|CA|B|UE|LE)-?0*(\d{1,2})$")
_TRIGGER_CODE = re.compile(r"^TP-?([A-Z]+)$")
_ID = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")


class CatalogueError(Exception):
    """A data file the application refuses to start with."""


@dataclass(frozen=True)
class Entry:
    """One thing a practitioner can needle: a point, an extra point or a muscle."""

    code: str
    kind: str
    name: str
    regions: tuple[str, ...]
    sides: str  # MIDLINE or PAIRED
    view: str
    dx: int
    y: int
    source: str
    meridian: str = ""  # LU … CV for WHO points
    meridian_name: str = ""
    area: str = ""  # trigger points: the heading it is listed under
    note: str = ""

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def is_midline(self) -> bool:
        return self.sides == MIDLINE

    @property
    def label(self) -> str:
        return f"{self.code} {self.name}"


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    terms: tuple[str, ...]


@dataclass(frozen=True)
class Advice:
    id: str
    text: str
    source: str


@dataclass(frozen=True)
class EventKind:
    id: str
    label: str
    description: str
    minimum_severity: str = ""


@dataclass(frozen=True)
class Severity:
    id: str
    label: str
    description: str
    source: str = ""


# What a study counted, and so which of the clinic's rows its figures may sit beside.
SIGNIFICANT, EVERY = "significant", "every"
COUNTS = (SIGNIFICANT, EVERY)
# What a clinic row counts per 1,000: events per signed session, sessions with an event
# per signed session, or patients with an event per patient treated.
PER_EVENT, PER_SESSION, PER_PATIENT = "event", "session", "patient"
PER = (PER_EVENT, PER_SESSION, PER_PATIENT)


@dataclass(frozen=True)
class Significance:
    """The rule that marks an event significant, as the 2001 surveys counted them."""

    types: frozenset[str]
    severities: frozenset[str]
    question: str
    help: str
    source: str
    checked: str


@dataclass(frozen=True)
class Comparison:
    """One of the clinic's rows in the report: which events it counts, and per what."""

    id: str
    label: str
    counts: str  # SIGNIFICANT or EVERY
    per: str  # PER_EVENT, PER_SESSION or PER_PATIENT
    description: str
    types: tuple[str, ...] = ()  # empty: every type
    severities: tuple[str, ...] = ()  # empty: every severity


@dataclass(frozen=True)
class Figure:
    compare: str  # the Comparison it sits beside
    value: float  # per 1,000, in the study's own unit
    unit: str
    text: str
    count: int | None = None
    of: int | None = None
    low: float | None = None  # 95% confidence interval, per 1,000, where the source gives it
    high: float | None = None

    @property
    def value_text(self) -> str:
        """The value as the source states it: 1.4, 107, 0.009 (no padding zeros)."""
        return f"{self.value:,g}"

    @property
    def interval_text(self) -> str:
        """The interval as "95% CI 100 to 115"; empty where the source gives none."""
        if self.low is None or self.high is None:
            return ""
        return f"95% CI {self.low:,g} to {self.high:,g}"


@dataclass(frozen=True)
class Study:
    id: str
    name: str  # short, e.g. "White et al. 2001"
    citation: str
    setting: str
    size: str
    counted: str  # SIGNIFICANT or EVERY
    definition: str
    checked: str
    figures: tuple[Figure, ...]


@dataclass(frozen=True)
class Catalogue:
    entries: tuple[Entry, ...]
    regions: tuple[Region, ...]
    # A word or phrase that names several regions at once ("arm", "back").
    groups: dict[str, tuple[str, ...]]
    advice: tuple[Advice, ...]
    event_kinds: tuple[EventKind, ...]
    severities: tuple[Severity, ...]
    significance: Significance
    comparisons: tuple[Comparison, ...]
    studies: tuple[Study, ...]
    meridians: tuple[tuple[str, str, int], ...]  # (code, name, number of points)
    by_code: dict[str, Entry] = field(default_factory=dict, compare=False)

    def __post_init__(self):
        self.by_code.update({entry.code: entry for entry in self.entries})

    @property
    def region_names(self) -> dict[str, str]:
        return {r.id: r.name for r in self.regions}

    def entry(self, code: str) -> Entry | None:
        """The entry for a code as a person might type it (“bl 23”, “ex-b2”, “tp ql”)."""
        return self.by_code.get(normalise_code(code))

    def of_kind(self, kind: str) -> tuple[Entry, ...]:
        return tuple(e for e in self.entries if e.kind == kind)

    def search(self, query: str, *, kind: str | None = None, limit: int = 50) -> list[Entry]:
        """Entries whose code or name matches ``query``, best first.

        An exact code comes first, then codes that start with the query (“BL2” finds
        BL2, BL20…BL29), then names that start with it, then names that contain it.
        """
        text = _fold(query)
        if not text:
            return []
        code = normalise_code(query)
        squashed = text.replace(" ", "").replace("-", "")
        ranked = []
        for position, entry in enumerate(self.entries):
            if kind and entry.kind != kind:
                continue
            name = _fold(entry.name)
            entry_code = entry.code.lower().replace("-", "")
            if entry.code == code:
                rank = 0
            elif entry_code.startswith(squashed):
                rank = 1
            elif name.startswith(text) or any(w.startswith(text) for w in name.split()):
                rank = 2
            elif text in name or (entry.meridian_name and text in _fold(entry.meridian_name)):
                rank = 3
            else:
                continue
            ranked.append((rank, position, entry))
        ranked.sort(key=lambda item: item[:2])
        return [entry for _, _, entry in ranked[:limit]]

    def advice_by_id(self) -> dict[str, Advice]:
        return {a.id: a for a in self.advice}


def normalise_code(code: str) -> str:
    """“bl 23”, “BL-023” → “BL23”; “ex b 2” → “EX-B2”; “tp ql” → “TP-QL”."""
    if not isinstance(code, str):
        return ""
    text = re.sub(r"[\s_]+", "", code).upper()
    if match := _EXTRA_CODE.match(text):
        return f"EX-{match[1]}{int(match[2])}"
    if match := _TRIGGER_CODE.match(text):
        return f"TP-{match[1]}"
    if match := _WHO_CODE.match(text):
        return f"{match[1]}{int(match[2])}"
    return text


def _fold(text: str) -> str:
    """Lower case without accents, so “Zúsānlǐ” finds Zusanli."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.lower().split())


# ── Reading ──────────────────────────────────────────────────────────────────────────


def _read(directory: Path, filename: str) -> dict:
    path = directory / filename
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CatalogueError(f"{filename}: cannot be read ({exc.strerror})") from exc
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise CatalogueError(f"{filename}: not valid TOML ({exc})") from exc


def _text(entry: dict, key: str, *, required: bool = True) -> str:
    value = entry.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"“{key}” must be text")
    if required and not value.strip():
        raise ValueError(f"“{key}” is missing")
    return " ".join(value.split())


def _int(entry: dict, key: str, low: int, high: int) -> int:
    value = entry.get(key)
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise ValueError(f"“{key}” must be a whole number from {low} to {high}")
    return value


def _unknown_keys(entry: dict, allowed: set[str]) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ValueError(f"unknown field “{unknown[0]}” (a typo?)")


def _table_list(data: dict, key: str, filename: str) -> list:
    items = data.get(key)
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise CatalogueError(f"{filename}: no [[{key}]] entries")
    return items


def _place(entry: dict, regions: set[str], *, midline: bool) -> tuple:
    """The chart position and regions shared by every kind of entry."""
    view = entry.get("view")
    if view not in VIEWS:
        raise ValueError("“view” must be front or back")
    dx = _int(entry, "dx", 0, MAX_DX)
    y = _int(entry, "y", 0, MAX_Y)
    if midline and dx != 0:
        raise ValueError("a midline point sits on the midline (dx = 0)")
    if not midline and dx == 0:
        raise ValueError("a paired point sits off the midline (dx > 0)")
    found = entry.get("regions", [entry.get("region")] if "region" in entry else None)
    if not isinstance(found, list) or not found:
        raise ValueError("“regions” must name at least one region")
    for region in found:
        if region not in regions:
            raise ValueError(f"“{region}” is not a region in regions.toml")
    return view, dx, y, tuple(found)


def _regions(data: dict) -> tuple[tuple[Region, ...], dict[str, tuple[str, ...]]]:
    built, seen, terms_seen = [], set(), set()
    for position, raw in enumerate(_table_list(data, "region", "regions.toml"), start=1):
        ident = raw.get("id")
        where = f"regions.toml: region “{ident}”" if ident else f"regions.toml: region #{position}"
        try:
            _unknown_keys(raw, {"id", "name", "terms"})
            if not isinstance(ident, str) or not _ID.match(ident) or ident in seen:
                raise ValueError("“id” must be a unique lower-case word")
            terms = _terms(raw, terms_seen)
            built.append(Region(ident, _text(raw, "name"), terms))
        except ValueError as exc:
            raise CatalogueError(f"{where}: {exc}") from exc
        seen.add(ident)
    groups: dict[str, tuple[str, ...]] = {}
    for position, raw in enumerate(data.get("group", []), start=1):
        where = f"regions.toml: group #{position}"
        try:
            _unknown_keys(raw, {"terms", "regions"})
            terms = _terms(raw, terms_seen)
            members = raw.get("regions")
            if not isinstance(members, list) or not members or not set(members) <= seen:
                raise ValueError("“regions” must list regions defined above")
        except ValueError as exc:
            raise CatalogueError(f"{where}: {exc}") from exc
        for term in terms:
            groups[term] = tuple(members)
    return tuple(built), groups


def _terms(raw: dict, seen: set[str]) -> tuple[str, ...]:
    terms = raw.get("terms")
    if not isinstance(terms, list) or not terms or not all(isinstance(t, str) for t in terms):
        raise ValueError("“terms” must be a list of words")
    cleaned = tuple(" ".join(t.lower().split()) for t in terms)
    for term in cleaned:
        if term in seen:
            raise ValueError(f"the term “{term}” is used twice")
        seen.add(term)
    return cleaned


def _acupoints(data: dict, regions: set[str]) -> tuple[list[Entry], list[tuple[str, str, int]]]:
    file_source = _text(data, "source") if isinstance(data.get("source"), str) else ""
    if not file_source:
        raise CatalogueError("acupoints.toml: “source” is missing")
    entries, meridians = [], []
    for raw in _table_list(data, "meridian", "acupoints.toml"):
        code = raw.get("code")
        where = f"acupoints.toml: meridian “{code}”"
        try:
            _unknown_keys(raw, {"code", "name", "source", "midline", "points"})
            if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{2}", code):
                raise ValueError("“code” must be two capital letters, e.g. LU")
            if any(m[0] == code for m in meridians):
                raise ValueError("the meridian is listed twice")
            name = _text(raw, "name")
            source = _text(raw, "source")
            midline = raw.get("midline")
            if not isinstance(midline, bool):
                raise ValueError("“midline” must be true or false")
            points = raw.get("points")
            if not isinstance(points, list) or not points:
                raise ValueError("“points” must list the meridian's points")
        except ValueError as exc:
            raise CatalogueError(f"{where}: {exc}") from exc
        for number, point in enumerate(points, start=1):
            point_where = f"acupoints.toml: {code}{number}"
            try:
                if not isinstance(point, dict):
                    raise ValueError("each point must be a table")
                _unknown_keys(point, {"n", "pinyin", "region", "view", "dx", "y"})
                if point.get("n") != number:
                    raise ValueError(f"points must be numbered in order: expected n = {number}")
                view, dx, y, found = _place(point, regions, midline=midline)
                entries.append(
                    Entry(
                        code=f"{code}{number}",
                        kind=ACUPOINT,
                        name=_text(point, "pinyin"),
                        regions=found,
                        sides=MIDLINE if midline else PAIRED,
                        view=view,
                        dx=dx,
                        y=y,
                        source=f"{source}. {file_source}",
                        meridian=code,
                        meridian_name=name,
                    )
                )
            except ValueError as exc:
                raise CatalogueError(f"{point_where}: {exc}") from exc
        meridians.append((code, name, len(points)))
    return entries, meridians


def _extras(data: dict, regions: set[str]) -> list[Entry]:
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        raise CatalogueError("extra_points.toml: “source” is missing")
    entries = []
    for position, raw in enumerate(_table_list(data, "point", "extra_points.toml"), start=1):
        code = raw.get("code")
        where = f"extra_points.toml: point “{code}”" if code else f"extra_points.toml: #{position}"
        try:
            _unknown_keys(
                raw, {"code", "pinyin", "regions", "sides", "view", "dx", "y", "note", "source"}
            )
            if not isinstance(code, str) or normalise_code(code) != code or code[:3] != "EX-":
                raise ValueError("“code” must be an extra-point code such as EX-B2")
            sides = raw.get("sides")
            if sides not in (MIDLINE, PAIRED):
                raise ValueError("“sides” must be midline or paired")
            view, dx, y, found = _place(raw, regions, midline=sides == MIDLINE)
            entries.append(
                Entry(
                    code=code,
                    kind=EXTRA,
                    name=_text(raw, "pinyin"),
                    regions=found,
                    sides=sides,
                    view=view,
                    dx=dx,
                    y=y,
                    source=_text(raw, "source", required=False) or " ".join(source.split()),
                    note=_text(raw, "note", required=False),
                )
            )
        except ValueError as exc:
            raise CatalogueError(f"{where}: {exc}") from exc
    return entries


def _muscles(data: dict, regions: set[str]) -> list[Entry]:
    source = data.get("source")
    if not isinstance(source, str) or not source.strip():
        raise CatalogueError("trigger_points.toml: “source” is missing")
    entries = []
    for position, raw in enumerate(_table_list(data, "muscle", "trigger_points.toml"), start=1):
        code = raw.get("code")
        where = (
            f"trigger_points.toml: muscle “{code}”" if code else f"trigger_points.toml: #{position}"
        )
        try:
            _unknown_keys(
                raw, {"code", "name", "area", "regions", "view", "dx", "y", "note", "source"}
            )
            if not isinstance(code, str) or normalise_code(code) != code or code[:3] != "TP-":
                raise ValueError("“code” must be TP- and capital letters, e.g. TP-QL")
            view, dx, y, found = _place(raw, regions, midline=False)
            entries.append(
                Entry(
                    code=code,
                    kind=TRIGGER_POINT,
                    name=_text(raw, "name"),
                    regions=found,
                    sides=PAIRED,
                    view=view,
                    dx=dx,
                    y=y,
                    source=_text(raw, "source", required=False) or " ".join(source.split()),
                    area=_text(raw, "area"),
                    note=_text(raw, "note", required=False),
                )
            )
        except ValueError as exc:
            raise CatalogueError(f"{where}: {exc}") from exc
    return entries


def _advice(data: dict) -> tuple[Advice, ...]:
    built, seen = [], set()
    for position, raw in enumerate(_table_list(data, "advice", "aftercare.toml"), start=1):
        ident = raw.get("id")
        where = f"aftercare.toml: advice “{ident}”" if ident else f"aftercare.toml: #{position}"
        try:
            _unknown_keys(raw, {"id", "text", "source"})
            if not isinstance(ident, str) or not _ID.match(ident) or ident in seen:
                raise ValueError("“id” must be unique lower-case words joined by dashes")
            built.append(Advice(ident, _text(raw, "text"), _text(raw, "source")))
        except ValueError as exc:
            raise CatalogueError(f"{where}: {exc}") from exc
        seen.add(ident)
    return tuple(built)


def _adverse_events(data: dict, known_types: Iterable[str], known_severities: Iterable[str]):
    """Event types and severities must be exactly the ones session notes store."""
    filename = "adverse_events.toml"
    severities = []
    for raw in _table_list(data, "severity", filename):
        where = f"{filename}: severity “{raw.get('id')}”"
        try:
            _unknown_keys(raw, {"id", "label", "description", "source"})
            severities.append(
                Severity(
                    raw.get("id"),
                    _text(raw, "label"),
                    _text(raw, "description"),
                    _text(raw, "source", required=False),
                )
            )
        except ValueError as exc:
            raise CatalogueError(f"{where}: {exc}") from exc
    if [s.id for s in severities] != list(known_severities):
        raise CatalogueError(
            f"{filename}: severities must be {', '.join(known_severities)}, in that order"
        )
    severity_ids = [s.id for s in severities]

    kinds = []
    for raw in _table_list(data, "type", filename):
        where = f"{filename}: type “{raw.get('id')}”"
        try:
            _unknown_keys(raw, {"id", "label", "description", "minimum_severity"})
            minimum = raw.get("minimum_severity", "")
            if minimum and minimum not in severity_ids:
                raise ValueError("“minimum_severity” must be a severity above")
            kinds.append(
                EventKind(raw.get("id"), _text(raw, "label"), _text(raw, "description"), minimum)
            )
        except ValueError as exc:
            raise CatalogueError(f"{where}: {exc}") from exc
    if [k.id for k in kinds] != list(known_types):
        raise CatalogueError(f"{filename}: types must be {', '.join(known_types)}, in that order")
    type_ids = [k.id for k in kinds]

    try:
        significance = _significance(data.get("significant"), type_ids, severity_ids)
    except ValueError as exc:
        raise CatalogueError(f"{filename}: [significant]: {exc}") from exc
    comparisons = _comparisons(data, type_ids, severity_ids)
    studies = _studies(data, {c.id: c for c in comparisons})
    return tuple(kinds), tuple(severities), significance, comparisons, studies


def _ids(raw: dict, key: str, known: list[str], what: str) -> tuple[str, ...]:
    value = raw.get(key, [])
    if not isinstance(value, list) or not set(value) <= set(known) or len(set(value)) < len(value):
        raise ValueError(f"“{key}” must list {what} from above, each once")
    return tuple(value)


def _significance(raw, type_ids: list[str], severity_ids: list[str]) -> Significance:
    if not isinstance(raw, dict):
        raise ValueError("the rule is missing")
    _unknown_keys(raw, {"types", "severities", "question", "help", "source", "checked"})
    types = _ids(raw, "types", type_ids, "event types")
    found = _ids(raw, "severities", severity_ids, "severities")
    # The rule must keep order: if a severity is significant, so is every graver one.
    if found and list(found) != severity_ids[severity_ids.index(found[0]) :]:
        raise ValueError("“severities” must be a severity and every graver one")
    return Significance(
        frozenset(types),
        frozenset(found),
        _text(raw, "question"),
        _text(raw, "help"),
        _text(raw, "source"),
        _text(raw, "checked"),
    )


def _comparisons(data: dict, type_ids, severity_ids) -> tuple[Comparison, ...]:
    filename = "adverse_events.toml"
    built: list[Comparison] = []
    for raw in _table_list(data, "comparison", filename):
        ident = raw.get("id")
        where = f"{filename}: comparison “{ident}”"
        try:
            _unknown_keys(
                raw, {"id", "label", "counts", "per", "description", "types", "severities"}
            )
            if not isinstance(ident, str) or not _ID.match(ident):
                raise ValueError("“id” must be lower-case words joined by dashes")
            if ident in {c.id for c in built}:
                raise ValueError("“id” must be unique")
            if raw.get("counts") not in COUNTS:
                raise ValueError("“counts” must be significant or every")
            if raw.get("per") not in PER:
                raise ValueError("“per” must be event, session or patient")
            built.append(
                Comparison(
                    ident,
                    _text(raw, "label"),
                    raw["counts"],
                    raw["per"],
                    _text(raw, "description"),
                    _ids(raw, "types", type_ids, "event types"),
                    _ids(raw, "severities", severity_ids, "severities"),
                )
            )
        except ValueError as exc:
            raise CatalogueError(f"{where}: {exc}") from exc
    return tuple(built)


def _number(figure: dict, key: str, *, whole: bool = False):
    value = figure.get(key)
    if value is None:
        return None
    kinds = int if whole else (int, float)
    if not isinstance(value, kinds) or isinstance(value, bool) or value < 0:
        kind = "whole number" if whole else "number"
        raise ValueError(f"a figure's “{key}” must be a {kind}, 0 or more")
    return value if whole else float(value)


def _figure(raw: dict, comparisons: dict[str, Comparison], counted: str) -> Figure:
    _unknown_keys(raw, {"compare", "value", "unit", "text", "count", "of", "low", "high"})
    row = comparisons.get(raw.get("compare"))
    if row is None:
        raise ValueError("a figure's “compare” must name a [[comparison]]")
    # The point of the report: a survey of significant events is never set beside a
    # count of every reaction, nor a study of every reaction beside significant events.
    if row.counts != counted:
        words = {SIGNIFICANT: "only significant events", EVERY: "every event"}
        raise ValueError(
            f"a study that counted {words[counted]} cannot sit beside “{row.id}”, "
            f"which counts {words[row.counts]}"
        )
    value = _number(raw, "value")
    if value is None:
        raise ValueError("a figure's “value” must be a number, 0 or more")
    count, of = _number(raw, "count", whole=True), _number(raw, "of", whole=True)
    if (count is None) != (of is None) or (of is not None and (of == 0 or count > of)):
        raise ValueError("a figure gives both “count” and “of” (count ≤ of, of > 0) or neither")
    if of:
        # Catches a slipped digit: the stated rate must be close to count ÷ of
        # (papers round, and some re-weight, so within 5% or 0.05).
        exact = count * 1000 / of
        if abs(value - exact) > max(0.05 * exact, 0.05):
            raise ValueError(f"“value” {value:g} is not {count} ÷ {of} × 1,000 ({exact:.2f})")
    low, high = _number(raw, "low"), _number(raw, "high")
    if (low is None) != (high is None) or (low is not None and not low <= value <= high):
        raise ValueError("a figure's interval gives “low” ≤ value ≤ “high”, or neither")
    return Figure(row.id, value, _text(raw, "unit"), _text(raw, "text"), count, of, low, high)


def _studies(data: dict, comparisons: dict[str, Comparison]) -> tuple[Study, ...]:
    filename = "adverse_events.toml"
    studies, seen = [], set()
    for raw in _table_list(data, "study", filename):
        ident = raw.get("id")
        where = f"{filename}: study “{ident}”"
        try:
            allowed = {
                "id",
                "name",
                "citation",
                "setting",
                "size",
                "counted",
                "definition",
                "checked",
            }
            _unknown_keys(raw, {*allowed, "figures"})
            if not isinstance(ident, str) or not _ID.match(ident) or ident in seen:
                raise ValueError("“id” must be unique lower-case words joined by dashes")
            seen.add(ident)
            counted = raw.get("counted")
            if counted not in COUNTS:
                raise ValueError("“counted” must be significant or every")
            figures = tuple(_figure(f, comparisons, counted) for f in raw.get("figures") or [])
            if not figures:
                raise ValueError("a study needs at least one figure")
            studies.append(
                Study(
                    ident,
                    _text(raw, "name"),
                    _text(raw, "citation"),
                    _text(raw, "setting"),
                    _text(raw, "size"),
                    counted,
                    _text(raw, "definition"),
                    _text(raw, "checked"),
                    figures,
                )
            )
        except ValueError as exc:
            raise CatalogueError(f"{where}: {exc}") from exc
    return tuple(studies)


def load(
    directory: Path = DATA_DIR,
    *,
    event_types: Iterable[str] | None = None,
    severities: Iterable[str] | None = None,
) -> Catalogue:
    """Read and check every data file; CatalogueError names the first problem.

    ``event_types`` and ``severities`` are the codes the database stores (choices.py);
    the data file must describe exactly those.
    """
    from acuclinic.treatment.choices import EVENT_TYPES, SEVERITIES

    region_list, groups = _regions(_read(directory, "regions.toml"))
    region_ids = {r.id for r in region_list}
    points, meridians = _acupoints(_read(directory, "acupoints.toml"), region_ids)
    extras = _extras(_read(directory, "extra_points.toml"), region_ids)
    muscles = _muscles(_read(directory, "trigger_points.toml"), region_ids)
    entries = [*points, *extras, *muscles]
    codes: set[str] = set()
    for entry in entries:
        if entry.code in codes:
            raise CatalogueError(f"the code {entry.code} is used twice")
        codes.add(entry.code)
    kinds, severity_list, significance, comparisons, studies = _adverse_events(
        _read(directory, "adverse_events.toml"),
        list(event_types if event_types is not None else EVENT_TYPES),
        list(severities if severities is not None else SEVERITIES),
    )
    return Catalogue(
        entries=tuple(entries),
        regions=region_list,
        groups=groups,
        advice=_advice(_read(directory, "aftercare.toml")),
        event_kinds=kinds,
        severities=severity_list,
        significance=significance,
        comparisons=comparisons,
        studies=studies,
        meridians=tuple(meridians),
    )


@cache
def current() -> Catalogue:
    """The catalogue the running application charts with (loaded once)."""
    return load(DATA_DIR)

"""Whether a practitioner may needle at a location on a date: pure rules over their
credentials and the location's local authority licensing.

A UK acupuncture practitioner needs, on the day of treatment:
- statutory registration where their profession is regulated (physiotherapists: HCPC;
  doctors: GMC; nurses: NMC) — shared/clinical §8;
- membership of an acupuncture body that sets their standard of practice (AACP or BMAS
  for medical acupuncture, BAcC for traditional acupuncture) — DESIGN.md §3. The BAAB
  accredits acupuncture courses; it is not a practitioner membership body
  (shared/clinical §8), so a "BAAB membership" on file does not count;
- professional indemnity insurance in force;
- where the location's council licenses acupuncture (data/licensing.toml, with the
  provisions and what we verified): the council's registration or licence for the
  practitioner, and for the premises, unless their profession is exempt.

Pure apart from reading the data file: no Django.
"""

import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent / "data" / "licensing.toml"

REGISTRATION = "registration"
MEMBERSHIP = "membership"
INSURANCE = "insurance"
# A council's acupuncture registration (LG(MP)A 1982 s.14) or special treatment licence
# (LLAA 1991), recorded with the council's name as its body.
LOCAL_AUTHORITY = "local_authority"

REGULATOR_FOR_PROFESSION = {
    "physiotherapist": "HCPC",
    "doctor": "GMC",
    "nurse": "NMC",
    "acupuncturist": None,  # not statutorily regulated in the UK; BAcC is voluntary
}
PROFESSIONS = tuple(REGULATOR_FOR_PROFESSION)
MEMBERSHIP_BODIES = {"AACP", "BMAS", "BAcC"}
REGISTRATION_BODIES = {"HCPC", "GMC", "NMC"}
# Bodies once accepted as memberships that are not: why each does not count.
NOT_MEMBERSHIP_BODIES = {
    "BAAB": "the BAAB accredits acupuncture courses, it is not a membership body",
}

NO_LICENSING = "none"


class LicensingDataError(Exception):
    """A licensing data file the application refuses to start with."""


@dataclass(frozen=True)
class CredentialFacts:
    kind: str
    body: str
    valid_from: date
    valid_until: date | None  # None: no end date (a one-off council registration)

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class PremisesFacts:
    """A location's registration or licence with a council, and its dates."""

    authority: str
    valid_from: date
    valid_until: date | None = None

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


@dataclass(frozen=True)
class Licensing:
    """A location's licensing as the rules see it: the regime, the council that runs
    it, the location's name (for messages) and the premises' registrations."""

    regime: str = NO_LICENSING
    authority: str = ""
    premises: str = ""
    registrations: tuple[PremisesFacts, ...] = ()


NOT_LICENSED = Licensing()


@dataclass(frozen=True)
class Regime:
    code: str
    label: str
    practitioner_needs: str
    premises_needs: str
    renewal: str
    exempt: frozenset[str]

    @property
    def asks_anything(self) -> bool:
        return bool(self.practitioner_needs)


@dataclass(frozen=True)
class Shortfall:
    """What stops a practitioner needling: what they lack (``own``, each "no …") and what
    the premises lack (``premises``, each "the premises at … have no …")."""

    own: tuple[str, ...] = ()
    premises: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.own or self.premises)

    def clauses(self) -> list[str]:
        return [*self.own, *self.premises]

    def sentences(self, name: str) -> list[str]:
        """Each problem as a sentence about ``name`` or the premises."""
        return [f"{name} has {p}." for p in self.own] + [
            f"{p[:1].upper()}{p[1:]}." for p in self.premises
        ]


def same_authority(a: str, b: str) -> bool:
    """ "Leeds City Council" and "leeds  city council" are the same council."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def counts(kind: str, body: str) -> bool:
    """Whether a credential of this kind and body can count at all."""
    return not (kind == MEMBERSHIP and _reason(body))


def why_not_counted(kind: str, body: str) -> str:
    """Why a credential does not count ("" when it can)."""
    return f"It does not count: {_reason(body)}." if not counts(kind, body) else ""


def _reason(body: str) -> str:
    """Why ``body`` is not a membership body ("" when nothing is known against it)."""
    return next(
        (said for name, said in NOT_MEMBERSHIP_BODIES.items() if same_authority(body, name)), ""
    )


def _on(day: date) -> str:
    return f"{day:%-d %b %Y}"


def shortfall(
    profession: str,
    credentials: list[CredentialFacts],
    day: date,
    licensing: Licensing = NOT_LICENSED,
) -> Shortfall:
    """What the practitioner (and the premises, at ``licensing``'s location) lack on
    ``day``; empty (false) when they may needle."""
    own = []
    regulator = REGULATOR_FOR_PROFESSION.get(profession)
    valid = [c for c in credentials if c.valid_on(day)]
    if regulator and not any(c.kind == REGISTRATION and c.body == regulator for c in valid):
        own.append(f"no {regulator} registration valid on {_on(day)}")
    if not any(c.kind == MEMBERSHIP and counts(c.kind, c.body) for c in valid):
        ignored = next((c.body for c in valid if not counts(c.kind, c.body)), "")
        note = f" (the {ignored} membership on file does not count: {_reason(ignored)})"
        own.append(f"no acupuncture body membership valid on {_on(day)}{note if ignored else ''}")
    if not any(c.kind == INSURANCE for c in valid):
        own.append(f"no professional indemnity insurance valid on {_on(day)}")

    premises = []
    regime = regime_for(licensing.regime)
    if regime.asks_anything and profession not in regime.exempt:
        council = licensing.authority or "local authority"
        if not any(
            c.kind == LOCAL_AUTHORITY and same_authority(c.body, licensing.authority) for c in valid
        ):
            own.append(f"no {council} {regime.practitioner_needs} valid on {_on(day)}")
        if not any(
            same_authority(r.authority, licensing.authority) and r.valid_on(day)
            for r in licensing.registrations
        ):
            premises.append(
                f"the premises at {licensing.premises or 'this location'} have no "
                f"{council} {regime.premises_needs} valid on {_on(day)}"
            )
    return Shortfall(own=tuple(own), premises=tuple(premises))


def missing_credentials(
    profession: str,
    credentials: list[CredentialFacts],
    day: date,
    licensing: Licensing = NOT_LICENSED,
) -> list[str]:
    """Plain-English reasons the practitioner may not needle on ``day`` (at
    ``licensing``'s location); [] when they may."""
    return shortfall(profession, credentials, day, licensing).clauses()


def may_needle_some_day(
    profession: str,
    credentials: list[CredentialFacts],
    first: date,
    last: date,
    licensing: Licensing = NOT_LICENSED,
) -> bool:
    """Whether there is any day from ``first`` to ``last`` on which they may needle there.

    Validity only changes on the days a credential or registration starts or the day
    after one ends, so those days (and ``first``) are the only ones worth trying."""
    turns = {first}
    for facts in (*credentials, *licensing.registrations):
        turns.add(facts.valid_from)
        if facts.valid_until is not None:
            turns.add(date.fromordinal(facts.valid_until.toordinal() + 1))
    return any(
        not shortfall(profession, credentials, day, licensing)
        for day in sorted(turns)
        if first <= day <= last
    )


# The data file ------------------------------------------------------------------------


def regime_for(code: str) -> Regime:
    try:
        return regimes()[code]
    except KeyError:
        # An unknown regime cannot be checked: ask for everything (err on asking).
        return Regime(code, code, "licence", "premises licence", "", frozenset())


def _regime(raw: dict, where: str) -> Regime:
    def fail(problem: str):
        raise LicensingDataError(f"{where}: {problem}")

    for name in ("code", "label", "practitioner_needs", "premises_needs", "source", "checked"):
        if not isinstance(raw.get(name), str):
            fail(f"{name} must be text")
    code = raw["code"]
    professions = raw.get("profession", {})
    if code == NO_LICENSING:
        if raw["practitioner_needs"] or raw["premises_needs"] or professions:
            fail("the 'none' regime asks nothing of anyone")
        return Regime(code, raw["label"], "", "", "", frozenset(PROFESSIONS))
    if not raw["practitioner_needs"] or not raw["premises_needs"]:
        fail("say what the practitioner and the premises need")
    if set(professions) != set(PROFESSIONS):
        fail(f"needs one entry for each of {', '.join(PROFESSIONS)}")
    for profession, entry in professions.items():
        if not isinstance(entry.get("exempt"), bool):
            fail(f"{profession}: exempt must be true or false")
        if not entry.get("source") or not entry.get("checked"):
            fail(f"{profession}: give the source and what was checked")
    exempt = frozenset(p for p, entry in professions.items() if entry["exempt"])
    return Regime(
        code,
        raw["label"],
        raw["practitioner_needs"],
        raw["premises_needs"],
        raw.get("renewal", ""),
        exempt,
    )


def load(path: Path = DATA_FILE) -> dict[str, Regime]:
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise LicensingDataError(f"{path.name}: {exc}") from exc
    found: dict[str, Regime] = {}
    for n, entry in enumerate(raw.get("regime", []), start=1):
        regime = _regime(entry, f"{path.name}, regime {n}")
        if regime.code in found:
            raise LicensingDataError(f"{path.name}: regime {regime.code!r} is listed twice")
        found[regime.code] = regime
    if NO_LICENSING not in found:
        raise LicensingDataError(f"{path.name}: the {NO_LICENSING!r} regime is missing")
    return found


@cache
def regimes() -> dict[str, Regime]:
    return load()

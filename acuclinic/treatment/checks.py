"""Is this point safe for this patient? Each charted point against the standing flags.

Pure: no Django. The flags come from safety screening (safety.rules.Assessment): points
to avoid (e.g. the pregnancy list), regions to avoid as the patient's answers name them
("left arm", "scar on the right knee"), and no electro-acupuncture. A point that meets a
flag is refused unless the practitioner records a reason for going ahead (services.py
keeps the reason and audits it).

A region flag is free text, so it is matched to the chart's regions by the words in
regions.toml: "left knee and ankle" names the knee (left) and the ankle (either side).
Text that names no known region cannot be checked by the program, so every point then
needs the practitioner's confirmation: the cautious reading, never a silent pass.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass

from acuclinic.treatment.catalogue import Catalogue, Entry

LEFT, RIGHT = "left", "right"
BOTH = frozenset({LEFT, RIGHT})

AVOID_POINT = "avoid_point"
AVOID_REGION = "avoid_region"
REGION_UNRECOGNISED = "region_unrecognised"
NO_ELECTRO = "no_electro"
CODES = (AVOID_POINT, AVOID_REGION, REGION_UNRECOGNISED, NO_ELECTRO)
LABELS = {
    AVOID_POINT: "a point to avoid",
    AVOID_REGION: "a region to avoid",
    REGION_UNRECOGNISED: "a region to avoid that the chart cannot place",
    NO_ELECTRO: "the bar on electro-acupuncture",
}

# Where a needled point touches: a midline point is as close to either side as to the
# other, so it meets a flag on either side.
_TOUCHES = {
    "left": frozenset({LEFT}),
    "right": frozenset({RIGHT}),
    "bilateral": BOTH,
    "midline": BOTH,
}
_SPLIT = re.compile(r"\s*(?:,|;|/|&|\band\b|\bplus\b)\s*")
_SIDE_ONLY = re.compile(r"\b(?:left|right|side|on|the|only)\b")


@dataclass(frozen=True)
class Restrictions:
    """The patient's standing flags that limit where and how they may be needled."""

    avoid_points: frozenset[str] = frozenset()
    avoid_regions: tuple[str, ...] = ()
    no_electro: bool = False

    @classmethod
    def from_assessment(cls, assessment) -> "Restrictions":
        if assessment is None:
            return cls()
        return cls(
            avoid_points=frozenset(assessment.avoid_points),
            avoid_regions=tuple(assessment.avoid_regions),
            no_electro=assessment.no_electro,
        )

    @property
    def any(self) -> bool:
        return bool(self.avoid_points or self.avoid_regions or self.no_electro)


@dataclass(frozen=True)
class PlacedRegion:
    """One region flag, read: the words as given, the chart regions and the sides."""

    text: str
    regions: frozenset[str]
    sides: frozenset[str]

    @property
    def recognised(self) -> bool:
        return bool(self.regions)


@dataclass(frozen=True)
class Problem:
    code: str
    message: str


def _phrases(catalogue: Catalogue) -> list[tuple[str, tuple[str, ...]]]:
    """Every term with the regions it names, longest first, so "upper arm" wins over "arm"."""
    found = [(term, (region.id,)) for region in catalogue.regions for term in region.terms]
    found += list(catalogue.groups.items())
    return sorted(found, key=lambda item: -len(item[0]))


def place_region(text: str, catalogue: Catalogue) -> list[PlacedRegion]:
    """Read one region flag as the chart's regions, part by part."""
    placed: list[PlacedRegion] = []
    for part in _SPLIT.split(" ".join((text or "").lower().split())):
        if not part:
            continue
        sides = frozenset(side for side in (LEFT, RIGHT) if re.search(rf"\b{side}\b", part))
        remaining, regions = part, set()
        for term, members in _phrases(catalogue):
            pattern = rf"\b{re.escape(term)}\b"
            if re.search(pattern, remaining):
                regions.update(members)
                remaining = re.sub(pattern, " ", remaining)
        # "hip replacement, left": a part that only names a side qualifies the one before.
        if not regions and sides and placed and not _SIDE_ONLY.sub("", part).strip():
            previous = placed.pop()
            placed.append(PlacedRegion(f"{previous.text}, {part}", previous.regions, sides))
            continue
        placed.append(PlacedRegion(part, frozenset(regions), sides or BOTH))
    return placed


def problems_for(
    entry: Entry,
    *,
    side: str,
    stimulation: str,
    restrictions: Restrictions,
    catalogue: Catalogue,
) -> list[Problem]:
    """What stands against needling ``entry`` on ``side`` with ``stimulation`` today."""
    problems = []
    if entry.code in restrictions.avoid_points:
        problems.append(
            Problem(AVOID_POINT, f"{entry.code} is on this patient's list of points to avoid.")
        )
    touches = _TOUCHES.get(side, BOTH)
    names = catalogue.region_names
    for flag in restrictions.avoid_regions:
        for placed in place_region(flag, catalogue):
            if not placed.recognised:
                problems.append(
                    Problem(
                        REGION_UNRECOGNISED,
                        f"The patient is to avoid “{placed.text}”, which cannot be placed on "
                        f"the chart: confirm that {entry.code} is clear of it.",
                    )
                )
            elif placed.regions & set(entry.regions) and placed.sides & touches:
                where = ", ".join(names[r].lower() for r in entry.regions)
                problems.append(
                    Problem(
                        AVOID_REGION,
                        f"{entry.code} ({where}, {side}) is in a region this patient is to "
                        f"avoid: “{flag}”.",
                    )
                )
    if stimulation == "electro" and restrictions.no_electro:
        problems.append(Problem(NO_ELECTRO, "Electro-acupuncture is barred for this patient."))
    return problems


def unresolved(problems: Iterable[Problem], overridden: Iterable[str]) -> list[Problem]:
    """The problems not covered by a recorded override of their kind."""
    covered = set(overridden)
    return [p for p in problems if p.code not in covered]

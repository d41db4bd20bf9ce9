"""The body chart: a front and a back figure, and where each needled point sits on them.

Pure: no Django. Drawn for acuclinic (a plain outline in anatomical position, arms by
the sides with palms forward); the template renders what this module computes.

Catalogue entries give a position on one figure as ``dx`` (distance from the midline)
and ``y``. The side decides which way ``dx`` goes, and the two figures mirror each other:
on the front figure we face the patient, so the patient's right is on the viewer's left;
on the back figure we stand behind them, so the patient's left is on the viewer's left.

A click on the chart is read the other way round (``nearest``): which figure, which of
the patient's sides, and the catalogue entries drawn closest to that place.
"""

import math
from collections.abc import Iterable
from dataclasses import dataclass

from acuclinic.treatment.catalogue import BACK, FRONT, Entry

FIGURE_WIDTH, FIGURE_HEIGHT = 200, 440
MIDLINE_X = FIGURE_WIDTH / 2
GAP = 40
# Room above each figure for its caption.
TOP = 24
OFFSETS = {FRONT: 0, BACK: FIGURE_WIDTH + GAP}
WIDTH = 2 * FIGURE_WIDTH + GAP
HEIGHT = FIGURE_HEIGHT + TOP + 8

# Half the outline, on the viewer's left, from the neck down the outside of the arm,
# round the hand, up to the armpit, down the trunk and the outside of the leg, round the
# foot and up the inside of the leg to the crotch. The right half is its mirror image.
_HALF_OUTLINE = (
    (91, 62), (90, 76), (70, 82), (54, 90), (46, 110), (42, 150), (38, 185), (32, 225),
    (27, 262), (22, 280), (22, 298), (28, 306), (36, 298), (38, 278), (40, 262), (46, 225),
    (52, 188), (58, 150), (64, 118), (66, 150), (70, 195), (64, 235), (64, 270), (70, 320),
    (72, 335), (72, 360), (76, 400), (79, 412), (76, 428), (78, 437), (95, 438), (95, 424),
    (93, 410), (94, 370), (96, 335), (98, 290), (100, 258),
)  # fmt: skip
HEAD = {"cx": MIDLINE_X, "cy": 38, "rx": 22, "ry": 27}


def outline_path() -> str:
    """The body (without the head) as one closed SVG path, symmetric about the midline."""
    left = list(_HALF_OUTLINE)
    right = [(FIGURE_WIDTH - x, y) for x, y in reversed(left[:-1])]
    points = left + right
    start, rest = points[0], points[1:]
    return f"M{start[0]} {start[1]} " + " ".join(f"L{x} {y}" for x, y in rest) + " Z"


def figure_x(view: str, dx: float, body_side: str) -> float:
    """Where a point ``dx`` from the midline on the patient's ``body_side`` is drawn."""
    if body_side not in ("left", "right"):
        raise ValueError(f"a point is on the patient's left or right, not {body_side!r}")
    viewer_left = (body_side == "right") if view == FRONT else (body_side == "left")
    return MIDLINE_X - dx if viewer_left else MIDLINE_X + dx


def body_sides(side: str) -> tuple[str, ...]:
    """The patient's sides a needling on ``side`` reaches ("" for the midline)."""
    return {"left": ("left",), "right": ("right",), "bilateral": ("left", "right")}.get(side, ("",))


@dataclass(frozen=True)
class Marker:
    """One dot on the chart: its number in the note's list, and where it is drawn."""

    number: int
    code: str
    label: str
    kind: str
    view: str
    body_side: str  # "left", "right" or "" on the midline
    x: float  # in the whole chart, both figures side by side
    y: float

    @property
    def title(self) -> str:
        where = f"patient's {self.body_side}" if self.body_side else "midline"
        return f"{self.number}. {self.label} ({where}, {self.view})"


def markers(needled: Iterable[tuple[int, Entry, str]]) -> list[Marker]:
    """The chart's dots for (number, entry, side) of each needled point."""
    found = []
    for number, entry, side in needled:
        for body_side in body_sides(side):
            x = MIDLINE_X if not body_side else figure_x(entry.view, entry.dx, body_side)
            found.append(
                Marker(
                    number=number,
                    code=entry.code,
                    label=entry.label,
                    kind=entry.kind,
                    view=entry.view,
                    body_side=body_side,
                    x=OFFSETS[entry.view] + x,
                    y=TOP + entry.y,
                )
            )
    return found


@dataclass(frozen=True)
class Figure:
    view: str
    caption: str
    offset: int
    # Which of the patient's sides is on the viewer's left and right of this figure.
    viewer_left: str
    viewer_right: str


FIGURES = (
    Figure(FRONT, "Front", OFFSETS[FRONT], "Right", "Left"),
    Figure(BACK, "Back", OFFSETS[BACK], "Left", "Right"),
)


# How far from a click an entry may be drawn and still be offered, in chart units. The
# figure is 440 units tall for an adult of about 1.7 m, so 24 units is about 10 cm: a
# hand's breadth, wide enough for a tap on a phone, narrow enough to stay on one joint.
NEAR = 24
NEAR_LIMIT = 8


def pick_value(code: str, body_side: str) -> str:
    """What a tick box for ``code`` on the patient's ``body_side`` sends ("ST35@left");
    a midline point, or one picked without a side, sends its code alone."""
    return f"{code}@{body_side}" if body_side else code


def split_pick(value: str) -> tuple[str, str]:
    """ "ST35@left" → ("ST35", "left"); "BL23" → ("BL23", ""). Anything after an @ that
    is not a side stays part of the code, for the catalogue to refuse by name."""
    code, at, side = value.rpartition("@")
    if at and code and side in ("left", "right"):
        return code, side
    return value, ""


@dataclass(frozen=True)
class Place:
    """Where on the body a click landed: a figure and a position in its own units."""

    view: str
    x: float  # 0 … FIGURE_WIDTH, the midline at MIDLINE_X
    y: float  # 0 … FIGURE_HEIGHT

    @property
    def body_side(self) -> str:
        """The patient's side under the click ("" on the midline itself)."""
        if self.x == MIDLINE_X:
            return ""
        on_viewer_left = self.x < MIDLINE_X
        if self.view == FRONT:
            return "right" if on_viewer_left else "left"
        return "left" if on_viewer_left else "right"


@dataclass(frozen=True)
class Nearby:
    """An entry offered for a click: on which of the patient's sides, how far away."""

    entry: Entry
    body_side: str  # "left", "right" or "" for a midline entry
    distance: float

    @property
    def where(self) -> str:
        return f"patient's {self.body_side}" if self.body_side else "midline"


def place(chart_x: float, chart_y: float) -> Place | None:
    """The figure and position under a point of the whole chart; None between or
    outside the figures."""
    if not (math.isfinite(chart_x) and math.isfinite(chart_y)):
        return None
    y = chart_y - TOP
    if not 0 <= y <= FIGURE_HEIGHT:
        return None
    for view, offset in OFFSETS.items():
        x = chart_x - offset
        if 0 <= x <= FIGURE_WIDTH:
            return Place(view, x, y)
    return None


def nearest(
    entries: Iterable[Entry],
    spot: Place,
    *,
    within: float = NEAR,
    limit: int = NEAR_LIMIT,
) -> list[Nearby]:
    """The entries drawn within ``within`` of ``spot`` on its figure, nearest first.

    A paired entry is two places on the chart, one per side, and each is judged on its
    own: a click on the left knee offers the left knee's points, not the right's.
    """
    found = []
    for entry in entries:
        if entry.view != spot.view:
            continue
        sides = ("",) if entry.is_midline else ("left", "right")
        for body_side in sides:
            x = MIDLINE_X if not body_side else figure_x(entry.view, entry.dx, body_side)
            distance = math.hypot(x - spot.x, entry.y - spot.y)
            if distance <= within:
                found.append(Nearby(entry, body_side, distance))
    # Ties (a midline click between a pair) go to the patient's left first, then by code,
    # so the same click always offers the same list.
    found.sort(key=lambda n: (round(n.distance, 6), n.body_side != "left", n.entry.code))
    return found[:limit]

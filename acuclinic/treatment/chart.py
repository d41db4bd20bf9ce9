"""The body chart: a front and a back figure, and where each needled point sits on them.

Pure: no Django. Drawn for acuclinic (a plain outline in anatomical position, arms by
the sides with palms forward); the template renders what this module computes.

Catalogue entries give a position on one figure as ``dx`` (distance from the midline)
and ``y``. The side decides which way ``dx`` goes, and the two figures mirror each other:
on the front figure we face the patient, so the patient's right is on the viewer's left;
on the back figure we stand behind them, so the patient's left is on the viewer's left.
"""

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

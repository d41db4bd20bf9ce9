"""What the note page and the printed note show: points with their catalogue entries and
numbers, the chart's markers, and the patient's flags in words; the recall list as the rows
of its download. No rules live here."""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from acuclinic.treatment import catalogue, chart
from acuclinic.treatment.checks import Problem, Restrictions
from acuclinic.treatment.models import NeedledPoint, NeedleUse


@dataclass(frozen=True)
class ChartedPoint:
    number: int
    point: NeedledPoint
    entry: catalogue.Entry | None

    @property
    def name(self) -> str:
        return self.entry.name if self.entry else ""

    @property
    def where(self) -> str:
        if self.entry is None:
            return ""
        names = catalogue.current().region_names
        return ", ".join(names[r] for r in self.entry.regions)


@dataclass(frozen=True)
class Offer:
    """A point offered for a click on the body chart, with what its flags say."""

    nearby: chart.Nearby
    problems: list[Problem]

    @property
    def entry(self) -> catalogue.Entry:
        return self.nearby.entry

    @property
    def pick(self) -> str:
        """The value ticked: the code, and the side clicked for a paired point."""
        return chart.pick_value(self.entry.code, self.nearby.body_side)

    @property
    def where(self) -> str:
        names = catalogue.current().region_names
        regions = ", ".join(names[r] for r in self.entry.regions)
        return f"{regions}, {self.nearby.where}"


@dataclass(frozen=True)
class Ticked:
    """A point ticked but not yet charted, shown ticked again when the page comes back."""

    value: str
    code: str
    name: str
    body_side: str


def ticked(values) -> list[Ticked]:
    """The picks a post carried, once each, so a refused press keeps them ticked."""
    cat = catalogue.current()
    found, seen = [], set()
    for value in values:
        if not isinstance(value, str) or value in seen:
            continue
        seen.add(value)
        code, side = chart.split_pick(value)
        entry = cat.entry(code)
        found.append(
            Ticked(value, entry.code if entry else code, entry.name if entry else "", side)
        )
    return found


def charted_points(points: list[NeedledPoint]) -> list[ChartedPoint]:
    cat = catalogue.current()
    return [ChartedPoint(n, p, cat.entry(p.code)) for n, p in enumerate(points, start=1)]


def chart_markers(charted: list[ChartedPoint]) -> list[chart.Marker]:
    return chart.markers((c.number, c.entry, c.point.side) for c in charted if c.entry)


def chart_context(charted: list[ChartedPoint]) -> dict:
    """Everything _body_chart.html draws."""
    return {
        "markers": chart_markers(charted),
        "figures": chart.FIGURES,
        "outline": chart.outline_path(),
        "head": chart.HEAD,
        "width": chart.WIDTH,
        "height": chart.HEIGHT,
        "top": chart.TOP,
        "figure_width": chart.FIGURE_WIDTH,
        "figure_height": chart.FIGURE_HEIGHT,
        "midline": chart.MIDLINE_X,
    }


def flag_lines(restrictions: Restrictions) -> list[str]:
    """The patient's charting limits in words, for the top of the note."""
    lines = []
    if restrictions.avoid_points:
        lines.append("Avoid these points: " + ", ".join(sorted(restrictions.avoid_points)))
    for region in restrictions.avoid_regions:
        lines.append(f"Avoid: {region}")
    if restrictions.no_electro:
        lines.append("No electro-acupuncture")
    return lines


RECALL_CSV_HEADER = ["Session date", "Patient", "Phone", "Email", "Practitioner", "Needles"]


def recall_csv_rows(uses: Iterable[NeedleUse]) -> Iterator[list]:
    """The recall list for the phone round, a row per session, the header first."""
    yield RECALL_CSV_HEADER
    for use in uses:
        note = use.note
        yield [
            note.session_date.isoformat(),
            note.patient.full_name,
            note.patient.phone,
            note.patient.email,
            note.practitioner.name,
            use.count,
        ]

"""Charts drawn as SVG on the server: pain and disability over a course, and the bars of
the clinic report. Pure: no Django, no JavaScript.

Each chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``;
the pages put the same numbers in a table beside it, so a screen reader (or a printout
in black and white) loses nothing. Phases are bands with their names written in, the
baseline a dashed line, the MCID threshold a dotted one: colour is never the only cue.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from html import escape

WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 20, 34, 40
PHASE_FILL = {
    "initial": "#e3eef8",
    "taper": "#e6f4ea",
    "maintenance": "#f3f0e0",
    "review": "#fbe7e4",
}


@dataclass(frozen=True)
class Point:
    day: date
    value: Decimal
    kind: str = "session"  # "session" (joined by a line) or "diary" (marked apart)


@dataclass(frozen=True)
class Band:
    start: date
    end: date
    label: str
    phase: str


@dataclass(frozen=True)
class LineChart:
    """A measure over time: what to draw, and what to say about it."""

    id: str
    title: str
    y_label: str
    y_min: Decimal
    y_max: Decimal
    points: list[Point]
    baseline: Decimal | None = None
    threshold: Decimal | None = None
    threshold_label: str = ""
    # A second threshold, where published MCIDs differ: the largest estimate's line.
    threshold_far: Decimal | None = None
    threshold_far_label: str = ""
    bands: list[Band] = field(default_factory=list)
    lower_is_better: bool = True


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # what is written at the end of the bar, e.g. "62% (31 of 50)"


def number_text(value) -> str:
    value = Decimal(value)
    return str(value.quantize(Decimal(1))) if value == value.to_integral_value() else str(value)


def _fmt_day(day: date) -> str:
    return f"{day.day} {calendar.month_abbr[day.month]} {day.year}"


class _Scale:
    def __init__(self, chart: LineChart, first: date, last: date):
        self.first, self.days = first, max(1, (last - first).days)
        self.low, self.high = float(chart.y_min), float(chart.y_max)
        self.width, self.height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(self, day: date) -> float:
        return round(LEFT + (day - self.first).days / self.days * self.width, 1)

    def y(self, value) -> float:
        share = (float(value) - self.low) / (self.high - self.low or 1)
        return round(TOP + (1 - share) * self.height, 1)


def describe_line(chart: LineChart) -> str:
    """The chart in one or two sentences, for its ``<desc>`` and the page."""
    if not chart.points:
        return f"No {chart.y_label.lower()} scores recorded yet."
    sessions = [p for p in chart.points if p.kind == "session"] or chart.points
    first, last = sessions[0], sessions[-1]
    parts = [
        f"{len(chart.points)} score{'s' if len(chart.points) != 1 else ''} from "
        f"{_fmt_day(chart.points[0].day)} to {_fmt_day(chart.points[-1].day)}."
    ]
    if chart.baseline is not None:
        parts.append(f"Baseline {number_text(chart.baseline)}; latest {number_text(last.value)}.")
    else:
        parts.append(f"First {number_text(first.value)}; latest {number_text(last.value)}.")
    if chart.threshold is not None:
        parts.append(f"{chart.threshold_label}: {number_text(chart.threshold)}.")
    if chart.threshold_far is not None:
        parts.append(f"{chart.threshold_far_label}: {number_text(chart.threshold_far)}.")
    if chart.bands:
        parts.append("Phases: " + ", ".join(b.label for b in chart.bands) + ".")
    return " ".join(parts)


def _ticks(low: float, high: float) -> list[float]:
    span = high - low
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50) if span / s <= 6)
    start = int(low // step * step)
    return [v for v in range(start, int(high) + 1, step) if low <= v <= high]


def _day_ticks(first: date, last: date) -> list[tuple[date, str]]:
    """Where to label the time axis: weeks for a short course, months for a long one."""
    if (last - first).days <= 120:
        start = first + timedelta(days=(7 - first.weekday()) % 7)  # Mondays
        step = 7 if (last - first).days <= 63 else 14
        days = [start + timedelta(days=n) for n in range(0, (last - start).days + 1, step)]
        return [(d, f"{d.day} {calendar.month_abbr[d.month]}") for d in days]
    ticks, day = [], date(first.year, first.month, 1)
    while day <= last:
        if day >= first:
            ticks.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    # A long course gets a label every few months, not a crowd.
    every = max(1, len(ticks) // 8 + (1 if len(ticks) % 8 else 0))
    return [(d, f"{calendar.month_abbr[d.month]} {d.year}") for d in ticks[::every]]


def line_svg(chart: LineChart) -> str:
    """The chart as SVG markup (escaped: safe to insert as is)."""
    title_id, desc_id = f"{chart.id}-title", f"{chart.id}-desc"
    out = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(chart.title)}</title>',
        f'<desc id="{desc_id}">{escape(describe_line(chart))}</desc>',
    ]
    days = [p.day for p in chart.points] + [d for b in chart.bands for d in (b.start, b.end)]
    if not days:
        out.append(
            f'<text x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle" class="empty">'
            f"No scores yet</text></svg>"
        )
        return "".join(out)
    first, last = min(days) - timedelta(days=3), max(days) + timedelta(days=3)
    scale = _Scale(chart, first, last)
    bottom = TOP + scale.height
    for band in chart.bands:
        x1, x2 = scale.x(max(band.start, first)), scale.x(min(band.end, last))
        fill = PHASE_FILL.get(band.phase, "#eeeeee")
        out.append(
            f'<rect class="band" x="{x1}" y="{TOP}" width="{max(0.5, x2 - x1)}" '
            f'height="{scale.height}" fill="{fill}"><title>{escape(band.label)}: '
            f"{_fmt_day(band.start)} to {_fmt_day(band.end)}</title></rect>"
        )
        if x2 - x1 > 8 * len(band.label) * 0.7:
            out.append(
                f'<text class="band-label" x="{x1 + 4}" y="{TOP + 13}">{escape(band.label)}</text>'
            )
    for tick in _ticks(scale.low, scale.high):
        y = scale.y(tick)
        out.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>')
        out.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4}" text-anchor="end">{tick}</text>')
    for tick, label in _day_ticks(first, last):
        x = scale.x(tick)
        out.append(f'<line class="grid" x1="{x}" x2="{x}" y1="{bottom}" y2="{bottom + 4}"/>')
        out.append(
            f'<text class="tick" x="{x}" y="{bottom + 18}" text-anchor="middle">{label}</text>'
        )
    out.append(
        f'<text class="axis" x="12" y="{TOP - 12}">{escape(chart.y_label)}'
        f"{' (lower is better)' if chart.lower_is_better else ' (higher is better)'}</text>"
    )
    if chart.baseline is not None:
        y = scale.y(chart.baseline)
        out.append(
            f'<line class="baseline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>'
            f'<text class="line-label" x="{WIDTH - RIGHT - 4}" y="{y - 4}" text-anchor="end">'
            f"Baseline {number_text(chart.baseline)}</text>"
        )
    if chart.threshold is not None:
        y = scale.y(chart.threshold)
        out.append(
            f'<line class="threshold" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>'
            f'<text class="line-label" x="{LEFT + 4}" y="{y + 14}">'
            f"{escape(chart.threshold_label)} {number_text(chart.threshold)}</text>"
        )
    if chart.threshold_far is not None:
        y = scale.y(chart.threshold_far)
        out.append(
            f'<line class="threshold far" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y}" y2="{y}"/>'
            f'<text class="line-label" x="{WIDTH - RIGHT - 4}" y="{y + 14}" text-anchor="end">'
            f"{escape(chart.threshold_far_label)} {number_text(chart.threshold_far)}</text>"
        )
    sessions = [p for p in chart.points if p.kind == "session"]
    if len(sessions) > 1:
        path = " ".join(f"{scale.x(p.day)},{scale.y(p.value)}" for p in sessions)
        out.append(f'<polyline class="series" points="{path}"/>')
    for point in chart.points:
        x, y = scale.x(point.day), scale.y(point.value)
        what = "Session" if point.kind == "session" else "Diary"
        tip = f"<title>{what}, {_fmt_day(point.day)}: {number_text(point.value)}</title>"
        if point.kind == "session":
            out.append(f'<circle class="point" cx="{x}" cy="{y}" r="4">{tip}</circle>')
        else:
            out.append(
                f'<rect class="diary" x="{x - 3.5}" y="{y - 3.5}" width="7" height="7" '
                f'transform="rotate(45 {x} {y})">{tip}</rect>'
            )
    out.append("</svg>")
    return "".join(out)


BAR_ROW, BAR_LEFT, BAR_RIGHT = 26, 190, 150


def bar_svg(chart_id: str, title: str, bars: list[Bar], *, maximum: float | None = None) -> str:
    """Horizontal bars, one per row, each labelled with its value in words."""
    height = TOP + BAR_ROW * max(1, len(bars)) + 10
    title_id, desc_id = f"{chart_id}-title", f"{chart_id}-desc"
    description = "; ".join(f"{b.label}: {b.text}" for b in bars) or "No courses in this period."
    top = maximum if maximum is not None else max((b.value for b in bars), default=0)
    width = WIDTH - BAR_LEFT - BAR_RIGHT
    out = [
        f'<svg class="chart bars" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{title_id} {desc_id}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{title_id}">{escape(title)}</title>',
        f'<desc id="{desc_id}">{escape(description)}</desc>',
        f'<text class="axis" x="0" y="18">{escape(title)}</text>',
    ]
    for row, bar in enumerate(bars):
        y = TOP + row * BAR_ROW
        length = 0 if not top else round(bar.value / top * width, 1)
        out.append(
            f'<text class="tick" x="{BAR_LEFT - 8}" y="{y + 15}" text-anchor="end">'
            f"{escape(bar.label)}</text>"
            f'<rect class="bar" x="{BAR_LEFT}" y="{y + 3}" width="{max(length, 0.5)}" height="16"/>'
            f'<text class="bar-text" x="{BAR_LEFT + length + 6}" y="{y + 15}">'
            f"{escape(bar.text)}</text>"
        )
    out.append("</svg>")
    return "".join(out)

"""Turning a course's plan and measures into what the pages show: charts, their tables,
the timeline and measure rows. No rules here: the planner and scoring decide."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.safestring import SafeString, mark_safe

from acuclinic.core.formats import format_date
from acuclinic.outcomes import catalogue, charts, scoring
from acuclinic.outcomes.catalogue import PAIN
from acuclinic.outcomes.queries import CourseView


def _bands(view: CourseView, *, today: date) -> list[charts.Band]:
    """The phases as bands; an open course's last one runs to the proposed next session."""
    last_day = view.plan.marks[-1].day if view.plan.marks else today
    ahead = view.plan.decision.next_date or today
    end_of_course = view.course.ended_on or max(today, last_day, ahead)
    return [
        charts.Band(span.start, span.end or end_of_course, span.label, span.phase.value)
        for span in view.plan.spans
    ]


def pain_chart(view: CourseView, *, today: date, chart_id: str) -> charts.LineChart:
    plan = view.plan
    points = [charts.Point(m.day, Decimal(m.pain)) for m in plan.marks]
    points += [charts.Point(d.day, Decimal(d.pain), "diary") for d in view.diary]
    points.sort(key=lambda p: (p.day, p.kind != "session"))
    rule = view.rules.pain
    return charts.LineChart(
        id=chart_id,
        title=f"Pain (0–10) over the course from {format_date(view.course.started_on)}",
        y_label="Pain 0–10",
        y_min=Decimal(0),
        y_max=Decimal(10),
        points=points,
        baseline=Decimal(plan.baseline) if plan.baseline is not None else None,
        threshold=rule.threshold(plan.baseline) if plan.baseline is not None else None,
        threshold_label=f"Improved by {rule.describe()} at or below",
        bands=_bands(view, today=today),
    )


def measure_charts(view: CourseView, *, today: date, prefix: str) -> list[charts.LineChart]:
    """A chart for each questionnaire taken in the course (pain has its own)."""
    cat = catalogue.current()
    by_code: dict[str, list] = {}
    for measurement in view.measurements:
        if measurement.measure != PAIN:
            by_code.setdefault(measurement.measure, []).append(measurement)
    found = []
    for code, taken in sorted(by_code.items()):
        measure = cat.measure(code)
        if measure is None or not measure.measures_change:
            continue  # a screening tool, taken once, is a line in the table, not a chart
        baseline = taken[0].score
        band = scoring.mcid_band(measure, baseline)
        labels = (
            (
                "Important change by the smallest estimate at",
                "Important change by the largest estimate at",
            )
            if band
            else ("Important change at", "")
        )
        found.append(
            charts.LineChart(
                id=f"{prefix}-{code}",
                title=f"{measure.name} over the course",
                y_label=measure.short,
                y_min=Decimal(measure.score_min),
                y_max=Decimal(measure.score_max),
                points=[charts.Point(m.taken_on, m.score) for m in taken],
                baseline=baseline,
                threshold=scoring.mcid_line(measure, baseline),
                threshold_label=labels[0],
                threshold_far=band[1] if band else None,
                threshold_far_label=labels[1],
                bands=_bands(view, today=today),
                lower_is_better=measure.lower_is_better,
            )
        )
    return found


@dataclass(frozen=True)
class ChartBlock:
    """A chart ready for a template: the SVG, its description and its table rows."""

    chart: charts.LineChart
    svg: SafeString
    description: str
    rows: list[tuple[str, str, str]]

    @property
    def id(self) -> str:
        return self.chart.id


def block(chart: charts.LineChart) -> ChartBlock:
    rows = [
        (
            format_date(p.day),
            charts.number_text(p.value),
            "Session" if p.kind == "session" else "Diary",
        )
        for p in chart.points
    ]
    # charts.py escapes every text it writes into the SVG.
    svg = mark_safe(charts.line_svg(chart))
    return ChartBlock(chart, svg, charts.describe_line(chart), rows)


def chart_blocks(view: CourseView, *, today: date, prefix: str = "chart") -> list[ChartBlock]:
    found = [block(pain_chart(view, today=today, chart_id=f"{prefix}-pain"))]
    found += [block(c) for c in measure_charts(view, today=today, prefix=prefix)]
    return found


@dataclass(frozen=True)
class MeasureRow:
    day: date
    name: str
    score: str
    how: str
    timepoint: str
    note: str


def measure_rows(view: CourseView) -> list[MeasureRow]:
    cat = catalogue.current()
    rows = []
    for m in view.measurements:
        measure = cat.measure(m.measure)
        name = measure.name if measure else m.measure
        score = charts.number_text(m.score) + (measure.unit if measure else "")
        if measure and measure.categories:
            score += f" ({measure.category_label(int(m.score))})"
        group = scoring.risk_group(measure, m.answers) if measure else ""
        if group:
            score += f" ({group} risk)"
        how = m.get_source_display()
        if m.entry == "total":
            how += ", total from a licensed copy"
        elif m.missing and measure and measure.scoring == catalogue.PROFILE:
            left = [
                measure.item_labels[n - 1].split(" (")[0].lower()
                for n, answer in enumerate(m.answers, 1)
                if answer is None
            ]
            how += f", {', '.join(left)} not chosen"
        elif m.missing:
            how += f", {m.missing} unanswered (allowed by its rule)"
        rows.append(MeasureRow(m.taken_on, name, score, how, m.get_timepoint_display(), m.note))
    return rows

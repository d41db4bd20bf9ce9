"""The progress charts: drawn as SVG with the baseline, the MCID threshold and the course's
phases marked, and the same chart on the practitioner's patient record, the outcomes
page, the printed summary and the patient's own portal page."""

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from acuclinic.outcomes import charts, services
from acuclinic.portal import testing as portal

D = Decimal
MONDAY = date(2026, 1, 5)


def _chart(**kwargs) -> charts.LineChart:
    values = {
        "id": "c",
        "title": "Pain (0–10)",
        "y_label": "Pain 0–10",
        "y_min": D(0),
        "y_max": D(10),
        "points": [
            charts.Point(MONDAY, D(7)),
            charts.Point(MONDAY + timedelta(days=7), D(5)),
            charts.Point(MONDAY + timedelta(days=10), D(4), "diary"),
            charts.Point(MONDAY + timedelta(days=14), D(4)),
        ],
        "baseline": D(7),
        "threshold": D(5),
        "threshold_label": "Improved by 2 points at or below",
        "bands": [
            charts.Band(MONDAY, MONDAY + timedelta(days=14), "Weekly (initial)", "initial"),
            charts.Band(
                MONDAY + timedelta(days=14),
                MONDAY + timedelta(days=42),
                "Every other week",
                "taper",
            ),
        ],
    }
    return charts.LineChart(**{**values, **kwargs})


def _y(svg: str, css: str) -> float:
    return float(re.search(rf'<line class="{css}" x1="[\d.]+" x2="[\d.]+" y1="([\d.]+)"', svg)[1])


def test_the_chart_marks_the_baseline_the_threshold_and_each_phase():
    svg = charts.line_svg(_chart())
    assert svg.startswith('<svg class="chart"') and svg.endswith("</svg>")
    assert "Baseline 7</text>" in svg
    assert "Improved by 2 points at or below 5</text>" in svg
    assert svg.count('<rect class="band"') == 2
    assert "<title>Weekly (initial): 5 Jan 2026 to 19 Jan 2026</title>" in svg
    assert "<title>Every other week: 19 Jan 2026 to 16 Feb 2026</title>" in svg
    # Sessions are joined by a line; the diary entry is marked apart, not on the line.
    assert svg.count('<circle class="point"') == 3
    assert svg.count('<rect class="diary"') == 1
    assert "<title>Diary, 15 Jan 2026: 4</title>" in svg
    polyline = re.search(r'<polyline class="series" points="([^"]+)"', svg)[1]
    assert len(polyline.split()) == 3


def test_lower_scores_sit_lower_on_the_chart():
    svg = charts.line_svg(_chart())
    # SVG's y grows downwards: the threshold (5) is drawn below the baseline (7).
    assert _y(svg, "threshold") > _y(svg, "baseline")
    flipped = charts.line_svg(_chart(baseline=D(3), threshold=D(5), lower_is_better=False))
    assert _y(flipped, "threshold") < _y(flipped, "baseline")
    assert "(higher is better)" in flipped


def test_the_chart_describes_itself_for_a_screen_reader():
    chart = _chart()
    assert charts.describe_line(chart) == (
        "4 scores from 5 Jan 2026 to 19 Jan 2026. Baseline 7; latest 4. "
        "Improved by 2 points at or below: 5. Phases: Weekly (initial), Every other week."
    )
    svg = charts.line_svg(chart)
    assert 'role="img" aria-labelledby="c-title c-desc"' in svg
    assert f'<desc id="c-desc">{charts.describe_line(chart)}</desc>' in svg


def test_text_in_a_chart_is_escaped():
    svg = charts.line_svg(_chart(title="<script>alert(1)</script>", threshold_label="a & b"))
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg and "a &amp; b 5" in svg


def test_a_chart_with_no_scores_says_so():
    svg = charts.line_svg(_chart(points=[], bands=[], baseline=None, threshold=None))
    assert "No scores yet" in svg
    assert charts.describe_line(_chart(points=[])) == "No pain 0–10 scores recorded yet."


def test_bars_are_drawn_to_scale_and_say_their_values():
    bars = [charts.Bar("Medical", 50, "50% (1 of 2)"), charts.Bar("Traditional", 100, "100%")]
    svg = charts.bar_svg("b", "Reached the MCID", bars, maximum=100)
    widths = [
        float(w)
        for w in re.findall(r'<rect class="bar" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', svg)
    ]
    assert widths[1] == pytest.approx(widths[0] * 2)
    assert '<desc id="b-desc">Medical: 50% (1 of 2); Traditional: 100%</desc>' in svg
    empty = charts.bar_svg("e", "Nothing", [])
    assert "No courses in this period." in empty


# ── The same chart in every place it is shown ────────────────────────────────────────


@pytest.fixture
def relapsed(sessions, low_back, practitioner_user):
    """Weekly 7, 5, 4 → every other week → back to 6: a relapse, weekly series 2; and an
    RMDQ at baseline and after the first series."""
    notes = sessions(7, 5, 4, 4, 6)
    services.course_refresh(low_back)
    first, third = notes[0].session_date, notes[2].session_date
    today = timezone.localdate()
    for day, total in ((first, 14), (third, 8)):
        services.measurement_record(
            low_back, measure="rmdq", taken_on=day, total=total, user=practitioner_user, today=today
        )
    return low_back


def _assert_marked(html: str, prefix: str) -> None:
    pain = html.split(f'id="{prefix}-pain-title"')[1].split("</svg>")[0]
    assert 'class="baseline"' in pain and "Baseline 7</text>" in pain
    assert "Improved by 2 points at or below 5</text>" in pain
    for phase in ("Weekly (initial)", "Every other week", "Weekly series 2"):
        assert f"<title>{phase}: " in pain, phase
    rmdq = html.split(f'id="{prefix}-rmdq-title"')[1].split("</svg>")[0]
    assert "Baseline 14</text>" in rmdq
    # From 14, 30% (4.2) is nearer than 5 points: an important change at 9.8 or below.
    assert "Important change at 9.8</text>" in rmdq
    assert "<title>Weekly series 2: " in rmdq


def test_the_practitioner_sees_the_chart_on_the_record_and_the_outcomes_page(
    client, practitioner_user, relapsed
):
    client.force_login(practitioner_user)
    record = client.get(f"/patients/{relapsed.pk}/").content.decode()
    _assert_marked(record, "record")
    outcomes = client.get(f"/outcomes/patients/{relapsed.pk}/").content.decode()
    _assert_marked(outcomes, "chart")


def test_the_printed_summary_has_the_same_chart(client, practitioner_user, relapsed):
    client.force_login(practitioner_user)
    summary = client.get(f"/outcomes/patients/{relapsed.pk}/summary/").content.decode()
    _assert_marked(summary, "print")


def test_the_patient_sees_the_same_chart_of_their_own_in_the_portal(client, relapsed):
    portal.sign_in(client, relapsed)
    page = client.get("/portal/progress/").content.decode()
    _assert_marked(page, "mine")

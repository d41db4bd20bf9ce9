"""The body chart: the patient's left and right land on the right side of each figure."""

import re

import pytest

from acuclinic.treatment import catalogue, chart

CAT = catalogue.load()
FRONT_MIDLINE = chart.OFFSETS["front"] + chart.MIDLINE_X
BACK_MIDLINE = chart.OFFSETS["back"] + chart.MIDLINE_X


def markers_for(code, side):
    return chart.markers([(1, CAT.entry(code), side)])


def test_on_the_front_figure_the_patients_left_is_on_the_viewers_right():
    (left,) = markers_for("ST36", "left")
    (right,) = markers_for("ST36", "right")
    assert left.view == right.view == "front"
    assert left.x > FRONT_MIDLINE > right.x


def test_on_the_back_figure_the_patients_left_is_on_the_viewers_left():
    (left,) = markers_for("BL23", "left")
    (right,) = markers_for("BL23", "right")
    assert left.view == right.view == "back"
    assert left.x < BACK_MIDLINE < right.x


def test_a_bilateral_point_is_drawn_on_both_sides_mirror_images_of_each_other():
    first, second = markers_for("BL40", "bilateral")
    assert {first.body_side, second.body_side} == {"left", "right"}
    assert first.y == second.y
    assert first.x - BACK_MIDLINE == pytest.approx(BACK_MIDLINE - second.x)


def test_a_midline_point_is_drawn_once_on_the_midline():
    (marker,) = markers_for("GV4", "midline")
    assert marker.x == BACK_MIDLINE
    assert marker.body_side == ""
    assert marker.title == "1. GV4 Mingmen (midline, back)"


def test_each_marker_says_in_words_which_side_it_is():
    (marker,) = markers_for("LI4", "right")
    assert marker.title == "1. LI4 Hegu (patient's right, back)"


def test_a_side_that_is_neither_left_nor_right_cannot_be_placed():
    with pytest.raises(ValueError):
        chart.figure_x("front", 10, "middle")


def test_the_figures_are_labelled_with_the_patients_sides():
    front, back = chart.FIGURES
    assert (front.viewer_left, front.viewer_right) == ("Right", "Left")
    assert (back.viewer_left, back.viewer_right) == ("Left", "Right")


def _inside(x, y, polygon) -> bool:
    inside = False
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
            inside = not inside
    return inside


def _near_edge(x, y, polygon, tolerance) -> bool:
    for (x1, y1), (x2, y2) in zip(polygon, polygon[1:] + polygon[:1], strict=True):
        dx, dy = x2 - x1, y2 - y1
        length = dx * dx + dy * dy
        t = max(0, min(1, ((x - x1) * dx + (y - y1) * dy) / length)) if length else 0
        px, py = x1 + t * dx, y1 + t * dy
        if (px - x) ** 2 + (py - y) ** 2 <= tolerance**2:
            return True
    return False


def _on_body(x, y) -> bool:
    half = list(chart._HALF_OUTLINE)
    polygon = half + [(chart.FIGURE_WIDTH - px, py) for px, py in reversed(half[:-1])]
    head = chart.HEAD
    in_head = ((x - head["cx"]) / head["rx"]) ** 2 + ((y - head["cy"]) / head["ry"]) ** 2 <= 1.1
    return in_head or _inside(x, y, polygon) or _near_edge(x, y, polygon, 3)


@pytest.mark.parametrize("entry", CAT.entries, ids=lambda e: e.code)
def test_every_catalogue_entry_is_drawn_on_the_body(entry):
    for side in ("left", "right") if not entry.is_midline else ("",):
        x = chart.MIDLINE_X if not side else chart.figure_x(entry.view, entry.dx, side)
        assert _on_body(x, entry.y), (entry.code, side, x, entry.y)


def test_the_outline_is_one_closed_path_symmetric_about_the_midline():
    path = chart.outline_path()
    assert path.startswith("M91 62 ") and path.endswith(" Z")
    coordinates = re.findall(r"[ML](\S+) (\S+)", path)
    xs = sorted(float(x) for x, _ in coordinates)
    assert sorted(chart.FIGURE_WIDTH - x for x in xs) == xs


# ── A click on the chart: the nearest points ─────────────────────────────────────────


def drawn_at(code, side):
    """Where the chart draws ``code`` on the patient's ``side``, in whole-chart units."""
    (marker,) = markers_for(code, side)
    return marker.x, marker.y


def offered(chart_x, chart_y, **kwargs):
    spot = chart.place(chart_x, chart_y)
    assert spot is not None
    return [(n.entry.code, n.body_side) for n in chart.nearest(CAT.entries, spot, **kwargs)]


def test_a_click_on_the_left_knee_from_the_front_offers_the_left_knees_points():
    x, y = drawn_at("ST35", "left")  # Dubi, the lateral eye of the knee
    found = offered(x, y)
    assert found[0] == ("ST35", "left")
    knee = [(code, side) for code, side in found if "knee" in CAT.entry(code).regions]
    assert {"ST35", "EX-LE4"} <= {code for code, _ in knee}
    assert all(side == "left" for _, side in knee)
    assert ("ST35", "right") not in found


def test_the_same_place_on_the_back_figure_is_the_patients_other_side():
    # The back figure is the front's mirror image: the viewer's right is the patient's right.
    x, y = drawn_at("BL40", "right")  # Weizhong, the back of the knee
    spot = chart.place(x, y)
    assert (spot.view, spot.body_side) == ("back", "right")
    found = offered(x, y)
    assert found[0] == ("BL40", "right")
    assert all(side == "right" for code, side in found if code.startswith("BL4"))


def test_a_click_between_the_shoulder_blades_offers_the_midline_with_no_side():
    x, y = drawn_at("GV11", "midline")
    found = offered(x, y)
    assert found[0] == ("GV11", "")


def test_a_muscle_is_offered_where_its_trigger_points_lie():
    x, y = drawn_at("TP-QL", "left")
    assert ("TP-QL", "left") in offered(x, y)


def test_the_list_is_short_nearest_first_and_only_close_points():
    x, y = drawn_at("BL23", "left")
    spot = chart.place(x, y)
    found = chart.nearest(CAT.entries, spot)
    assert 0 < len(found) <= chart.NEAR_LIMIT
    distances = [n.distance for n in found]
    assert distances == sorted(distances)
    assert distances[-1] <= chart.NEAR
    assert offered(x, y, limit=3) == [(n.entry.code, n.body_side) for n in found[:3]]


def test_a_click_between_the_figures_or_off_the_chart_places_nothing():
    gap_x = chart.FIGURE_WIDTH + chart.GAP / 2
    assert chart.place(gap_x, 200) is None
    assert chart.place(50, chart.HEIGHT + 5) is None
    assert chart.place(-1, 200) is None
    assert chart.place(float("nan"), 200) is None


def test_a_click_far_from_every_point_offers_nothing():
    # The top corner of the front figure, beside the head: nothing is drawn there.
    assert offered(1, chart.TOP + 1) == []

"""Charting on the body chart in a real browser: a click offers the nearest points, a
flagged one says so, ticked points are charted on the side clicked, and nothing typed
in the note is lost on the way."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from acuclinic.testing import factories
from acuclinic.testing import treatment as testing
from acuclinic.treatment import catalogue, chart
from acuclinic.treatment.models import NeedledPoint
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_treatment import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def knee_note(transactional_db):
    """A draft note for a patient with lymphoedema of the left leg (a region to avoid)."""
    factories.build_clinic()
    sarah = factories.practitioner("sarah", qualified_medical=True)
    patient = factories.patient(given_name="Margaret", family_name="Okafor")
    visit = testing.ready_visit(patient, sarah, lymphoedema=True, lymphoedema_limbs=["left_leg"])
    return testing.session_note(visit)


def click_where_drawn(page, code, side):
    """Click the chart where ``code`` on the patient's ``side`` is drawn."""
    (marker,) = chart.markers([(1, catalogue.current().entry(code), side)])
    svg = page.locator(".body-chart svg")
    svg.scroll_into_view_if_needed()
    x, y = page.evaluate(
        """([x, y]) => {
            const svg = document.querySelector(".body-chart svg");
            const point = svg.createSVGPoint();
            point.x = x; point.y = y;
            const screen = point.matrixTransform(svg.getScreenCTM());
            const box = svg.getBoundingClientRect();
            return [screen.x - box.left, screen.y - box.top];
        }""",
        [marker.x, marker.y],
    )
    svg.click(position={"x": x, "y": y})


def test_points_are_charted_by_clicking_the_body_chart(live_server, page, knee_note):
    sign_in(page, live_server.url, "sarah")
    page.goto(live_server.url + reverse("treatment_note", args=[knee_note.pk]))
    page.get_by_label("Pain before treatment (0–10)").fill("6")
    page.get_by_label("Findings").fill("Both knees stiff; the left swollen.")

    # The left knee, from the front: its points, each warning of the lymphoedema.
    click_where_drawn(page, "ST35", "left")
    offers = page.locator("#chart-offers")
    expect(offers).to_contain_text("front, patient's left")
    dubi = offers.get_by_label(re.compile(r"ST35 Dubi"))
    expect(dubi).to_be_visible()
    expect(offers.locator("label", has_text="ST35 Dubi")).to_contain_text(
        "is in a region this patient is to avoid"
    )
    dubi.check()
    assert_accessible(page)

    # The right knee: no flag there. The left knee's tick is kept while choosing.
    click_where_drawn(page, "ST35", "right")
    expect(offers).to_contain_text("front, patient's right")
    right = offers.get_by_label(re.compile(r"EX-LE4 Neixiyan"))
    expect(offers.locator("label", has_text="EX-LE4 Neixiyan")).not_to_contain_text("avoid")
    right.check()
    expect(page.locator("#ticked")).to_contain_text("ST35 Dubi")

    page.get_by_label("Depth (mm)").fill("15")
    page.get_by_label("Retention (minutes)").fill("20")
    page.get_by_role("button", name="Chart these points").click()

    # The flagged point needs a reason; what was typed and ticked is all still there.
    expect(page.locator(".problems")).to_contain_text("ST35")
    expect(page.get_by_label("Findings")).to_have_value("Both knees stiff; the left swollen.")
    expect(page.get_by_label("Pain before treatment (0–10)")).to_have_value("6")
    expect(page.locator("#ticked").get_by_label(re.compile(r"ST35 Dubi"))).to_be_checked()
    expect(page.locator("#ticked").get_by_label(re.compile(r"EX-LE4 Neixiyan"))).to_be_checked()
    assert not NeedledPoint.objects.filter(note=knee_note).exists()
    page.get_by_label("Depth (mm)").fill("15")
    page.get_by_label("Retention (minutes)").fill("20")
    page.get_by_label("Reason for needling despite a safety flag").first.fill(
        "Swelling settled; discussed with the patient."
    )
    page.get_by_role("button", name="Chart these points").click()

    # Charted in the order the boxes stand on the page.
    expect(page.get_by_role("status")).to_contain_text("Charted EX-LE4, ST35")
    rows = page.locator(".points-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("EX-LE4")
    expect(rows.nth(0)).to_contain_text("Right")
    expect(rows.nth(1)).to_contain_text("ST35")
    expect(rows.nth(1)).to_contain_text("Left")
    expect(rows.nth(1)).to_contain_text("Needled despite")
    expect(page.locator(".body-chart .marker")).to_have_count(2)
    expect(page.get_by_label("Findings")).to_have_value("Both knees stiff; the left swollen.")
    assert [(p.code, p.side) for p in NeedledPoint.objects.filter(note=knee_note)] == [
        ("EX-LE4", "right"),
        ("ST35", "left"),
    ]
    assert_accessible(page)

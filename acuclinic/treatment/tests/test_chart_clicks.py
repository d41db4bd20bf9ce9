"""Charting on the body chart: a click offers the nearest points with their flag
warnings, and ticking them charts them on the side clicked, keeping what was typed."""

from html import unescape

import pytest
from django.urls import reverse

from acuclinic.audit.models import AuditEntry
from acuclinic.testing import treatment as testing
from acuclinic.treatment import catalogue, chart
from acuclinic.treatment.models import NeedledPoint


@pytest.fixture
def prac_client(client, prac_user):
    client.force_login(prac_user)
    return client


def drawn_at(code, side):
    """Where the chart draws ``code`` on the patient's ``side``: the place to click."""
    (marker,) = chart.markers([(1, catalogue.current().entry(code), side)])
    return {"x": f"{marker.x:g}", "y": f"{marker.y:g}"}


def near(client, note, **where):
    return client.get(reverse("treatment_note_near", args=[note.pk]), where)


def test_a_click_on_the_left_knee_offers_its_points_to_tick_on_that_side(prac_client, note):
    response = near(prac_client, note, **drawn_at("ST35", "left"))
    assert response.status_code == 200
    page = unescape(response.content.decode())
    assert "front, patient's left" in page
    assert 'name="pick" value="ST35@left" form="note-form"' in page
    assert 'value="EX-LE4@left"' in page
    assert "ST35@right" not in page
    assert "Knee, patient's left" in page
    assert "offer-warning" not in page  # this patient has no flags
    assert AuditEntry.objects.filter(detail="body chart: points near a click").count() == 1


def test_an_offer_that_meets_a_flag_says_so_before_it_is_ticked(prac_client, patient, practitioner):
    visit = testing.ready_visit(
        patient, practitioner, lymphoedema=True, lymphoedema_limbs=["left_leg"]
    )
    note = testing.session_note(visit)
    left = unescape(near(prac_client, note, **drawn_at("ST35", "left")).content.decode())
    assert 'class="offer flagged"' in left
    assert "ST35 (knee, left) is in a region this patient is to avoid" in left
    right = near(prac_client, note, **drawn_at("ST35", "right")).content.decode()
    assert 'value="ST35@right"' in right
    assert "offer-warning" not in right


def test_a_click_off_the_figures_or_without_a_place_is_answered_in_words(prac_client, note):
    between = near(prac_client, note, x=str(chart.FIGURE_WIDTH + chart.GAP / 2), y="200")
    assert between.status_code == 200
    assert "between the figures" in between.content.decode()
    for bad in ({"x": "left", "y": "200"}, {"y": "200"}, {"x": "nan", "y": "1"}):
        response = near(prac_client, note, **bad)
        assert response.status_code == 400
        assert "Click or tap a place on one of the two figures" in response.content.decode()


def test_points_ticked_on_the_chart_are_charted_on_the_side_clicked_with_the_text_kept(
    prac_client, note
):
    response = prac_client.post(
        reverse("treatment_note_save", args=[note.pk]),
        {
            "revision": "0",
            "action": "chart",
            "pain_before": "5",
            "findings": "Left knee swollen after a fall.",
            # Picked on the chart (with their sides), from the search, and typed.
            "pick": ["ST35@left", "EX-LE4@left", "ST36@left", "ST36@right", "GV14", "BL23"],
            "codes": "GB34",
            "side": "right",
            "depth_mm": "20",
            "retention_minutes": "15",
            "stimulation": "",
        },
    )
    assert response.status_code == 302
    charted = [
        (p.code, p.side, p.retention_minutes) for p in NeedledPoint.objects.order_by("position")
    ]
    assert charted == [
        ("ST35", "left", 15),
        ("EX-LE4", "left", 15),
        ("ST36", "bilateral", 15),  # ticked on both legs: one bilateral point
        ("GV14", "midline", 15),
        ("BL23", "right", 15),  # from the search: the batch's side
        ("GB34", "right", 15),
    ]
    note.refresh_from_db()
    assert (note.pain_before, note.findings) == (5, "Left knee swollen after a fall.")


def test_a_point_ticked_on_a_flagged_side_asks_for_a_reason_and_keeps_the_text(
    prac_client, patient, practitioner
):
    visit = testing.ready_visit(
        patient, practitioner, lymphoedema=True, lymphoedema_limbs=["left_leg"]
    )
    note = testing.session_note(visit)
    data = {
        "revision": "0",
        "action": "chart",
        "findings": "Knee pain, left.",
        "pick": ["ST35@left"],
        "side": "bilateral",
        "depth_mm": "15",
        "retention_minutes": "20",
    }
    refused = prac_client.post(reverse("treatment_note_save", args=[note.pk]), data)
    assert refused.status_code == 409
    page = refused.content.decode()
    assert "Knee pain, left." in page
    # The tick is kept too, with its side, for the second press.
    assert 'value="ST35@left" form="note-form" checked' in page
    assert not NeedledPoint.objects.exists()
    # The text was saved before the points were refused: the page holds its new revision.
    assert 'name="revision" value="1"' in page
    data.update(revision="1", override_reason="Discussed with the patient; swelling has settled.")
    prac_client.post(reverse("treatment_note_save", args=[note.pk]), data)
    (point,) = NeedledPoint.objects.all()
    assert (point.code, point.side, point.overridden) == ("ST35", "left", "avoid_region")


def test_the_note_page_has_the_chart_ready_for_clicks_only_while_it_can_be_charted(
    prac_client, note, visit, lot
):
    page = prac_client.get(reverse("treatment_note", args=[note.pk])).content.decode()
    assert f'data-near="{reverse("treatment_note_near", args=[note.pk])}"' in page
    assert "treatment/chart.js" in page
    signed = testing.signed_note(
        testing.ready_visit(visit.patient, visit.practitioner, hour=7), lot
    )
    page = prac_client.get(reverse("treatment_note", args=[signed.pk])).content.decode()
    assert "data-near" not in page and "chart.js" not in page

"""Depth, retention and stimulation changed for every charted point at once, checked as
charting checks them, all or none."""

import pytest
from django.urls import reverse

from acuclinic.core.errors import InvalidRequest
from acuclinic.testing import treatment as testing
from acuclinic.treatment import services
from acuclinic.treatment.errors import OverrideNeeded
from acuclinic.treatment.models import NeedledPoint
from acuclinic.treatment.services import PointSpec


def settings_of(note):
    return [
        (p.code, p.depth_mm, p.retention_minutes, p.stimulation)
        for p in NeedledPoint.objects.filter(note=note).order_by("position")
    ]


@pytest.fixture
def charted(note, prac_user):
    services.needled_points_add(
        note,
        [PointSpec("BL23", "bilateral", 25, 20), PointSpec("GV3", "midline", 15, 15, "heat")],
        user=prac_user,
    )
    return note


def test_what_is_given_applies_to_every_point_and_the_rest_stays(charted, prac_user):
    services.needled_points_change_all(charted, user=prac_user, retention_minutes=25)
    assert settings_of(charted) == [("BL23", 25, 25, "manual"), ("GV3", 15, 25, "heat")]
    services.needled_points_change_all(charted, user=prac_user, depth_mm=20, stimulation="manual")
    assert settings_of(charted) == [("BL23", 20, 25, "manual"), ("GV3", 20, 25, "manual")]


def test_nothing_given_or_a_value_out_of_range_changes_nothing(charted, prac_user):
    with pytest.raises(InvalidRequest) as empty:
        services.needled_points_change_all(charted, user=prac_user)
    assert empty.value.code == "nothing_to_change"
    with pytest.raises(InvalidRequest) as too_long:
        services.needled_points_change_all(
            charted, user=prac_user, depth_mm=10, retention_minutes=500
        )
    assert too_long.value.code == "retention_too_long"
    assert settings_of(charted) == [("BL23", 25, 20, "manual"), ("GV3", 15, 15, "heat")]


def test_electro_for_a_patient_barred_from_it_needs_a_reason_kept_on_each_point(
    patient, practitioner, prac_user
):
    visit = testing.ready_visit(
        patient, practitioner, implanted_device=True, implanted_device_kind=["pacemaker"]
    )
    note = testing.session_note(visit)
    services.needled_points_add(note, [PointSpec("BL23", "bilateral", 25, 20)], user=prac_user)
    with pytest.raises(OverrideNeeded):
        services.needled_points_change_all(note, user=prac_user, stimulation="electro")
    assert settings_of(note) == [("BL23", 25, 20, "manual")]
    services.needled_points_change_all(
        note, user=prac_user, stimulation="electro", override_reason="Cardiologist agreed."
    )
    (point,) = NeedledPoint.objects.filter(note=note)
    assert (point.stimulation, point.overridden) == ("electro", "no_electro")
    assert point.override_reason == "Cardiologist agreed."


def test_the_note_form_applies_a_change_to_every_point_keeping_the_text(client, prac_user, charted):
    client.force_login(prac_user)
    page = client.get(reverse("treatment_note", args=[charted.pk])).content.decode()
    assert "Change every charted point at once" in page
    response = client.post(
        reverse("treatment_note_save", args=[charted.pk]),
        {
            "revision": "0",
            "action": "change_all",
            "findings": "Both sides tight.",
            "all_depth_mm": "",
            "all_retention_minutes": "30",
            "all_stimulation": "",
        },
    )
    assert response.status_code == 302
    assert settings_of(charted) == [("BL23", 25, 30, "manual"), ("GV3", 15, 30, "heat")]
    charted.refresh_from_db()
    assert charted.findings == "Both sides tight."
    refused = client.post(
        reverse("treatment_note_save", args=[charted.pk]),
        {
            "revision": "1",
            "action": "change_all",
            "findings": "Both sides tight.",
            "all_depth_mm": "0",
        },
    )
    assert refused.status_code == 422
    assert "depth is a whole number of millimetres" in refused.content.decode()
    assert settings_of(charted)[0] == ("BL23", 25, 30, "manual")

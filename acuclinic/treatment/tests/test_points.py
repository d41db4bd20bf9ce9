"""Charting points: every one from the catalogue, within the clinic's limits, and checked
against the patient's safety flags; fast charting runs the same checks."""

import pytest

from acuclinic.audit.models import AuditEntry
from acuclinic.core.errors import Conflict, Forbidden, InvalidRequest, NotFound
from acuclinic.testing import factories
from acuclinic.testing import treatment as testing
from acuclinic.treatment import services
from acuclinic.treatment.errors import OverrideNeeded
from acuclinic.treatment.models import NeedledPoint, PointPrescription
from acuclinic.treatment.services import PointSpec


def charted(note):
    return [(p.code, p.side) for p in NeedledPoint.objects.filter(note=note).order_by("position")]


def test_points_and_trigger_points_are_charted_in_order(note, prac_user):
    services.needled_points_add(
        note,
        [
            PointSpec("bl 23", "bilateral", 25, 20, "manual"),
            PointSpec("GV3", "midline", 15, 20, "manual"),
            PointSpec("tp-ql", "left", 40, 10, "electro"),
        ],
        user=prac_user,
    )
    assert charted(note) == [("BL23", "bilateral"), ("GV3", "midline"), ("TP-QL", "left")]
    point = NeedledPoint.objects.get(code="TP-QL")
    assert (point.depth_mm, point.retention_minutes, point.stimulation) == (40, 10, "electro")
    assert point.overridden == point.override_reason == ""
    change = AuditEntry.objects.get(object_type="treatment.sessionnote", action="change")
    assert change.detail == "charted BL23, GV3, TP-QL"


def test_more_points_follow_the_ones_already_charted(note, prac_user):
    services.needled_points_add(note, [PointSpec("BL23", "left", 25, 20)], user=prac_user)
    services.needled_points_add(note, [PointSpec("BL40", "left", 15, 20)], user=prac_user)
    assert [p.position for p in NeedledPoint.objects.order_by("position")] == [1, 2]


def test_codes_with_shared_settings_give_midline_points_the_midline(note, prac_user):
    specs = services.specs_from_codes(
        ["BL23", "GV4", "EX-B2"],
        side="bilateral",
        depth_mm=20,
        retention_minutes=20,
        stimulation="manual",
    )
    services.needled_points_add(note, specs, user=prac_user)
    assert charted(note) == [("BL23", "bilateral"), ("GV4", "midline"), ("EX-B2", "bilateral")]


@pytest.mark.parametrize(
    ("spec", "code", "message"),
    [
        (PointSpec("BL68", "left", 20, 20), "unknown_point", "“BL68” is not a point"),
        (PointSpec("Shenshuu", "left", 20, 20), "unknown_point", "is not a point"),
        (PointSpec("", "left", 20, 20), "unknown_point", "“(blank)”"),
        (PointSpec("GV3", "left", 20, 20), "invalid_side", "GV3 lies on the midline"),
        (PointSpec("BL23", "midline", 20, 20), "invalid_side", "which side BL23"),
        (PointSpec("BL23", "", 20, 20), "invalid_side", "which side BL23"),
        (PointSpec("BL23", "left", 0, 20), "invalid_depth", "depth is a whole number"),
        (PointSpec("BL23", "left", 121, 20), "invalid_depth", "from 1 to 120"),
        (PointSpec("BL23", "left", "25", 20), "invalid_depth", "depth"),
        (PointSpec("BL23", "left", 25, 41), "retention_too_long", "at most 40 minutes"),
        (PointSpec("BL23", "left", 25, -5), "invalid_retention", "retention"),
        (PointSpec("BL23", "left", 25, 20, "laser"), "invalid_stimulation", "manual, electro"),
    ],
)
def test_a_bad_point_is_refused_clearly_and_nothing_of_the_batch_is_written(
    note, prac_user, spec, code, message
):
    good = PointSpec("BL40", "left", 15, 20)
    with pytest.raises(InvalidRequest) as refused:
        services.needled_points_add(note, [good, spec], user=prac_user)
    assert refused.value.code == code
    assert message in refused.value.message
    assert not NeedledPoint.objects.exists()


def test_an_unknown_code_suggests_what_was_meant(note, prac_user):
    with pytest.raises(InvalidRequest) as refused:
        services.needled_points_add(note, [PointSpec("shenshu2", "left", 20, 20)], user=prac_user)
    assert refused.value.code == "unknown_point"
    with pytest.raises(InvalidRequest) as refused:
        services.needled_points_add(note, [PointSpec("zusanli", "left", 20, 20)], user=prac_user)
    assert "Did you mean ST36 Zusanli?" in refused.value.message


def test_the_clinic_sets_the_longest_retention(note, prac_user, clinic):
    services.treatment_policy_update(clinic, user=prac_user, max_retention_minutes=30)
    with pytest.raises(InvalidRequest) as refused:
        services.needled_points_add(note, [PointSpec("BL23", "left", 25, 35)], user=prac_user)
    assert "at most 30 minutes" in refused.value.message
    services.needled_points_add(note, [PointSpec("BL23", "left", 25, 30)], user=prac_user)


def test_no_points_is_not_a_batch(note, prac_user):
    with pytest.raises(InvalidRequest) as refused:
        services.needled_points_add(note, [], user=prac_user)
    assert refused.value.code == "no_points"


def test_only_the_treating_practitioner_charts(note, admin_user):
    with pytest.raises(Forbidden):
        services.needled_points_add(note, [PointSpec("BL23", "left", 25, 20)], user=admin_user)


# ── Safety flags ─────────────────────────────────────────────────────────────────────


@pytest.fixture
def flagged_visit(patient, practitioner):
    """Trying to conceive (pregnancy points), a pacemaker (no electro), lymphoedema of
    the left arm (avoid the limb): flags that do not close the gate but limit charting."""
    return testing.ready_visit(
        patient,
        practitioner,
        pregnant="trying",
        implanted_device=True,
        implanted_device_kind=["pacemaker"],
        lymphoedema=True,
        lymphoedema_limbs=["left_arm"],
    )


@pytest.fixture
def flagged_note(flagged_visit):
    return testing.session_note(flagged_visit)


@pytest.mark.parametrize(
    ("spec", "flag"),
    [
        (PointSpec("SP6", "right", 20, 20), "avoid_point"),
        (PointSpec("BL60", "bilateral", 10, 20), "avoid_point"),
        (PointSpec("PC6", "left", 15, 20), "avoid_region"),
        (PointSpec("TP-DELT", "bilateral", 20, 10), "avoid_region"),
        (PointSpec("BL23", "bilateral", 25, 20, "electro"), "no_electro"),
    ],
)
def test_a_point_that_meets_a_flag_is_refused_without_a_reason(flagged_note, prac_user, spec, flag):
    with pytest.raises(OverrideNeeded) as refused:
        services.needled_points_add(
            flagged_note, [PointSpec("ST36", "left", 20, 20), spec], user=prac_user
        )
    assert refused.value.code == "safety_override_needed"
    assert refused.value.status == 409
    (problem,) = refused.value.problems
    assert problem["code"] == spec.code
    assert [c["code"] for c in problem["checks"]] == [flag]
    assert not NeedledPoint.objects.exists()


@pytest.mark.parametrize(
    ("site", "refused", "allowed"),
    [
        ("right_neck", PointSpec("GB20", "right", 10, 20), PointSpec("GB20", "left", 10, 20)),
        ("left_upper_trunk", PointSpec("BL15", "left", 15, 20), PointSpec("BL15", "right", 15, 20)),
        ("left_lower_trunk", PointSpec("BL23", "left", 25, 20), PointSpec("BL23", "right", 25, 20)),
    ],
)
def test_lymphoedema_of_a_trunk_quadrant_or_the_neck_is_refused_like_a_limb(
    patient, practitioner, prac_user, site, refused, allowed
):
    visit = testing.ready_visit(patient, practitioner, lymphoedema=True, lymphoedema_limbs=[site])
    note = testing.session_note(visit)
    with pytest.raises(OverrideNeeded) as stopped:
        services.needled_points_add(note, [refused], user=prac_user)
    (problem,) = stopped.value.problems
    assert [c["code"] for c in problem["checks"]] == ["avoid_region"]
    assert not NeedledPoint.objects.exists()
    services.needled_points_add(note, [allowed], user=prac_user)
    assert charted(note) == [(allowed.code, allowed.side)]


def test_the_same_points_on_the_clear_side_or_manually_are_charted_without_question(
    flagged_note, prac_user
):
    services.needled_points_add(
        flagged_note,
        [PointSpec("PC6", "right", 15, 20), PointSpec("BL23", "bilateral", 25, 20, "manual")],
        user=prac_user,
    )
    assert charted(flagged_note) == [("PC6", "right"), ("BL23", "bilateral")]


def test_with_a_reason_the_point_is_charted_with_the_override_kept_and_audited(
    flagged_note, prac_user
):
    services.needled_points_add(
        flagged_note,
        [PointSpec("SP6", "right", 20, 20), PointSpec("ST36", "right", 20, 20)],
        user=prac_user,
        override_reason="  Not pregnant (negative test today); discussed and agreed.  ",
    )
    sp6 = NeedledPoint.objects.get(code="SP6")
    st36 = NeedledPoint.objects.get(code="ST36")
    assert sp6.overridden == "avoid_point"
    assert sp6.override_reason == "Not pregnant (negative test today); discussed and agreed."
    # A point that met no flag carries no override.
    assert st36.overridden == st36.override_reason == ""
    entry = AuditEntry.objects.get(object_type="treatment.needledpoint", action="create")
    assert entry.detail == "SP6 needled despite avoid_point"
    assert entry.patient_id == flagged_note.patient_id
    assert entry.changed_fields == ["override_reason"]


def test_a_blank_reason_is_no_reason(flagged_note, prac_user):
    with pytest.raises(OverrideNeeded):
        services.needled_points_add(
            flagged_note, [PointSpec("SP6", "right", 20, 20)], user=prac_user, override_reason="  "
        )


def test_removing_a_point_from_a_draft_is_audited(note, prac_user):
    (point,) = services.needled_points_add(
        note, [PointSpec("BL23", "left", 25, 20)], user=prac_user
    )
    services.needled_point_remove(note, point.pk, user=prac_user)
    assert not NeedledPoint.objects.exists()
    assert AuditEntry.objects.filter(object_type="treatment.needledpoint", action="delete").exists()
    with pytest.raises(NotFound):
        services.needled_point_remove(note, point.pk, user=prac_user)


# ── Fast charting ────────────────────────────────────────────────────────────────────


def test_same_as_last_time_copies_the_last_signed_sessions_points(
    patient, practitioner, prac_user, lot
):
    first = testing.ready_visit(patient, practitioner, hour=8)
    testing.signed_note(first, lot)
    second = testing.session_note(testing.ready_visit(patient, practitioner, hour=10))
    services.note_prefill(second, user=prac_user)
    assert charted(second) == [
        ("BL23", "bilateral"),
        ("BL25", "bilateral"),
        ("GV3", "midline"),
        ("BL40", "bilateral"),
    ]


def test_same_as_last_time_needs_a_last_time(note, prac_user):
    with pytest.raises(InvalidRequest) as refused:
        services.note_prefill(note, user=prac_user)
    assert refused.value.code == "no_previous_session"


def test_same_as_last_time_still_checks_every_point_against_todays_flags(
    patient, practitioner, prac_user, lot
):
    first = testing.ready_visit(patient, practitioner, hour=8)
    testing.signed_note(first, lot, specs=[PointSpec("SP6", "bilateral", 20, 20)], needles=2)
    # Since then the patient has said she is trying to conceive: SP6 is to be avoided.
    second_visit = testing.ready_visit(patient, practitioner, hour=10, pregnant="trying")
    second = testing.session_note(second_visit)
    with pytest.raises(OverrideNeeded) as refused:
        services.note_prefill(second, user=prac_user)
    assert refused.value.problems[0]["code"] == "SP6"
    assert not NeedledPoint.objects.filter(note=second).exists()


def test_a_saved_prescription_charts_in_a_click_with_the_checks(
    flagged_note, practitioner, prac_user
):
    prescription = services.prescription_save(
        practitioner, name="Usual low back", specs=list(testing.LOW_BACK), user=prac_user
    )
    services.note_prefill(flagged_note, user=prac_user, prescription=prescription)
    assert [code for code, _ in charted(flagged_note)] == ["BL23", "BL25", "GV3", "BL40"]
    with_electro = services.prescription_save(
        practitioner,
        name="Electro back",
        specs=[PointSpec("BL23", "bilateral", 25, 20, "electro")],
        user=prac_user,
    )
    with pytest.raises(OverrideNeeded):
        services.note_prefill(flagged_note, user=prac_user, prescription=with_electro)


def test_a_prescription_is_the_practitioners_own(note, practitioner, prac_user):
    other = factories.practitioner("colleague", qualified_medical=True)
    theirs = services.prescription_save(
        other, name="Neck", specs=[PointSpec("GB20", "bilateral", 15, 20)], user=other.user
    )
    with pytest.raises(NotFound):
        services.note_prefill(note, user=prac_user, prescription=theirs)
    with pytest.raises(NotFound):
        services.prescription_delete(theirs, user=prac_user)
    assert PointPrescription.objects.filter(pk=theirs.pk).exists()


@pytest.mark.parametrize(
    ("name", "specs", "code"),
    [
        ("", [PointSpec("BL23", "left", 25, 20)], "name_required"),
        ("x" * 81, [PointSpec("BL23", "left", 25, 20)], "name_too_long"),
        ("Empty", [], "no_points"),
        ("Bad", [PointSpec("XX1", "left", 25, 20)], "unknown_point"),
        ("Long", [PointSpec("BL23", "left", 25, 90)], "retention_too_long"),
    ],
)
def test_a_bad_prescription_is_refused_and_not_saved(practitioner, prac_user, name, specs, code):
    with pytest.raises(InvalidRequest) as refused:
        services.prescription_save(practitioner, name=name, specs=specs, user=prac_user)
    assert refused.value.code == code
    assert not PointPrescription.objects.exists()


def test_prescription_names_are_unique_per_practitioner(practitioner, prac_user):
    specs = [PointSpec("BL23", "left", 25, 20)]
    services.prescription_save(practitioner, name="Back", specs=specs, user=prac_user)
    with pytest.raises(Conflict) as refused:
        services.prescription_save(practitioner, name="Back", specs=specs, user=prac_user)
    assert refused.value.code == "duplicate_prescription"
    services.prescription_delete(PointPrescription.objects.get(), user=prac_user)
    assert not PointPrescription.objects.exists()

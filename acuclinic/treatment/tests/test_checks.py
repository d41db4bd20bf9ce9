"""Every charted point against the patient's flags: points, regions and electro."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acuclinic.treatment import catalogue, checks
from acuclinic.treatment.checks import Restrictions

CAT = catalogue.load()


def codes_of(problems):
    return [p.code for p in problems]


def problems(code, side="bilateral", stimulation="manual", **flags):
    entry = CAT.entry(code)
    return checks.problems_for(
        entry,
        side="midline" if entry.is_midline else side,
        stimulation=stimulation,
        restrictions=Restrictions(**flags),
        catalogue=CAT,
    )


def test_a_patient_without_flags_may_be_needled_anywhere_with_anything():
    assert problems("BL23", stimulation="electro") == []


def test_a_point_on_the_patients_avoid_list_is_flagged_and_others_are_not():
    pregnancy = frozenset({"LI4", "SP6", "BL60"})
    assert codes_of(problems("LI4", avoid_points=pregnancy)) == ["avoid_point"]
    assert problems("LI4", avoid_points=pregnancy)[0].message == (
        "LI4 is on this patient's list of points to avoid."
    )
    assert problems("ST36", avoid_points=pregnancy) == []


def test_electro_is_flagged_only_when_barred_and_only_for_electro_stimulation():
    assert codes_of(problems("BL23", stimulation="electro", no_electro=True)) == ["no_electro"]
    assert problems("BL23", stimulation="manual", no_electro=True) == []
    assert problems("BL23", stimulation="heat", no_electro=True) == []
    assert problems("BL23", stimulation="electro", no_electro=False) == []


@pytest.mark.parametrize(
    ("flag", "code", "side", "flagged"),
    [
        # Lymphoedema answers name a whole limb: shoulder to fingers.
        ("left arm", "LI4", "left", True),
        ("left arm", "LI4", "bilateral", True),
        ("left arm", "LI4", "right", False),
        ("left arm", "LI15", "left", True),
        ("left arm", "ST36", "left", False),
        ("right leg", "ST36", "right", True),
        ("right leg", "LR12", "right", True),
        ("right leg", "GB30", "right", False),
        # Free text about a site.
        ("scar on the lower back", "BL23", "left", True),
        ("scar on the lower back", "GV3", "midline", True),
        ("scar on the lower back", "BL40", "left", False),
        ("eczema on the right knee", "ST35", "right", True),
        ("eczema on the right knee", "ST35", "left", False),
        ("eczema on the right knee", "EX-LE4", "bilateral", True),
        ("left knee and ankle", "ST35", "right", False),
        ("left knee and ankle", "KI3", "right", True),
        ("upper arm", "LU3", "left", True),
        ("upper arm", "LI4", "left", False),
        ("hip replacement, left", "GB30", "left", True),
        ("hip replacement, left", "TP-GMED", "left", True),
        ("hip replacement, left", "TP-GMED", "right", False),
        ("sore on the back", "BL23", "left", True),
        ("sore on the back", "SI11", "right", True),
        # Lymphoedema of a trunk quadrant or a side of the neck, as screening words it.
        ("left upper trunk (chest or upper back)", "BL15", "left", True),
        ("left upper trunk (chest or upper back)", "ST16", "left", True),
        ("left upper trunk (chest or upper back)", "BL15", "right", False),
        ("left upper trunk (chest or upper back)", "BL23", "left", False),
        ("right lower trunk (tummy or lower back)", "BL23", "right", True),
        ("right lower trunk (tummy or lower back)", "ST25", "right", True),
        ("right lower trunk (tummy or lower back)", "GV3", "midline", True),
        ("right lower trunk (tummy or lower back)", "ST25", "left", False),
        ("right lower trunk (tummy or lower back)", "BL15", "right", False),
        ("left side of the neck", "GB20", "left", True),
        ("left side of the neck", "GB20", "right", False),
        ("left side of the neck", "LI4", "left", False),
    ],
)
def test_a_region_to_avoid_flags_points_in_it_on_the_side_named(flag, code, side, flagged):
    found = codes_of(problems(code, side=side, avoid_regions=(flag,)))
    assert found == (["avoid_region"] if flagged else [])


def test_every_lymphoedema_site_screening_offers_is_placed_on_the_chart_with_its_side():
    from acuclinic.safety.questions import LYMPHOEDEMA_SITES

    for value, label in LYMPHOEDEMA_SITES:
        (placed,) = checks.place_region(label.lower(), CAT)
        assert placed.recognised, label
        assert placed.sides == {value.split("_")[0]}, label


def test_a_midline_point_meets_a_region_flag_on_either_side():
    assert codes_of(problems("GV3", avoid_regions=("left lower back",))) == ["avoid_region"]
    assert codes_of(problems("GV3", avoid_regions=("right lower back",))) == ["avoid_region"]


def test_a_region_the_program_cannot_place_asks_the_practitioner_about_every_point():
    for code in ("BL23", "LI4", "TP-QL"):
        found = problems(code, avoid_regions=("the old tattoo",))
        assert codes_of(found) == ["region_unrecognised"]
        assert "“the old tattoo”" in found[0].message


def test_the_phrase_upper_arm_names_the_upper_arm_and_not_the_whole_arm():
    (placed,) = checks.place_region("Right upper arm", CAT)
    assert placed.regions == frozenset({"upper_arm"})
    assert placed.sides == frozenset({"right"})


def test_every_flag_of_a_patient_is_reported_together():
    found = problems(
        "LI4",
        side="left",
        stimulation="electro",
        avoid_points=frozenset({"LI4"}),
        avoid_regions=("left arm",),
        no_electro=True,
    )
    assert codes_of(found) == ["avoid_point", "avoid_region", "no_electro"]


def test_an_override_covers_only_the_kinds_of_flag_it_names():
    found = problems("LI4", stimulation="electro", avoid_points=frozenset({"LI4"}), no_electro=True)
    assert codes_of(checks.unresolved(found, ["avoid_point"])) == ["no_electro"]
    assert checks.unresolved(found, ["avoid_point", "no_electro"]) == []


def test_restrictions_are_read_from_a_safety_assessment():
    from acuclinic.safety.rules import Assessment, Outcome

    assessment = Assessment(
        outcome=Outcome.PRECAUTION,
        avoid_points=("LI4", "SP6"),
        avoid_regions=("left arm",),
        no_electro=True,
    )
    restrictions = Restrictions.from_assessment(assessment)
    assert restrictions == Restrictions(frozenset({"LI4", "SP6"}), ("left arm",), True)
    assert Restrictions.from_assessment(None) == Restrictions()
    assert not Restrictions().any


paired_entries = st.sampled_from([e for e in CAT.entries if not e.is_midline])
sides = st.sampled_from(["left", "right"])


@given(entry=paired_entries, side=sides)
def test_a_flag_naming_a_points_own_region_and_side_never_lets_it_pass(entry, side):
    region = next(r for r in CAT.regions if r.id == entry.regions[0])
    flag = f"{side} {region.terms[0]}"
    found = checks.problems_for(
        entry,
        side=side,
        stimulation="manual",
        restrictions=Restrictions(avoid_regions=(flag,)),
        catalogue=CAT,
    )
    assert "avoid_region" in codes_of(found)


@given(entry=paired_entries, side=sides)
def test_a_flag_on_the_other_side_of_a_paired_point_does_not_stop_it(entry, side):
    other = "right" if side == "left" else "left"
    region = next(r for r in CAT.regions if r.id == entry.regions[0])
    found = checks.problems_for(
        entry,
        side=side,
        stimulation="manual",
        restrictions=Restrictions(avoid_regions=(f"{other} {region.terms[0]}",)),
        catalogue=CAT,
    )
    assert found == []

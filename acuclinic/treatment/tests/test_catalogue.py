"""The point catalogues: complete, sourced, searchable, and refused loudly when malformed."""

import shutil

import pytest
from django.apps import apps

from acuclinic.treatment import catalogue
from acuclinic.treatment.apps import TreatmentConfig
from acuclinic.treatment.catalogue import CatalogueError

# shared/clinical §6: WHO Standard Acupuncture Point Locations (2008), points per meridian.
CLINICAL_REFERENCE_COUNTS = {
    "LU": 11,
    "LI": 20,
    "ST": 45,
    "SP": 21,
    "HT": 9,
    "SI": 19,
    "BL": 67,
    "KI": 27,
    "PC": 9,
    "TE": 23,
    "GB": 44,
    "LR": 14,
    "GV": 28,
    "CV": 24,
}


@pytest.fixture(scope="module")
def cat():
    return catalogue.load()


def test_every_meridian_has_as_many_points_as_the_who_standard(cat):
    counted = {code: count for code, _, count in cat.meridians}
    assert counted == CLINICAL_REFERENCE_COUNTS
    who_points = cat.of_kind(catalogue.ACUPOINT)
    assert len(who_points) == sum(CLINICAL_REFERENCE_COUNTS.values()) == 361
    assert {e.code for e in who_points} == {
        f"{m}{n}" for m, count in CLINICAL_REFERENCE_COUNTS.items() for n in range(1, count + 1)
    }


@pytest.mark.parametrize(
    ("code", "name", "meridian", "region"),
    [
        ("LU1", "Zhongfu", "Lung", "chest"),
        ("LI4", "Hegu", "Large Intestine", "hand"),
        ("ST36", "Zusanli", "Stomach", "lower_leg"),
        ("SP6", "Sanyinjiao", "Spleen", "lower_leg"),
        ("HT7", "Shenmen", "Heart", "wrist"),
        ("BL23", "Shenshu", "Bladder", "lumbar"),
        ("BL40", "Weizhong", "Bladder", "knee"),
        ("BL60", "Kunlun", "Bladder", "ankle"),
        ("KI3", "Taixi", "Kidney", "ankle"),
        ("PC6", "Neiguan", "Pericardium", "forearm"),
        ("TE5", "Waiguan", "Triple Energizer", "forearm"),
        ("GB21", "Jianjing", "Gallbladder", "neck"),
        ("GB30", "Huantiao", "Gallbladder", "buttock"),
        ("LR3", "Taichong", "Liver", "foot"),
        ("GV4", "Mingmen", "Governor Vessel", "lumbar"),
        ("CV24", "Chengjiang", "Conception Vessel", "face"),
    ],
)
def test_well_known_points_carry_their_who_name_meridian_and_region(
    cat, code, name, meridian, region
):
    entry = cat.entry(code)
    assert (entry.name, entry.meridian_name, entry.regions) == (name, meridian, (region,))


def test_vessel_points_lie_on_the_midline_and_every_other_point_is_paired(cat):
    for entry in cat.of_kind(catalogue.ACUPOINT):
        on_vessel = entry.meridian in ("GV", "CV")
        assert entry.is_midline is on_vessel, entry.code
        assert (entry.dx == 0) is on_vessel, entry.code


def test_the_low_back_points_and_muscles_of_the_clinical_reference_can_be_charted(cat):
    # shared/clinical §6: commonly used for low back pain.
    for code in ("BL23", "BL25", "BL40", "BL57", "BL60", "GV3", "GV4", "GB30", "EX-B2"):
        assert cat.entry(code) is not None, code
    muscles = {e.name for e in cat.of_kind(catalogue.TRIGGER_POINT)}
    for muscle in (
        "Quadratus lumborum",
        "Gluteus medius",
        "Gluteus minimus",
        "Piriformis",
        "Iliocostalis lumborum",
        "Longissimus thoracis",
        "Multifidus (lumbar)",
        "Iliopsoas",
        "Trapezius, upper fibres",
        "Levator scapulae",
        "Splenius capitis",
        "Infraspinatus",
    ):
        assert muscle in muscles, muscle


def test_common_extra_points_are_listed_with_their_codes(cat):
    assert cat.entry("EX-B2").name == "Jiaji (Huatuojiaji)"
    assert cat.entry("EX-HN3").name == "Yintang"
    assert cat.entry("EX-HN5").name == "Taiyang"
    assert cat.entry("EX-HN3").is_midline


def test_every_entry_names_its_source_and_a_region_of_the_chart(cat):
    regions = {r.id for r in cat.regions}
    for entry in cat.entries:
        assert entry.source.strip(), entry.code
        assert set(entry.regions) <= regions, entry.code
        assert entry.view in catalogue.VIEWS


@pytest.mark.parametrize("typed", ["BL23", "bl23", "BL 23", "bl-23", "Bl023", " bl 23 "])
def test_a_code_is_found_however_it_is_typed(cat, typed):
    assert cat.entry(typed).code == "BL23"
    assert cat.search(typed)[0].code == "BL23"


@pytest.mark.parametrize(
    ("typed", "code"),
    [("ex b 2", "EX-B2"), ("EX-B2", "EX-B2"), ("tp ql", "TP-QL"), ("gv 20", "GV20")],
)
def test_extra_points_and_trigger_points_are_found_by_code(cat, typed, code):
    assert cat.entry(typed).code == code


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Shenshu", "BL23"),
        ("zusanli", "ST36"),
        ("Zúsānlǐ", "ST36"),
        ("quadratus", "TP-QL"),
        ("huatuo", "EX-B2"),
        ("piriformis", "TP-PIRI"),
    ],
)
def test_names_are_found_without_caring_about_case_or_tone_marks(cat, query, first):
    assert cat.search(query)[0].code == first


def test_a_code_prefix_lists_the_points_that_start_with_it_in_order(cat):
    found = [e.code for e in cat.search("BL2")]
    assert found[:4] == ["BL2", "BL20", "BL21", "BL22"]
    assert "LI2" not in found


def test_search_can_be_limited_to_one_kind(cat):
    found = cat.search("gluteus", kind=catalogue.TRIGGER_POINT)
    assert [e.code for e in found] == ["TP-GMAX", "TP-GMED", "TP-GMIN"]
    assert cat.search("gluteus", kind=catalogue.ACUPOINT) == []


def test_nothing_is_found_for_an_empty_or_unknown_query(cat):
    assert cat.search("   ") == []
    assert cat.search("xyzzy") == []
    assert cat.entry("BL68") is None
    assert cat.entry("") is None


# ── Malformed files stop the application ─────────────────────────────────────────────


@pytest.fixture
def data_dir(tmp_path):
    for name in catalogue.FILES:
        shutil.copy(catalogue.DATA_DIR / name, tmp_path / name)
    return tmp_path


def _edit(data_dir, filename: str, old: str, new: str) -> None:
    path = data_dir / filename
    text = path.read_text()
    assert old in text, f"{old!r} not in {filename}"
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("filename", "old", "new", "message"),
    [
        (
            "acupoints.toml",
            '{ n = 23, pinyin = "Shenshu"',
            '{ n = 24, pinyin = "Shenshu"',
            "acupoints.toml: BL23: points must be numbered in order",
        ),
        (
            "acupoints.toml",
            'pinyin = "Shenshu", region = "lumbar"',
            'pinyin = "Shenshu", region = "lumber"',
            "BL23: “lumber” is not a region in regions.toml",
        ),
        (
            "acupoints.toml",
            '{ n = 4, pinyin = "Mingmen", region = "lumbar", view = "back", dx = 0',
            '{ n = 4, pinyin = "Mingmen", region = "lumbar", view = "back", dx = 5',
            "GV4: a midline point sits on the midline",
        ),
        (
            "acupoints.toml",
            '{ n = 36, pinyin = "Zusanli", region = "lower_leg", view = "front"',
            '{ n = 36, pinyin = "Zusanli", region = "lower_leg", view = "side"',
            "ST36: “view” must be front or back",
        ),
        (
            "acupoints.toml",
            '{ n = 4, pinyin = "Hegu",',
            '{ n = 4, pinyin = "Hegu", colour = "red",',
            "LI4: unknown field “colour”",
        ),
        ("acupoints.toml", 'code = "LU"', 'code = "Lung"', "meridian “Lung”: “code” must be"),
        (
            "acupoints.toml",
            'version = "who-2008"',
            'version = "who-2008"\n[[meridian',
            "acupoints.toml: not valid TOML",
        ),
        (
            "extra_points.toml",
            'code = "EX-HN5"',
            'code = "EX-HN3"',
            "the code EX-HN3 is used twice",
        ),
        (
            "extra_points.toml",
            'sides = "paired"',
            'sides = "both"',
            "“sides” must be midline or paired",
        ),
        (
            "trigger_points.toml",
            'code = "TP-QL"',
            'code = "QL"',
            "muscle “QL”: “code” must be TP- and capital letters",
        ),
        (
            "trigger_points.toml",
            'name = "Piriformis"',
            'name = ""',
            "muscle “TP-PIRI”: “name” is missing",
        ),
        ("regions.toml", 'terms = ["elbow", "elbows"]', 'terms = ["elbow", "knee"]', "“knee”"),
        (
            "adverse_events.toml",
            'id = "nausea"',
            'id = "queasy"',
            "adverse_events.toml: types must be",
        ),
        (
            "adverse_events.toml",
            'types = ["drowsiness"]',
            'types = ["sleepy"]',
            "comparison “tiredness”: “types” must list event types",
        ),
        # A survey of significant events beside a count of every reaction is refused…
        (
            "adverse_events.toml",
            '{ compare = "significant", count = 43, of = 31822,',
            '{ compare = "any-patient", count = 43, of = 31822,',
            "study “white-2001”: a study that counted only significant events cannot sit "
            "beside “any-patient”, which counts every event",
        ),
        # …and so is a study of every reaction beside the significant events.
        (
            "adverse_events.toml",
            '{ compare = "any-patient", count = 682,',
            '{ compare = "significant", count = 682,',
            "study “macpherson-2004”: a study that counted every event cannot sit beside "
            "“significant”, which counts only significant events",
        ),
        (
            "adverse_events.toml",
            "value = 107.0, low = 100.0",
            "value = 170.0, low = 100.0",
            "“value” 170 is not 682 ÷ 6348 × 1,000 (107.44)",
        ),
        (
            "adverse_events.toml",
            "low = 100.0, high = 115.0",
            "low = 110.0, high = 115.0",
            "interval gives “low” ≤ value ≤ “high”",
        ),
        (
            "adverse_events.toml",
            'counted = "every"\ndefinition = "Adverse effects',
            'counted = "all"\ndefinition = "Adverse effects',
            "study “witt-2009”: “counted” must be significant or every",
        ),
        (
            "adverse_events.toml",
            'severities = ["moderate", "serious"]\nquestion',
            'severities = ["moderate"]\nquestion',
            "[significant]: “severities” must be a severity and every graver one",
        ),
        (
            "adverse_events.toml",
            'types = ["fainting", "retained_needle", "infection", "pneumothorax"]',
            'types = ["fainting", "forgotten_needle"]',
            "[significant]: “types” must list event types",
        ),
        (
            "aftercare.toml",
            'id = "keep-clean"',
            'id = "drowsiness"',
            "advice “drowsiness”: “id” must be unique",
        ),
    ],
)
def test_a_malformed_data_file_is_refused_naming_the_file_entry_and_problem(
    data_dir, filename, old, new, message
):
    _edit(data_dir, filename, old, new)
    with pytest.raises(CatalogueError) as refused:
        catalogue.load(data_dir)
    assert message in str(refused.value)


def test_a_missing_data_file_is_refused(data_dir):
    (data_dir / "trigger_points.toml").unlink()
    with pytest.raises(CatalogueError, match=r"trigger_points.toml: cannot be read"):
        catalogue.load(data_dir)


def test_the_shipped_data_loads_from_a_copy_unchanged(data_dir, cat):
    assert catalogue.load(data_dir) == cat


def test_the_application_refuses_to_start_with_a_malformed_catalogue(data_dir, monkeypatch):
    _edit(data_dir, "acupoints.toml", 'pinyin = "Hegu"', 'pinyin = ""')
    monkeypatch.setattr(catalogue, "DATA_DIR", data_dir)
    config = apps.get_app_config("treatment")
    try:
        with pytest.raises(CatalogueError, match="LI4: “pinyin” is missing"):
            config.ready()
    finally:
        catalogue.current.cache_clear()


def test_the_application_starts_with_the_shipped_catalogue():
    assert isinstance(apps.get_app_config("treatment"), TreatmentConfig)
    assert len(catalogue.current().entries) > 361

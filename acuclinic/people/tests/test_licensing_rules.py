"""Who may needle where: the credential rules with a location's council licensing.

Pure rules (people.credentials) over plain values: every regime × profession × the
practitioner's and the premises' council registration valid, ended or missing.
"""

from datetime import date, timedelta
from pathlib import Path

import pytest

from acuclinic.clinic.choices import LicensingRegime
from acuclinic.people import credentials
from acuclinic.people.choices import CredentialKind, Profession
from acuclinic.people.credentials import (
    CredentialFacts,
    Licensing,
    LicensingDataError,
    PremisesFacts,
    may_needle_some_day,
    missing_credentials,
    shortfall,
)

DAY = date(2026, 3, 3)
YEAR_AGO = DAY - timedelta(days=365)
NEXT_YEAR = DAY + timedelta(days=365)
COUNCIL = "Leeds City Council"
S14, LONDON, NONE = "lgmpa_1982_s14", "llaa_1991", "none"
REGULATOR = {"physiotherapist": "HCPC", "doctor": "GMC", "nurse": "NMC", "acupuncturist": None}

# What we verified (people/data/licensing.toml): under s.14 only doctors (and dentists)
# are exempt; in London doctors and HCPC registrants (physiotherapists), while nurses and
# acupuncturists depend on a body's notice to the borough, which we cannot check.
EXEMPT = {S14: {"doctor"}, LONDON: {"doctor", "physiotherapist"}}

# A council registration or premises registration: in date, ended the day before, or none.
STATES = {
    "valid": (YEAR_AGO, None),
    "ended": (YEAR_AGO, DAY - timedelta(days=1)),
    "missing": None,
}


def own_credentials(profession: str, council: str | None = None, state: str = "valid"):
    """Registration (if regulated), AACP membership and insurance in date on DAY, plus a
    council registration in ``state``."""
    held = [
        CredentialFacts("membership", "AACP", YEAR_AGO, NEXT_YEAR),
        CredentialFacts("insurance", "Hollins Mutual", YEAR_AGO, NEXT_YEAR),
    ]
    if REGULATOR[profession]:
        held.append(CredentialFacts("registration", REGULATOR[profession], YEAR_AGO, NEXT_YEAR))
    if council and STATES[state]:
        held.append(CredentialFacts("local_authority", council, *STATES[state]))
    return held


def licensing(regime: str, state: str = "valid", council: str = COUNCIL) -> Licensing:
    registrations = (PremisesFacts(council, *STATES[state]),) if STATES[state] else ()
    return Licensing(
        regime=regime,
        authority=council if regime != NONE else "",
        premises="Ashbridge",
        registrations=registrations,
    )


CASES = [
    (regime, profession, own, premises)
    for regime in (S14, LONDON)
    for profession in REGULATOR
    for own in STATES
    for premises in STATES
]


@pytest.mark.parametrize(
    ("regime", "profession", "own", "premises"),
    CASES,
    ids=[f"{r}-{p}-own {o}-premises {q}" for r, p, o, q in CASES],
)
def test_each_regime_profession_and_registration_state(regime, profession, own, premises):
    found = shortfall(
        profession, own_credentials(profession, COUNCIL, own), DAY, licensing(regime, premises)
    )
    if profession in EXEMPT[regime]:
        assert not found, "an exempt profession needs nothing from the council"
        return
    document = {
        S14: ("acupuncture registration", "acupuncture premises registration"),
        LONDON: (
            "special treatment licence or therapist registration",
            "special treatment licence",
        ),
    }[regime]
    expected_own = [] if own == "valid" else [f"no {COUNCIL} {document[0]} valid on 3 Mar 2026"]
    expected_premises = (
        []
        if premises == "valid"
        else [f"the premises at Ashbridge have no {COUNCIL} {document[1]} valid on 3 Mar 2026"]
    )
    assert list(found.own) == expected_own
    assert list(found.premises) == expected_premises
    assert bool(found) == bool(expected_own or expected_premises)


@pytest.mark.parametrize("profession", list(REGULATOR))
@pytest.mark.parametrize("state", list(STATES))
def test_where_the_council_licenses_nothing_nobody_needs_its_registration(profession, state):
    assert (
        missing_credentials(profession, own_credentials(profession), DAY, licensing(NONE, state))
        == []
    )


def test_without_a_location_only_the_practitioners_own_credentials_count():
    assert missing_credentials("acupuncturist", own_credentials("acupuncturist"), DAY) == []


def test_a_registration_with_another_council_does_not_count():
    held = own_credentials("acupuncturist", "Bradford Council")
    found = shortfall("acupuncturist", held, DAY, licensing(S14, "valid"))
    assert found.own == ("no Leeds City Council acupuncture registration valid on 3 Mar 2026",)
    premises_elsewhere = Licensing(
        S14, COUNCIL, "Ashbridge", (PremisesFacts("Bradford Council", YEAR_AGO, None),)
    )
    found = shortfall(
        "acupuncturist", own_credentials("acupuncturist", COUNCIL), DAY, premises_elsewhere
    )
    assert found.premises == (
        "the premises at Ashbridge have no Leeds City Council acupuncture premises "
        "registration valid on 3 Mar 2026",
    )


def test_the_council_is_matched_whatever_its_spacing_and_capitals():
    held = own_credentials("acupuncturist", "leeds  city COUNCIL")
    assert not shortfall("acupuncturist", held, DAY, licensing(S14))


def test_a_registration_with_no_end_date_holds_from_its_start_on():
    held = own_credentials("nurse", COUNCIL)
    place = licensing(S14)
    ten_years_on = shortfall("nurse", held, DAY + timedelta(days=3650), place)
    assert not any(COUNCIL in problem for problem in ten_years_on.clauses())
    before = shortfall("nurse", held, YEAR_AGO - timedelta(days=1), place)
    assert "no Leeds City Council acupuncture registration valid on 2 Mar 2025" in before.own


def test_the_gate_reads_each_problem_as_a_sentence():
    found = shortfall(
        "acupuncturist", own_credentials("acupuncturist"), DAY, licensing(LONDON, "missing")
    )
    assert found.sentences("Rosie Atkinson") == [
        "Rosie Atkinson has no Leeds City Council special treatment licence or therapist "
        "registration valid on 3 Mar 2026.",
        "The premises at Ashbridge have no Leeds City Council special treatment licence "
        "valid on 3 Mar 2026.",
    ]


def test_a_lapsed_registration_is_reported_before_the_council():
    held = [c for c in own_credentials("physiotherapist", COUNCIL) if c.kind != "registration"]
    assert missing_credentials("physiotherapist", held, DAY, licensing(S14)) == [
        "no HCPC registration valid on 3 Mar 2026"
    ]


# The BAAB ------------------------------------------------------------------------------


def test_a_baab_membership_does_not_count_and_the_reason_names_it():
    held = [
        CredentialFacts("membership", "BAAB", YEAR_AGO, NEXT_YEAR),
        CredentialFacts("insurance", "Hollins Mutual", YEAR_AGO, NEXT_YEAR),
    ]
    assert missing_credentials("acupuncturist", held, DAY) == [
        "no acupuncture body membership valid on 3 Mar 2026 (the BAAB membership on file "
        "does not count: the BAAB accredits acupuncture courses, it is not a membership body)"
    ]


def test_a_baab_membership_beside_a_real_one_changes_nothing():
    held = [
        *own_credentials("acupuncturist"),
        CredentialFacts("membership", "BAAB", YEAR_AGO, NEXT_YEAR),
    ]
    assert missing_credentials("acupuncturist", held, DAY) == []
    assert not credentials.counts("membership", "BAAB")
    assert credentials.counts("membership", "BAcC")
    assert "BAAB" not in credentials.MEMBERSHIP_BODIES


# Any day in a window (online booking's list of practitioners) --------------------------


def test_a_licence_starting_later_in_the_window_makes_them_bookable_then():
    starts = DAY + timedelta(days=20)
    held = [
        *own_credentials("acupuncturist"),
        CredentialFacts("local_authority", COUNCIL, starts, None),
    ]
    place = licensing(S14)
    assert not may_needle_some_day("acupuncturist", held, DAY, DAY + timedelta(days=19), place)
    assert may_needle_some_day("acupuncturist", held, DAY, DAY + timedelta(days=20), place)


def test_a_licence_that_ends_before_the_window_does_not():
    held = own_credentials("acupuncturist", COUNCIL, "ended")
    place = licensing(S14)
    assert not may_needle_some_day("acupuncturist", held, DAY, DAY + timedelta(days=90), place)
    assert may_needle_some_day(
        "acupuncturist", held, DAY - timedelta(days=1), DAY + timedelta(days=90), place
    )


# The data file -------------------------------------------------------------------------


def test_the_regimes_are_the_locations_choices_and_cover_every_profession():
    assert set(credentials.regimes()) == set(LicensingRegime.values)
    assert set(credentials.PROFESSIONS) == set(Profession.values)
    assert credentials.LOCAL_AUTHORITY == CredentialKind.LOCAL_AUTHORITY
    for code, regime in credentials.regimes().items():
        if code != NONE:
            assert regime.exempt == EXEMPT[code]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "licensing.toml"
    path.write_text(text, encoding="utf-8")
    return path


NONE_REGIME = """
[[regime]]
code = "none"
label = "None"
practitioner_needs = ""
premises_needs = ""
source = "s"
checked = "c"
"""


def test_a_regime_without_an_entry_for_each_profession_is_refused(tmp_path):
    text = (
        NONE_REGIME
        + """
[[regime]]
code = "lgmpa_1982_s14"
label = "s.14"
practitioner_needs = "registration"
premises_needs = "premises registration"
source = "s"
checked = "c"
[regime.profession.doctor]
exempt = true
source = "s.14(8)"
checked = "read"
"""
    )
    with pytest.raises(LicensingDataError, match="one entry for each of"):
        credentials.load(_write(tmp_path, text))


def test_an_exemption_without_its_source_is_refused(tmp_path):
    entries = "".join(
        f'[regime.profession.{p}]\nexempt = false\nsource = "s"\nchecked = "c"\n'
        for p in credentials.PROFESSIONS
        if p != "doctor"
    )
    text = (
        NONE_REGIME
        + f"""
[[regime]]
code = "llaa_1991"
label = "London"
practitioner_needs = "licence"
premises_needs = "licence"
source = "s"
checked = "c"
[regime.profession.doctor]
exempt = true
source = ""
checked = ""
{entries}"""
    )
    with pytest.raises(LicensingDataError, match="doctor: give the source"):
        credentials.load(_write(tmp_path, text))


def test_a_file_without_the_none_regime_is_refused(tmp_path):
    with pytest.raises(LicensingDataError, match="'none' regime is missing"):
        credentials.load(_write(tmp_path, 'version = "x"\n'))


def test_the_none_regime_may_ask_nothing(tmp_path):
    text = NONE_REGIME.replace('practitioner_needs = ""', 'practitioner_needs = "licence"')
    with pytest.raises(LicensingDataError, match="asks nothing"):
        credentials.load(_write(tmp_path, text))

"""Recording licences without the Django shell: a clinic admin sets a location's council
licensing, records the premises' registration and the practitioners' credentials through
the API; the practitioners endpoint then says who may needle where today, and why not.
Bad input is a 422 with a stable code and leaves nothing written; each write is audited."""

from datetime import timedelta

import pytest
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Location, PremisesRegistration
from acuclinic.people.choices import CredentialKind, Profession
from acuclinic.people.models import Credential
from acuclinic.testing import factories
from acuclinic.testing.api_client import as_user

COUNCIL = "Testford Borough Council"
BOROUGH = "London Borough of Testford"


@pytest.fixture
def admin(admin_user):
    return as_user(admin_user)


@pytest.fixture
def location(clinic):
    return Location.objects.get(name="Riverside")


@pytest.fixture
def acupuncturist(clinic):
    return factories.practitioner(
        "rosie", profession=Profession.ACUPUNCTURIST, qualified_traditional=True
    )


def _today(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _at(body: dict, location: Location) -> dict:
    return next(c for c in body["at_locations"] if c["location_id"] == location.pk)


def test_an_admin_licenses_a_location_and_registers_it_and_a_practitioner(
    admin, location, acupuncturist
):
    changed = admin.put(
        f"/locations/{location.pk}/licensing",
        {"licensing_regime": "lgmpa_1982_s14", "licensing_authority": f"  {COUNCIL} "},
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["licensing_authority"] == COUNCIL
    assert changed.json()["licensing_regime_display"].startswith("Registration with the council")

    before = admin.get(f"/practitioners/{acupuncturist.pk}").json()
    assert _at(before, location) == {
        "location_id": location.pk,
        "location": "Riverside",
        "may_needle_today": False,
        "problems": [
            f"no {COUNCIL} acupuncture registration valid on {timezone.localdate():%-d %b %Y}",
            f"the premises at Riverside have no {COUNCIL} acupuncture premises registration "
            f"valid on {timezone.localdate():%-d %b %Y}",
        ],
    }
    # Their own credentials hold: only this location's council is missing.
    assert before["credentials_valid_today"] is True

    premises = admin.post(
        f"/locations/{location.pk}/premises-registrations",
        {"number": "ACU/2026/7", "valid_from": _today(-30)},
    )
    assert premises.status_code == 201, premises.json()
    assert premises.json()["authority"] == COUNCIL
    assert premises.json()["valid_until"] is None
    own = admin.post(
        f"/practitioners/{acupuncturist.pk}/credentials",
        {
            "kind": "local_authority",
            "body": "testford borough council",
            "number": "ACU/2026/8",
            "valid_from": _today(-30),
        },
    )
    assert own.status_code == 201, own.json()
    assert own.json()["body"] == COUNCIL  # spelt as the location spells it
    assert own.json()["kind_display"] == "Local authority acupuncture registration or licence"

    after = admin.get(f"/practitioners/{acupuncturist.pk}").json()
    assert _at(after, location)["may_needle_today"] is True
    assert {c["number"] for c in after["credentials"]} >= {"ACU/2026/8"}
    listed = {loc["id"]: loc for loc in admin.get("/locations").json()}
    assert listed[location.pk]["premises_registrations"][0]["number"] == "ACU/2026/7"

    audited = AuditEntry.objects.filter(actor__username="admin").values_list(
        "action", "object_type"
    )
    assert set(audited) >= {
        ("change", "clinic.location"),
        ("create", "clinic.premisesregistration"),
        ("create", "people.credential"),
    }


def test_reception_sees_the_licensing_but_not_the_registration_numbers(
    reception_user, location, acupuncturist
):
    factories.license_location(location, council=COUNCIL)
    reception = as_user(reception_user)
    listed = {loc["id"]: loc for loc in reception.get("/locations").json()}
    assert listed[location.pk]["licensing_regime"] == "lgmpa_1982_s14"
    assert listed[location.pk]["licensing_authority"] == COUNCIL
    assert listed[location.pk]["premises_registrations"] is None
    practitioner = reception.get(f"/practitioners/{acupuncturist.pk}").json()
    assert practitioner["credentials"] is None
    assert _at(practitioner, location)["may_needle_today"] is False


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"licensing_regime": "lgmpa_1982_s14", "licensing_authority": "  "}, "council_missing"),
        ({"licensing_regime": "none", "licensing_authority": COUNCIL}, "council_without_licensing"),
    ],
)
def test_a_regime_and_its_council_go_together(admin, location, body, code):
    response = admin.put(f"/locations/{location.pk}/licensing", body)
    assert response.status_code == 422
    assert response.json()["code"] == code
    location.refresh_from_db()
    assert (location.licensing_regime, location.licensing_authority) == ("none", "")
    assert not AuditEntry.objects.filter(object_type="clinic.location").exists()


def test_an_unknown_regime_is_refused(admin, location):
    response = admin.put(
        f"/locations/{location.pk}/licensing",
        {"licensing_regime": "scotland", "licensing_authority": COUNCIL},
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("regime", "body", "code"),
    [
        ("none", {"number": "X1", "valid_from": _today()}, "licensing_not_set"),
        (
            "lgmpa_1982_s14",
            {"number": "X1", "valid_from": _today(), "authority": "Another Council"},
            "wrong_council",
        ),
        (
            "lgmpa_1982_s14",
            {"number": "X1", "valid_from": _today(), "valid_until": _today(-1)},
            "invalid_valid_until",
        ),
        ("llaa_1991", {"number": "X1", "valid_from": _today()}, "invalid_valid_until"),
        ("lgmpa_1982_s14", {"number": "  ", "valid_from": _today()}, "invalid_number"),
    ],
    ids=[
        "no licensing",
        "another council",
        "ends before it starts",
        "London without end",
        "no number",
    ],
)
def test_a_premises_registration_that_could_never_count_is_refused(
    admin, location, regime, body, code
):
    if regime != "none":
        factories.license_location(
            location,
            regime=regime,
            council=BOROUGH if regime == "llaa_1991" else COUNCIL,
            premises_from=False,
        )
    response = admin.post(f"/locations/{location.pk}/premises-registrations", body)
    assert response.status_code == 422, response.json()
    assert response.json()["code"] == code
    assert not PremisesRegistration.objects.exists()
    assert not AuditEntry.objects.filter(object_type="clinic.premisesregistration").exists()


def test_the_same_premises_registration_twice_is_a_conflict(admin, location):
    factories.license_location(location, council=COUNCIL, premises_from=False)
    body = {"number": "ACU/1", "valid_from": _today()}
    assert admin.post(f"/locations/{location.pk}/premises-registrations", body).status_code == 201
    again = admin.post(f"/locations/{location.pk}/premises-registrations", body)
    assert again.status_code == 409
    assert again.json()["code"] == "duplicate_registration"
    assert PremisesRegistration.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (
            {"kind": "local_authority", "body": "Leeds City Council", "number": "A1"},
            "unknown_council",
        ),
        (
            {"kind": "membership", "body": "BAAB", "number": "B1", "valid_until": _today(300)},
            "invalid_body",
        ),
        ({"kind": "insurance", "body": "Hollins Mutual", "number": "P1"}, "invalid_valid_until"),
        (
            {"kind": "registration", "body": "HCPC", "number": "12345", "valid_until": _today(300)},
            "invalid_number",
        ),
    ],
    ids=["council no location names", "BAAB", "insurance without end", "HCPC number"],
)
def test_a_credential_that_breaks_a_rule_is_refused_and_nothing_is_written(
    admin, location, acupuncturist, body, code
):
    factories.license_location(location, council=COUNCIL)
    before = Credential.objects.count()
    response = admin.post(
        f"/practitioners/{acupuncturist.pk}/credentials", {"valid_from": _today(), **body}
    )
    assert response.status_code == 422, response.json()
    assert response.json()["code"] == code
    assert Credential.objects.count() == before
    assert not AuditEntry.objects.filter(object_type="people.credential").exists()


def test_the_baab_refusal_says_why(admin, acupuncturist):
    response = admin.post(
        f"/practitioners/{acupuncturist.pk}/credentials",
        {
            "kind": "membership",
            "body": "BAAB",
            "number": "B1",
            "valid_from": _today(),
            "valid_until": _today(300),
        },
    )
    assert "accredits acupuncture courses" in response.json()["message"]


def test_a_baab_membership_on_file_is_shown_as_not_counting(admin, acupuncturist):
    Credential.objects.filter(practitioner=acupuncturist, kind=CredentialKind.MEMBERSHIP).update(
        body="BAAB"
    )
    body = admin.get(f"/practitioners/{acupuncturist.pk}").json()
    baab = next(c for c in body["credentials"] if c["body"] == "BAAB")
    assert baab["counts"] is False
    assert "not a membership body" in baab["note"]
    assert body["credentials_valid_today"] is False
    assert "the BAAB membership on file does not count" in body["credential_problems"][0]


def test_an_admin_removes_a_credential_recorded_by_mistake(admin, acupuncturist, location):
    factories.license_location(location, council=COUNCIL)
    wrong = factories.council_credential(acupuncturist, COUNCIL)
    response = admin.delete(f"/practitioners/{acupuncturist.pk}/credentials/{wrong.pk}")
    assert response.status_code == 204
    assert not Credential.objects.filter(pk=wrong.pk).exists()
    entry = AuditEntry.objects.get(action="delete", object_type="people.credential")
    assert entry.object_id == str(wrong.pk) and COUNCIL in entry.detail


def test_another_practitioners_credential_is_not_found_through_this_one(admin, acupuncturist):
    other = factories.practitioner("other", qualified_medical=True)
    theirs = Credential.objects.filter(practitioner=other).first()
    response = admin.delete(f"/practitioners/{acupuncturist.pk}/credentials/{theirs.pk}")
    assert response.status_code == 404
    assert Credential.objects.filter(pk=theirs.pk).exists()


def test_an_admin_removes_a_premises_registration_recorded_by_mistake(admin, location):
    factories.license_location(location, council=COUNCIL)
    registration = location.premises_registrations.get()
    response = admin.delete(f"/locations/{location.pk}/premises-registrations/{registration.pk}")
    assert response.status_code == 204
    assert not location.premises_registrations.exists()
    assert AuditEntry.objects.filter(
        action="delete", object_type="clinic.premisesregistration"
    ).exists()


def test_a_physiotherapist_in_london_needs_no_licence(admin, location, clinic):
    physio = factories.practitioner("phys", qualified_medical=True)
    factories.license_location(location, regime="llaa_1991", council=BOROUGH, premises_from=False)
    assert _at(admin.get(f"/practitioners/{physio.pk}").json(), location)["may_needle_today"]

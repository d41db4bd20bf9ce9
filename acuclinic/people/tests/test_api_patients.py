"""The patients, clinical summary and practitioners endpoints of the JSON API."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.people.choices import ConditionChoice
from acuclinic.people.models import ClinicalSummary, Patient
from acuclinic.testing import factories
from acuclinic.testing.api_client import JsonClient, as_user

HISTORY = "Dull ache across the lower back for eight months, worse when sitting"


def new_patient(**overrides) -> dict:
    body = {
        "given_name": "Mira",
        "family_name": "Ashdown",
        "date_of_birth": "1980-03-12",
        "sex": "female",
        "email": "mira.ashdown@example.test",
        "phone": "07700 900123",
    }
    body.update(overrides)
    return {name: value for name, value in body.items() if value is not None}


def writes(action: str, object_type: str = "people.patient"):
    return AuditEntry.objects.filter(action=action, object_type=object_type)


@pytest.fixture
def reception(reception_user):
    return as_user(reception_user)


@pytest.fixture
def clinician(practitioner_user):
    return as_user(practitioner_user)


# Finding patients ----------------------------------------------------------------


def test_reception_finds_a_patient_by_name_with_the_total_count(reception, clinic):
    for given in ("Ada", "Bea", "Cy"):
        factories.patient(given_name=given, family_name="Quennell")
    factories.patient(given_name="Dot", family_name="Other")

    response = reception.get("/patients", {"q": "quennell", "limit": 2})

    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 3
    assert [p["given_name"] for p in page["items"]] == ["Ada", "Bea"]
    assert (
        reception.get("/patients", {"q": "quennell", "offset": 2}).json()["items"][0]["given_name"]
        == "Cy"
    )


def test_without_a_query_everyone_is_listed_by_family_name(reception, clinic):
    factories.patient(family_name="Young")
    factories.patient(family_name="Abbott")
    names = [p["family_name"] for p in reception.get("/patients").json()["items"]]
    assert names == ["Abbott", "Young"]


def test_a_search_is_audited_without_the_words_typed(reception, reception_user, patient):
    reception.get("/patients", {"q": patient.family_name})
    entry = AuditEntry.objects.get(action="search")
    assert entry.actor == reception_user
    assert entry.via == "api"
    assert entry.detail == "1 found"
    assert patient.family_name not in entry.detail


@pytest.mark.parametrize("limit", [0, 201, "ten"])
def test_a_page_size_outside_1_to_200_is_refused(reception, clinic, limit):
    response = reception.get("/patients", {"limit": limit})
    assert response.status_code == 422
    assert response.json()["field"] == "limit"


# Opening a record ----------------------------------------------------------------


def test_opening_a_record_is_audited_as_a_view_by_the_token_user(
    reception, reception_user, patient
):
    response = reception.get(f"/patients/{patient.pk}", REMOTE_ADDR="198.51.100.20")

    assert response.status_code == 200
    assert response.json()["family_name"] == patient.family_name
    entry = AuditEntry.objects.get(action="view")
    assert (entry.actor, entry.actor_role) == (reception_user, "Reception")
    assert entry.patient_id == patient.pk
    assert (entry.via, entry.client_address) == ("api", "198.51.100.20")


@pytest.mark.parametrize("unknown", [999_999, 0, 2**64])
def test_an_unknown_patient_is_404_and_nothing_is_audited_as_seen(reception, clinic, unknown):
    response = reception.get(f"/patients/{unknown}")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_patient"
    assert not writes("view").exists()


def test_a_patient_id_that_is_not_a_number_is_422(reception, clinic):
    response = reception.get("/patients/mira")
    assert response.status_code == 422
    assert response.json()["code"] == "invalid"


# Registering ---------------------------------------------------------------------


def test_registering_a_patient_answers_201_and_audits_the_creation(reception, reception_user):
    response = reception.post("/patients", new_patient(nhs_number="943 476 5919"))

    assert response.status_code == 201
    patient = Patient.objects.get(pk=response.json()["id"])
    assert patient.full_name == "Mira Ashdown"
    assert patient.nhs_number == "9434765919"
    assert patient.contact_channels == ["email", "phone"]
    entry = writes("create").get()
    assert (entry.actor, entry.via, entry.patient_id) == (reception_user, "api", patient.pk)
    assert "nhs_number" in entry.changed_fields


def test_a_patient_without_an_email_or_phone_is_refused(reception, clinic):
    response = reception.post("/patients", new_patient(email="", phone=""))
    assert response.status_code == 422
    assert response.json()["code"] == "no_contact_details"
    assert not Patient.objects.exists()


def test_a_second_patient_with_the_same_nhs_number_is_a_conflict(reception, clinic):
    factories.patient(nhs_number="9434765919")
    response = reception.post("/patients", new_patient(nhs_number="9434765919"))
    assert response.status_code == 409
    assert response.json() == {
        "code": "duplicate_nhs_number",
        "message": "Another patient already has this NHS number.",
        "field": "nhs_number",
    }
    assert Patient.objects.count() == 1
    assert not writes("create").exists()


DOB = "date_of_birth"
BAD_NEW_PATIENTS = [
    # (what is wrong, body, code, field)
    ("a number for a name", new_patient(given_name=123), "invalid", "given_name"),
    ("“yes” for a checkbox", new_patient(contact_by_sms="yes"), "invalid", "contact_by_sms"),
    ("a UK-style date", new_patient(date_of_birth="12/03/1980"), "invalid", "date_of_birth"),
    ("no such day", new_patient(date_of_birth="1980-02-30"), "invalid", "date_of_birth"),
    ("born in 1850", new_patient(date_of_birth="1850-01-01"), "date_out_of_range", DOB),
    ("born in year 10000", new_patient(date_of_birth="10000-01-01"), "invalid", DOB),
    ("not born yet", new_patient(date_of_birth="2090-01-01"), "invalid_date_of_birth", DOB),
    ("an unknown sex", new_patient(sex="robot"), "invalid", "sex"),
    ("a bad NHS number", new_patient(nhs_number="1234567890"), "invalid_nhs_number", "nhs_number"),
    ("a NUL in a name", new_patient(family_name="Ash\x00down"), "text_has_nul", "family_name"),
    ("a 200-letter name", new_patient(given_name="M" * 200), "invalid", "given_name"),
    ("a typo in a field name", {**new_patient(), "emial": "x@example.test"}, "invalid", "emial"),
    ("no family name", new_patient(family_name=None), "invalid", "family_name"),
    ("a list, not an object", ["Mira", "Ashdown"], "invalid", None),
]


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [case[1:] for case in BAD_NEW_PATIENTS],
    ids=[case[0] for case in BAD_NEW_PATIENTS],
)
def test_a_bad_new_patient_is_422_with_the_field_and_nothing_is_written(
    reception, clinic, body, code, field
):
    response = reception.post("/patients", body)

    assert response.status_code == 422
    error = response.json()
    assert (error["code"], error["field"]) == (code, field)
    assert error["message"]
    assert not Patient.objects.exists()
    assert not writes("create").exists()


def test_the_field_errors_list_every_problem_at_once(reception, clinic):
    response = reception.post("/patients", {"given_name": 1, "sex": "robot"})
    fields = {e["field"]: e["code"] for e in response.json()["errors"]}
    assert fields == {
        "given_name": "invalid",
        "family_name": "required",
        "date_of_birth": "required",
        "sex": "invalid_choice",
    }


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        ('{"given_name": "Mira",', "application/json"),
        ("{'given_name': 'Mira'}", "application/json"),
        ('{"given_name": NaN}', "application/json"),
        (b"\xff\xfe\x00", "application/json"),
        ("given_name=Mira&family_name=Ashdown", "application/x-www-form-urlencoded"),
        ('{"given_name": "Mira"}', "text/plain"),
    ],
    ids=["cut short", "single quotes", "NaN", "not UTF-8", "a form post", "text/plain"],
)
def test_a_body_that_is_not_json_is_400_and_nothing_is_written(
    reception, clinic, data, content_type
):
    response = reception.raw("post", "/patients", data, content_type)
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert not Patient.objects.exists()


# Changing details ----------------------------------------------------------------


def test_changing_details_audits_only_the_names_of_changed_fields(
    reception, reception_user, patient
):
    response = reception.patch(f"/patients/{patient.pk}", {"town": "Riverton"})

    assert response.status_code == 200
    assert response.json()["town"] == "Riverton"
    patient.refresh_from_db()
    assert patient.town == "Riverton"
    entry = writes("change").get()
    assert (entry.actor, entry.via) == (reception_user, "api")
    assert entry.changed_fields == ["town"]
    assert "Riverton" not in entry.detail


def test_sending_back_the_same_values_changes_nothing_and_audits_nothing(reception, patient):
    response = reception.patch(f"/patients/{patient.pk}", {"family_name": patient.family_name})
    assert response.status_code == 200
    assert not writes("change").exists()


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"email": "", "phone": ""}, "no_contact_details"),
        ({"given_name": None}, "invalid_given_name"),
        ({"date_of_birth": "1700-01-01"}, "date_out_of_range"),
        ({"contact_by_email": 1}, "invalid"),
        ({"email": "not an address"}, "invalid_email"),
        ({"given_name": "Mara", "nickname": "M"}, "invalid"),
    ],
    ids=["no way to reach them", "null name", "1700", "1 for true", "bad email", "unknown field"],
)
def test_a_bad_change_is_422_and_leaves_the_record_as_it_was(reception, patient, body, code):
    before = Patient.objects.values().get(pk=patient.pk)
    response = reception.patch(f"/patients/{patient.pk}", body)
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert Patient.objects.values().get(pk=patient.pk) == before
    assert not writes("change").exists()


def test_changing_an_unknown_patient_is_404(reception, clinic):
    response = reception.patch("/patients/4242", {"town": "Riverton"})
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_patient"


def test_a_malformed_change_is_400_and_leaves_the_record_as_it_was(reception, patient):
    response = reception.raw("patch", f"/patients/{patient.pk}", '{"town": ', "application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "malformed_json"
    assert Patient.objects.get(pk=patient.pk).town == patient.town


# The clinical summary ------------------------------------------------------------


@pytest.fixture
def summary(patient, practitioner_user):
    return factories.clinical_summary(patient, by=practitioner_user, history=HISTORY)


def test_a_practitioner_reads_the_clinical_summary_and_the_read_is_audited(
    clinician, practitioner_user, patient, summary
):
    response = clinician.get(f"/patients/{patient.pk}/clinical-summary")

    assert response.status_code == 200
    assert response.json()["history"] == HISTORY
    assert response.json()["presenting_condition_display"] == "Chronic low back pain"
    entry = AuditEntry.objects.get(action="view", object_type="people.clinicalsummary")
    assert (entry.actor, entry.patient_id, entry.via) == (practitioner_user, patient.pk, "api")


def test_reception_cannot_open_the_clinical_summary_and_the_attempt_is_audited(
    reception, reception_user, patient, summary
):
    response = reception.get(f"/patients/{patient.pk}/clinical-summary")

    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"
    assert HISTORY not in response.content.decode()
    denied = AuditEntry.objects.get(action="denied")
    assert denied.actor == reception_user
    assert denied.detail == f"GET /api/v1/patients/{patient.pk}/clinical-summary"


def test_reception_cannot_overwrite_the_clinical_summary(reception, patient, summary):
    response = reception.put(
        f"/patients/{patient.pk}/clinical-summary",
        {"presenting_condition": "whiplash", "history": "Overwritten"},
    )
    assert response.status_code == 403
    assert ClinicalSummary.objects.get(patient=patient).history == HISTORY


def test_the_patient_record_carries_no_clinical_content(reception, patient, summary):
    body = reception.get(f"/patients/{patient.pk}").content.decode()
    assert HISTORY not in body
    assert "presenting_condition" not in body


def test_a_practitioner_writes_the_first_summary_and_it_is_audited_as_created(
    clinician, practitioner_user, patient
):
    response = clinician.put(
        f"/patients/{patient.pk}/clinical-summary",
        {"presenting_condition": ConditionChoice.SCIATICA, "history": "Left leg"},
    )

    assert response.status_code == 200
    summary = ClinicalSummary.objects.get(patient=patient)
    assert (summary.presenting_condition, summary.updated_by) == ("sciatica", practitioner_user)
    assert writes("create", "people.clinicalsummary").get().actor == practitioner_user


def test_no_summary_yet_is_404_with_its_own_code(clinician, patient):
    response = clinician.get(f"/patients/{patient.pk}/clinical-summary")
    assert response.status_code == 404
    assert response.json()["code"] == "no_clinical_summary"


def test_an_unknown_condition_is_refused_and_the_summary_kept(clinician, patient, summary):
    response = clinician.put(
        f"/patients/{patient.pk}/clinical-summary", {"presenting_condition": "gout"}
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "invalid_choice"
    assert ClinicalSummary.objects.get(patient=patient).history == HISTORY


# Session authentication and CSRF -------------------------------------------------


def _session(user, *, csrf_checks: bool) -> JsonClient:
    client = Client(enforce_csrf_checks=csrf_checks)
    client.force_login(user)
    return JsonClient(client)


def test_a_session_write_without_the_csrf_token_is_refused(reception_user, clinic):
    response = _session(reception_user, csrf_checks=True).post("/patients", new_patient())
    assert response.status_code == 403
    assert response.json()["code"] == "csrf_failed"
    assert not Patient.objects.exists()


def test_a_session_write_with_the_csrf_token_is_accepted(reception_user, clinic):
    api = _session(reception_user, csrf_checks=True)
    api.client.get("/account/tokens/")  # any page with a form sets the CSRF cookie
    token = api.client.cookies["csrftoken"].value
    response = api.post("/patients", new_patient(), HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201


def test_a_session_read_needs_no_csrf_token(reception_user, patient):
    response = _session(reception_user, csrf_checks=True).get(f"/patients/{patient.pk}")
    assert response.status_code == 200


# Practitioners -------------------------------------------------------------------


def test_reception_sees_whether_credentials_are_valid_but_not_their_numbers(
    reception, practitioner
):
    response = reception.get(f"/practitioners/{practitioner.pk}")

    assert response.status_code == 200
    body = response.json()
    assert body["name"] == practitioner.name
    assert body["modalities"] == ["medical"]
    assert body["credentials_valid_today"] is True
    assert body["credentials"] is None
    assert f"PH{practitioner.pk:05d}" not in response.content.decode()


def test_a_clinic_admin_sees_credential_numbers_and_dates(admin_user, practitioner):
    response = as_user(admin_user).get(f"/practitioners/{practitioner.pk}")
    credentials = {c["kind"]: c for c in response.json()["credentials"]}
    assert credentials["registration"]["number"] == f"PH{practitioner.pk:05d}"
    assert credentials["registration"]["body"] == "HCPC"
    assert credentials["insurance"]["valid_until"]


def test_a_practitioner_with_lapsed_cover_is_flagged_with_the_reasons(reception, clinic):
    lapsed = factories.practitioner(
        "lapsed", qualified_traditional=True, valid_until=timezone.localdate() - timedelta(days=1)
    )
    listed = {p["id"]: p for p in reception.get("/practitioners").json()}
    assert listed[lapsed.pk]["credentials_valid_today"] is False
    assert any("indemnity" in p for p in listed[lapsed.pk]["credential_problems"])
    assert listed[lapsed.pk]["modalities"] == ["traditional"]


def test_an_unknown_practitioner_is_404(reception, clinic):
    response = reception.get("/practitioners/31337")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_practitioner"


def test_listing_practitioners_takes_the_same_queries_for_one_or_many(
    reception, clinic, django_assert_max_num_queries
):
    for n in range(6):
        factories.practitioner(f"prac{n}", qualified_medical=True)
    # The token (read, last used), the roles, the practitioners with their credentials
    # and chosen services, the locations with their registrations, the active services.
    with django_assert_max_num_queries(9):
        assert len(reception.get("/practitioners").json()) == 6

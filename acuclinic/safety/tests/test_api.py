"""Safety screening through the JSON API: what each role sees, every write, every refusal.

Which role may call which endpoint at all is in tests/test_role_matrix_api.py; here is
what comes back, and that bad input gets a clear 4xx and writes nothing.
"""

from datetime import datetime, time, timedelta
from smtplib import SMTPException
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.choices import Modality
from acuclinic.clinic.models import Service
from acuclinic.safety import services
from acuclinic.safety.choices import Risk
from acuclinic.safety.models import (
    ChangeCheck,
    Consent,
    PrecautionAcknowledgement,
    Questionnaire,
    QuestionnaireLink,
    SpecialistAgreement,
)
from acuclinic.testing import factories
from acuclinic.testing.api_client import as_user
from acuclinic.testing.queries import audit_chain_lock

LONDON = ZoneInfo("Europe/London")


def writes() -> int:
    """Audit entries of any change (a refused request must leave none)."""
    return AuditEntry.objects.exclude(action__in=["view", "denied", "search"]).count()


@pytest.fixture
def clinician(practitioner_user):
    return as_user(practitioner_user)


@pytest.fixture
def admin(admin_user):
    return as_user(admin_user)


@pytest.fixture
def reception(reception_user):
    return as_user(reception_user)


@pytest.fixture
def visit(patient, practitioner):
    return factories.appointment(patient=patient, practitioner=practitioner)


@pytest.fixture
def pregnant(patient, practitioner):
    """Pregnant, 14 weeks, on apixaban, with lymphoedema of the left arm."""
    factories.safety_questionnaire(
        patient,
        by=practitioner.user,
        pregnant="yes",
        pregnancy_weeks=14,
        anticoagulants=["apixaban"],
        lymphoedema=True,
        lymphoedema_limbs=["left_arm"],
    )
    return patient


def url(patient, tail: str = "") -> str:
    return f"/patients/{patient.pk}{tail}"


# ── The safety summary ───────────────────────────────────────────────────────────────


def test_reception_sees_that_there_are_flags_and_that_the_questionnaire_is_current_only(
    reception, pregnant
):
    response = reception.get(url(pregnant, "/safety"))

    assert response.status_code == 200
    body = response.json()
    assert body["has_flags"] is True
    assert body["questionnaire"]["state"] == "current"
    assert body["questionnaire"]["version"] == 1
    due = timezone.localdate() + timedelta(days=1)
    assert body["questionnaire"]["due_on"] >= due.isoformat()
    assert body["clinical"] is None
    page = response.content.decode()
    for clinical in ("Pregnant", "pregnan", "Apixaban", "apixaban", "LI4", "left arm"):
        assert clinical not in page


def test_clinicians_see_every_flag_with_advice_source_points_regions_and_no_electro(
    clinician, pregnant
):
    body = clinician.get(url(pregnant, "/safety")).json()

    detail = body["clinical"]
    assert detail["outcome"] == "precaution"
    flags = {flag["rule_id"]: flag for flag in detail["flags"]}
    assert set(flags) == {"pregnant", "anticoagulant", "lymphoedema"}
    pregnancy = flags["pregnant"]
    assert pregnancy["label"] == "Pregnant, 14 weeks"
    assert pregnancy["banner"].startswith("Pregnant, 14 weeks — avoid LI4, SP6")
    assert pregnancy["outcome"] == "precaution"
    assert pregnancy["needs_discussion"] is True
    assert "AACP" in pregnancy["source"]
    assert pregnancy["practitioner_advice"].startswith("Trained practitioners")
    assert flags["anticoagulant"]["label"] == "Apixaban — bleeding precaution"
    assert flags["lymphoedema"]["outcome"] == "none"
    assert {"LI4", "SP6"} <= set(detail["avoid_points"])
    assert detail["avoid_point_list"]["name"]
    assert detail["avoid_regions"] == ["left arm"]
    assert detail["no_electro"] is True
    assert detail["acknowledgements"] == [] and detail["agreements"] == []


def test_a_clinician_s_read_of_the_flags_is_audited_and_reception_s_is_not(
    clinician, reception, pregnant
):
    reception.get(url(pregnant, "/safety"))
    assert not AuditEntry.objects.filter(action="view", patient_id=pregnant.pk).exists()

    clinician.get(url(pregnant, "/safety"))
    entry = AuditEntry.objects.get(action="view", patient_id=pregnant.pk)
    assert (entry.object_type, entry.via) == ("safety.questionnaire", "api")


def test_a_patient_never_screened_shows_the_questionnaire_missing(clinician, patient):
    body = clinician.get(url(patient, "/safety")).json()
    assert body["questionnaire"] == {
        "state": "missing",
        "version": None,
        "completed_at": None,
        "completed_display": None,
        "due_on": None,
        "due_display": None,
        "complete": None,
    }
    assert body["has_flags"] is False
    assert body["clinical"]["flags"] == []


def test_a_questionnaire_without_the_questions_the_record_now_asks_is_incomplete(
    reception, patient, practitioner
):
    factories.safety_questionnaire(patient, by=practitioner.user)
    assert reception.get(url(patient, "/safety")).json()["questionnaire"]["complete"] is True
    factories.clinical_summary(patient, by=practitioner.user, presenting_condition="whiplash")
    state = reception.get(url(patient, "/safety")).json()["questionnaire"]
    assert (state["state"], state["complete"]) == ("current", False)


def test_an_out_of_date_questionnaire_says_since_when(reception, patient, practitioner):
    long_ago = timezone.now() - timedelta(days=200)
    factories.safety_questionnaire(patient, by=practitioner.user, when=long_ago)
    state = reception.get(url(patient, "/safety")).json()["questionnaire"]
    assert state["state"] == "out_of_date"
    assert state["due_on"] < timezone.localdate().isoformat()


def test_reading_the_summary_takes_a_bounded_number_of_queries(
    clinician, patient, practitioner, django_assert_max_num_queries
):
    factories.safety_questionnaire(
        patient, by=practitioner.user, diabetes=True, epilepsy=True, needle_anxiety=True
    )
    for rule_id in ("diabetes", "epilepsy", "needle-anxiety"):
        services.precaution_acknowledge(
            patient, rule_id=rule_id, discussion="Discussed.", user=practitioner.user
        )
    # 13: with the audit chain's last hash (issue 17).
    with django_assert_max_num_queries(13 + audit_chain_lock()):
        body = clinician.get(url(patient, "/safety")).json()
    assert len(body["clinical"]["acknowledgements"]) == 3


def test_an_unknown_patient_is_a_404(clinician, db):
    response = clinician.get("/patients/99999/safety")
    assert response.status_code == 404
    assert response.json()["code"] == "unknown_patient"


# ── Questionnaires ───────────────────────────────────────────────────────────────────


def test_a_clinician_records_a_questionnaire_and_reads_it_back(
    clinician, patient, practitioner_user
):
    answers = factories.safety_answers(anticoagulants=["Apixaban"], needle_anxiety=True)

    response = clinician.post(url(patient, "/questionnaires"), {"answers": answers})

    assert response.status_code == 201, response.json()
    saved = response.json()
    assert (saved["version"], saved["filled_by"], saved["patient_id"]) == (1, "staff", patient.pk)
    assert saved["entered_by"] == practitioner_user.display_name
    # A drug sent by its name is stored by its id.
    assert saved["answers"]["anticoagulants"] == ["apixaban"]
    assert {
        "section": "Blood-thinning medicines",
        "question": "Anticoagulants",
        "answer": "Apixaban",
        "flagged": True,
    } in saved["answers_display"]
    assert datetime.fromisoformat(saved["submitted_at"]).utcoffset() is not None

    read = clinician.get(f"/questionnaires/{saved['id']}").json()
    assert read["answers"] == saved["answers"]
    assert AuditEntry.objects.filter(
        action="view", object_type="safety.questionnaire", object_id=str(saved["id"])
    ).exists()


def test_a_new_version_never_overwrites_the_last_and_the_list_is_newest_first(clinician, patient):
    clinician.post(url(patient, "/questionnaires"), {"answers": factories.safety_answers()})
    clinician.post(
        url(patient, "/questionnaires"), {"answers": factories.safety_answers(diabetes=True)}
    )

    versions = clinician.get(url(patient, "/questionnaires")).json()

    assert [v["version"] for v in versions] == [2, 1]
    assert "answers" not in versions[0]
    first = clinician.get(f"/questionnaires/{versions[1]['id']}").json()
    assert first["answers"]["diabetes"] is False
    flags = clinician.get(url(patient, "/safety")).json()["clinical"]["flags"]
    assert [f["rule_id"] for f in flags] == ["diabetes"]


BAD_ANSWERS = [
    pytest.param(
        {"pregnant": "no", "pregnancy_weeks": 14},
        "pregnancy_weeks",
        "contradiction",
        id="not pregnant but weeks given",
    ),
    pytest.param(
        {"anticoagulants": ["Warfarinex"]},
        "anticoagulants",
        "unknown_drug",
        id="an unknown drug name",
    ),
    pytest.param(
        {"anticoagulants": ["aspirin"]},
        "anticoagulants",
        "wrong_drug_class",
        id="an antiplatelet sent as an anticoagulant",
    ),
    pytest.param(
        {"warfarin_inr": "in_range"},
        "warfarin_inr",
        "contradiction",
        id="an INR without warfarin",
    ),
    pytest.param(
        {"pregnant": "yes", "pregnancy_weeks": 50},
        "pregnancy_weeks",
        "out_of_range",
        id="fifty weeks pregnant",
    ),
    pytest.param({"bleeding_disorder": None}, "bleeding_disorder", "required", id="unanswered"),
    pytest.param({"bleeding_disorder": "yes"}, "bleeding_disorder", "invalid", id="not a bool"),
    pytest.param({"favourite_colour": "blue"}, "favourite_colour", "unknown_question", id="typo"),
    pytest.param(
        {"skin_problem": True, "skin_problem_site": "left\x00knee"},
        "skin_problem_site",
        "invalid",
        id="a NUL in text",
    ),
]


@pytest.mark.parametrize(("overrides", "field", "code"), BAD_ANSWERS)
def test_bad_answers_are_refused_per_question_and_nothing_is_written(
    clinician, patient, overrides, field, code
):
    before = writes()
    answers = factories.safety_answers(**overrides)

    response = clinician.post(url(patient, "/questionnaires"), {"answers": answers})

    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "invalid_answers"
    assert "Nothing has been saved" in body["message"]
    assert {"field": field, "code": code} in [
        {"field": e["field"], "code": e["code"]} for e in body["errors"]
    ]
    assert not Questionnaire.objects.exists()
    assert writes() == before


@pytest.mark.parametrize(
    "body", [{"answers": ["pregnant"]}, {}, {"answers": {}, "extra": 1}], ids=str
)
def test_a_body_that_is_not_a_set_of_answers_is_refused(clinician, patient, body):
    response = clinician.post(url(patient, "/questionnaires"), body)
    assert response.status_code == 422
    assert response.json()["code"] in {"invalid", "invalid_answers"}
    assert not Questionnaire.objects.exists()


def test_an_unknown_questionnaire_is_a_404(clinician, db):
    response = clinician.get("/questionnaires/4242")
    assert (response.status_code, response.json()["code"]) == (404, "unknown_questionnaire")


# ── The patient's link ───────────────────────────────────────────────────────────────


def test_reception_emails_the_link_and_the_secret_is_never_in_the_response(reception, patient):
    response = reception.post(url(patient, "/questionnaire-links"))

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sent_to"] == patient.email
    assert body["expires_at"] > body["created_at"]
    [message] = mail.outbox
    assert message.to == [patient.email]
    link = next(word for word in message.body.split() if "/safety/q/" in word)
    token = link.rstrip("/").rsplit("/", 1)[1]
    assert token not in response.content.decode()
    # The emailed link opens the patient's own questionnaire without an account.
    assert Client().get(link).status_code == 200


def test_a_patient_without_an_email_address_gets_a_clear_refusal_and_no_link(reception):
    phone_only = factories.patient(email="", phone="07700 900555")
    response = reception.post(url(phone_only, "/questionnaire-links"))
    assert response.status_code == 422
    assert response.json()["code"] == "patient_has_no_email"
    assert not QuestionnaireLink.objects.exists()
    assert mail.outbox == []


def test_a_mail_server_that_refuses_is_a_502_and_no_link_is_kept(reception, patient, monkeypatch):
    def refuse(*args, **kwargs):
        raise SMTPException("mail server unavailable")

    monkeypatch.setattr(services, "send_mail", refuse)
    response = reception.post(url(patient, "/questionnaire-links"))
    assert response.status_code == 502
    assert response.json()["code"] == "email_not_sent"
    assert not QuestionnaireLink.objects.exists()


# ── "Any changes since last time?" ───────────────────────────────────────────────────


def test_recording_no_changes_at_the_visit_opens_the_gate(clinician, visit, practitioner):
    factories.safety_questionnaire(
        visit.patient, by=practitioner.user, when=timezone.now() - timedelta(days=20)
    )
    factories.consent(visit.patient, taken_by=practitioner)
    gate = clinician.get(f"/appointments/{visit.pk}/gate").json()
    assert [f["code"] for f in gate["failures"]] == ["changes_not_confirmed"]

    response = clinician.post(f"/appointments/{visit.pk}/change-check", {"any_changes": False})

    assert response.status_code == 201, response.json()
    assert response.json()["questionnaire_version"] == 1
    gate = clinician.get(f"/appointments/{visit.pk}/gate").json()
    assert (gate["allowed"], gate["failed"], gate["failures"]) == (True, 0, [])


def test_reporting_changes_is_refused_and_points_to_a_new_questionnaire(
    clinician, visit, practitioner
):
    factories.safety_questionnaire(visit.patient, by=practitioner.user)
    response = clinician.post(f"/appointments/{visit.pk}/change-check", {"any_changes": True})
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["field"]) == ("changes_reported", "any_changes")
    assert f"/patients/{visit.patient_id}/questionnaires" in body["message"]
    assert not ChangeCheck.objects.exists()


def test_confirming_no_changes_twice_is_a_conflict(clinician, visit, practitioner):
    factories.safety_questionnaire(visit.patient, by=practitioner.user)
    clinician.post(f"/appointments/{visit.pk}/change-check", {"any_changes": False})
    response = clinician.post(f"/appointments/{visit.pk}/change-check", {"any_changes": False})
    assert (response.status_code, response.json()["code"]) == (409, "already_confirmed")
    assert ChangeCheck.objects.count() == 1


@pytest.mark.parametrize(
    ("days_ago", "code"), [(None, "questionnaire_missing"), (200, "questionnaire_out_of_date")]
)
def test_no_changes_needs_a_current_questionnaire(clinician, visit, practitioner, days_ago, code):
    if days_ago is not None:
        when = timezone.now() - timedelta(days=days_ago)
        factories.safety_questionnaire(visit.patient, by=practitioner.user, when=when)
    response = clinician.post(f"/appointments/{visit.pk}/change-check", {"any_changes": False})
    assert (response.status_code, response.json()["code"]) == (422, code)
    assert not ChangeCheck.objects.exists()


# ── Consent ──────────────────────────────────────────────────────────────────────────


def consent_body(**overrides) -> dict:
    body = {
        "modality": "medical",
        "risks_explained": Risk.values,
        "method": "written",
        "given_at": "2025-07-01T10:00:00+01:00",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def test_a_practitioner_records_consent_they_took_and_it_is_listed(
    clinician, patient, practitioner
):
    response = clinician.post(url(patient, "/consents"), consent_body(notes="Signed form"))

    assert response.status_code == 201, response.json()
    consent = response.json()
    assert consent["taken_by"] == {"id": practitioner.pk, "name": practitioner.name}
    assert consent["given_at"] == "2025-07-01T10:00:00+01:00"
    assert consent["given_display"] == "Tue 1 Jul 2025, 10:00"
    assert consent["modality_display"] == "Medical (western) acupuncture"
    assert consent["risks_explained"] == Risk.values
    listed = clinician.get(url(patient, "/consents")).json()
    assert [c["id"] for c in listed] == [consent["id"]]


def test_an_admin_records_consent_taken_by_a_named_practitioner(admin, patient, practitioner):
    response = admin.post(url(patient, "/consents"), consent_body(taken_by=practitioner.pk))
    assert response.status_code == 201, response.json()
    assert Consent.objects.get().taken_by == practitioner


def _in_an_hour() -> str:
    return (timezone.localtime() + timedelta(hours=1)).isoformat()


BAD_CONSENTS = [
    pytest.param(
        lambda: consent_body(given_at=_in_an_hour()), 422, "consent_in_future", id="in the future"
    ),
    pytest.param(
        lambda: consent_body(risks_explained=["soreness", "bruising"]),
        422,
        "risks_not_all_explained",
        id="risks not all explained",
    ),
    pytest.param(
        lambda: consent_body(given_at="2025-07-01T10:00:00"),
        422,
        "naive_datetime",
        id="a time without an offset",
    ),
    pytest.param(
        lambda: consent_body(modality="assessment"), 422, "invalid", id="not a needling modality"
    ),
    pytest.param(
        lambda: consent_body(modality="traditional"),
        422,
        "taker_not_qualified",
        id="the taker is not qualified in it",
    ),
    pytest.param(
        lambda: consent_body(taken_by=99999), 404, "unknown_practitioner", id="unknown taker"
    ),
]


@pytest.mark.parametrize(("make_body", "status", "code"), BAD_CONSENTS)
def test_bad_consent_is_refused_with_a_clear_code_and_nothing_is_written(
    clinician, patient, make_body, status, code
):
    before = writes()
    response = clinician.post(url(patient, "/consents"), make_body())
    assert response.status_code == status, response.json()
    assert response.json()["code"] == code
    assert not Consent.objects.exists()
    assert writes() == before


def test_someone_who_is_not_a_practitioner_must_say_who_took_consent(admin, patient):
    response = admin.post(url(patient, "/consents"), consent_body())
    assert response.status_code == 422
    assert (response.json()["code"], response.json()["field"]) == ("taken_by_required", "taken_by")
    assert not Consent.objects.exists()


# ── Risk discussions and agreements ──────────────────────────────────────────────────


def test_recording_the_risk_discussion_clears_the_precaution(clinician, pregnant):
    response = clinician.post(
        url(pregnant, "/acknowledgements"),
        {"rule_id": "anticoagulant", "discussion": "Fine needles, firm pressure afterwards."},
    )

    assert response.status_code == 201, response.json()
    assert response.json()["questionnaire_version"] == 1
    detail = clinician.get(url(pregnant, "/safety")).json()["clinical"]
    flags = {flag["rule_id"]: flag for flag in detail["flags"]}
    assert flags["anticoagulant"]["needs_discussion"] is False
    assert flags["pregnant"]["needs_discussion"] is True
    assert [a["rule_id"] for a in detail["acknowledgements"]] == ["anticoagulant"]


@pytest.mark.parametrize(
    ("rule_id", "discussion", "status", "code"),
    [
        ("cauda-equina", "Discussed", 422, "not_a_precaution"),
        ("anticoagulant", "   ", 422, "discussion_required"),
        ("anticoagulant", "x" * 5001, 422, "invalid"),
    ],
)
def test_a_bad_risk_discussion_is_refused_and_nothing_is_written(
    clinician, pregnant, rule_id, discussion, status, code
):
    response = clinician.post(
        url(pregnant, "/acknowledgements"), {"rule_id": rule_id, "discussion": discussion}
    )
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not PrecautionAcknowledgement.objects.exists()


def test_a_risk_discussion_recorded_twice_is_a_conflict(clinician, pregnant):
    body = {"rule_id": "anticoagulant", "discussion": "Discussed bruising."}
    clinician.post(url(pregnant, "/acknowledgements"), body)
    response = clinician.post(url(pregnant, "/acknowledgements"), body)
    assert (response.status_code, response.json()["code"]) == (409, "already_acknowledged")
    assert PrecautionAcknowledgement.objects.count() == 1


@pytest.fixture
def bleeding(patient, practitioner):
    factories.safety_questionnaire(patient, by=practitioner.user, bleeding_disorder=True)
    return patient


def agreement_body(**overrides) -> dict:
    body = {
        "rule_id": "bleeding-disorder",
        "agreed_by": "Dr Ada Lowe, consultant haematologist, Testford General",
        "agreed_on": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "reason": "Mild von Willebrand disease; superficial needling with fine needles.",
    }
    body.update(overrides)
    return {key: value for key, value in body.items() if value is not None}


def test_a_specialist_agreement_lowers_the_flag_and_is_shown_to_clinicians(clinician, bleeding):
    before = clinician.get(url(bleeding, "/safety")).json()["clinical"]
    assert before["outcome"] == "contraindicated"

    response = clinician.post(url(bleeding, "/agreements"), agreement_body())

    assert response.status_code == 201, response.json()
    after = clinician.get(url(bleeding, "/safety")).json()["clinical"]
    [flag] = after["flags"]
    assert (flag["outcome"], flag["overridden"], flag["needs_discussion"]) == (
        "precaution",
        True,
        True,
    )
    assert after["agreements"][0]["agreed_by"].startswith("Dr Ada Lowe")


BAD_AGREEMENTS = [
    pytest.param({"reason": "   "}, "override_without_reason", id="an override without a reason"),
    pytest.param({"reason": None}, "invalid", id="no reason at all"),
    pytest.param({"agreed_by": " "}, "agreement_needs_who", id="nobody named"),
    pytest.param(
        {"agreed_on": (timezone.localdate() + timedelta(days=3)).isoformat()},
        "agreement_in_future",
        id="dated in the future",
    ),
    pytest.param({"rule_id": "pregnant"}, "override_not_allowed", id="a flag that never lowers"),
    pytest.param(
        {"rule_id": "serious-pathology"}, "not_a_standing_flag", id="a flag that does not stand"
    ),
]


@pytest.mark.parametrize(("overrides", "code"), BAD_AGREEMENTS)
def test_a_bad_agreement_is_refused_and_nothing_is_written(clinician, bleeding, overrides, code):
    before = writes()
    response = clinician.post(url(bleeding, "/agreements"), agreement_body(**overrides))
    assert response.status_code == 422
    assert response.json()["code"] == code
    assert not SpecialistAgreement.objects.exists()
    assert writes() == before


# ── The gate ─────────────────────────────────────────────────────────────────────────


def test_clinicians_see_each_failed_condition_with_its_code_and_message(clinician, visit):
    body = clinician.get(f"/appointments/{visit.pk}/gate").json()

    assert (body["needed"], body["allowed"], body["failed"]) == (True, False, 2)
    assert body["failures"] == [
        {
            "code": "questionnaire_missing",
            "message": "No health questionnaire on file: the patient must complete it "
            "before needling.",
            "rule_id": None,
        },
        {
            "code": "consent_missing",
            "message": "No consent on file for Medical (western) acupuncture.",
            "rule_id": None,
        },
    ]
    assert body["day"] == timezone.localtime(visit.start).date().isoformat()


def test_reception_sees_only_whether_the_gate_is_open_and_how_many_conditions_failed(
    reception, visit, practitioner
):
    factories.safety_questionnaire(visit.patient, by=practitioner.user, ces_saddle_numbness=True)

    response = reception.get(f"/appointments/{visit.pk}/gate")

    body = response.json()
    assert (body["allowed"], body["failed"], body["failures"]) == (False, 3, None)
    page = response.content.decode()
    for reason in ("cauda", "refer", "consent", "A&E"):
        assert reason not in page.lower()


def test_the_gate_names_the_red_flag_that_closes_it(clinician, visit, practitioner):
    factories.safety_questionnaire(visit.patient, by=practitioner.user, ces_saddle_numbness=True)
    failures = clinician.get(f"/appointments/{visit.pk}/gate").json()["failures"]
    refer = next(f for f in failures if f["code"] == "refer")
    assert refer["rule_id"] == "cauda-equina"
    assert "Do not needle" in refer["message"]


def test_a_visit_without_needles_does_not_need_the_gate(clinician, patient, practitioner):
    review = Service.objects.get(modality=Modality.FOLLOW_UP)
    visit = factories.appointment(patient=patient, practitioner=practitioner, service=review)
    body = clinician.get(f"/appointments/{visit.pk}/gate").json()
    assert (body["needed"], body["allowed"], body["failures"]) == (False, True, [])
    assert not AuditEntry.objects.filter(action="view").exists()


def test_the_gate_is_checked_for_the_appointment_s_day_in_uk_time(clinician, patient, practitioner):
    # 00:30 on a summer morning in London is still the previous day in UTC.
    day = timezone.localdate() + timedelta(days=30)
    while day.month not in (6, 7, 8):
        day += timedelta(days=30)
    start = datetime.combine(day, time(0, 30), tzinfo=LONDON)
    visit = factories.appointment(patient=patient, practitioner=practitioner, start=start)
    body = clinician.get(f"/appointments/{visit.pk}/gate").json()
    assert body["day"] == day.isoformat()


def test_a_gate_for_an_unknown_appointment_is_a_404(reception, db):
    response = reception.get("/appointments/123456/gate")
    assert (response.status_code, response.json()["code"]) == (404, "unknown_appointment")


def test_an_open_gate_is_open_for_reception_too(reception, visit, practitioner):
    factories.safety_questionnaire(visit.patient, by=practitioner.user)
    factories.consent(visit.patient, taken_by=practitioner)
    services.visit_no_changes_confirm(visit, user=practitioner.user)
    body = reception.get(f"/appointments/{visit.pk}/gate").json()
    assert (body["allowed"], body["failed"], body["failures"]) == (True, 0, None)

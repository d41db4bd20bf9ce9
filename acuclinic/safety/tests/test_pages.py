"""What people see and do on the safety pages, and what bad input gets them."""

import re
from datetime import timedelta
from html import escape

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.safety.choices import Risk
from acuclinic.safety.models import Consent, Questionnaire, SpecialistAgreement
from acuclinic.safety.services import questionnaire_link_create
from acuclinic.testing import factories

SECRET_DETAIL = "Mild von Willebrand disease, under Dr Okafor"
CLINICIAN_BANNER = "Pregnant, 14 weeks — avoid LI4, SP6, BL60, GB21…; no electro-acupuncture"


@pytest.fixture
def flagged(patient, practitioner):
    """A patient 14 weeks pregnant, on apixaban, with a bleeding disorder."""
    factories.safety_questionnaire(
        patient,
        by=practitioner.user,
        pregnant="yes",
        pregnancy_weeks=14,
        anticoagulants=["apixaban"],
        bleeding_disorder=True,
        bleeding_disorder_detail=SECRET_DETAIL,
    )
    return patient


@pytest.fixture
def visit(flagged, practitioner):
    return factories.appointment(patient=flagged, practitioner=practitioner)


# ── The banner ───────────────────────────────────────────────────────────────────────


@pytest.mark.parametrize("role", ["admin", "practitioner"])
def test_clinicians_see_each_standing_flag_on_the_patient_record(client, users, flagged, role):
    client.force_login(users[role])
    page = client.get(reverse("patient_detail", args=[flagged.pk])).content.decode()
    assert CLINICIAN_BANNER in page
    assert "Apixaban — bleeding precaution" in page
    assert "Bleeding disorder — no needling without specialist agreement" in page


@pytest.mark.parametrize("name", ["patient_detail", "appointment_detail"])
def test_reception_sees_that_there_are_flags_but_never_what_they_are(client, users, visit, name):
    client.force_login(users["reception"])
    pk = visit.patient.pk if name == "patient_detail" else visit.pk
    page = client.get(reverse(name, args=[pk])).content.decode()
    assert "This patient has safety flags." in page
    assert "Health questionnaire complete, current until" in page
    for clinical in ("Pregnant", "Apixaban", "Bleeding", "LI4", SECRET_DETAIL, "Safety record"):
        assert not mentions(page, clinical), clinical


def mentions(page: str, text: str) -> bool:
    """Whether ``text`` stands on the page as words of its own: a point code such as
    LI4 may turn up inside the page's random CSRF token, which says nothing."""
    return re.search(rf"\b{re.escape(text)}\b", page) is not None


def test_showing_the_flags_to_a_clinician_is_audited_and_to_reception_is_not(client, users, visit):
    banner_views = AuditEntry.objects.filter(detail="safety banner", patient_id=visit.patient_id)
    client.force_login(users["reception"])
    client.get(reverse("appointment_detail", args=[visit.pk]))
    assert not banner_views.exists()
    client.force_login(users["practitioner"])
    client.get(reverse("appointment_detail", args=[visit.pk]))
    assert banner_views.get().actor == users["practitioner"]


def test_the_appointment_offers_clinicians_the_check_before_needling(client, users, visit):
    client.force_login(users["practitioner"])
    page = client.get(reverse("appointment_detail", args=[visit.pk])).content.decode()
    assert reverse("safety_gate", args=[visit.pk]) in page
    assert CLINICIAN_BANNER in page


def test_a_patient_without_a_questionnaire_shows_it_is_missing_with_a_way_to_send_it(
    client, users, patient
):
    client.force_login(users["reception"])
    page = client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "Health questionnaire not yet completed" in page
    assert reverse("safety_send_link", args=[patient.pk]) in page


# ── The patient's questionnaire online ───────────────────────────────────────────────


def test_reception_emails_the_link_and_the_patient_completes_it_without_an_account(
    client, users, patient
):
    client.force_login(users["reception"])
    response = client.post(reverse("safety_send_link", args=[patient.pk]), follow=True)
    assert f"Questionnaire link sent to {patient.email}." in response.content.decode()
    [message] = mail.outbox
    url = next(word for word in message.body.split() if "/safety/q/" in word)
    client.logout()

    page = client.get(url)
    assert page.status_code == 200
    assert f"Hello {patient.given_name}" in page.content.decode()
    assert "unable to understand" not in page.content.decode()  # the clinician's question
    done = client.post(url, factories.safety_form_data(audience="patient", diabetes=True))
    assert "Thank you" in done.content.decode()
    questionnaire = Questionnaire.objects.get(patient=patient)
    assert questionnaire.filled_by == "patient"
    assert questionnaire.answers["diabetes"] is True


def test_the_public_questionnaire_works_on_a_phone(client, patient, reception_user):
    _, token = questionnaire_link_create(patient, user=reception_user)
    page = client.get(reverse("safety_public_questionnaire", args=[token])).content.decode()
    assert 'name="viewport" content="width=device-width' in page
    assert "safety/safety.css" in page
    # Yes/no questions are grouped radios with a legend, which screen readers announce.
    assert "<legend>Do you have epilepsy?</legend>" in page


def _link_page(client, patient, reception_user, condition=None, data=None):
    if condition:
        factories.clinical_summary(patient, by=reception_user, presenting_condition=condition)
    _, token = questionnaire_link_create(patient, user=reception_user)
    url = reverse("safety_public_questionnaire", args=[token])
    response = client.post(url, data) if data is not None else client.get(url)
    return response.content.decode()


def shown_sections(page: str) -> set[str]:
    return set(re.findall(r'<h2 id="s-([a-z]+)">', page))


@pytest.mark.parametrize(
    ("condition", "ticked", "sections"),
    [
        ("headache", "headache", {"headache"}),
        ("whiplash", "neck", {"neck"}),
        ("low_back", "back", set()),
        ("sciatica", "back", set()),
        # Nothing on the record says where the pain is: every section is asked.
        ("msk", None, {"headache", "neck"}),
        (None, None, {"headache", "neck"}),
    ],
)
def test_the_patient_is_asked_the_questions_for_the_condition_on_their_record(
    client, patient, reception_user, condition, ticked, sections
):
    page = _link_page(client, patient, reception_user, condition)
    assert shown_sections(page) & {"headache", "neck"} == sections
    checked = re.findall(r'name="treatment_areas" value="(\w+)"[^>]*checked', page)
    assert checked == ([ticked] if ticked else [])
    if "headache" in sections:
        assert "a ‘thunderclap’ headache" in page


def test_ticking_the_neck_brings_its_questions_and_nothing_is_saved_until_they_are_answered(
    client, patient, reception_user
):
    factories.clinical_summary(patient, by=reception_user, presenting_condition="low_back")
    _, token = questionnaire_link_create(patient, user=reception_user)
    url = reverse("safety_public_questionnaire", args=[token])
    data = factories.safety_form_data(audience="patient", treatment_areas=["back", "neck"])
    unanswered = {k: v for k, v in data.items() if not k.startswith("neck_")}
    page = client.post(url, unanswered).content.decode()
    assert "neck" in shown_sections(page)
    assert 'href="#q-neck_dizziness"' in page
    assert not Questionnaire.objects.exists()
    done = client.post(url, {**data, "neck_clumsy_hands": "yes"}).content.decode()
    assert "Thank you" in done
    saved = Questionnaire.objects.get()
    assert saved.answers["treatment_areas"] == ["back", "neck"]
    assert saved.answers["neck_clumsy_hands"] is True


def test_an_expired_link_shows_a_clear_page_and_writes_nothing(client, patient, reception_user):
    _, token = questionnaire_link_create(
        patient, user=reception_user, now=timezone.now() - timedelta(days=30)
    )
    url = reverse("safety_public_questionnaire", args=[token])
    for response in (client.get(url), client.post(url, factories.safety_form_data())):
        assert response.status_code == 410
        assert "This link has expired" in response.content.decode()
    assert not Questionnaire.objects.exists()


def test_a_used_link_shows_a_clear_page_and_writes_nothing(client, patient, reception_user):
    _, token = questionnaire_link_create(patient, user=reception_user)
    url = reverse("safety_public_questionnaire", args=[token])
    client.post(url, factories.safety_form_data(audience="patient"))
    again = client.post(url, factories.safety_form_data(audience="patient", epilepsy=True))
    assert again.status_code == 410
    assert "This link has already been used" in again.content.decode()
    assert Questionnaire.objects.count() == 1


def test_an_unknown_link_is_not_found(client, db):
    response = client.get(reverse("safety_public_questionnaire", args=["forged-token"]))
    assert response.status_code == 404
    assert "This link is not recognised" in response.content.decode()


def test_contradictory_answers_online_are_shown_on_their_questions_and_nothing_is_saved(
    client, patient, reception_user
):
    _, token = questionnaire_link_create(patient, user=reception_user)
    url = reverse("safety_public_questionnaire", args=[token])
    data = factories.safety_form_data(
        audience="patient", pregnant="no", pregnancy_weeks=14, anticoagulants=["warfarin"]
    )
    response = client.post(url, data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Weeks of pregnancy are given, but the answer above is not “pregnant”." in page
    assert 'href="#q-warfarin_inr"' in page
    assert not Questionnaire.objects.exists()


def test_an_unknown_drug_posted_to_the_form_is_refused_and_nothing_is_saved(client, users, patient):
    client.force_login(users["practitioner"])
    data = factories.safety_form_data(anticoagulants=["Xarelo"])
    response = client.post(reverse("safety_questionnaire_new", args=[patient.pk]), data)
    assert response.status_code == 200
    assert "Xarelo" in response.content.decode()
    assert not Questionnaire.objects.exists()


# ── Staff pages ──────────────────────────────────────────────────────────────────────


def test_updating_the_questionnaire_starts_from_the_latest_answers_and_adds_a_version(
    client, users, flagged
):
    client.force_login(users["practitioner"])
    url = reverse("safety_questionnaire_new", args=[flagged.pk])
    page = client.get(url).content.decode()
    assert 'value="14"' in page
    assert "Filled in with the answers of version 1" in page
    client.post(url, factories.safety_form_data(pregnant="yes", pregnancy_weeks=15))
    assert list(Questionnaire.objects.values_list("version", flat=True)) == [2, 1]


def test_updating_an_old_questionnaire_of_a_whiplash_patient_asks_the_neck_questions(
    client, users, patient
):
    user = users["practitioner"]
    factories.safety_questionnaire(patient, by=user)
    factories.clinical_summary(patient, by=user, presenting_condition="whiplash")
    client.force_login(user)
    page = client.get(reverse("safety_patient", args=[patient.pk])).content.decode()
    assert "no answers to questions that now apply" in page
    assert "Neck pain" in page
    page = client.get(reverse("safety_questionnaire_new", args=[patient.pk])).content.decode()
    assert shown_sections(page) & {"headache", "neck"} == {"neck"}


def test_the_safety_record_shows_advice_sources_and_all_points_and_is_audited(
    client, users, flagged
):
    client.force_login(users["practitioner"])
    page = client.get(reverse("safety_patient", args=[flagged.pk])).content.decode()
    assert "BL27, BL28" in page
    assert "Source: " in page
    assert SECRET_DETAIL in page
    assert AuditEntry.objects.filter(
        action="view", object_type="safety.questionnaire", patient_id=flagged.pk
    ).exists()


def test_consent_dated_in_the_future_is_shown_as_an_error_and_nothing_is_saved(
    client, users, patient, practitioner
):
    client.force_login(users["practitioner"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("safety_consent_new", args=[patient.pk]),
        {
            "modality": "medical",
            "risks_explained": ["soreness", "bruising", "minor_bleeding", "fainting"],
            "method": "verbal",
            "given_on": tomorrow.isoformat(),
            "given_time": "09:00",
            "taken_by": practitioner.pk,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Not yet explained: infection at a needle site; rare serious events" in page
    assert not Consent.objects.exists()


def test_consent_in_the_future_with_every_risk_is_refused_on_the_date(
    client, users, patient, practitioner
):
    client.force_login(users["practitioner"])
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = client.post(
        reverse("safety_consent_new", args=[patient.pk]),
        {
            "modality": "medical",
            "risks_explained": Risk.values,
            "method": "written",
            "given_on": tomorrow.isoformat(),
            "given_time": "09:00",
            "taken_by": practitioner.pk,
        },
    )
    assert "Consent cannot be dated in the future." in response.content.decode()
    assert not Consent.objects.exists()


def test_an_override_without_a_reason_is_shown_as_an_error_and_nothing_is_saved(
    client, users, flagged
):
    client.force_login(users["practitioner"])
    response = client.post(
        reverse("safety_agreement_new", args=[flagged.pk, "bleeding-disorder"]),
        {"agreed_by": "Dr Okafor", "agreed_on": timezone.localdate().isoformat(), "reason": ""},
    )
    assert response.status_code == 200
    assert "An override needs its reason" in response.content.decode()
    assert not SpecialistAgreement.objects.exists()


def test_a_flag_that_cannot_be_overridden_has_no_agreement_page(client, users, patient):
    factories.safety_questionnaire(patient, by=users["practitioner"], ces_bladder_bowel=True)
    client.force_login(users["practitioner"])
    response = client.get(reverse("safety_agreement_new", args=[patient.pk, "cauda-equina"]))
    assert response.status_code == 404


# ── The gate page ────────────────────────────────────────────────────────────────────


def test_the_gate_page_lists_every_failed_condition_with_a_way_to_resolve_it(client, users, visit):
    client.force_login(users["practitioner"])
    page = client.get(reverse("safety_gate", args=[visit.pk])).content.decode()
    assert "Do not start needling: 5 things to resolve" in page
    for code in (
        "changes_not_confirmed",
        "consent_missing",
        "contraindicated",
        "precaution_not_acknowledged",
    ):
        assert f'data-code="{code}"' in page
        # Words, not codes: the code stays in the markup for tests and the API only.
        shown = re.sub(r'data-code="[^"]*"', "", page)
        assert f"({code})" not in shown and ("_" not in code or code not in shown)
    assert "The patient reports no changes" in page
    assert "Record specialist agreement" in page


def test_working_through_the_gate_page_opens_the_gate(client, users, visit, practitioner):
    client.force_login(users["practitioner"])
    gate = reverse("safety_gate", args=[visit.pk])
    patient = visit.patient
    client.post(reverse("safety_no_changes", args=[visit.pk]))
    factories.consent(patient, taken_by=practitioner)
    client.post(
        reverse("safety_agreement_new", args=[patient.pk, "bleeding-disorder"])
        + f"?for={visit.pk}",
        {
            "agreed_by": "Dr R. Okafor, haematologist",
            "agreed_on": timezone.localdate().isoformat(),
            "reason": "Mild disease; superficial needling with fine needles agreed.",
        },
    )
    for rule_id in ("anticoagulant", "bleeding-disorder", "pregnant"):
        response = client.post(
            reverse("safety_acknowledge", args=[patient.pk, rule_id]) + f"?for={visit.pk}",
            {"discussion": "Risks explained and understood."},
        )
        assert response["Location"] == gate
    page = client.get(gate).content.decode()
    assert "Ready for needling" in page
    assert "Avoid these points" in page
    assert "No electro-acupuncture" in page


def test_the_practitioner_sees_their_own_credentials_running_out_on_the_gate(
    client, users, visit, practitioner
):
    practitioner.credentials.filter(kind="insurance").update(
        valid_until=timezone.localdate() + timedelta(days=10)
    )
    client.force_login(users["practitioner"])
    page = client.get(reverse("safety_gate", args=[visit.pk])).content.decode()
    assert "Credentials expiring soon" in page
    assert "in 10 days" in page


def test_an_admin_sees_every_practitioner_s_expiring_credentials(client, users, practitioner):
    other = factories.practitioner(
        "colleague", qualified_medical=True, valid_until=timezone.localdate() + timedelta(days=3)
    )
    client.force_login(users["admin"])
    page = client.get(reverse("safety_expiring_credentials")).content.decode()
    assert escape(other.name) in page
    assert practitioner.name not in page
    client.force_login(users["practitioner"])
    page = client.get(reverse("safety_expiring_credentials")).content.decode()
    assert other.name not in page


def test_an_admin_chooses_the_clinic_s_pregnancy_point_list(client, users, flagged):
    client.force_login(users["admin"])
    client.post(
        reverse("safety_policy"),
        {
            "questionnaire_valid_months": 6,
            "pregnancy_point_list": "pregnancy-aacp-2012",
            "link_valid_days": 7,
        },
    )
    page = client.get(reverse("patient_detail", args=[flagged.pk])).content.decode()
    assert "Pregnant, 14 weeks — avoid LI4, SP6, BL60, BL67…" in page


def test_the_patient_s_questionnaire_page_is_never_cached(client, patient, reception_user):
    _, token = questionnaire_link_create(patient, user=reception_user)
    response = client.get(reverse("safety_public_questionnaire", args=[token]))
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize(
    ("role", "sees_safety", "sees_settings"),
    [("admin", True, True), ("practitioner", True, False), ("reception", False, False)],
)
def test_the_safety_pages_are_reached_from_the_main_menu_by_clinicians(
    client, users, role, sees_safety, sees_settings
):
    client.force_login(users[role])
    page = client.get(reverse("patient_list")).content.decode()
    assert (reverse("safety_expiring_credentials") in page) is sees_safety
    if sees_safety:
        page = client.get(reverse("safety_expiring_credentials")).content.decode()
        assert (reverse("safety_policy") in page) is sees_settings

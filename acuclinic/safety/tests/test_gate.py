"""The gate before needling: every condition, and a refusal that names each failure."""

from datetime import timedelta

import pytest
from django.utils import timezone

from acuclinic.clinic.choices import Modality
from acuclinic.clinic.models import Service
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.people.models import Credential
from acuclinic.safety import queries, services
from acuclinic.safety.services import needling_gate
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.testing import factories


@pytest.fixture
def visit(patient, practitioner):
    return factories.appointment(patient=patient, practitioner=practitioner)


@pytest.fixture
def day(visit):
    return timezone.localtime(visit.start).date()


def ready_for_needling(visit, **answers):
    """Questionnaire, consent and "no changes" all recorded for this visit."""
    user = visit.practitioner.user
    factories.safety_questionnaire(visit.patient, by=user, **answers)
    factories.consent(visit.patient, taken_by=visit.practitioner)
    services.visit_no_changes_confirm(visit, user=user)


def test_a_screened_consenting_patient_with_a_licensed_practitioner_may_be_needled(visit, day):
    ready_for_needling(visit)
    verdict = needling_gate(visit, today=day)
    assert verdict.needed and verdict.allowed
    assert verdict.failures == ()


def test_a_visit_without_needles_does_not_need_the_gate(patient, practitioner):
    review = Service.objects.get(modality=Modality.FOLLOW_UP, needling="")
    visit = factories.appointment(patient=patient, practitioner=practitioner, service=review)
    verdict = needling_gate(visit, today=timezone.localtime(visit.start).date())
    assert not verdict.needed and verdict.allowed


def test_an_assessment_that_includes_acupuncture_needs_the_gate(patient, practitioner):
    assessment = Service.objects.get(modality=Modality.ASSESSMENT, needling=Modality.MEDICAL)
    visit = factories.appointment(patient=patient, practitioner=practitioner, service=assessment)
    verdict = needling_gate(visit, today=timezone.localtime(visit.start).date())
    assert verdict.needed and not verdict.allowed
    assert "consent_missing" in verdict.codes


def test_with_nothing_recorded_the_refusal_lists_each_missing_condition(visit, day):
    verdict = needling_gate(visit, today=day)
    assert not verdict.allowed
    assert verdict.codes == ["questionnaire_missing", "consent_missing"]
    assert verdict.failures[0].message == (
        "No health questionnaire on file: the patient must complete it before needling."
    )
    assert verdict.failures[1].message == ("No consent on file for Medical (western) acupuncture.")


def test_an_out_of_date_questionnaire_closes_the_gate(visit, day):
    user = visit.practitioner.user
    long_ago = timezone.now() - timedelta(days=200)
    factories.safety_questionnaire(visit.patient, by=user, when=long_ago)
    factories.consent(visit.patient, taken_by=visit.practitioner)
    verdict = needling_gate(visit, today=day)
    assert verdict.codes == ["questionnaire_out_of_date"]
    assert "every 6 months" in verdict.failures[0].message


def test_the_clinic_sets_how_long_a_questionnaire_stays_current(visit, day, clinic):
    services.safety_policy_update(clinic, questionnaire_valid_months=12)
    user = visit.practitioner.user
    factories.safety_questionnaire(
        visit.patient, by=user, when=timezone.now() - timedelta(days=200)
    )
    factories.consent(visit.patient, taken_by=visit.practitioner)
    services.visit_no_changes_confirm(visit, user=user)
    assert needling_gate(visit, today=day).allowed


def test_each_visit_needs_the_any_changes_question(visit, day):
    user = visit.practitioner.user
    factories.safety_questionnaire(visit.patient, by=user)
    factories.consent(visit.patient, taken_by=visit.practitioner)
    verdict = needling_gate(visit, today=day)
    assert verdict.codes == ["changes_not_confirmed"]
    services.visit_no_changes_confirm(visit, user=user)
    assert needling_gate(visit, today=day).allowed


def test_a_full_questionnaire_filled_in_on_the_day_answers_the_any_changes_question(visit):
    today = timezone.localdate()
    factories.safety_questionnaire(visit.patient, by=visit.practitioner.user)
    factories.consent(visit.patient, taken_by=visit.practitioner)
    assert needling_gate(visit, today=today).allowed


def test_consent_to_another_modality_must_be_renewed(patient):
    both = factories.practitioner("both", qualified_medical=True, qualified_traditional=True)
    traditional = Service.objects.get(modality=Modality.TRADITIONAL)
    visit = factories.appointment(patient=patient, practitioner=both, service=traditional)
    day = timezone.localtime(visit.start).date()
    factories.safety_questionnaire(patient, by=both.user)
    factories.consent(patient, taken_by=both, modality=Modality.MEDICAL)
    services.visit_no_changes_confirm(visit, user=both.user)
    verdict = needling_gate(visit, today=day)
    assert verdict.codes == ["consent_missing"]
    assert verdict.failures[0].message == (
        "No consent on file for Traditional acupuncture. Consent on file is for "
        "Medical (western) acupuncture; it must be renewed when the modality changes."
    )


@pytest.mark.parametrize(
    ("answers", "codes", "message"),
    [
        (
            {"ces_saddle_numbness": True},
            ["refer"],
            "Refer today (A&E): possible cauda equina syndrome. Do not needle.",
        ),
        (
            {"bleeding_disorder": True},
            ["contraindicated"],
            "Bleeding disorder — no needling without specialist agreement: contraindicated, "
            "no needling.",
        ),
        (
            {"anticoagulants": ["apixaban"]},
            ["precaution_not_acknowledged"],
            "Apixaban — bleeding precaution: record the risk discussion before needling.",
        ),
    ],
)
def test_standing_flags_close_the_gate_and_say_which(visit, day, answers, codes, message):
    ready_for_needling(visit, **answers)
    verdict = needling_gate(visit, today=day)
    assert verdict.codes == codes
    assert verdict.failures[0].message == message


def test_a_headache_patients_thunderclap_headache_closes_the_gate_as_an_emergency(visit, day):
    factories.clinical_summary(
        visit.patient, by=visit.practitioner.user, presenting_condition="headache"
    )
    ready_for_needling(visit, treatment_areas=["headache"], headache_thunderclap=True)
    verdict = needling_gate(visit, today=day)
    assert verdict.codes == ["refer"]
    assert verdict.failures[0].message == (
        "Refer today (A&E): sudden severe headache, at its worst within five minutes. "
        "Do not needle."
    )


def test_a_questionnaire_kept_before_the_record_said_headache_closes_the_gate_until_redone(
    visit, day
):
    user = visit.practitioner.user
    ready_for_needling(visit)
    assert needling_gate(visit, today=day).allowed
    # The headache questions were never asked; now the record says it is headaches.
    factories.clinical_summary(visit.patient, by=user, presenting_condition="headache")
    verdict = needling_gate(visit, today=day)
    assert verdict.codes == ["questionnaire_incomplete"]
    assert verdict.failures[0].message == (
        "The health questionnaire has no answers to questions that now apply to this patient "
        "(Headaches or migraine): fill in the full questionnaire again."
    )
    factories.safety_questionnaire(visit.patient, by=user, treatment_areas=["headache"])
    assert needling_gate(visit, today=day).allowed


def test_once_every_precaution_is_discussed_the_gate_opens(visit, day):
    ready_for_needling(visit, anticoagulants=["apixaban"], diabetes=True)
    assert needling_gate(visit, today=day).codes == ["precaution_not_acknowledged"] * 2
    for rule_id in ("anticoagulant", "diabetes"):
        services.precaution_acknowledge(
            visit.patient, rule_id=rule_id, discussion="Discussed.", user=visit.practitioner.user
        )
    assert needling_gate(visit, today=day).allowed


def test_flags_that_only_add_restrictions_do_not_close_the_gate(visit, day):
    ready_for_needling(visit, implanted_device=True, implanted_device_kind=["pacemaker"])
    verdict = needling_gate(visit, today=day)
    assert verdict.allowed
    assert verdict.status.assessment.no_electro


def test_a_lapsed_credential_on_the_day_closes_the_gate(visit, day):
    ready_for_needling(visit)
    Credential.objects.filter(practitioner=visit.practitioner, kind="insurance").update(
        valid_until=day - timedelta(days=1)
    )
    verdict = needling_gate(visit, today=day)
    assert verdict.codes == ["credentials_lapsed"]
    assert verdict.failures[0].message.endswith(
        f"has no professional indemnity insurance valid on {day:%-d %b %Y}."
    )


def test_a_practitioner_not_qualified_in_the_modality_closes_the_gate(visit, day):
    ready_for_needling(visit)
    visit.practitioner.qualified_medical = False
    visit.practitioner.save()
    assert needling_gate(visit, today=day).codes == ["not_qualified"]


def test_a_cancelled_appointment_cannot_be_needled(visit, day):
    ready_for_needling(visit)
    visit.status = AppointmentStatus.CANCELLED
    visit.cancelled_at = timezone.now()
    visit.save()
    assert needling_gate(visit, today=day).codes == ["appointment_not_active"]


def test_requiring_the_gate_refuses_with_every_failure_for_the_api_and_session_screen(visit, day):
    with pytest.raises(Conflict) as exc:
        services.require_needling_gate(visit, today=day)
    assert exc.value.code == "needling_not_allowed"
    assert [f["code"] for f in exc.value.extra["failures"]] == [
        "questionnaire_missing",
        "consent_missing",
    ]


# "Any changes since last time?"


def test_no_changes_cannot_be_confirmed_without_a_questionnaire(visit):
    with pytest.raises(InvalidRequest) as exc:
        services.visit_no_changes_confirm(visit, user=visit.practitioner.user)
    assert exc.value.code == "questionnaire_missing"


def test_no_changes_cannot_be_confirmed_against_an_out_of_date_questionnaire(visit):
    user = visit.practitioner.user
    factories.safety_questionnaire(
        visit.patient, by=user, when=timezone.now() - timedelta(days=400)
    )
    with pytest.raises(InvalidRequest) as exc:
        services.visit_no_changes_confirm(visit, user=user)
    assert exc.value.code == "questionnaire_out_of_date"


def test_no_changes_is_confirmed_once_per_visit(visit):
    user = visit.practitioner.user
    factories.safety_questionnaire(visit.patient, by=user)
    services.visit_no_changes_confirm(visit, user=user)
    with pytest.raises(Conflict) as exc:
        services.visit_no_changes_confirm(visit, user=user)
    assert exc.value.code == "already_confirmed"


# Credentials expiring soon (shown to admins and to the practitioner).


def test_credentials_ending_within_30_days_are_listed_soonest_first(practitioner):
    today = timezone.localdate()
    Credential.objects.filter(practitioner=practitioner, kind="insurance").update(
        valid_until=today + timedelta(days=12)
    )
    Credential.objects.filter(practitioner=practitioner, kind="membership").update(
        valid_until=today + timedelta(days=29)
    )
    expiring = queries.expiring_credentials(today=today, practitioner=practitioner)
    assert [(e.credential.kind, e.days_left) for e in expiring] == [
        ("insurance", 12),
        ("membership", 29),
    ]


def test_a_credential_already_renewed_is_not_listed_as_expiring(practitioner):
    today = timezone.localdate()
    insurance = Credential.objects.get(practitioner=practitioner, kind="insurance")
    insurance.valid_until = today + timedelta(days=5)
    insurance.save()
    Credential.objects.create(
        practitioner=practitioner,
        kind="insurance",
        body="Test Mutual",
        number="PI-RENEWED",
        valid_from=today + timedelta(days=6),
        valid_until=today + timedelta(days=371),
    )
    assert queries.expiring_credentials(today=today, practitioner=practitioner) == []

"""Consent, risk discussions for precautions, and agreements that lower a flag."""

from datetime import datetime, time, timedelta

import pytest
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.choices import Modality
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.safety import queries, services
from acuclinic.safety.choices import Risk
from acuclinic.safety.models import Consent, PrecautionAcknowledgement, SpecialistAgreement
from acuclinic.safety.rules import Outcome
from acuclinic.testing import factories

# ── Consent ──────────────────────────────────────────────────────────────────────────


def test_consent_records_the_modality_risks_who_how_and_when(patient, practitioner):
    given = timezone.now() - timedelta(minutes=5)
    consent = factories.consent(patient, taken_by=practitioner, method="written", given_at=given)
    assert consent.modality == Modality.MEDICAL
    assert consent.risks_explained == Risk.values
    assert (consent.method, consent.given_at, consent.taken_by) == ("written", given, practitioner)
    assert AuditEntry.objects.filter(object_type="safety.consent", patient_id=patient.pk).exists()


def test_consent_dated_in_the_future_is_refused_and_nothing_is_written(patient, practitioner):
    with pytest.raises(InvalidRequest) as exc:
        factories.consent(
            patient, taken_by=practitioner, given_at=timezone.now() + timedelta(hours=2)
        )
    assert (exc.value.code, exc.value.field) == ("consent_in_future", "given_at")
    assert exc.value.message == "Consent cannot be dated in the future."
    assert not Consent.objects.exists()
    assert not AuditEntry.objects.filter(object_type="safety.consent").exists()


def test_consent_without_every_risk_explained_is_refused_naming_what_is_missing(
    patient, practitioner
):
    risks = [r for r in Risk.values if r not in ("fainting", "rare_serious")]
    with pytest.raises(InvalidRequest) as exc:
        factories.consent(patient, taken_by=practitioner, risks_explained=risks)
    assert exc.value.code == "risks_not_all_explained"
    assert "feeling faint or fainting" in exc.value.message
    assert "rare serious events" in exc.value.message
    assert not Consent.objects.exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"modality": Modality.ASSESSMENT}, "not_a_needling_modality"),
        ({"method": "telepathy"}, "invalid_method"),
        ({"modality": Modality.TRADITIONAL}, "taker_not_qualified"),
    ],
)
def test_other_bad_consent_is_refused(patient, practitioner, fields, code):
    with pytest.raises(InvalidRequest) as exc:
        factories.consent(patient, taken_by=practitioner, **fields)
    assert exc.value.code == code
    assert not Consent.objects.exists()


def test_consent_cannot_be_dated_before_the_patient_was_born(patient, practitioner):
    before_birth = timezone.make_aware(
        datetime.combine(patient.date_of_birth - timedelta(days=1), time(12))
    )
    with pytest.raises(InvalidRequest) as exc:
        factories.consent(patient, taken_by=practitioner, given_at=before_birth)
    assert exc.value.code == "consent_before_birth"


def test_the_database_refuses_consent_recorded_before_it_was_given(patient, practitioner):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Consent.objects.create(
            patient=patient,
            modality=Modality.MEDICAL,
            risks_explained=Risk.values,
            method="verbal",
            given_at=now + timedelta(days=1),
            recorded_at=now,
            taken_by=practitioner,
            recorded_by=practitioner.user,
        )


def test_a_recorded_consent_cannot_be_rewritten(patient, practitioner):
    consent = factories.consent(patient, taken_by=practitioner)
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        Consent.objects.filter(pk=consent.pk).update(method="written")


# ── Precautions ──────────────────────────────────────────────────────────────────────


def test_a_precaution_is_acknowledged_with_the_discussion_for_the_current_version(
    patient, practitioner_user
):
    factories.safety_questionnaire(patient, by=practitioner_user, diabetes=True)
    record = services.precaution_acknowledge(
        patient,
        rule_id="diabetes",
        discussion="Discussed infection risk; will avoid the feet.",
        user=practitioner_user,
    )
    status = queries.safety_status(patient, today=timezone.localdate())
    assert status.unacknowledged == ()
    assert status.acknowledgements["diabetes"] == record


def test_a_new_questionnaire_version_needs_the_discussion_recorded_again(
    patient, practitioner_user
):
    factories.safety_questionnaire(patient, by=practitioner_user, diabetes=True)
    services.precaution_acknowledge(
        patient, rule_id="diabetes", discussion="Discussed.", user=practitioner_user
    )
    factories.safety_questionnaire(patient, by=practitioner_user, diabetes=True)
    status = queries.safety_status(patient, today=timezone.localdate())
    assert [f.rule_id for f in status.unacknowledged] == ["diabetes"]


@pytest.mark.parametrize(
    ("rule_id", "discussion", "code"),
    [
        ("diabetes", "   ", "discussion_required"),
        ("epilepsy", "Discussed.", "not_a_precaution"),
        ("bleeding-disorder", "Discussed.", "not_a_precaution"),
    ],
)
def test_an_acknowledgement_that_does_not_fit_is_refused(
    patient, practitioner_user, rule_id, discussion, code
):
    factories.safety_questionnaire(
        patient, by=practitioner_user, diabetes=True, bleeding_disorder=True
    )
    with pytest.raises(InvalidRequest) as exc:
        services.precaution_acknowledge(
            patient, rule_id=rule_id, discussion=discussion, user=practitioner_user
        )
    assert exc.value.code == code
    assert not PrecautionAcknowledgement.objects.exists()


def test_a_precaution_is_acknowledged_once_per_version(patient, practitioner_user):
    factories.safety_questionnaire(patient, by=practitioner_user, diabetes=True)
    services.precaution_acknowledge(
        patient, rule_id="diabetes", discussion="Discussed.", user=practitioner_user
    )
    with pytest.raises(Conflict) as exc:
        services.precaution_acknowledge(
            patient, rule_id="diabetes", discussion="Again.", user=practitioner_user
        )
    assert exc.value.code == "already_acknowledged"


def test_nothing_can_be_acknowledged_without_a_questionnaire(patient, practitioner_user):
    with pytest.raises(InvalidRequest) as exc:
        services.precaution_acknowledge(
            patient, rule_id="diabetes", discussion="Discussed.", user=practitioner_user
        )
    assert exc.value.code == "questionnaire_missing"


# ── Agreements (overrides) ───────────────────────────────────────────────────────────


def agree(patient, user, **fields):
    values = {
        "rule_id": "bleeding-disorder",
        "agreed_by": "Dr R. Okafor, consultant haematologist",
        "agreed_on": timezone.localdate(),
        "reason": "Mild von Willebrand disease; superficial needling agreed.",
    }
    values.update(fields)
    return services.specialist_agreement_record(patient, user=user, **values)


def test_specialist_agreement_turns_a_bleeding_disorder_into_a_precaution(
    patient, practitioner_user
):
    factories.safety_questionnaire(patient, by=practitioner_user, bleeding_disorder=True)
    today = timezone.localdate()
    assert queries.safety_status(patient, today=today).assessment.outcome == (
        Outcome.CONTRAINDICATED
    )
    agree(patient, practitioner_user)
    status = queries.safety_status(patient, today=today)
    assert status.assessment.outcome == Outcome.PRECAUTION
    assert [f.rule_id for f in status.unacknowledged] == ["bleeding-disorder"]


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_an_override_without_a_reason_is_refused_and_nothing_is_written(
    patient, practitioner_user, reason
):
    factories.safety_questionnaire(patient, by=practitioner_user, bleeding_disorder=True)
    with pytest.raises(InvalidRequest) as exc:
        agree(patient, practitioner_user, reason=reason)
    assert (exc.value.code, exc.value.field) == ("override_without_reason", "reason")
    assert not SpecialistAgreement.objects.exists()
    assert not AuditEntry.objects.filter(object_type="safety.specialistagreement").exists()


def test_the_database_refuses_an_agreement_without_a_reason(patient, practitioner_user):
    questionnaire = factories.safety_questionnaire(
        patient, by=practitioner_user, bleeding_disorder=True
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        SpecialistAgreement.objects.create(
            patient=patient,
            questionnaire=questionnaire,
            rule_id="bleeding-disorder",
            agreed_by="Dr Okafor",
            agreed_on=timezone.localdate(),
            reason="",
            recorded_by=practitioner_user,
            recorded_at=timezone.now(),
        )


@pytest.mark.parametrize(
    ("answers", "fields", "code"),
    [
        ({"ces_bladder_bowel": True}, {"rule_id": "cauda-equina"}, "override_not_allowed"),
        ({"unable_to_consent": True}, {"rule_id": "unable-to-consent"}, "override_not_allowed"),
        ({"diabetes": True}, {}, "not_a_standing_flag"),
        ({"bleeding_disorder": True}, {"agreed_by": " "}, "agreement_needs_who"),
        (
            {"bleeding_disorder": True},
            {"agreed_on": timezone.localdate() + timedelta(days=1)},
            "agreement_in_future",
        ),
    ],
)
def test_other_bad_agreements_are_refused(patient, practitioner_user, answers, fields, code):
    factories.safety_questionnaire(patient, by=practitioner_user, **answers)
    with pytest.raises(InvalidRequest) as exc:
        agree(patient, practitioner_user, **fields)
    assert exc.value.code == code
    assert not SpecialistAgreement.objects.exists()


def test_a_gp_review_after_a_red_flag_lets_treatment_go_ahead_as_a_precaution(
    patient, practitioner_user
):
    factories.safety_questionnaire(
        patient, by=practitioner_user, history_of_cancer=True, new_back_pain=True
    )
    agree(
        patient,
        practitioner_user,
        rule_id="cancer-new-spinal-pain",
        agreed_by="Dr L. Marsh, GP",
        reason="Breast cancer 2009, discharged; GP assessed, no signs of recurrence.",
    )
    status = queries.safety_status(patient, today=timezone.localdate())
    assert status.assessment.outcome == Outcome.PRECAUTION

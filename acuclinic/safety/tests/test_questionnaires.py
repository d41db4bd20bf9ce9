"""Questionnaires are versions: each submission a new one, nothing ever overwritten."""

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from acuclinic.audit.models import AuditEntry
from acuclinic.safety import catalogue, services
from acuclinic.safety.errors import InvalidAnswers
from acuclinic.safety.models import ImmutableRecord, Questionnaire
from acuclinic.testing import factories


def test_each_submission_is_a_new_version_and_the_old_answers_stay(patient, practitioner_user):
    first = factories.safety_questionnaire(patient, by=practitioner_user)
    second = factories.safety_questionnaire(
        patient, by=practitioner_user, pregnant="yes", pregnancy_weeks=12
    )
    assert (first.version, second.version) == (1, 2)
    first.refresh_from_db()
    assert first.answers["pregnant"] == "no"
    assert second.answers["pregnancy_weeks"] == 12


def test_a_version_records_who_filled_it_and_the_rules_it_was_checked_against(
    patient, practitioner_user
):
    questionnaire = factories.safety_questionnaire(patient, by=practitioner_user)
    assert questionnaire.filled_by == "staff"
    assert questionnaire.entered_by == practitioner_user
    assert questionnaire.rules_version == catalogue.current().version


def test_a_submission_is_audited_with_the_fields_answered_not_their_values(
    patient, practitioner_user
):
    questionnaire = factories.safety_questionnaire(patient, by=practitioner_user, diabetes=True)
    entry = AuditEntry.objects.get(object_type="safety.questionnaire")
    assert entry.action == "create"
    assert entry.patient_id == patient.pk
    assert entry.object_id == str(questionnaire.pk)
    assert "diabetes" in entry.changed_fields
    assert "True" not in entry.detail


@pytest.mark.parametrize(
    ("answers", "field", "code"),
    [
        ({"pregnant": "no", "pregnancy_weeks": 14}, "pregnancy_weeks", "contradiction"),
        ({"anticoagulants": ["Xarelo"]}, "anticoagulants", "unknown_drug"),
        ({"lymphoedema": True}, "lymphoedema_limbs", "required"),
        ({"pregnant": "yes", "pregnancy_weeks": 50}, "pregnancy_weeks", "out_of_range"),
    ],
    ids=["contradiction", "unknown drug", "lymphoedema without a limb", "weeks out of range"],
)
def test_bad_answers_are_refused_with_field_errors_and_nothing_is_written(
    patient, practitioner_user, answers, field, code
):
    with pytest.raises(InvalidAnswers) as exc:
        factories.safety_questionnaire(patient, by=practitioner_user, **answers)
    assert exc.value.code == "invalid_answers"
    assert exc.value.extra["errors"] == [
        {"field": field, "code": code, "message": exc.value.errors[0].message}
    ]
    assert not Questionnaire.objects.exists()
    assert not AuditEntry.objects.filter(action="create").exists()


def test_a_saved_version_cannot_be_changed_through_the_application(patient, practitioner_user):
    questionnaire = factories.safety_questionnaire(patient, by=practitioner_user)
    questionnaire.answers = {"pregnant": "yes"}
    with pytest.raises(ImmutableRecord):
        questionnaire.save()


def test_the_database_itself_refuses_to_rewrite_a_version(patient, practitioner_user):
    questionnaire = factories.safety_questionnaire(patient, by=practitioner_user)
    with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
        Questionnaire.objects.filter(pk=questionnaire.pk).update(answers={"pregnant": "yes"})
    questionnaire.refresh_from_db()
    assert questionnaire.answers["pregnant"] == "no"


def test_a_version_without_who_filled_it_is_refused_by_the_database(patient):
    with pytest.raises(IntegrityError), transaction.atomic():
        Questionnaire.objects.create(
            patient=patient,
            version=1,
            answers={},
            rules_version="x",
            submitted_at="2026-01-05T10:00Z",
            filled_by="staff",
        )


def test_the_staff_form_may_answer_the_capacity_question(patient, practitioner_user):
    questionnaire = services.questionnaire_record(
        patient,
        answers=factories.safety_answers(unable_to_consent=True),
        user=practitioner_user,
    )
    assert questionnaire.answers["unable_to_consent"] is True


def _without_headache_answers(**answers) -> dict:
    return {
        key: value
        for key, value in factories.safety_answers(**answers).items()
        if not key.startswith("headache_")
    }


def test_a_headache_patient_must_answer_the_headache_questions(patient, practitioner_user):
    factories.clinical_summary(patient, by=practitioner_user, presenting_condition="headache")
    with pytest.raises(InvalidAnswers) as exc:
        services.questionnaire_record(
            patient, answers=_without_headache_answers(), user=practitioner_user
        )
    assert {e.field for e in exc.value.errors if e.code == "required"} >= {
        "headache_thunderclap",
        "headache_changed",
    }
    assert not Questionnaire.objects.exists()
    saved = factories.safety_questionnaire(patient, by=practitioner_user)
    assert saved.answers["headache_thunderclap"] is False


def test_a_patient_whose_record_names_no_condition_answers_what_they_ticked(
    patient, practitioner_user
):
    saved = services.questionnaire_record(
        patient, answers=_without_headache_answers(), user=practitioner_user
    )
    assert "headache_thunderclap" not in saved.answers
    with pytest.raises(InvalidAnswers):
        services.questionnaire_record(
            patient,
            answers=_without_headache_answers(treatment_areas=["headache"]),
            user=practitioner_user,
        )

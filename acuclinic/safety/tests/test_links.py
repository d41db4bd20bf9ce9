"""Questionnaire links: single-use, expiring, stored only as a digest; emailed to the patient."""

from datetime import timedelta
from smtplib import SMTPException

import pytest
from django.core import mail
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.safety import services
from acuclinic.safety.errors import DeliveryFailed, InvalidAnswers, LinkUnusable
from acuclinic.safety.models import Questionnaire, QuestionnaireLink
from acuclinic.safety.services import questionnaire_link_create, questionnaire_submit_by_link
from acuclinic.testing import factories


def patient_answers(**overrides):
    return factories.safety_answers(audience="patient", **overrides)


def test_a_patient_fills_in_the_questionnaire_once_through_their_link(patient, reception_user):
    link, token = questionnaire_link_create(patient, user=reception_user)
    questionnaire = questionnaire_submit_by_link(token, answers=patient_answers(diabetes=True))
    assert questionnaire.patient == patient
    assert questionnaire.filled_by == "patient"
    assert questionnaire.link == link
    assert questionnaire.entered_by is None
    link.refresh_from_db()
    assert link.used_at is not None


def test_only_a_digest_of_the_token_is_stored(patient, reception_user):
    link, token = questionnaire_link_create(patient, user=reception_user)
    assert len(token) >= 40
    assert token not in link.token_digest
    assert not QuestionnaireLink.objects.filter(token_digest=token).exists()


def test_a_used_link_is_refused_and_nothing_more_is_written(patient, reception_user):
    _, token = questionnaire_link_create(patient, user=reception_user)
    questionnaire_submit_by_link(token, answers=patient_answers())
    entries = AuditEntry.objects.count()
    with pytest.raises(LinkUnusable) as exc:
        questionnaire_submit_by_link(token, answers=patient_answers(epilepsy=True))
    assert exc.value.code == "link_used"
    assert "already been filled in" in exc.value.message
    assert Questionnaire.objects.count() == 1
    assert AuditEntry.objects.count() == entries


def test_an_expired_link_is_refused_and_nothing_is_written(patient, reception_user):
    link, token = questionnaire_link_create(patient, user=reception_user)
    later = link.expires_at + timedelta(seconds=1)
    with pytest.raises(LinkUnusable) as exc:
        questionnaire_submit_by_link(token, answers=patient_answers(), now=later)
    assert exc.value.code == "link_expired"
    assert exc.value.status == 410
    assert not Questionnaire.objects.exists()
    link.refresh_from_db()
    assert link.used_at is None


def test_a_link_lasts_the_clinics_number_of_days(patient, reception_user, clinic):
    services.safety_policy_update(clinic, link_valid_days=3)
    now = timezone.now()
    link, _ = questionnaire_link_create(patient, user=reception_user, now=now)
    assert link.expires_at == now + timedelta(days=3)


def test_an_unknown_token_is_refused(db):
    with pytest.raises(LinkUnusable) as exc:
        services.questionnaire_link_open("not-a-token")
    assert exc.value.code == "link_unknown"


def test_bad_answers_through_a_link_leave_the_link_usable(patient, reception_user):
    link, token = questionnaire_link_create(patient, user=reception_user)
    with pytest.raises(InvalidAnswers):
        questionnaire_submit_by_link(token, answers=patient_answers(pregnant="yes"))
    link.refresh_from_db()
    assert link.used_at is None
    assert not Questionnaire.objects.exists()
    questionnaire_submit_by_link(token, answers=patient_answers())


def test_sending_emails_the_patient_a_link_that_opens_their_questionnaire(patient, reception_user):
    link = services.questionnaire_link_send(
        patient, user=reception_user, url_for=lambda token: f"https://clinic.test/q/{token}/"
    )
    [message] = mail.outbox
    assert message.to == [patient.email]
    assert message.subject == "Your health questionnaire for Riverside Physio"
    token = message.body.split("https://clinic.test/q/")[1].split("/")[0]
    assert services.questionnaire_link_open(token) == link
    assert link.sent_to == patient.email


def test_a_patient_without_an_email_address_gets_no_link(reception_user):
    patient = factories.patient(email="")
    with pytest.raises(services.InvalidRequest) as exc:
        services.questionnaire_link_send(patient, user=reception_user, url_for=str)
    assert exc.value.code == "patient_has_no_email"
    assert not QuestionnaireLink.objects.exists()
    assert mail.outbox == []


def test_when_the_mail_server_refuses_the_undelivered_link_is_removed(
    patient, reception_user, monkeypatch
):
    def refuse(*args, **kwargs):
        raise SMTPException("mail server unavailable")

    monkeypatch.setattr(services, "send_mail", refuse)
    with pytest.raises(DeliveryFailed) as exc:
        services.questionnaire_link_send(patient, user=reception_user, url_for=str)
    assert exc.value.code == "email_not_sent"
    assert not QuestionnaireLink.objects.exists()
    trail = AuditEntry.objects.filter(object_type="safety.questionnairelink").order_by("id")
    assert [e.action for e in trail] == ["create", "delete"]

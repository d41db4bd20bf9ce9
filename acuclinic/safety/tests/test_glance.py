"""Safety at a glance for many patients at once (the diary's cards): the same answer as
the banner's one-patient reads, the same role rules, in a fixed number of queries."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.safety import glance, queries, services
from acuclinic.testing import factories
from acuclinic.testing.queries import audit_chain_lock

SECRET_DETAIL = "Mild von Willebrand disease, under Dr Okafor"


def _mixed_patients(practitioner) -> list:
    """Never screened; pregnant on apixaban with one discussion and one agreement;
    screened a long time ago with no flags; screened twice (the second has flags)."""
    by = practitioner.user
    unscreened = factories.patient()
    flagged = factories.patient()
    factories.safety_questionnaire(
        flagged,
        by=by,
        pregnant="yes",
        pregnancy_weeks=14,
        anticoagulants=["apixaban"],
        bleeding_disorder=True,
        bleeding_disorder_detail=SECRET_DETAIL,
    )
    services.precaution_acknowledge(
        flagged, rule_id="anticoagulant", discussion="Firm pressure after each needle.", user=by
    )
    services.specialist_agreement_record(
        flagged,
        rule_id="bleeding-disorder",
        agreed_by="Dr A. Haematologist",
        agreed_on=timezone.localdate() - timedelta(days=1),
        reason="Mild; fine needles and firm pressure.",
        user=by,
    )
    lapsed = factories.patient()
    factories.safety_questionnaire(lapsed, by=by, when=timezone.now() - timedelta(days=400))
    renewed = factories.patient()
    factories.safety_questionnaire(renewed, by=by, when=timezone.now() - timedelta(days=30))
    factories.safety_questionnaire(renewed, by=by, diabetes=True)
    return [unscreened, flagged, lapsed, renewed]


def _summary(status: queries.SafetyStatus) -> tuple:
    assessment = status.assessment
    return (
        status.state,
        status.due_on,
        status.questionnaire.pk if status.questionnaire else None,
        sorted(status.acknowledgements),
        sorted(status.agreements),
        [(f.rule_id, f.outcome) for f in assessment.findings] if assessment else None,
        status.has_flags,
    )


def test_many_patients_at_once_get_the_same_answer_as_one_at_a_time(practitioner):
    patients = _mixed_patients(practitioner)
    today = timezone.localdate()
    together = queries.safety_statuses(patients, today=today)
    assert set(together) == {p.pk for p in patients}
    for patient in patients:
        assert _summary(together[patient.pk]) == _summary(
            queries.safety_status(patient, today=today)
        )
    states = [together[p.pk].state for p in patients]
    assert states == [queries.MISSING, queries.CURRENT, queries.OUT_OF_DATE, queries.CURRENT]
    assert together[patients[3].pk].questionnaire.version == 2


def test_the_number_of_queries_does_not_grow_with_the_patients(
    practitioner, django_assert_max_num_queries
):
    few = _mixed_patients(practitioner)
    many = few + _mixed_patients(practitioner) + _mixed_patients(practitioner)
    today = timezone.localdate()
    with django_assert_max_num_queries(6) as counted:
        queries.safety_statuses(few, today=today)
    with django_assert_max_num_queries(len(counted.captured_queries)):
        statuses = queries.safety_statuses(many, today=today)
    # What a glance then reads (each record's questionnaire and patient) is loaded. (Who
    # entered each questionnaire, or recorded a discussion, is not: no glance names them.)
    with django_assert_max_num_queries(0):
        for status in statuses.values():
            for record in [*status.acknowledgements.values(), *status.agreements.values()]:
                assert record.questionnaire.patient == status.patient


def test_no_patients_need_no_flags(practitioner):
    assert queries.safety_statuses([], today=date(2026, 3, 3)) == {}


def test_a_clinician_sees_the_flags_and_each_questionnaire_shown_is_audited_in_one_insert(
    practitioner, django_assert_max_num_queries
):
    patients = _mixed_patients(practitioner)
    # The user's permissions (two, then cached), the policy (two), the questionnaires,
    # discussions and agreements (three), the user's role and the audit entries (one
    # insert for them all, after reading the audit chain's last hash).
    with django_assert_max_num_queries(10 + audit_chain_lock()):
        seen = glance.glances(
            practitioner.user, patients, today=timezone.localdate(), where="diary"
        )
    flagged = seen[patients[1].pk]
    assert flagged.clinical and flagged.outcome == "precaution"
    texts = [f["text"] for f in flagged.flags]
    assert any(t.startswith("Pregnant, 14 weeks — avoid LI4") for t in texts)
    assert "Apixaban — bleeding precaution" in texts
    discussed = {f["finding"].rule_id: f["needs_discussion"] for f in flagged.flags}
    assert discussed["anticoagulant"] is False
    logged = AuditEntry.objects.filter(detail="safety flags in the diary")
    assert sorted(logged.values_list("patient_id", flat=True)) == sorted(p.pk for p in patients[1:])
    assert {e.actor for e in logged} == {practitioner.user}


def test_reception_sees_only_that_there_are_flags_and_nothing_is_audited(
    practitioner, reception_user
):
    patients = _mixed_patients(practitioner)
    seen = glance.glances(reception_user, patients, today=timezone.localdate(), where="diary")
    flagged = seen[patients[1].pk]
    assert not flagged.clinical and flagged.flags == []
    assert flagged.status.has_flags
    assert not AuditEntry.objects.filter(detail="safety flags in the diary").exists()


def test_someone_without_access_to_patients_gets_nothing(practitioner, outsider):
    patients = _mixed_patients(practitioner)
    assert glance.glances(outsider, patients, today=timezone.localdate(), where="diary") == {}


@pytest.mark.parametrize("role", ["reception", "practitioner"])
def test_the_glance_box_says_what_each_role_may_know(rf, practitioner, users, role):
    from django.template import Context, Template

    patients = _mixed_patients(practitioner)
    seen = glance.glances(users[role], patients, today=timezone.localdate(), where="diary")
    template = Template("{% load safety_tags %}{% safety_glance g %}")
    flagged = template.render(Context({"g": seen[patients[1].pk]}))
    unscreened = template.render(Context({"g": seen[patients[0].pk]}))
    assert "Health questionnaire not yet completed" in unscreened
    assert "Health questionnaire current until" in flagged
    if role == "reception":
        assert "Has safety flags." in flagged
        for clinical in ("Pregnant", "Apixaban", "LI4", "Bleeding", SECRET_DETAIL):
            assert clinical not in flagged
    else:
        assert "Apixaban — bleeding precaution" in flagged
        assert SECRET_DETAIL not in flagged


def test_a_page_that_only_says_whether_there_are_flags_reads_nothing_for_a_clinician(
    practitioner,
):
    # The diary's week and the calendar's feed: a clinician learns no more than reception
    # there, so no flag is put into words and the trail records no read.
    patients = _mixed_patients(practitioner)
    seen = glance.glances(
        practitioner.user, patients, today=timezone.localdate(), where="diary", in_words=False
    )
    flagged = seen[patients[1].pk]
    assert flagged.status.has_flags and flagged.flags == []
    box = flagged.html()
    assert "Has safety flags:</strong> the visit lists them." in box
    for clinical in ("Pregnant", "Apixaban", "LI4", "Bleeding", SECRET_DETAIL):
        assert clinical not in box
    assert not AuditEntry.objects.filter(detail="safety flags in the diary").exists()

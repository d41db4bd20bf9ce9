"""The demo clinic's safety screening: a believable mix of answers, recorded as the pages
would record them, with the few gaps a real clinic has so that the gate refuses some
visits, each for a reason it can name.

The scale-1 demo is built once for the module inside a transaction that is rolled back
at the end; each test runs in a savepoint inside it.
"""

import hashlib
import re
from collections import Counter, defaultdict
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from acuclinic.clinic.choices import Modality
from acuclinic.core.formats import LONDON
from acuclinic.demo.builder import build_demo
from acuclinic.demo.spec import DemoSpec
from acuclinic.people.models import ClinicalSummary, Patient, User
from acuclinic.safety import catalogue, queries, services
from acuclinic.safety.choices import FilledBy, Risk
from acuclinic.safety.dates import add_months
from acuclinic.safety.models import (
    ChangeCheck,
    Consent,
    PrecautionAcknowledgement,
    Questionnaire,
    QuestionnaireLink,
    Referral,
    SpecialistAgreement,
)
from acuclinic.safety.rules import Outcome
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing.api_client import as_user
from acuclinic.testing.module_db import module_demo

TODAY = date(2026, 4, 15)
SPEC = DemoSpec.at_scale(1, today=TODAY)

pytestmark = pytest.mark.django_db


demo = module_demo(SPEC)


@pytest.fixture
def statuses(demo) -> dict[int, queries.SafetyStatus]:
    return {p.pk: queries.safety_status(p, today=TODAY) for p in Patient.objects.all()}


def local_day(moment) -> date:
    return moment.astimezone(LONDON).date()


def seen_patient_ids() -> set[int]:
    return set(
        Appointment.objects.filter(status=AppointmentStatus.COMPLETED).values_list(
            "patient_id", flat=True
        )
    )


def needling_visits(**filters):
    return (
        Appointment.objects.exclude(service__needling="")
        .filter(**filters)
        .select_related("patient", "practitioner__user", "service__clinic", "room__location")
        .prefetch_related("practitioner__credentials")
        .order_by("start", "pk")
    )


def gate(visit):
    return services.needling_gate(visit, today=local_day(visit.start))


# ── Who has what on file ─────────────────────────────────────────────────────────────


def test_most_patients_are_screened_and_current_and_a_few_are_out_of_date_or_not_yet_screened(
    statuses,
):
    states = Counter(status.state for status in statuses.values())
    assert states[queries.CURRENT] / len(statuses) > 0.85
    assert 1 <= states[queries.OUT_OF_DATE] <= 6
    assert states[queries.MISSING] >= 5
    # Only patients not yet seen are unscreened: the rest filled it in by their first visit.
    missing = {pk for pk, s in statuses.items() if s.state == queries.MISSING}
    assert not missing & seen_patient_ids()
    # Some of them have the link in their inbox, waiting to be used.
    waiting = QuestionnaireLink.objects.filter(used_at__isnull=True, patient_id__in=missing)
    assert waiting.exists()


def test_the_answers_are_the_mix_a_chronic_pain_clinic_sees(statuses):
    latest = {pk: s.questionnaire.answers for pk, s in statuses.items() if s.questionnaire}
    drugs = Counter(d for a in latest.values() for d in a["anticoagulants"] + a["antiplatelets"])
    assert {"apixaban", "warfarin", "aspirin"} <= set(drugs)
    pregnant = [a for a in latest.values() if a["pregnant"] == "yes"]
    assert 1 <= len(pregnant) <= 2
    assert all(8 <= a["pregnancy_weeks"] <= 36 for a in pregnant)
    devices = Counter(kind for a in latest.values() for kind in a.get("implanted_device_kind", []))
    assert devices["pacemaker"] >= 1
    assert sum(a["diabetes"] for a in latest.values()) >= 5
    assert sum(a["needle_anxiety"] for a in latest.values()) >= 5
    limbs = [limb for a in latest.values() for limb in a.get("lymphoedema_limbs", [])]
    assert {"left_arm", "right_arm"} & set(limbs)
    # Most patients screen clear.
    clear = [s for s in statuses.values() if s.assessment and not s.assessment.has_flags]
    assert len(clear) / len(latest) > 0.5


def test_each_patient_answered_the_questions_for_the_condition_on_their_record(statuses):
    conditions = dict(ClinicalSummary.objects.values_list("patient_id", "presenting_condition"))
    asked = Counter()
    for pk, status in statuses.items():
        if status.questionnaire is None:
            continue
        assert status.unanswered == (), pk
        answers = status.questionnaire.answers
        if conditions.get(pk) == "headache":
            assert "headache" in answers["treatment_areas"]
            assert answers["headache_thunderclap"] is False
            asked["headache"] += 1
        elif conditions.get(pk) == "whiplash":
            assert answers["treatment_areas"] == ["neck"]
            assert answers["neck_dizziness"] is False
            asked["neck"] += 1
        elif answers["treatment_areas"] in (["back"], ["other"]):
            # Neither asked nor answered: a back or knee patient sees neither section.
            assert not any(key.startswith(("headache_", "neck_")) for key in answers)
    assert asked["headache"] >= 3 and asked["neck"] >= 1


def test_red_flags_were_reviewed_by_the_gp_except_one_nobody_has_seen_yet(statuses):
    reviewed, standing = [], []
    for status in statuses.values():
        for finding in status.assessment.findings if status.assessment else ():
            if finding.rule.urgency is None:
                continue
            (reviewed if finding.overridden else standing).append((status, finding))
    assert len(reviewed) >= 2
    assert all(f.outcome == Outcome.PRECAUTION for _, f in reviewed)
    for status, finding in reviewed:
        agreement = status.agreements[finding.rule_id]
        assert agreement.agreed_by.startswith("Dr ") and ", GP, " in agreement.agreed_by
        assert agreement.reason
        assert finding.rule_id in status.acknowledgements
    [(status, finding)] = standing
    assert finding.rule.urgency == "urgent"
    assert status.questionnaire.filled_by == FilledBy.PATIENT
    assert status.patient.pk not in seen_patient_ids()


def test_the_red_flag_nobody_has_reviewed_was_referred_to_the_gp(statuses):
    [referral] = Referral.objects.select_related("patient", "issued_by")
    status = statuses[referral.patient_id]
    assert [f.rule_id for f in status.assessment.referrals] == referral.rule_ids
    assert referral.questionnaire_id == status.questionnaire.pk
    assert referral.destination == "gp" and referral.urgency == "urgent"
    assert referral.issued_at > status.questionnaire.submitted_at
    # Signed by the practitioner the patient is booked with, with their registration (an
    # acupuncturist's body membership, as they have no statutory register).
    booked = Appointment.objects.filter(patient=referral.patient).values_list(
        "practitioner__user", flat=True
    )
    assert referral.issued_by_id in set(booked)
    assert referral.issued_by.display_name in referral.text
    assert re.search(
        r"\n[A-Z][a-z]+, [A-Za-z]+ (registration|membership) number \w+\n", referral.text
    )
    assert f"Patient: {referral.patient.full_name}" in referral.text


# ── Recorded as the pages would record it ────────────────────────────────────────────


def test_every_questionnaire_passes_the_checks_the_service_makes(demo):
    rules = catalogue.current()
    numbers = defaultdict(list)
    for q in Questionnaire.objects.select_related("link", "entered_by__practitioner").order_by(
        "submitted_at"
    ):
        audience = "patient" if q.filled_by == FilledBy.PATIENT else "staff"
        cleaned, errors = rules.validate(q.answers, audience=audience)
        assert errors == [], (q.pk, errors)
        assert cleaned == q.answers
        assert q.rules_version == rules.version
        numbers[q.patient_id].append(q.version)
        if q.filled_by == FilledBy.PATIENT:
            link = q.link
            assert link.patient_id == q.patient_id and link.used_at == q.submitted_at
            assert link.created_at < link.used_at < link.expires_at
        else:
            assert q.entered_by.practitioner  # a clinician entered it
        assert local_day(q.submitted_at) <= TODAY
    for versions in numbers.values():
        assert versions == list(range(1, len(versions) + 1))
    unused = QuestionnaireLink.objects.filter(used_at__isnull=True)
    assert all(local_day(link.expires_at) > TODAY for link in unused)


def test_needled_patients_consented_to_their_kind_of_acupuncture_at_the_first_session(demo):
    consents = {c.patient_id: c for c in Consent.objects.select_related("taken_by__user")}
    first_needled = {}
    for visit in needling_visits(status=AppointmentStatus.COMPLETED):
        first_needled.setdefault(visit.patient_id, visit)
    assert len(first_needled) > 200
    for patient_id, visit in first_needled.items():
        consent = consents[patient_id]
        assert consent.modality == visit.service.needling
        assert consent.given_at <= visit.start + timedelta(minutes=10)
    for consent in consents.values():
        assert consent.risks_explained == Risk.values
        assert consent.given_at <= consent.recorded_at
        assert consent.taken_by.is_qualified_for(consent.modality)
        assert consent.recorded_by == consent.taken_by.user


def test_precautions_were_discussed_for_most_patients_who_have_been_seen(statuses):
    seen = seen_patient_ids()
    with_precautions = [
        s for pk, s in statuses.items() if pk in seen and s.assessment and s.assessment.precautions
    ]
    assert len(with_precautions) > 30
    discussed = [s for s in with_precautions if not s.unacknowledged]
    assert len(discussed) / len(with_precautions) > 0.8
    for record in PrecautionAcknowledgement.objects.select_related("questionnaire"):
        assert record.patient_id == record.questionnaire.patient_id
        assert record.discussion.strip()
        assert record.acknowledged_at >= record.questionnaire.submitted_at


def test_agreements_lower_only_flags_that_allow_it_and_say_who_and_why(demo):
    rules = catalogue.current()
    agreements = list(SpecialistAgreement.objects.select_related("questionnaire"))
    assert {a.rule_id for a in agreements} == {
        "serious-pathology",
        "cancer-new-spinal-pain",
        "bleeding-disorder",
    }
    for agreement in agreements:
        assert rules.by_id[agreement.rule_id].override is not None
        assert agreement.agreed_by and agreement.reason
        assert agreement.agreed_on <= local_day(agreement.recorded_at)
        assert agreement.patient_id == agreement.questionnaire.patient_id


def test_any_changes_was_asked_at_each_needling_visit_that_needed_it(demo):
    checks = list(
        ChangeCheck.objects.select_related(
            "appointment__service", "appointment__practitioner", "questionnaire"
        )
    )
    assert len(checks) > 1000
    for check in checks:
        visit, questionnaire = check.appointment, check.questionnaire
        assert visit.status in (AppointmentStatus.COMPLETED, AppointmentStatus.ARRIVED)
        assert visit.service.needling in Modality.needling()
        assert questionnaire.patient_id == visit.patient_id
        submitted_on, day = local_day(questionnaire.submitted_at), local_day(visit.start)
        assert submitted_on < day < add_months(submitted_on, 6)
        assert check.confirmed_by_id == visit.practitioner.user_id


def test_the_gate_was_open_at_almost_every_recent_needling_session(demo):
    recent = needling_visits(
        status=AppointmentStatus.COMPLETED, start__date__gte=TODAY - timedelta(days=28)
    )
    verdicts = [gate(visit) for visit in recent]
    assert len(verdicts) > 100
    assert sum(v.allowed for v in verdicts) / len(verdicts) > 0.9


# ── The gate for the visits ahead ────────────────────────────────────────────────────


def test_upcoming_needling_visits_are_mostly_ready_and_some_are_refused_for_a_reason(demo):
    verdicts = [gate(visit) for visit in needling_visits(status__in=["booked", "arrived"])]
    verdicts = [v for v in verdicts if local_day(v.appointment.start) >= TODAY]
    # Ready: nothing left but "any changes since last time?", asked at the visit itself.
    ready = [v for v in verdicts if set(v.codes) <= {"changes_not_confirmed"}]
    assert len(ready) / len(verdicts) > 0.6
    refused = Counter(code for v in verdicts for code in v.codes)
    for reason in (
        "questionnaire_missing",
        "questionnaire_out_of_date",
        "consent_missing",
        "precaution_not_acknowledged",
        "refer",
    ):
        assert refused[reason] >= 1, reason


def test_a_ready_visit_today_opens_once_the_patient_says_nothing_has_changed(demo):
    today = [
        visit
        for visit in needling_visits(status="booked", start__date=TODAY)
        if gate(visit).codes == ["changes_not_confirmed"]
    ]
    assert today
    visit = today[0]
    asked = visit.start + timedelta(minutes=2)
    services.visit_no_changes_confirm(visit, user=visit.practitioner.user, now=asked)
    assert gate(visit).allowed


def test_a_practitioner_sees_the_refusal_on_the_gate_page_and_reception_only_that_it_is_closed(
    demo,
):
    flagged = next(
        visit
        for visit in needling_visits(status="booked", start__date__gte=TODAY)
        if "refer" in gate(visit).codes
    )
    client = Client()
    client.force_login(flagged.practitioner.user)
    page = client.get(reverse("safety_gate", args=[flagged.pk])).content.decode()
    assert "possible serious spinal pathology" in page
    reception = as_user(User.objects.get(username="reception"))
    verdict = reception.get(f"/appointments/{flagged.pk}/gate").json()
    assert (verdict["allowed"], verdict["failures"]) == (False, None)


# ── Deterministic ────────────────────────────────────────────────────────────────────


SMALL = DemoSpec(today=TODAY, patients=40, practitioners=3, rooms=3, months_back=8)


def screening_digest() -> str:
    patient = ("patient__given_name", "patient__family_name", "patient__date_of_birth")
    tables = [
        sorted(
            Questionnaire.objects.values_list(
                *patient, "version", "answers", "submitted_at", "filled_by", "entered_by__username"
            ),
            key=repr,
        ),
        sorted(
            QuestionnaireLink.objects.values_list(
                *patient, "token_digest", "created_at", "expires_at", "used_at"
            ),
            key=repr,
        ),
        sorted(
            Consent.objects.values_list(*patient, "modality", "method", "given_at", "recorded_at"),
            key=repr,
        ),
        sorted(
            PrecautionAcknowledgement.objects.values_list(
                *patient, "questionnaire__version", "rule_id", "discussion", "acknowledged_at"
            ),
            key=repr,
        ),
        sorted(
            SpecialistAgreement.objects.values_list(
                *patient, "rule_id", "agreed_by", "agreed_on", "reason"
            ),
            key=repr,
        ),
        sorted(
            ChangeCheck.objects.values_list(
                "appointment__patient__given_name",
                "appointment__start",
                "questionnaire__version",
                "confirmed_at",
            ),
            key=repr,
        ),
    ]
    return hashlib.sha256(repr(tables).encode()).hexdigest()


def test_the_same_spec_builds_the_same_screening_records():
    # Reset first as well: the module's scale-1 demo may be in the database already.
    build_demo(SMALL, reset_first=True)
    first = screening_digest()
    assert Questionnaire.objects.count() > 30
    build_demo(SMALL, reset_first=True)
    assert screening_digest() == first

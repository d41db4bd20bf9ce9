"""Reads that the safety pages, the banner and the gate share."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import OuterRef, Q, Subquery, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from acuclinic.clinic.choices import LicensingRegime
from acuclinic.clinic.models import Clinic, Location
from acuclinic.people.choices import CredentialKind
from acuclinic.people.credentials import NOT_MEMBERSHIP_BODIES
from acuclinic.people.models import ClinicalSummary, Credential, Patient, Practitioner
from acuclinic.safety import catalogue
from acuclinic.safety.dates import add_months
from acuclinic.safety.models import (
    Consent,
    PrecautionAcknowledgement,
    Questionnaire,
    Referral,
    SafetyPolicy,
    SpecialistAgreement,
)
from acuclinic.safety.questions import SECTION_BY_KEY, Question
from acuclinic.safety.rules import (
    Assessment,
    Finding,
    PointList,
    Ruleset,
    Seen,
    StoredAnswers,
    unanswered,
)

MISSING, OUT_OF_DATE, CURRENT = "missing", "out_of_date", "current"
EXPIRY_WARNING_DAYS = 30


def policy_for(clinic: Clinic | None) -> SafetyPolicy:
    """The clinic's safety settings; the defaults when it has not changed any."""
    if clinic is None:
        return SafetyPolicy()
    return SafetyPolicy.objects.filter(clinic=clinic).first() or SafetyPolicy(clinic=clinic)


def clinic_policy() -> SafetyPolicy:
    """The policy for patient-level screens. An installation runs one clinic (DESIGN.md);
    patients belong to it rather than to a clinic row of their own."""
    return policy_for(Clinic.objects.order_by("pk").first())


def pregnancy_list(policy: SafetyPolicy) -> PointList:
    rules = catalogue.current()
    chosen = rules.point_list(policy.pregnancy_point_list)
    return chosen if chosen and chosen.slot == "pregnancy" else rules.default_list("pregnancy")


def chosen_lists(policy: SafetyPolicy) -> dict[str, str]:
    """The clinic's point lists, by slot, that questionnaires are assessed with."""
    return {"pregnancy": pregnancy_list(policy).id}


def screening_facts(patient: Patient) -> dict:
    """What the patient's record tells the questionnaire: the condition treated (None
    when no clinical summary names one), which decides what else is asked."""
    condition = (
        ClinicalSummary.objects.filter(patient=patient)
        .values_list("presenting_condition", flat=True)
        .first()
    )
    return {"condition": condition or None}


def latest_questionnaire(patient: Patient) -> Questionnaire | None:
    return (
        Questionnaire.objects.filter(patient=patient)
        .select_related("entered_by")
        .order_by("-version")
        .first()
    )


def referrals_for(patient: Patient) -> list[Referral]:
    """The patient's referral letters, newest first (without their text)."""
    return list(
        Referral.objects.filter(patient=patient)
        .select_related("issued_by")
        .defer("text")
        .order_by("-issued_at", "-pk")
    )


def latest_referral(patient: Patient) -> Referral | None:
    return (
        Referral.objects.filter(patient=patient).defer("text").order_by("-issued_at", "-pk").first()
    )


def local_date(moment) -> date:
    return timezone.localtime(moment).date()


@dataclass
class SafetyStatus:
    """Where a patient stands today: their questionnaire, flags and what is recorded."""

    patient: Patient
    policy: SafetyPolicy
    questionnaire: Questionnaire | None = None
    assessment: Assessment | None = None
    due_on: date | None = None
    state: str = MISSING
    acknowledgements: dict[str, PrecautionAcknowledgement] = field(default_factory=dict)
    agreements: dict[str, SpecialistAgreement] = field(default_factory=dict)
    # Questions that apply to the patient now but that the questionnaire never asked.
    unanswered: tuple[Question, ...] = ()

    @property
    def is_current(self) -> bool:
        return self.state == CURRENT

    @property
    def is_complete(self) -> bool:
        return not self.unanswered

    @property
    def unanswered_topics(self) -> list[str]:
        """The sections of the unanswered questions, in the questionnaire's order."""
        topics: list[str] = []
        for question in self.unanswered:
            title = SECTION_BY_KEY[question.section].title
            if title not in topics:
                topics.append(title)
        return topics

    @property
    def has_flags(self) -> bool:
        return self.assessment is not None and self.assessment.has_flags

    @property
    def unacknowledged(self) -> tuple[Finding, ...]:
        if self.assessment is None:
            return ()
        return tuple(
            f for f in self.assessment.precautions if f.rule_id not in self.acknowledgements
        )

    @property
    def overridable(self) -> tuple[Finding, ...]:
        """Standing flags that a recorded agreement could lower, not yet agreed."""
        if self.assessment is None:
            return ()
        return tuple(
            f
            for f in self.assessment.findings
            if f.rule.override is not None and f.rule_id not in self.agreements
        )


def safety_status(
    patient: Patient, *, today: date, policy: SafetyPolicy | None = None
) -> SafetyStatus:
    policy = policy or clinic_policy()
    status = SafetyStatus(patient=patient, policy=policy)
    questionnaire = latest_questionnaire(patient)
    if questionnaire is None:
        return status
    # Through the related managers, so each record knows its questionnaire without a query.
    _assess(
        status,
        questionnaire,
        questionnaire.acknowledgements.select_related("acknowledged_by").order_by(
            "acknowledged_at"
        ),
        questionnaire.agreements.select_related("recorded_by").order_by("recorded_at"),
        screening=_Screening.of(policy, today),
        facts=screening_facts(patient),
    )
    return status


@dataclass(frozen=True)
class _Screening:
    """What assessing any patient's questionnaire today depends on besides the patient:
    worked out once for a page of hundreds of patients rather than once for each."""

    today: date
    policy: SafetyPolicy
    rules: Ruleset
    chosen_lists: dict
    tz: object

    @classmethod
    def of(cls, policy: SafetyPolicy, today: date) -> "_Screening":
        return cls(
            today=today,
            policy=policy,
            rules=catalogue.current(),
            chosen_lists=chosen_lists(policy),
            tz=timezone.get_current_timezone(),
        )


def _assess(
    status: SafetyStatus, questionnaire, acknowledgements, agreements, *, screening, facts: dict
) -> None:
    """Fill in ``status`` from the patient's latest questionnaire and what is on file."""
    patient, today = status.patient, screening.today
    # Already loaded: saves a query wherever it is named.
    Questionnaire.patient.field.set_cached_value(questionnaire, patient)
    status.questionnaire = questionnaire
    status.due_on = add_months(
        timezone.localtime(questionnaire.submitted_at, screening.tz).date(),
        screening.policy.questionnaire_valid_months,
    )
    status.state = CURRENT if today < status.due_on else OUT_OF_DATE
    status.acknowledgements = {a.rule_id: a for a in acknowledgements}
    status.agreements = {a.rule_id: a for a in agreements}
    # Both are remembered by the answers (rules.Seen): written once for the two.
    written = Seen.written(questionnaire.answers)
    status.assessment = screening.rules.evaluate(
        questionnaire.answers,
        age=patient.age_on(today),
        chosen_lists=screening.chosen_lists,
        agreements=set(status.agreements),
        written=written,
    )
    status.unanswered = unanswered(
        questionnaire.answers, facts=facts, audience=questionnaire.filled_by, written=written
    )


def safety_statuses(
    patients, *, today: date, policy: SafetyPolicy | None = None
) -> dict[int, SafetyStatus]:
    """``safety_status`` for many patients at once (a diary page), by patient id: the
    same answer in a fixed number of queries however many patients there are. Its
    acknowledgements and agreements are read with only their rule (the rest is read if
    asked for): a page of many patients needs no more."""
    policy = policy or clinic_policy()
    by_id = {p.pk: p for p in patients}
    statuses = {pk: SafetyStatus(patient=p, policy=policy) for pk, p in by_id.items()}
    if not by_id:
        return statuses
    newest = (
        Questionnaire.objects.filter(patient=OuterRef("patient"))
        .order_by("-version")
        .values("version")[:1]
    )
    # Without who entered each one: the diary's glance never names them, and a user
    # object per questionnaire was a good part of a week's cost. The answers come as
    # the stored text, parsed only if no assessment of them is remembered.
    questionnaires = list(
        Questionnaire.objects.filter(patient_id__among=by_id.keys(), version=Subquery(newest))
        .defer("answers")
        .annotate(answers_text=Cast("answers", output_field=TextField()))
        .order_by()
    )
    for questionnaire in questionnaires:
        questionnaire.answers = StoredAnswers(questionnaire.answers_text)
    # Only what a glance asks of them, the rule each is about: who recorded a discussion
    # or an agreement, and what it says, are the safety page's (``safety_status``), and
    # reading their users as well was a third of a diary week's safety reads.
    acknowledgements, agreements = defaultdict(list), defaultdict(list)
    asked = {q.pk for q in questionnaires}
    for a in PrecautionAcknowledgement.objects.filter(questionnaire_id__among=asked).only(
        "questionnaire_id", "rule_id"
    ):
        acknowledgements[a.questionnaire_id].append(a)
    for a in SpecialistAgreement.objects.filter(questionnaire_id__among=asked).only(
        "questionnaire_id", "rule_id"
    ):
        agreements[a.questionnaire_id].append(a)
    conditions = dict(
        ClinicalSummary.objects.filter(
            patient_id__among={q.patient_id for q in questionnaires}
        ).values_list("patient_id", "presenting_condition")
    )
    screening = _Screening.of(policy, today)
    for_ack, for_agreement = (
        PrecautionAcknowledgement.questionnaire.field,
        SpecialistAgreement.questionnaire.field,
    )
    for questionnaire in questionnaires:
        for record in acknowledgements[questionnaire.pk]:
            for_ack.set_cached_value(record, questionnaire)
        for record in agreements[questionnaire.pk]:
            for_agreement.set_cached_value(record, questionnaire)
        _assess(
            statuses[questionnaire.patient_id],
            questionnaire,
            acknowledgements[questionnaire.pk],
            agreements[questionnaire.pk],
            screening=screening,
            facts={"condition": conditions.get(questionnaire.patient_id) or None},
        )
    return statuses


def consent_on_file(patient: Patient, modality: str, day: date) -> Consent | None:
    """The latest consent to ``modality`` given on or before ``day``."""
    consents = Consent.objects.filter(patient=patient, modality=modality).order_by("-given_at")
    return next((c for c in consents if local_date(c.given_at) <= day), None)


def consents_for(patient: Patient) -> list[Consent]:
    return list(
        Consent.objects.filter(patient=patient)
        .select_related("taken_by__user", "recorded_by")
        .order_by("-given_at")
    )


@dataclass(frozen=True)
class ExpiringCredential:
    credential: Credential
    days_left: int


def expiring_credentials(
    *, today: date, practitioner: Practitioner | None = None, within: int = EXPIRY_WARNING_DAYS
) -> list[ExpiringCredential]:
    """Credentials in force today that end within ``within`` days, soonest first.

    Records that can never count (a "BAAB membership": the BAAB accredits courses) are
    left out: renewing one would not help, and the credential notice says why."""
    credentials = Credential.objects.filter(
        valid_from__lte=today,
        valid_until__gte=today,
        valid_until__lte=today + timedelta(days=within),
        practitioner__is_active=True,
    ).select_related("practitioner__user")
    for body in NOT_MEMBERSHIP_BODIES:
        credentials = credentials.exclude(kind=CredentialKind.MEMBERSHIP, body__iexact=body)
    if practitioner is not None:
        credentials = credentials.filter(practitioner=practitioner)
    return [
        ExpiringCredential(c, (c.valid_until - today).days)
        for c in credentials.order_by("valid_until", "kind")
        if not is_renewed(c)
    ]


def licensing_problems_where_working(
    practitioner: Practitioner, *, today: date
) -> list[tuple[str, str]]:
    """(location, problem) for each thing a council's licensing asks of the practitioner
    or of the premises, missing today, at the active locations they work at today or
    later and whose council licenses acupuncture."""
    locations = (
        Location.objects.filter(is_active=True, working_patterns__practitioner=practitioner)
        .filter(
            Q(working_patterns__valid_until__isnull=True)
            | Q(working_patterns__valid_until__gte=today)
        )
        .exclude(licensing_regime=LicensingRegime.NONE)
        .prefetch_related("premises_registrations")
        .distinct()
        .order_by("name")
    )
    everywhere = set(practitioner.credential_problems(today))
    return [
        (location.name, problem)
        for location in locations
        for problem in practitioner.credential_problems(today, location)
        if problem not in everywhere
    ]


def is_renewed(credential: Credential) -> bool:
    """A renewal of the same kind already starts by the day after this one ends (for a
    council's registration or licence, from the same council; it may have no end)."""
    renewals = Credential.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gt=credential.valid_until),
        practitioner_id=credential.practitioner_id,
        kind=credential.kind,
        valid_from__lte=credential.valid_until + timedelta(days=1),
    )
    if credential.kind == CredentialKind.LOCAL_AUTHORITY:
        renewals = renewals.filter(body__iexact=credential.body)
    return renewals.exists()

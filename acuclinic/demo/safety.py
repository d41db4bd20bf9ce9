"""Demo safety screening: health questionnaires, consent, risk discussions, agreements and
"any changes since last time?" at each visit, recorded the way a careful clinic would.

A patient fills in the questionnaire before their first visit (by the emailed link) or
with the practitioner at it, and again when it falls due (every six months, renewed
from eight weeks before); consent to their kind of acupuncture is taken at the first
needling visit, and each precaution's risk discussion at the first visit after the
questionnaire that raised it. Each patient asks treatment for what their record says
(headache patients answer the headache questions, whiplash patients the neck ones).
Most patients screen clear; the rest are the mix a chronic-pain clinic sees:
anticoagulants and antiplatelets, diabetes, needle anxiety, a pregnancy or two, a
pacemaker, a lymphoedematous arm after breast cancer, a few red flags with new back pain
that the GP has reviewed, and one nobody has reviewed yet (its practitioner has issued
a referral letter to the GP, kept on the record). A few gaps are left so that the gate has
something to refuse: new patients not yet screened or consented, questionnaires that
have run out of date, precautions not yet discussed, that one red flag.

Every set of answers passes the same checks (``rules.validate``) and is evaluated by the
same rules (``rules.evaluate``) as one entered on the pages; the rows are written with
``bulk_create`` and no audit entries, like the rest of the demo.
"""

import hashlib
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from acuclinic.clinic.choices import Modality
from acuclinic.core.formats import LONDON
from acuclinic.demo import synthetic
from acuclinic.demo.patients import PatientPlan
from acuclinic.demo.spec import DemoSpec
from acuclinic.demo.staff import StaffPlan
from acuclinic.people.choices import Sex
from acuclinic.safety import catalogue, queries, referral_letter, referrals
from acuclinic.safety.choices import ConsentMethod, FilledBy, Risk
from acuclinic.safety.dates import add_months
from acuclinic.safety.models import (
    ChangeCheck,
    Consent,
    PrecautionAcknowledgement,
    Questionnaire,
    QuestionnaireLink,
    Referral,
    ReferralDestination,
    SafetyPolicy,
    SpecialistAgreement,
)
from acuclinic.safety.questions import AREA_OF_CONDITION, BOOL, for_audience
from acuclinic.safety.rules import Assessment
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment

# The clinic keeps the default policy: a full questionnaire every six months.
VALID_MONTHS = SafetyPolicy._meta.get_field("questionnaire_valid_months").default
LINK_DAYS = SafetyPolicy._meta.get_field("link_valid_days").default
# The renewal link goes out with the appointment reminder once it is due within 8 weeks.
RENEW_EARLY = timedelta(weeks=8)
# A few maintenance patients' questionnaires ran out of date lately and were not renewed.
OUT_OF_DATE = 3
LAPSED_FOR = timedelta(weeks=8)
# Patients are read and written this many at a time, so a large demo stays in memory.
CHUNK = 500
HAPPENED = {AppointmentStatus.COMPLETED, AppointmentStatus.ARRIVED}
ACTIVE = set(AppointmentStatus.active())

# The common conditions, each (chance when old enough, chance otherwise, from age).
ANTICOAGULANT = (0.08, 0.01, 50)
ANTIPLATELET = (0.12, 0.02, 55)
ANTICOAGULANTS = {"apixaban": 45, "rivaroxaban": 25, "warfarin": 20, "edoxaban": 10}
ANTIPLATELETS = {"aspirin": 75, "clopidogrel": 25}
SIMPLE_CONDITIONS = {
    "diabetes": 0.07,
    "needle_anxiety": 0.08,
    "metal_allergy": 0.02,
    "epilepsy": 0.012,
    "immunosuppressed": 0.015,
}
OPERATIONS = (
    "Right knee replacement",
    "Left shoulder arthroscopy",
    "Carpal tunnel release, right wrist",
    "Hernia repair",
)
# Red flags with new back pain that a GP has since reviewed (serious pathology
# excluded), and what the GP found.
REVIEWED_RED_FLAGS = (
    ("recent_trauma", "pain began after a fall; X-ray showed no fracture"),
    ("fever_or_unwell", "had flu when the pain began; recovered, blood tests normal"),
)
HOSPITAL = "Kingsmead General Hospital"

# What a practitioner records after each risk discussion (by rule id).
DISCUSSIONS = {
    "pregnant": "Discussed acupuncture in pregnancy: the cautioned points are avoided, no "
    "electro-acupuncture, gentle stimulation only. She is happy to go ahead.",
    "pregnant-first-trimester": "Explained that miscarriage is common in the first "
    "trimester whatever the treatment, so that she decides knowing it. She wishes to go ahead.",
    "anticoagulant-and-antiplatelet": "Takes {drugs} together, so bleeding is more likely "
    "than on either alone: fewer needles, superficial only, firm pressure on each site.",
    "anticoagulant": "Discussed the bleeding and bruising risk on {drugs}: fine needles, "
    "superficial needling away from vessels, firm pressure after each needle comes out.",
    "antiplatelet": "Explained that bruising is more likely on {drugs}; pressure on each site "
    "after withdrawal. Patient content to continue.",
    "epilepsy": "Seizures well controlled. Treated lying down and never left alone with "
    "needles in; no electro-acupuncture.",
    "diabetes": "Checked the skin and sensation of the feet; advised to keep puncture sites "
    "clean and to tell us about any redness or slow healing.",
    "immunosuppressed": "On long-term treatment that weakens immunity: careful skin "
    "preparation and clean-field technique; no needling of inflamed skin.",
    "metal-allergy": "Nickel allergy (a rash from jewellery). Coated needles used; will watch "
    "for a local reaction.",
    "needle-anxiety": "Fainted at a blood test some years ago. First sessions lying down with "
    "few needles, observed throughout.",
    "recent-surgery": "Wound healed. Will not needle near the scar for now; no anticoagulants "
    "after the operation.",
    "serious-pathology": "GP review noted; no red flags now. Agreed to screen again at once "
    "if the pain changes.",
    "cancer-new-spinal-pain": "GP review noted: no sign of spread to the spine. Explained the "
    "warning signs (weak or numb legs, trouble passing urine) and to go to A&E if they come.",
    "bleeding-disorder": "Went through the haematologist's conditions: superficial needling "
    "with fine needles and firm pressure; stop if bruising increases.",
}


@dataclass
class Profile:
    """What a patient would answer, and what has been agreed about it."""

    answers: dict = field(default_factory=dict)
    # The start of a pregnancy, so the weeks given grow from one questionnaire to the next.
    pregnant_since: date | None = None
    # (rule id, who agreed, why): an agreement recorded at the first review.
    agreement: tuple[str, str, str] | None = None
    agreed_on: date | None = None
    # Renewals are gone through with a clinician, who looks at the agreement again.
    renew_with_clinician: bool = False
    # The patient fills the first questionnaire in by link, some days before the visit.
    by_link_first: bool = False
    # Nobody noticed the renewal was due: the questionnaire has run out of date.
    renewal_missed: bool = False


@dataclass(frozen=True)
class Visit:
    pk: int | None  # None: a first visit before the demo's history begins
    start: datetime
    status: str
    practitioner_id: int
    needling: str

    @property
    def day(self) -> date:
        return self.start.astimezone(LONDON).date()


@dataclass
class Version:
    patient: object
    submitted: datetime
    answers: dict
    # The visit it was filled in at, or for (by link, before it).
    visit: Visit
    entered_by: object | None = None
    link: QuestionnaireLink | None = None
    row: Questionnaire | None = None
    # Its flags once any agreement recorded at its review is taken into account.
    assessment: Assessment | None = None

    @property
    def day(self) -> date:
        return self.submitted.astimezone(LONDON).date()


@dataclass
class SafetyDemo:
    questionnaires: int = 0
    unused_links: int = 0
    consents: int = 0
    acknowledgements: int = 0
    agreements: int = 0
    change_checks: int = 0
    out_of_date: int = 0
    referrals: int = 0


def build_safety(
    spec: DemoSpec, rng: random.Random, staff: StaffPlan, patients: list[PatientPlan]
) -> SafetyDemo:
    profiles = choose_profiles(spec, rng, patients)
    screening = Screening(spec, rng, staff)
    for start in range(0, len(patients), CHUNK):
        chunk = list(
            zip(patients[start : start + CHUNK], profiles[start : start + CHUNK], strict=True)
        )
        visits = _visits([plan.patient.pk for plan, _ in chunk])
        for plan, profile in chunk:
            screening.patient(plan, profile, visits.get(plan.patient.pk, []))
        screening.write()
    return screening.summary


def _scaled(at_scale_1: int, patients: int) -> int:
    return max(1, round(at_scale_1 * patients / 300))


def _visits(patient_ids: list[int]) -> dict[int, list[Visit]]:
    rows = Appointment.objects.filter(patient_id__in=patient_ids).values_list(
        "patient_id", "pk", "start", "status", "practitioner_id", "service__needling"
    )
    visits = defaultdict(list)
    for patient_id, pk, start, status, practitioner_id, needling in rows:
        visits[patient_id].append(Visit(pk, start, status, practitioner_id, needling))
    for found in visits.values():
        found.sort(key=lambda v: (v.start, v.pk))
    return visits


# ── Who answers what ─────────────────────────────────────────────────────────────────


def choose_profiles(
    spec: DemoSpec, rng: random.Random, patients: list[PatientPlan]
) -> list[Profile]:
    """A profile per patient: a few chosen for the cases every clinic has, then the
    common conditions drawn at random."""
    today = spec.today
    profiles = [Profile() for _ in patients]
    taken: set[int] = set()
    age = {i: plan.patient.age_on(today) for i, plan in enumerate(patients)}

    def pick(count: int, eligible) -> list[int]:
        pool = [i for i, plan in enumerate(patients) if i not in taken and eligible(i, plan)]
        chosen = rng.sample(pool, min(count, len(pool)))
        taken.update(chosen)
        return chosen

    def seen_for(days: int):
        return lambda plan: plan.course_start <= today - timedelta(days=days)

    n = len(patients)
    for i in pick(
        _scaled(2, n),
        lambda i, p: (
            p.patient.sex == Sex.FEMALE
            and 22 <= age[i] <= 42
            and not p.established
            and today - timedelta(days=90) <= p.course_start <= today + timedelta(days=14)
        ),
    ):
        weeks = rng.randint(10, 20)
        profiles[i].pregnant_since = patients[i].course_start - timedelta(weeks=weeks)
    for i in pick(_scaled(2, n), lambda i, p: p.patient.sex == Sex.FEMALE and 25 <= age[i] <= 42):
        profiles[i].answers["pregnant"] = "trying"
    for i in pick(_scaled(1, n), lambda i, p: age[i] >= 62 and seen_for(0)(p)):
        profiles[i].answers.update(implanted_device=True, implanted_device_kind=["pacemaker"])
    for i in pick(_scaled(1, n), lambda i, p: age[i] >= 40):
        profiles[i].answers.update(
            implanted_device=True, implanted_device_kind=["spinal_cord_stimulator"]
        )

    # Red flags the GP has reviewed, one after breast cancer with a lymphoedematous arm.
    def reviewable(i: int, plan: PatientPlan) -> bool:
        # The GP or specialist is written to before the first visit: an email to ask by.
        return bool(plan.patient.email) and age[i] >= 40 and seen_for(21)(plan)

    for i in pick(_scaled(1, n), lambda i, p: reviewable(i, p) and p.patient.sex == Sex.FEMALE):
        arm = rng.choice(["left_arm", "right_arm"])
        profiles[i].answers.update(
            history_of_cancer=True,
            new_back_pain=True,
            lymphoedema=True,
            lymphoedema_limbs=[arm],
        )
        _gp_review(
            rng,
            profiles[i],
            patients[i],
            "cancer-new-spinal-pain",
            "had breast cancer surgery with lymph node clearance over ten years ago, no "
            "recurrence; the back pain is mechanical, with no sign of spread to the spine",
        )
    for i in pick(_scaled(2, n), reviewable):
        question, finding = rng.choice(REVIEWED_RED_FLAGS)
        profiles[i].answers.update({question: True, "new_back_pain": True})
        _gp_review(rng, profiles[i], patients[i], "serious-pathology", finding)
    for i in pick(_scaled(1, n), reviewable):
        profiles[i].answers.update(
            bleeding_disorder=True,
            bleeding_disorder_detail=f"Mild von Willebrand disease; haematology at {HOSPITAL}",
        )
        profiles[i].agreement = (
            "bleeding-disorder",
            f"Dr {_doctor(rng)}, consultant haematologist, {HOSPITAL}",
            "Mild von Willebrand disease with no bleeding episodes in years. Agrees to "
            "acupuncture with fine needles and firm pressure after each needle.",
        )
        _clinician_reviews(profiles[i])
    # Maintenance patients whose six months ran out in the last few weeks, not renewed.
    for i in pick(
        _scaled(OUT_OF_DATE, n),
        lambda i, p: (
            p.established and spec.history_start - LAPSED_FOR <= p.course_start < spec.history_start
        ),
    ):
        profiles[i].renewal_missed = True
    # A red flag nobody has reviewed yet: a new patient who answered online before
    # their first visit. The gate stops needling until it is dealt with.
    for i in pick(_scaled(1, n), lambda i, p: bool(p.patient.email) and p.course_start > today):
        profiles[i].answers.update(weight_loss=True, night_pain=True, new_back_pain=True)
        profiles[i].by_link_first = True

    for i, plan in enumerate(patients):
        _common_conditions(rng, profiles[i], plan, age[i], today)
    return profiles


def _doctor(rng: random.Random) -> str:
    given = rng.choice(synthetic.FEMALE_NAMES + synthetic.MALE_NAMES)
    return f"{given[0]}. {rng.choice(synthetic.FAMILY_NAMES)}"


def _gp_review(rng, profile: Profile, plan: PatientPlan, rule_id: str, finding: str) -> None:
    practice = plan.patient.gp_practice or "Riverside Medical Centre"
    profile.agreement = (
        rule_id,
        f"Dr {_doctor(rng)}, GP, {practice}",
        f"Reviewed by the GP: {finding}. No features of serious spinal pathology; happy "
        "for acupuncture to go ahead.",
    )
    _clinician_reviews(profile)


def _clinician_reviews(profile: Profile) -> None:
    # The specialist needs the answers before the first visit, and renewals are gone
    # through with the practitioner, who looks at the agreement again.
    profile.by_link_first = True
    profile.renew_with_clinician = True


def _common_conditions(rng, profile: Profile, plan: PatientPlan, age: int, today: date) -> None:
    answers = profile.answers
    old, young, from_age = ANTICOAGULANT
    if rng.random() < (old if age >= from_age else young) and profile.pregnant_since is None:
        drug = _weighted(rng, ANTICOAGULANTS)
        answers["anticoagulants"] = [drug]
        if drug == "warfarin":
            answers["warfarin_inr"] = "in_range"
    old, young, from_age = ANTIPLATELET
    if rng.random() < (old if age >= from_age else young) and profile.pregnant_since is None:
        answers["antiplatelets"] = [_weighted(rng, ANTIPLATELETS)]
    for question, chance in SIMPLE_CONDITIONS.items():
        if rng.random() < chance:
            answers[question] = True
    if answers.get("immunosuppressed"):
        # Long-term biologics or steroids in this clinic's mix, not chemotherapy.
        answers["chemotherapy_counts"] = "no"
    # "In the last three months" only holds for one questionnaire: recent patients only.
    if rng.random() < 0.015 and plan.course_start >= today - timedelta(days=60):
        answers.update(recent_surgery=True, recent_surgery_site=rng.choice(OPERATIONS))


def _weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


# ── Each patient's screening record ──────────────────────────────────────────────────


class Screening:
    def __init__(self, spec: DemoSpec, rng: random.Random, staff: StaffPlan):
        self.today = spec.today
        self.rng = rng
        self.rules = catalogue.current()
        self.reception = staff.reception
        self.practitioners = {p.practitioner.pk: p.practitioner for p in staff.practitioners}
        self.summary = SafetyDemo()
        self._clear()

    def _clear(self) -> None:
        self.links: list[QuestionnaireLink] = []
        self.versions: list[Version] = []
        self.consents: list[Consent] = []
        # (version, fields): the version's row is only made when the chunk is written.
        self.agreements: list[tuple[Version, dict]] = []
        self.acknowledgements: list[tuple[Version, dict]] = []
        self.checks: list[tuple[Visit, Version]] = []
        # A red flag read before the first visit: the letter its practitioner issued.
        self.referrals: list[tuple[Version, Visit]] = []

    def patient(self, plan: PatientPlan, profile: Profile, visits: list[Visit]) -> None:
        happened = [v for v in visits if v.status in HAPPENED and v.day <= self.today]
        if plan.established:
            # Assessed before the demo's history begins, at 10:00 on the first day.
            first = Visit(
                None,
                datetime.combine(plan.course_start, time(10), tzinfo=LONDON),
                AppointmentStatus.COMPLETED,
                plan.practitioner.practitioner.pk,
                plan.practitioner.modality,
            )
            happened = [first, *happened]
        if happened:
            self._screened(plan, profile, happened, visits)
            return
        upcoming = [v for v in visits if v.status in ACTIVE and v.day >= self.today]
        if upcoming:
            self._new(plan, profile, upcoming[0])

    # Patients already seen: versions, consent, discussions, "any changes?" per visit.

    def _screened(self, plan, profile: Profile, happened: list[Visit], visits: list[Visit]):
        patient = plan.patient
        versions = [self._first_version(plan, profile, happened[0])]
        # Today's visits that have not happened yet can still be renewed for by link.
        chances = sorted(
            {*happened, *(v for v in visits if v.status in ACTIVE and v.day == self.today)},
            key=lambda v: v.start,
        )
        for visit in chances:
            current = versions[-1]
            due = add_months(current.day, VALID_MONTHS)
            if visit.day <= current.day or visit.day < due - RENEW_EARLY:
                continue
            if profile.renewal_missed:
                if due <= self.today:
                    self.summary.out_of_date += 1
                break
            renewal = self._renewal(plan, profile, visit, current, happened=visit in happened)
            if renewal is not None:
                versions.append(renewal)

        for version in versions:
            self._review(patient, profile, version, happened)
        self.versions += versions
        self._consent(patient, happened)
        self._change_checks(happened, versions)

    def _first_version(self, plan, profile: Profile, first: Visit) -> Version:
        email = plan.patient.email
        if email and (profile.by_link_first or self.rng.random() < 0.6):
            days_before = self.rng.randint(3, 8) if profile.by_link_first else None
            return self._by_link(plan, profile, first, days_before=days_before)
        return self._by_clinician(plan, profile, first)

    def _renewal(self, plan, profile: Profile, visit: Visit, current: Version, *, happened):
        options = []
        if happened:
            options.append(("clinician", 35))
        if plan.patient.email and not profile.renew_with_clinician:
            options += [("morning", 35), ("evening", 30)]
        if not options:
            return None
        how = _weighted(self.rng, dict(options))
        if how == "clinician":
            return self._by_clinician(plan, profile, visit)
        days_before = 0 if how == "morning" else self.rng.randint(1, 3)
        submitted = self._online_before(visit, days_before)
        if submitted <= current.submitted:
            return None  # the evening before would come before the last one: not renewed
        return self._linked(plan, profile, visit, submitted)

    def _by_clinician(self, plan, profile: Profile, visit: Visit) -> Version:
        submitted = visit.start + timedelta(minutes=5)
        return Version(
            patient=plan.patient,
            submitted=submitted,
            answers=self._answers(plan, profile, "staff", submitted),
            visit=visit,
            entered_by=self.practitioners[visit.practitioner_id].user,
        )

    def _by_link(self, plan, profile: Profile, visit: Visit, *, days_before: int | None):
        """Filled in online ``days_before`` the visit (None: any of the 5 days before)."""
        if days_before is None:
            days_before = self.rng.choice([0, 1, 1, 2, 3, 4, 5])
        return self._linked(plan, profile, visit, self._online_before(visit, days_before))

    def _online_before(self, visit: Visit, days_before: int) -> datetime:
        """When a patient fills it in: that morning (0), or an evening days before."""
        rng = self.rng
        if days_before == 0:
            return visit.start - timedelta(minutes=rng.randint(30, 150))
        day = visit.day - timedelta(days=days_before)
        return _local(day, rng.randint(18, 21), rng.randrange(0, 60, 5))

    def _linked(self, plan, profile, visit: Visit, submitted: datetime) -> Version:
        # Sent with the booking confirmation or the reminder, used within its week.
        created = submitted - timedelta(hours=self.rng.randint(2, 24 * (LINK_DAYS - 2)))
        link = self._link(plan, created, used_at=submitted)
        return Version(
            patient=plan.patient,
            submitted=submitted,
            answers=self._answers(plan, profile, "patient", submitted),
            visit=visit,
            link=link,
        )

    def _link(self, plan, created: datetime, used_at: datetime | None) -> QuestionnaireLink:
        # Nobody holds the token: only a digest of random bytes is kept, as for any link.
        secret = self.rng.getrandbits(256).to_bytes(32, "big")
        link = QuestionnaireLink(
            patient=plan.patient,
            token_digest=hashlib.sha256(secret).hexdigest(),
            created_at=created,
            expires_at=created + timedelta(days=LINK_DAYS),
            created_by=self.reception,
            sent_to=plan.patient.email,
            used_at=used_at,
        )
        self.links.append(link)
        return link

    def _answers(self, plan, profile: Profile, audience: str, when: datetime) -> dict:
        raw: dict = {q.key: False for q in for_audience(audience) if q.kind == BOOL}
        raw.update(
            treatment_areas=[AREA_OF_CONDITION.get(str(plan.condition), "other")],
            pregnant="no",
            anticoagulants=[],
            antiplatelets=[],
        )
        raw.update(profile.answers)
        if profile.pregnant_since is not None:
            weeks = (when.astimezone(LONDON).date() - profile.pregnant_since).days // 7
            raw.update(pregnant="yes", pregnancy_weeks=min(max(weeks, 1), 42))
        facts = {"condition": str(plan.condition) if plan.has_summary else None}
        cleaned, errors = self.rules.validate(raw, audience=audience, facts=facts)
        if errors:
            # A bug in this module, never in the data a user typed: stop the build.
            problems = "; ".join(f"{e.field}: {e.code}" for e in errors)
            raise ValueError(f"demo answers for patient {plan.patient.pk} invalid: {problems}")
        return cleaned

    def _review(self, patient, profile: Profile, version: Version, happened: list[Visit]):
        """At the first visit that uses this version: agreement, then risk discussions."""
        review = version.visit if version.visit in happened else None
        age = patient.age_on(version.day)
        version.assessment = self.rules.evaluate(version.answers, age=age)
        if review is not None and profile.agreement is not None:
            rule_id, agreed_by, reason = profile.agreement
            if rule_id in {f.rule_id for f in version.assessment.findings}:
                self._agreement(patient, profile, version, review, rule_id, agreed_by, reason)
                version.assessment = self.rules.evaluate(
                    version.answers, age=age, agreements={rule_id}
                )
        if review is None:
            return
        by = self.practitioners[review.practitioner_id].user
        for finding in version.assessment.precautions:
            text = DISCUSSIONS.get(
                finding.rule_id,
                f"Discussed the risks of “{finding.rule.title}” and agreed how to proceed.",
            )
            drugs = ", ".join(
                self.rules.drugs_by_id[d].name.split(" (")[0]
                for d in version.answers.get("anticoagulants", [])
                + version.answers.get("antiplatelets", [])
            )
            self.acknowledgements.append(
                (
                    version,
                    {
                        "rule_id": finding.rule_id,
                        "discussion": text.format(drugs=drugs or "their medicine"),
                        "acknowledged_by": by,
                        "acknowledged_at": review.start + timedelta(minutes=6),
                    },
                )
            )

    def _agreement(self, patient, profile, version, review: Visit, rule_id, agreed_by, reason):
        if profile.agreed_on is None:
            # The specialist answered between the questionnaire and the first visit.
            gap = (review.day - version.day).days
            profile.agreed_on = version.day + timedelta(days=self.rng.randint(1, max(gap - 1, 1)))
            text = reason
        else:
            text = f"{reason} Looked at again with the renewed questionnaire: nothing new."
        self.agreements.append(
            (
                version,
                {
                    "rule_id": rule_id,
                    "agreed_by": agreed_by,
                    "agreed_on": min(profile.agreed_on, review.day),
                    "reason": text,
                    "recorded_by": self.practitioners[review.practitioner_id].user,
                    "recorded_at": review.start + timedelta(minutes=3),
                },
            )
        )

    def _consent(self, patient, happened: list[Visit]) -> None:
        first = next((v for v in happened if v.needling in Modality.needling()), None)
        if first is None:
            return
        given = first.start + timedelta(minutes=10)
        taker = self.practitioners[first.practitioner_id]
        self.consents.append(
            Consent(
                patient=patient,
                modality=first.needling,
                risks_explained=list(Risk.values),
                method=ConsentMethod.WRITTEN if self.rng.random() < 0.7 else ConsentMethod.VERBAL,
                given_at=given,
                taken_by=taker,
                recorded_by=taker.user,
                recorded_at=given + timedelta(minutes=self.rng.randint(1, 15)),
            )
        )

    def _change_checks(self, happened: list[Visit], versions: list[Version]) -> None:
        """Asked "any changes since last time?" at each needling visit that needed it."""
        for visit in happened:
            if visit.pk is None or visit.needling not in Modality.needling():
                continue
            if any(v.day == visit.day for v in versions):
                continue  # a full questionnaire that day answers the question
            current = next((v for v in reversed(versions) if v.submitted < visit.start), None)
            if current is None or visit.day >= add_months(current.day, VALID_MONTHS):
                continue
            if current.assessment is not None and current.assessment.blocks_needling:
                continue
            self.checks.append((visit, current))

    # New patients: screened online before the first visit, or not yet.

    def _new(self, plan, profile: Profile, first: Visit) -> None:
        rng = self.rng
        if not plan.patient.email:
            return  # filled in with the practitioner at the first visit
        if not profile.by_link_first and rng.random() >= 0.6:
            # The link has gone out and is waiting to be used.
            sent = _local(self.today - timedelta(days=rng.randint(1, 3)), rng.randint(10, 16), 0)
            self._link(plan, sent, used_at=None)
            self.summary.unused_links += 1
            return
        if (first.day - self.today).days > 7:
            day = self.today - timedelta(days=rng.randint(0, 4))
        else:
            day = min(self.today, first.day - timedelta(days=rng.randint(1, 5)))
            day = max(day, self.today - timedelta(days=3))
        if day == self.today:
            submitted = _local(day, 7, 0) + timedelta(minutes=rng.randrange(0, 90, 5))
            submitted = min(submitted, first.start - timedelta(minutes=20))
        else:
            submitted = _local(day, rng.randint(18, 21), rng.randrange(0, 60, 5))
        version = self._linked(plan, profile, first, submitted)
        version.assessment = self.rules.evaluate(
            version.answers, age=plan.patient.age_on(version.day)
        )
        self.versions.append(version)
        if version.assessment.referrals and profile.agreement is None:
            self.referrals.append((version, first))

    # Writing ──────────────────────────────────────────────────────────────────────────

    def write(self) -> None:
        QuestionnaireLink.objects.bulk_create(self.links, batch_size=1000)
        numbers: dict[int, int] = defaultdict(int)
        rules_version = self.rules.version
        for version in self.versions:
            numbers[version.patient.pk] += 1
            version.row = Questionnaire(
                patient=version.patient,
                version=numbers[version.patient.pk],
                answers=version.answers,
                rules_version=rules_version,
                submitted_at=version.submitted,
                filled_by=FilledBy.PATIENT if version.link else FilledBy.STAFF,
                entered_by=version.entered_by,
                link=version.link,
            )
        Questionnaire.objects.bulk_create([v.row for v in self.versions], batch_size=1000)
        Consent.objects.bulk_create(self.consents, batch_size=1000)
        SpecialistAgreement.objects.bulk_create(
            [
                SpecialistAgreement(patient=v.patient, questionnaire=v.row, **fields)
                for v, fields in self.agreements
            ],
            batch_size=1000,
        )
        PrecautionAcknowledgement.objects.bulk_create(
            [
                PrecautionAcknowledgement(patient=v.patient, questionnaire=v.row, **fields)
                for v, fields in self.acknowledgements
            ],
            batch_size=1000,
        )
        ChangeCheck.objects.bulk_create(
            [
                ChangeCheck(
                    appointment_id=visit.pk,
                    questionnaire=version.row,
                    confirmed_by=self.practitioners[visit.practitioner_id].user,
                    confirmed_at=visit.start + timedelta(minutes=2),
                )
                for visit, version in self.checks
            ],
            batch_size=1000,
        )
        summary = self.summary
        summary.questionnaires += len(self.versions)
        summary.consents += len(self.consents)
        summary.agreements += len(self.agreements)
        summary.acknowledgements += len(self.acknowledgements)
        summary.change_checks += len(self.checks)
        for version, visit in self.referrals:
            self._referral(version, visit)
        summary.referrals += len(self.referrals)
        self._clear()

    def _referral(self, version: Version, visit: Visit) -> None:
        """The practitioner of the first visit reads the answers soon after they come in
        and writes to the GP (A&E for an emergency flag), as the safety page would."""
        practitioner = self.practitioners[visit.practitioner_id]
        issued_at = version.submitted + timedelta(minutes=40)
        status = queries.safety_status(version.patient, today=version.day)
        emergency = any(
            f.rule.urgency == referral_letter.EMERGENCY for f in status.assessment.referrals
        )
        destination = ReferralDestination.AE if emergency else ReferralDestination.GP
        facts = referrals.letter_facts(
            version.patient,
            status,
            practitioner=practitioner,
            destination=destination,
            notes="",
            now=issued_at,
        )
        Referral.objects.create(
            patient=version.patient,
            questionnaire=version.row,
            rule_ids=[f.rule_id for f in status.assessment.referrals],
            destination=destination,
            urgency=facts.urgency,
            text=referral_letter.compose(facts),
            issued_by=practitioner.user,
            issued_at=issued_at,
        )


def _local(day: date, hour: int, minute: int) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)

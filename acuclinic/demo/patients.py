"""Demo patients: who they are, how to reach them, why they came, and when they started.

Most come with chronic low back pain; ages, sexes and contact preferences vary the way a
private physiotherapy clinic's list does: some give only an email address, some only a
mobile, some prefer texts; some have an NHS number on file, some a GP or an emergency
contact.
"""

import random
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from acuclinic.clinic.choices import Modality
from acuclinic.demo import courses, synthetic
from acuclinic.demo.spec import DemoSpec
from acuclinic.demo.staff import PractitionerPlan
from acuclinic.outcomes.models import Course
from acuclinic.people.choices import ConditionChoice, Sex
from acuclinic.people.models import ClinicalSummary, Patient
from acuclinic.people.phone import national_digits

CONDITION_WEIGHTS = {
    ConditionChoice.LOW_BACK_PAIN: 48,
    ConditionChoice.MUSCULOSKELETAL: 12,
    ConditionChoice.SCIATICA: 10,
    ConditionChoice.HEADACHE: 9,
    ConditionChoice.FIBROMYALGIA: 6,
    ConditionChoice.POST_SURGERY: 5,
    ConditionChoice.WHIPLASH: 5,
    ConditionChoice.OTHER: 5,
}
# Conditions for which patients more often ask for traditional acupuncture.
TRADITIONAL_LEANING = {
    ConditionChoice.HEADACHE,
    ConditionChoice.FIBROMYALGIA,
    ConditionChoice.OTHER,
}
SEX_WEIGHTS = {Sex.FEMALE: 60, Sex.MALE: 37, Sex.OTHER: 1, Sex.UNKNOWN: 2}
GP_PRACTICES = (
    "Riverside Medical Centre",
    "Mill Lane Surgery",
    "Kingsmead Health Centre",
    "The Old Forge Practice",
    "Fenwick Hill Group Practice",
    "Canal Side Medical Practice",
)

# Clinical history phrases by condition: how it started, what makes it worse.
ONSET = {
    ConditionChoice.LOW_BACK_PAIN: (
        "after lifting at work",
        "gradually, no clear injury",
        "after a fall in the garden",
        "since a pregnancy",
    ),
    ConditionChoice.MUSCULOSKELETAL: (
        "neck and shoulder pain, desk-based job",
        "knee pain from osteoarthritis",
        "shoulder pain since a sports injury",
    ),
    ConditionChoice.SCIATICA: (
        "left leg pain below the knee",
        "right buttock and leg pain",
        "after a disc prolapse, settled with physiotherapy",
    ),
    ConditionChoice.HEADACHE: (
        "tension-type headaches most days",
        "migraine two to four times a month",
        "headaches with neck stiffness",
    ),
    ConditionChoice.FIBROMYALGIA: (
        "widespread pain and poor sleep",
        "diagnosed by rheumatology, fatigue is the main problem",
    ),
    ConditionChoice.POST_SURGERY: (
        "after a knee replacement",
        "after shoulder surgery",
        "after lumbar spine surgery",
    ),
    ConditionChoice.WHIPLASH: ("after a car accident", "neck pain since a rear-end collision"),
    ConditionChoice.OTHER: ("chronic pelvic pain", "long-standing jaw pain", "hip pain"),
}
WORSE = (
    "worse after sitting",
    "worse in the mornings",
    "worse with stress",
    "worse at the end of the day",
    "disturbs sleep",
)
TRIED = (
    "tried exercise-based physiotherapy",
    "tried over-the-counter painkillers",
    "tried massage with short-lived relief",
    "tried a pain management programme",
    "taking amitriptyline from the GP",
)


@dataclass
class PatientPlan:
    """A patient and the course of treatment the diary will give them."""

    patient: Patient
    condition: str
    practitioner: PractitionerPlan
    course_start: date
    archetype: courses.Archetype
    established: bool  # already in maintenance when the demo history starts
    preferred_weekday: int
    # A preference for mornings, middays or evenings, as a fraction of the opening day.
    preferred_time: float
    has_summary: bool


def build_patients(
    spec: DemoSpec,
    rng: random.Random,
    practitioners: list[PractitionerPlan],
    mobiles: synthetic.NumberPool,
    landlines: synthetic.NumberPool,
) -> list[PatientPlan]:
    nhs_numbers = synthetic.NhsNumberPool(rng)
    plans = []
    for n in range(spec.patients):
        patient = _patient(spec, rng, n, mobiles, landlines, nhs_numbers)
        condition = _weighted(rng, CONDITION_WEIGHTS)
        practitioner = _choose_practitioner(rng, condition, practitioners)
        established, start = _course_start(spec, rng)
        plans.append(
            PatientPlan(
                patient=patient,
                condition=condition,
                practitioner=practitioner,
                course_start=start,
                archetype=courses.choose_archetype(rng, established=established),
                established=established,
                preferred_weekday=rng.choice(sorted(practitioner.rota)),
                preferred_time=rng.choice([0.0, 0.05, 0.15, 0.4, 0.5, 0.85, 0.95, 1.0]),
                has_summary=rng.random() < 0.95,
            )
        )
    Patient.objects.bulk_create([p.patient for p in plans])
    return plans


def _weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _patient(spec, rng, n, mobiles, landlines, nhs_numbers) -> Patient:
    sex = _weighted(rng, SEX_WEIGHTS)
    female_name = sex == Sex.FEMALE or (sex != Sex.MALE and rng.random() < 0.5)
    given = rng.choice(synthetic.FEMALE_NAMES if female_name else synthetic.MALE_NAMES)
    family = rng.choice(synthetic.FAMILY_NAMES)
    age_days = int(max(18.2, min(91.0, rng.gauss(52, 15))) * 365.25)
    born = spec.today - timedelta(days=age_days + rng.randint(0, 364))

    # How they like to be reached: both, email only, or phone only (texts or calls).
    reach = rng.choices(["both", "email", "phone"], weights=[65, 15, 20])[0]
    email = synthetic.email_for(given, family, n, rng) if reach != "phone" else ""
    texts = reach != "email" and rng.random() < 0.45
    phone = ""
    if reach != "email":
        # Text reminders need a mobile; some without them gave a landline.
        phone = mobiles.take() if texts or rng.random() < 0.8 else landlines.take()

    town, area = synthetic.TOWNS[rng.randrange(min(len(synthetic.TOWNS), 2 * spec.locations))]
    has_address = rng.random() < 0.85
    has_contact = rng.random() < 0.5
    return Patient(
        given_name=given,
        family_name=family,
        preferred_name=synthetic.SHORT_NAMES.get(given, "") if rng.random() < 0.5 else "",
        date_of_birth=born,
        sex=sex,
        email=email,
        phone=phone,
        # bulk_create skips Patient.save(), which keeps the search digits in step.
        phone_digits=national_digits(phone),
        address_line1=synthetic.street_address(rng) if has_address else "",
        town=town if has_address else "",
        postcode=synthetic.postcode(rng, area) if has_address else "",
        contact_by_email=bool(email),
        contact_by_sms=texts,
        contact_by_phone=bool(phone) and (not texts or rng.random() < 0.3),
        appointment_reminders=rng.random() < 0.9,
        gp_practice=rng.choice(GP_PRACTICES) if rng.random() < 0.7 else "",
        emergency_contact_name=(
            f"{rng.choice(synthetic.FEMALE_NAMES + synthetic.MALE_NAMES)} {family}"
            if has_contact
            else ""
        ),
        emergency_contact_phone=mobiles.take() if has_contact else "",
        emergency_contact_relationship=(rng.choice(synthetic.RELATIONSHIPS) if has_contact else ""),
        nhs_number=nhs_numbers.take() if rng.random() < 0.6 else "",
    )


def _choose_practitioner(rng, condition: str, practitioners: list[PractitionerPlan]):
    traditional = [p for p in practitioners if p.modality == Modality.TRADITIONAL and p.rota]
    medical = [p for p in practitioners if p.modality == Modality.MEDICAL and p.rota]
    wants_traditional = rng.random() < (0.4 if condition in TRADITIONAL_LEANING else 0.12)
    pool = (traditional if wants_traditional else medical) or traditional or medical
    # Practitioners who work more days take on more patients.
    return rng.choices(pool, weights=[len(p.rota) for p in pool])[0]


# Who the patients are, by when their course began (shares of the list). The service
# has grown: about a third began in the last seven weeks and are in their weekly
# sessions now, so today's diary is a busy clinic day and not an average of the year.
ALREADY_IN_MAINTENANCE = 0.15
STARTED_RECENTLY = 0.35
RECENT_DAYS = 7 * 7
# The rest began earlier in the history, apart from the few booked for a first visit in
# the month ahead.
BOOKED_AHEAD = 0.08


def _course_start(spec: DemoSpec, rng: random.Random) -> tuple[bool, date]:
    """(already in maintenance?, first session): before, during or after the history."""
    history_days = (spec.today - spec.history_start).days
    ahead_days = (spec.horizon - spec.today).days
    roll = rng.random()
    if roll < ALREADY_IN_MAINTENANCE or (history_days == 0 and ahead_days <= 1):
        return True, spec.history_start - timedelta(days=rng.randint(30, 365))
    if history_days and roll < ALREADY_IN_MAINTENANCE + STARTED_RECENTLY:
        return False, spec.today - timedelta(days=rng.randint(1, min(history_days, RECENT_DAYS)))
    if history_days and (roll < 1 - BOOKED_AHEAD or ahead_days <= 1):
        return False, spec.history_start + timedelta(days=rng.randrange(history_days))
    return False, spec.today + timedelta(days=rng.randrange(ahead_days))


def build_clinical_summaries(
    plans: list[PatientPlan], first_seen: dict[int, datetime], rng: random.Random
) -> list[ClinicalSummary]:
    """A summary for most patients already seen; updated when they were first assessed."""
    summaries = []
    for plan in plans:
        seen = first_seen.get(plan.patient.pk)
        if seen is None or not plan.has_summary:
            continue
        summaries.append(
            ClinicalSummary(
                patient=plan.patient,
                presenting_condition=plan.condition,
                history=_history(rng, plan),
                updated_by=plan.practitioner.practitioner.user,
            )
        )
    ClinicalSummary.objects.bulk_create(summaries)
    # The insert stamps updated_at with the build time; the first assessment is when the
    # summary was written, so it is set afterwards (bulk_update leaves auto_now alone).
    for summary in summaries:
        summary.updated_at = first_seen[summary.patient_id]
    ClinicalSummary.objects.bulk_update(summaries, ["updated_at"], batch_size=500)
    return summaries


BASELINE_SENTENCE = re.compile(r"Baseline pain \d+/10\.")


def match_summary_baselines() -> int:
    """Each summary's "Baseline pain N/10" becomes the baseline of the patient's first
    course, the figure the outcomes chart and the course timeline show (the summary is
    written before the sessions are, so its first guess could disagree). A patient with no
    course yet keeps the figure from the assessment. Returns the summaries changed."""
    first_baseline: dict[int, int] = {}
    for patient_id, baseline in (
        Course.objects.filter(baseline_pain__isnull=False)
        .order_by("patient_id", "started_on", "pk")
        .values_list("patient_id", "baseline_pain")
    ):
        first_baseline.setdefault(patient_id, baseline)
    changed = []
    for summary in ClinicalSummary.objects.filter(patient_id__in=first_baseline):
        history = BASELINE_SENTENCE.sub(
            f"Baseline pain {first_baseline[summary.patient_id]}/10.", summary.history
        )
        if history != summary.history:
            summary.history = history
            changed.append(summary)
    # bulk_update leaves updated_at alone: the summary still dates from the assessment.
    ClinicalSummary.objects.bulk_update(changed, ["history"], batch_size=500)
    return len(changed)


def _history(rng: random.Random, plan: PatientPlan) -> str:
    years = rng.choice(["eight months", "a year", "two years", "three years", "over five years"])
    onset = rng.choice(ONSET[plan.condition])
    return (
        f"Pain for {years}, {onset}; {rng.choice(WORSE)}. {rng.choice(TRIED).capitalize()}. "
        f"Baseline pain {rng.randint(5, 8)}/10."
    )

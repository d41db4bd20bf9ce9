"""The health questionnaire: every question, its kind of answer, and when it is asked.

Pure (no Django). The rules (data/rules.toml), the answer checks (rules.py), the forms
and any API all read this one list, so a question exists in exactly one place.
A follow-up question (``only_when``) is asked only when its condition holds over the
answers before it; answering it otherwise is a contradiction ("not pregnant, 14 weeks").
"""

from dataclasses import dataclass

BOOL = "bool"  # yes or no; never left blank
CHOICE = "choice"  # one of ``choices``
MULTI = "multi"  # any number of ``choices``
NUMBER = "number"  # a whole number between ``minimum`` and ``maximum``
TEXT = "text"  # a short free-text answer
DRUGS = "drugs"  # any number of named medicines of ``drug_class`` (data/drugs.toml)

KINDS = (BOOL, CHOICE, MULTI, NUMBER, TEXT, DRUGS)


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    intro: str = ""


@dataclass(frozen=True)
class Question:
    key: str
    kind: str
    label: str
    section: str
    help: str = ""
    choices: tuple[tuple[str, str], ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    # A condition in the rules' grammar over earlier answers; None: always asked.
    only_when: str | None = None
    # Shown when the question is answered although only_when does not hold.
    contradiction: str = ""
    optional: bool = False
    # Asked by clinicians only (never on the patient's own form).
    staff_only: bool = False
    drug_class: str | None = None
    # For DRUGS: the free-text question where unlisted medicines of this class go.
    other_key: str | None = None
    max_length: int = 200

    def choice_label(self, value: str) -> str:
        return dict(self.choices).get(value, value)


SECTIONS = (
    Section("pregnancy", "Pregnancy"),
    Section(
        "medicines",
        "Blood-thinning medicines",
        "Tick any you take now, even occasionally. If yours is not listed, write it in.",
    ),
    Section("health", "Your health"),
    Section(
        "pain",
        "About your pain",
        "These questions look for rare but serious causes of back pain. Answer for now, "
        "not for the past, unless a question says otherwise.",
    ),
    Section("clinician", "For the clinician"),
)

LIMBS = (
    ("left_arm", "Left arm"),
    ("right_arm", "Right arm"),
    ("left_leg", "Left leg"),
    ("right_leg", "Right leg"),
)
DEVICES = (
    ("pacemaker", "Pacemaker"),
    ("icd", "Implantable defibrillator (ICD)"),
    ("spinal_cord_stimulator", "Spinal cord stimulator"),
    ("cochlear_implant", "Cochlear implant"),
    ("other", "Another implanted electrical device"),
)

QUESTIONS: tuple[Question, ...] = (
    # ── Pregnancy ──────────────────────────────────────────────────────────────────
    Question(
        "pregnant",
        CHOICE,
        "Are you pregnant, or could you be?",
        "pregnancy",
        choices=(
            ("no", "No"),
            ("yes", "Yes, I am pregnant"),
            ("trying", "I am trying to conceive"),
            ("unsure", "I might be pregnant"),
        ),
    ),
    Question(
        "pregnancy_weeks",
        NUMBER,
        "If you are pregnant: how many weeks?",
        "pregnancy",
        minimum=1,
        maximum=42,
        only_when="pregnant is yes",
        contradiction="Weeks of pregnancy are given, but the answer above is not “pregnant”.",
    ),
    # ── Medicines ──────────────────────────────────────────────────────────────────
    Question(
        "anticoagulants",
        DRUGS,
        "Anticoagulants",
        "medicines",
        drug_class="anticoagulant",
        other_key="anticoagulant_other",
        optional=True,
    ),
    Question(
        "anticoagulant_other",
        TEXT,
        "Another anticoagulant not listed",
        "medicines",
        optional=True,
    ),
    Question(
        "warfarin_inr",
        CHOICE,
        "If you take warfarin: was your most recent INR test within your target range?",
        "medicines",
        choices=(
            ("in_range", "Yes, within my target range"),
            ("out_of_range", "No, outside my target range"),
            ("unknown", "I don’t know"),
        ),
        only_when="anticoagulants has warfarin",
        contradiction="An INR answer is given, but warfarin is not ticked.",
    ),
    Question(
        "antiplatelets",
        DRUGS,
        "Antiplatelet medicines",
        "medicines",
        drug_class="antiplatelet",
        other_key="antiplatelet_other",
        optional=True,
    ),
    Question(
        "antiplatelet_other",
        TEXT,
        "Another antiplatelet medicine not listed",
        "medicines",
        optional=True,
    ),
    # ── Health ─────────────────────────────────────────────────────────────────────
    Question(
        "bleeding_disorder",
        BOOL,
        "Do you have a bleeding or clotting disorder?",
        "health",
        help="For example haemophilia, von Willebrand disease or a very low platelet count.",
    ),
    Question(
        "bleeding_disorder_detail",
        TEXT,
        "If yes: which, and who looks after it?",
        "health",
        only_when="bleeding_disorder",
        optional=True,
        contradiction="Details of a bleeding disorder are given, but the answer above is no.",
    ),
    Question(
        "implanted_device",
        BOOL,
        "Do you have an implanted electrical device?",
        "health",
        help="A pacemaker, defibrillator (ICD), spinal cord stimulator or cochlear implant.",
    ),
    Question(
        "implanted_device_kind",
        MULTI,
        "If yes: which device?",
        "health",
        choices=DEVICES,
        only_when="implanted_device",
        contradiction="A device is ticked, but the answer above says there is none.",
    ),
    Question("epilepsy", BOOL, "Do you have epilepsy?", "health"),
    Question("diabetes", BOOL, "Do you have diabetes?", "health"),
    Question(
        "immunosuppressed",
        BOOL,
        "Is your immune system weakened by an illness or its treatment?",
        "health",
        help="For example chemotherapy, high-dose steroids, biologic medicines, or HIV "
        "with a low CD4 count.",
    ),
    Question(
        "lymphoedema",
        BOOL,
        "Do you have lymphoedema, or have you had lymph nodes removed?",
        "health",
        help="For example after surgery for breast cancer.",
    ),
    Question(
        "lymphoedema_limbs",
        MULTI,
        "If yes: which limb is affected?",
        "health",
        choices=LIMBS,
        only_when="lymphoedema",
        contradiction="A limb is ticked, but the answer above says no lymphoedema.",
    ),
    Question(
        "skin_problem",
        BOOL,
        "Is there broken skin, an infection or an eczema flare where you want treatment?",
        "health",
    ),
    Question(
        "skin_problem_site",
        TEXT,
        "If yes: where on your body?",
        "health",
        only_when="skin_problem",
        max_length=120,
        contradiction="A place is given, but the answer above says the skin is fine.",
    ),
    Question("metal_allergy", BOOL, "Are you allergic to any metal, such as nickel?", "health"),
    Question(
        "needle_anxiety",
        BOOL,
        "Are you very anxious about needles, or have you ever fainted during an injection, "
        "blood test or treatment?",
        "health",
    ),
    Question(
        "recent_surgery",
        BOOL,
        "Have you had an operation in the last three months?",
        "health",
    ),
    Question(
        "recent_surgery_site",
        TEXT,
        "If yes: what operation, and where on your body?",
        "health",
        only_when="recent_surgery",
        max_length=120,
        contradiction="An operation is described, but the answer above says none.",
    ),
    # ── Pain: red flags ────────────────────────────────────────────────────────────
    Question(
        "new_back_pain",
        BOOL,
        "Is your back pain new, or has it changed recently?",
        "pain",
    ),
    Question(
        "ces_saddle_numbness",
        BOOL,
        "Do you have numbness or tingling between your legs, around your genitals or back passage?",
        "pain",
        help="The area that would touch a saddle.",
    ),
    Question(
        "ces_bladder_bowel",
        BOOL,
        "Have you had new difficulty passing or controlling urine, or new loss of bowel control?",
        "pain",
    ),
    Question(
        "ces_leg_weakness",
        BOOL,
        "Do you have weakness or numbness in both legs, or in a leg that is getting worse?",
        "pain",
    ),
    Question(
        "ces_sexual_dysfunction",
        BOOL,
        "Have you had a new change in sexual function or sensation?",
        "pain",
    ),
    Question("history_of_cancer", BOOL, "Have you ever had cancer?", "pain"),
    Question("weight_loss", BOOL, "Have you lost weight recently without trying to?", "pain"),
    Question(
        "fever_or_unwell",
        BOOL,
        "Do you have a fever, or feel generally unwell, as well as the pain?",
        "pain",
    ),
    Question(
        "recent_trauma",
        BOOL,
        "Did your pain start after a significant fall, accident or injury?",
        "pain",
    ),
    Question(
        "osteoporosis_or_steroids",
        BOOL,
        "Do you have osteoporosis, or have you taken steroid tablets for a long time?",
        "pain",
    ),
    Question(
        "iv_drug_use",
        BOOL,
        "Have you ever injected drugs that were not prescribed for you?",
        "pain",
    ),
    Question(
        "night_pain",
        BOOL,
        "Is your pain constant and getting worse, not eased by changing position, or "
        "worse at night?",
        "pain",
    ),
    # ── Clinician ──────────────────────────────────────────────────────────────────
    Question(
        "unable_to_consent",
        BOOL,
        "Is the patient at present unable to understand the treatment and give consent?",
        "clinician",
        staff_only=True,
    ),
)

BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}

# Facts the evaluator derives rather than asks (from the patient's record).
DERIVED: dict[str, Question] = {
    "age": Question("age", NUMBER, "Age in years", "derived", minimum=0, maximum=130),
}


def for_audience(audience: str) -> tuple[Question, ...]:
    """The questions a patient (``"patient"``) or a clinician (``"staff"``) answers."""
    return tuple(q for q in QUESTIONS if audience == "staff" or not q.staff_only)

"""The health questionnaire: every question, its kind of answer, and when it is asked.

Pure (no Django). The rules (data/rules.toml), the answer checks (rules.py), the forms
and any API all read this one list, so a question exists in exactly one place.
A follow-up question (``only_when``) is asked only when its condition holds over the
answers before it and the facts taken from the patient's record (``DERIVED``: the
condition they are treated for); answering it otherwise is a contradiction ("not
pregnant, 14 weeks"), except that "no" to a yes/no follow-up that does not apply is
simply set aside. A section with ``only_when`` (headaches, the neck) holds follow-ups
that all share its condition, so a form can leave the whole section out when it
cannot apply.

Questionnaires are kept write-once, so a key, once used, keeps its meaning: questions
and choices are added, never renamed or narrowed.
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
    # Every question in the section is a follow-up asked only when this holds.
    only_when: str | None = None


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
    # An answer that describes (what the patient wants treated) and is never a warning.
    neutral: bool = False

    def choice_label(self, value: str) -> str:
        return dict(self.choices).get(value, value)


# The conditions a patient's record may name (people.choices.ConditionChoice; a test
# keeps the two lists the same), and what each says about where treatment is wanted.
CONDITIONS = (
    "low_back",
    "headache",
    "fibromyalgia",
    "msk",
    "post_surgery",
    "sciatica",
    "whiplash",
    "other",
)
AREA_OF_CONDITION = {
    "low_back": "back",
    "sciatica": "back",
    "whiplash": "neck",
    "headache": "headache",
}
TREATMENT_AREAS = (
    ("back", "Back pain, or pain down a leg from the back (such as sciatica)"),
    ("neck", "Neck pain, including after a whiplash injury"),
    ("headache", "Headaches or migraine"),
    ("other", "Pain somewhere else"),
)
# Asked whenever the patient wants the area treated, or their record says it is what
# they are treated for, whatever they ticked.
HEADACHE_ASKED = "treatment_areas has headache or condition is headache"
NECK_ASKED = "treatment_areas has neck or condition is whiplash"
HEADACHE_CONTRADICTION = (
    "This is asked about headaches: tick “Headaches or migraine” above, or check this answer."
)
NECK_CONTRADICTION = "This is asked about neck pain: tick “Neck pain” above, or check this answer."

SECTIONS = (
    Section("treatment", "What you would like treated"),
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
        "These questions look for rare but serious causes of back and neck pain. Answer for "
        "now, not for the past, unless a question says otherwise.",
    ),
    Section(
        "headache",
        "Headaches or migraine",
        "These questions look for rare but serious causes of headache. Answer for your "
        "headaches as they are now and over the last four weeks, unless a question says "
        "otherwise.",
        only_when=HEADACHE_ASKED,
    ),
    Section(
        "neck",
        "Neck pain",
        "These questions look for rare but serious problems in the neck, which we check "
        "before treating it.",
        only_when=NECK_ASKED,
    ),
    Section("clinician", "For the clinician"),
)

LIMBS = (
    ("left_arm", "Left arm"),
    ("right_arm", "Right arm"),
    ("left_leg", "Left leg"),
    ("right_leg", "Right leg"),
)
# Lymphoedema also affects the trunk beside a cleared armpit or groin, and the neck after
# a neck dissection. The labels are also the region flag's words, which the chart places
# (treatment/data/regions.toml): "upper trunk", "lower trunk" and "neck", with the side.
LYMPHOEDEMA_SITES = (
    *LIMBS,
    ("left_upper_trunk", "Left upper trunk (chest or upper back)"),
    ("right_upper_trunk", "Right upper trunk (chest or upper back)"),
    ("left_lower_trunk", "Left lower trunk (tummy or lower back)"),
    ("right_lower_trunk", "Right lower trunk (tummy or lower back)"),
    ("left_neck", "Left side of the neck"),
    ("right_neck", "Right side of the neck"),
)
DEVICES = (
    ("pacemaker", "Pacemaker"),
    ("icd", "Implantable defibrillator (ICD)"),
    ("spinal_cord_stimulator", "Spinal cord stimulator"),
    ("cochlear_implant", "Cochlear implant"),
    ("other", "Another implanted electrical device"),
)
VITAMIN_K_ANTAGONISTS = (
    "anticoagulants has warfarin or anticoagulants has acenocoumarol "
    "or anticoagulants has phenindione"
)


def _headache(key: str, label: str, **extra) -> "Question":
    return Question(
        key,
        BOOL,
        label,
        "headache",
        only_when=HEADACHE_ASKED,
        contradiction=HEADACHE_CONTRADICTION,
        **extra,
    )


def _neck(key: str, label: str, **extra) -> "Question":
    return Question(
        key, BOOL, label, "neck", only_when=NECK_ASKED, contradiction=NECK_CONTRADICTION, **extra
    )


QUESTIONS: tuple[Question, ...] = (
    # ── What is treated ────────────────────────────────────────────────────────────
    Question(
        "treatment_areas",
        MULTI,
        "What would you like treatment for?",
        "treatment",
        help="Tick all that apply.",
        choices=TREATMENT_AREAS,
        neutral=True,
    ),
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
        "If you take warfarin, acenocoumarol or phenindione: was your most recent INR test "
        "within your target range?",
        "medicines",
        choices=(
            ("in_range", "Yes, within my target range"),
            ("out_of_range", "No, outside my target range"),
            ("unknown", "I don’t know"),
        ),
        only_when=VITAMIN_K_ANTAGONISTS,
        contradiction="An INR answer is given, but none of warfarin, acenocoumarol or "
        "phenindione is ticked.",
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
        "chemotherapy_counts",
        CHOICE,
        "If yes: are you having chemotherapy, or have you been told your white blood cell "
        "count is low?",
        "health",
        choices=(
            ("no", "No"),
            ("low_counts", "Yes, I have been told my white blood cell count is low"),
            ("chemo_counts_unknown", "I am having chemotherapy and don’t know my latest count"),
            ("chemo_counts_normal", "I am having chemotherapy and my latest count was not low"),
        ),
        only_when="immunosuppressed",
        contradiction="An answer about chemotherapy is given, but the answer above says your "
        "immune system is not weakened.",
    ),
    Question(
        "lymphoedema",
        BOOL,
        "Do you have lymphoedema, or have you had lymph nodes removed?",
        "health",
        help="For example after surgery for breast cancer.",
    ),
    # The key predates the trunk and neck choices; it keeps its name so that stored
    # answers stay valid.
    Question(
        "lymphoedema_limbs",
        MULTI,
        "If yes: which part of your body is affected?",
        "health",
        choices=LYMPHOEDEMA_SITES,
        only_when="lymphoedema",
        contradiction="A part of the body is ticked, but the answer above says no lymphoedema.",
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
    # Asked of everyone: the red flags below matter only with new or changed back or
    # neck pain, whatever the patient wants treated.
    Question(
        "new_back_pain",
        BOOL,
        "Do you have back pain that is new, or that has changed recently?",
        "pain",
    ),
    Question(
        "new_neck_pain",
        BOOL,
        "Do you have neck pain that is new, or that has changed recently?",
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
    # ── Headaches (NICE CG150 recommendations 1.1.1 and 1.1.2) ──────────────────────
    _headache(
        "headache_thunderclap",
        "Have you had a severe headache that came on suddenly and was at its worst within "
        "five minutes (a ‘thunderclap’ headache)?",
    ),
    _headache(
        "headache_fever",
        "Is your headache getting worse, and do you have a fever?",
    ),
    _headache(
        "headache_neuro_symptoms",
        "Have you had new weakness, numbness, loss of sight, double vision, slurred speech "
        "or loss of balance?",
        help="Not counting a migraine aura you have had many times before.",
    ),
    _headache(
        "headache_confusion",
        "Have you, or people close to you, noticed new confusion or memory problems, or a "
        "change in your personality or behaviour?",
    ),
    _headache(
        "headache_consciousness",
        "With a headache, have you blacked out, or been so drowsy that you were hard to wake?",
    ),
    _headache(
        "headache_head_injury",
        "Have you had a blow to the head or a head injury in the last three months?",
    ),
    _headache(
        "headache_cough_exercise",
        "Is your headache brought on by coughing, sneezing, straining or exercise?",
    ),
    _headache(
        "headache_posture",
        "Does your headache change a lot when you sit or stand up, or when you lie down?",
    ),
    _headache(
        "headache_arteritis",
        "Do you have pain in your jaw when you chew, a tender scalp (for example when you "
        "brush your hair), or any new problem with your eyesight?",
    ),
    _headache(
        "headache_red_eye",
        "With your headache, have you had a painful red eye, blurred sight or coloured rings "
        "around lights?",
    ),
    _headache(
        "headache_changed",
        "Have your headaches changed a lot recently: how they feel, how often they come or "
        "how bad they are?",
    ),
    _headache(
        "headache_new",
        "Did your headaches start in the last three months?",
    ),
    # ── Neck (cervical arterial dysfunction and cervical myelopathy) ───────────────
    _neck(
        "neck_dizziness",
        "Since your neck problem began, have you had dizziness, or felt the room spin?",
    ),
    _neck(
        "neck_vision_speech_swallowing",
        "Have you had double vision, slurred speech or difficulty swallowing?",
    ),
    _neck(
        "neck_drop_attacks",
        "Have you suddenly fallen to the ground without warning, without blacking out?",
    ),
    _neck(
        "neck_face_numbness",
        "Have you had numbness or tingling in your face or around your mouth?",
    ),
    _neck(
        "neck_clumsy_hands",
        "Have your hands become clumsy or numb, for example with buttons, writing or picking "
        "up small things?",
    ),
    _neck(
        "neck_unsteady_walking",
        "Has your walking become unsteady, or your balance worse, without another reason?",
    ),
    _neck(
        "neck_electric_shocks",
        "Do you get electric-shock feelings down your back or into your arms or legs when "
        "you bend your neck forward?",
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

SECTION_BY_KEY: dict[str, Section] = {s.key: s for s in SECTIONS}

# Facts taken from the patient's record rather than asked. The rules may read "age"; the
# questionnaire reads "condition" (None when the record names none) to decide what to ask.
DERIVED: dict[str, Question] = {
    "age": Question("age", NUMBER, "Age in years", "derived", minimum=0, maximum=130),
    "condition": Question(
        "condition",
        CHOICE,
        "The condition the patient is treated for",
        "derived",
        choices=tuple((c, c) for c in CONDITIONS),
    ),
}


def for_audience(audience: str) -> tuple[Question, ...]:
    """The questions a patient (``"patient"``) or a clinician (``"staff"``) answers."""
    return tuple(q for q in QUESTIONS if audience == "staff" or not q.staff_only)


def prefill(condition: str | None) -> dict:
    """Answers a new questionnaire can start from, given the condition on the record."""
    area = AREA_OF_CONDITION.get(condition or "")
    return {"treatment_areas": [area]} if area else {}

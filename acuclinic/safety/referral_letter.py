"""The words of a referral letter, from facts already in words. Pure: no Django.

The letter is kept on the record exactly as composed here (safety.models.Referral.text),
so the page, the print and the PDF all show the same text, and a later change to this
wording never rewrites a letter already sent.

Wording: an emergency rule (data/rules.toml: "same day, A&E") makes it an emergency
referral asking for assessment today; otherwise an urgent one. Where to send which is the
clinical reference's (shared/clinical §1); the words are ours.
"""

from dataclasses import dataclass

EMERGENCY = "emergency"
GP, AE = "gp", "ae"

HEADLINES = {
    EMERGENCY: "EMERGENCY REFERRAL: please assess today",
    "urgent": "URGENT REFERRAL: please assess soon",
}


@dataclass(frozen=True)
class LetterFlag:
    """One refer flag: what it is, the answers that raised it, the advice given."""

    title: str
    urgency: str
    answers: tuple[tuple[str, str], ...]  # (question as asked, answer in words)
    advice: str


@dataclass(frozen=True)
class LetterFacts:
    destination: str  # GP or AE
    issued_on: str  # "Mon 7 Dec 2026"
    clinic_name: str
    clinic_address: str
    clinic_phone: str
    clinic_email: str
    patient_name: str
    date_of_birth: str
    nhs_number: str
    patient_address: str
    gp_practice: str
    questionnaire_on: str
    flags: tuple[LetterFlag, ...]
    clinician_name: str
    profession: str
    registration: str  # "HCPC registration number PH12345", or ""
    notes: str = ""

    @property
    def urgency(self) -> str:
        return EMERGENCY if any(f.urgency == EMERGENCY for f in self.flags) else "urgent"


FLAG_TIMING = (" (emergency, same day)", " (urgent)")


def marked_lines(text: str) -> list[tuple[str, bool]]:
    """The letter's lines, each with whether it stands out (the clinic's name, the
    headline, each flag's title), for the page and the PDF to set in bold."""
    headlines = set(HEADLINES.values())
    return [
        (line, index == 0 or line in headlines or line.endswith(FLAG_TIMING))
        for index, line in enumerate(text.split("\n"))
    ]


def recipient(facts: LetterFacts) -> str:
    if facts.destination == AE:
        return "The duty doctor, Emergency Department (A&E)"
    if facts.gp_practice:
        return f"The patient's GP, {facts.gp_practice}"
    return "The patient's GP (practice not recorded: the patient carries this letter)"


def _opening(facts: LetterFacts) -> str:
    name = facts.patient_name
    if facts.urgency == EMERGENCY:
        timing = (
            "I have advised them to go to A&E today"
            if facts.destination == AE
            else "I have advised them to go to A&E today, and write so that you know"
        )
        return (
            f"Before acupuncture, {name}'s health screening raised the concern below, "
            f"which needs assessment by a doctor today. {timing}. I have not needled them "
            "and will not until they have been assessed."
        )
    return (
        f"Before acupuncture, {name}'s health screening raised the concern below, which "
        "needs assessment by a doctor before any needling. I have advised them to see you "
        "within the next few days. Acupuncture is on hold until they have been assessed."
    )


def compose(facts: LetterFacts) -> str:
    """The whole letter as plain text: lines, with blank lines between paragraphs."""
    if not facts.flags:
        raise ValueError("a referral letter needs at least one refer flag")
    contact = " · ".join(
        part
        for part in (
            f"Telephone {facts.clinic_phone}" if facts.clinic_phone else "",
            facts.clinic_email,
        )
        if part
    )
    lines = [facts.clinic_name]
    lines += [text for text in (facts.clinic_address, contact) if text]
    lines += ["", facts.issued_on, "", f"To: {recipient(facts)}", ""]
    lines += [HEADLINES[facts.urgency], ""]
    lines += [
        f"Patient: {facts.patient_name}",
        f"Date of birth: {facts.date_of_birth}",
        f"NHS number: {facts.nhs_number or 'not recorded'}",
        f"Address: {facts.patient_address or 'not recorded'}",
        f"GP practice: {facts.gp_practice or 'not recorded'}",
        "",
        "Dear colleague,",
        "",
        _opening(facts),
    ]
    for flag in facts.flags:
        when = FLAG_TIMING[0] if flag.urgency == EMERGENCY else FLAG_TIMING[1]
        lines += ["", flag.title + when]
        lines.append(f"Their answers in the health questionnaire of {facts.questionnaire_on}:")
        lines += [f"- {question} {answer}" for question, answer in flag.answers]
        lines.append(f"Advice given to the patient, in writing: {flag.advice}")
    if facts.notes:
        lines += ["", f"Further notes: {facts.notes}"]
    lines += [
        "",
        "Please contact me at the clinic if I can help.",
        "",
        "Yours sincerely,",
        "",
        facts.clinician_name,
        facts.profession + (f", {facts.registration}" if facts.registration else ""),
        facts.clinic_name + (f", telephone {facts.clinic_phone}" if facts.clinic_phone else ""),
    ]
    return "\n".join(lines)

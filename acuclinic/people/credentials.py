"""Whether a practitioner may needle on a date: pure rules over their credentials.

A UK acupuncture practitioner needs, on the day of treatment:
- statutory registration where their profession is regulated (physiotherapists: HCPC;
  doctors: GMC; nurses: NMC) — shared/clinical §8;
- membership of an acupuncture body that sets their standard of practice (AACP or BMAS
  for medical acupuncture, BAcC for traditional acupuncture) — DESIGN.md §3;
- professional indemnity insurance in force.
"""

from dataclasses import dataclass
from datetime import date

REGISTRATION = "registration"
MEMBERSHIP = "membership"
INSURANCE = "insurance"

REGULATOR_FOR_PROFESSION = {
    "physiotherapist": "HCPC",
    "doctor": "GMC",
    "nurse": "NMC",
    "acupuncturist": None,  # not statutorily regulated in the UK; BAcC is voluntary
}
MEMBERSHIP_BODIES = {"AACP", "BMAS", "BAcC", "BAAB"}
REGISTRATION_BODIES = {"HCPC", "GMC", "NMC"}


@dataclass(frozen=True)
class CredentialFacts:
    kind: str
    body: str
    valid_from: date
    valid_until: date

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_until


def missing_credentials(
    profession: str, credentials: list[CredentialFacts], day: date
) -> list[str]:
    """Plain-English reasons the practitioner may not needle on ``day``; [] when they may."""
    problems = []
    regulator = REGULATOR_FOR_PROFESSION.get(profession)
    if regulator and not any(
        c.kind == REGISTRATION and c.body == regulator and c.valid_on(day) for c in credentials
    ):
        problems.append(f"no {regulator} registration valid on {day:%-d %b %Y}")
    if not any(c.kind == MEMBERSHIP and c.valid_on(day) for c in credentials):
        problems.append(f"no acupuncture body membership valid on {day:%-d %b %Y}")
    if not any(c.kind == INSURANCE and c.valid_on(day) for c in credentials):
        problems.append(f"no professional indemnity insurance valid on {day:%-d %b %Y}")
    return problems

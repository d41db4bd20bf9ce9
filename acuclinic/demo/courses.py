"""The shape of a demo patient's course of acupuncture for chronic pain (DESIGN.md §5).

Weekly sessions until the patient improves (typically 4–6), then every other week, then
monthly to keep on top of it. Some stop early; some show no improvement after a fair
trial and are reviewed rather than carried on by habit; some improve, then relapse and
start a new weekly series. Pure: no Django, so it is easy to test on its own.
"""

import random
from dataclasses import dataclass
from enum import StrEnum

FIRST = "first"  # assessment (and first needling)
TREATMENT = "treatment"  # a needling session
REVIEW = "review"  # a course review without needling


class Archetype(StrEnum):
    RESPONDER = "responder"
    EARLY_STOP = "early_stop"
    NON_RESPONDER = "non_responder"
    RELAPSE = "relapse"


# How often each happens among new patients (illustrative, not from a study).
ARCHETYPE_WEIGHTS = {
    Archetype.RESPONDER: 55,
    Archetype.EARLY_STOP: 15,
    Archetype.NON_RESPONDER: 12,
    Archetype.RELAPSE: 18,
}


@dataclass(frozen=True)
class Step:
    """One planned session: ``gap_days`` after the previous one actually took place."""

    gap_days: int
    kind: str


def choose_archetype(rng: random.Random, *, established: bool = False) -> Archetype:
    """Patients already in maintenance when the demo history starts were responders."""
    if established:
        return rng.choice([Archetype.RESPONDER, Archetype.RESPONDER, Archetype.RELAPSE])
    kinds = list(ARCHETYPE_WEIGHTS)
    return rng.choices(kinds, weights=[ARCHETYPE_WEIGHTS[k] for k in kinds])[0]


def _series(rng: random.Random, *, restart: bool) -> list[Step]:
    """Weekly, then fortnightly sessions; a restart begins with a review, not an assessment."""
    steps = [Step(0, REVIEW if restart else FIRST)]
    weekly = rng.randint(3, 4) if restart else rng.randint(4, 6)
    steps += [Step(7, TREATMENT) for _ in range(weekly - 1)]
    steps += [Step(14, TREATMENT) for _ in range(rng.randint(2, 3))]
    return steps


def _monthly(rng: random.Random, count: int) -> list[Step]:
    return [Step(rng.choice([28, 28, 35]), TREATMENT) for _ in range(count)]


def plan_course(
    rng: random.Random, archetype: Archetype, *, max_days: int, ongoing: bool = False
) -> list[Step]:
    """The sessions of one course, from the first, until it ends or ``max_days`` pass.

    ``ongoing`` keeps a responder in monthly maintenance for the whole window instead of
    being discharged.
    """
    if archetype == Archetype.EARLY_STOP:
        steps = [Step(0, FIRST)] + [Step(7, TREATMENT) for _ in range(rng.randint(0, 2))]
    elif archetype == Archetype.NON_RESPONDER:
        steps = [Step(0, FIRST)] + [Step(7, TREATMENT) for _ in range(5)] + [Step(7, REVIEW)]
    elif archetype == Archetype.RELAPSE:
        steps = _series(rng, restart=False) + _monthly(rng, rng.randint(1, 3))
        # The pain comes back some weeks after the last maintenance session.
        restart = _series(rng, restart=True)
        steps += [Step(rng.randint(42, 90), restart[0].kind), *restart[1:]]
        steps += _monthly(rng, _enough_months(max_days))
    else:
        steps = _series(rng, restart=False)
        discharged = not ongoing and rng.random() < 0.5
        steps += _monthly(rng, rng.randint(2, 6) if discharged else _enough_months(max_days))
    return _within(steps, max_days)


def _enough_months(max_days: int) -> int:
    return max_days // 28 + 1


def _within(steps: list[Step], max_days: int) -> list[Step]:
    kept, elapsed = [], 0
    for step in steps:
        elapsed += step.gap_days
        if elapsed > max_days:
            break
        kept.append(step)
    return kept

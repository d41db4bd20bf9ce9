"""Scoring outcome measures, and whether a change is clinically important. Pure: no
Django, so every rule is tested on its own against worked examples.

A questionnaire's answers come in item order, with ``None`` for an item left
unanswered; each measure's own rule (catalogue ``max_missing``, per domain for the FIQR)
says how many may be missing before it cannot be scored. Scores are Decimals rounded to
one place, half up, as a clinician would round by hand.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from acuclinic.outcomes.catalogue import (
    CATEGORY,
    COUNT,
    DOMAINS,
    HIGH,
    LOW,
    MEAN,
    MEDIUM,
    PROFILE,
    SECTIONS,
    SINGLE,
    STRATIFY,
    TOTAL,
    Measure,
)

ONE_PLACE = Decimal("0.1")


class ScoringError(Exception):
    """Answers that cannot be scored, with a stable ``code`` and the ``field`` to fix."""

    def __init__(self, code: str, message: str, *, field: str = "items"):
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


@dataclass(frozen=True)
class Score:
    value: Decimal
    answered: int
    missing: int
    group: str = ""  # a stratifying tool's risk group: "low", "medium" or "high"

    @property
    def rescaled(self) -> bool:
        """Whether unanswered items were allowed for by the measure's rule."""
        return self.missing > 0


def _round(value: Decimal) -> Decimal:
    return value.quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _is_whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_item(measure: Measure, value, number: int) -> None:
    if not _is_whole(value) or not measure.item_min <= value <= measure.item_max:
        raise ScoringError(
            "score_out_of_range",
            f"Item {number}: give a whole number from {measure.item_min} to {measure.item_max}.",
            field=f"item_{number}",
        )


def _too_many_missing(measure: Measure, missing: int, allowed: int, where: str = "") -> None:
    if missing > allowed:
        place = f" in {where}" if where else ""
        raise ScoringError(
            "items_missing",
            f"{missing} item{'s' if missing != 1 else ''} unanswered{place}; "
            f"the {measure.name} allows at most {allowed}. {measure.missing_rule}",
        )


def _answers(measure: Measure, answers: Sequence) -> list:
    if isinstance(answers, (str, bytes)) or len(answers) != measure.items:
        raise ScoringError(
            "wrong_item_count",
            f"The {measure.name} has {measure.items} items: give an answer (or none) for "
            "each, in order.",
        )
    return list(answers)


def score_items(measure: Measure, answers: Sequence) -> Score:
    """The score of a completed questionnaire, or ``ScoringError`` saying what to fix."""
    if measure.scoring == TOTAL:
        raise ScoringError(
            "total_only",
            f"For the {measure.name} only the total from the licensed form is recorded.",
            field="total",
        )
    if measure.scoring == MEAN:
        return _score_mean(measure, answers)
    values = _answers(measure, answers)
    if measure.scoring in (SINGLE, CATEGORY):
        if values[0] is None:
            raise ScoringError("items_missing", measure.missing_rule)
        _check_item(measure, values[0], 1)
        return Score(Decimal(values[0]), 1, 0)
    if measure.scoring == COUNT:
        return _score_count(measure, values)
    if measure.scoring == STRATIFY:
        return _score_stratify(measure, values)
    if measure.scoring == SECTIONS:
        return _score_sections(measure, values)
    if measure.scoring == DOMAINS:
        return _score_domains(measure, values)
    if measure.scoring == PROFILE:
        return _score_profile(measure, values)
    raise ScoringError("unknown_scoring", f"Unknown scoring {measure.scoring!r}.")


def _score_count(measure: Measure, values: list) -> Score:
    _yes_no(values)
    answered = [v for v in values if v is not None]
    missing = len(values) - len(answered)
    _too_many_missing(measure, missing, measure.max_missing)
    yes = sum(answered)
    # Rescaled to the full length: count × items ÷ answered.
    return Score(_round(Decimal(yes) * measure.items / len(answered)), len(answered), missing)


def _yes_no(values: list) -> None:
    for number, value in enumerate(values, 1):
        if value is not None and not isinstance(value, bool):
            raise ScoringError(
                "score_out_of_range", f"Item {number}: answer yes or no.", field=f"item_{number}"
            )


def _score_stratify(measure: Measure, values: list) -> Score:
    _yes_no(values)
    missing = sum(1 for v in values if v is None)
    _too_many_missing(measure, missing, measure.max_missing)
    return Score(Decimal(sum(values)), len(values), 0, risk_group(measure, values))


def risk_group(measure: Measure, answers: Sequence) -> str:
    """A stratifying tool's group from its complete yes/no answers: low when the overall
    count is at most ``low_max``; otherwise high when the subscale (items from
    ``subscale_first``) counts at least ``high_subscale_min``, else medium. "" for any
    other measure, or answers that cannot be grouped."""
    if measure.scoring != STRATIFY or len(answers) != measure.items:
        return ""
    if any(not isinstance(a, bool) for a in answers):
        return ""
    if sum(answers) <= measure.low_max:
        return LOW
    subscale = sum(answers[measure.subscale_first - 1 :])
    return HIGH if subscale >= measure.high_subscale_min else MEDIUM


def _score_sections(measure: Measure, values: list) -> Score:
    for number, value in enumerate(values, 1):
        if value is not None:
            _check_item(measure, value, number)
    answered = [v for v in values if v is not None]
    missing = len(values) - len(answered)
    _too_many_missing(measure, missing, measure.max_missing)
    top = Decimal(measure.item_max * len(answered))
    return Score(_round(Decimal(sum(answered)) / top * measure.score_max), len(answered), missing)


def _score_domains(measure: Measure, values: list) -> Score:
    for number, value in enumerate(values, 1):
        if value is not None:
            _check_item(measure, value, number)
    total, start, answered_all = Decimal(0), 0, 0
    for domain in measure.domains:
        part = values[start : start + domain.items]
        first = start + 1
        start += domain.items
        answered = [v for v in part if v is not None]
        missing = domain.items - len(answered)
        where = f"{domain.name.lower()} (items {first}–{start})"
        _too_many_missing(measure, missing, domain.max_missing, where)
        # Weighted for unanswered items: sum × items ÷ answered, then the domain's divisor.
        total += Decimal(sum(answered)) * domain.items / len(answered) / domain.divisor
        answered_all += len(answered)
    return Score(_round(total), answered_all, measure.items - answered_all)


def _score_profile(measure: Measure, values: list) -> Score:
    """MYMOP2: the mean of the items rated; only the optional items (the second symptom,
    when the patient chose one) may be left out."""
    for number, value in enumerate(values, 1):
        if value is not None:
            _check_item(measure, value, number)
    unrated = [n for n, v in enumerate(values, 1) if v is None]
    needed = [n for n in unrated if n not in measure.optional_items]
    if needed:
        names = ", ".join(measure.item_labels[n - 1].lower() for n in needed)
        raise ScoringError(
            "items_missing",
            f"Rate {names}: the {measure.name} needs {'it' if len(needed) == 1 else 'them'}. "
            f"{measure.missing_rule}",
            field=f"item_{needed[0]}",
        )
    rated = [v for v in values if v is not None]
    return Score(_round(Decimal(sum(rated)) / len(rated)), len(rated), len(unrated))


def _score_mean(measure: Measure, activities: Sequence) -> Score:
    """PSFS: ``activities`` is a sequence of (activity, rating) pairs."""
    named = []
    for number, pair in enumerate(activities, 1):
        try:
            activity, rating = pair
        except (TypeError, ValueError):
            raise ScoringError(
                "wrong_item_count", "Give each activity as its name and its rating."
            ) from None
        activity = (activity or "").strip() if isinstance(activity, str) else activity
        if not activity and rating is None:
            continue  # an empty row of the form
        if not isinstance(activity, str) or not activity:
            raise ScoringError(
                "activity_unnamed",
                f"Activity {number}: say which activity the rating is for.",
                field=f"activity_{number}",
            )
        if rating is None:
            raise ScoringError(
                "items_missing",
                f"Activity {number} ({activity}): rate it from {measure.item_min} to "
                f"{measure.item_max}, or leave the row empty.",
                field=f"item_{number}",
            )
        _check_item(measure, rating, number)
        named.append(rating)
    if len(named) < measure.min_items:
        raise ScoringError(
            "too_few_activities",
            f"Name and rate at least {measure.min_items} activities "
            f"({len(named)} given). {measure.missing_rule}",
        )
    if len(named) > measure.items:
        raise ScoringError(
            "too_many_activities", f"Name and rate at most {measure.items} activities."
        )
    return Score(_round(Decimal(sum(named)) / len(named)), len(named), 0)


def score_total(measure: Measure, total) -> Score:
    """A total entered by a clinician from a licensed copy, checked against the range."""
    if not measure.takes_total:
        raise ScoringError(
            "items_needed",
            f"The {measure.name} is scored from its answers, not entered as a total.",
            field="total",
        )
    if isinstance(total, bool) or not isinstance(total, (int, Decimal)):
        raise ScoringError("score_out_of_range", "The total must be a number.", field="total")
    value = Decimal(total)
    if not value.is_finite() or not measure.score_min <= value <= measure.score_max:
        raise ScoringError(
            "score_out_of_range",
            f"The {measure.name} total runs from {measure.score_min} to {measure.score_max}.",
            field="total",
        )
    if measure.whole and value != value.to_integral_value():
        raise ScoringError(
            "not_a_whole_number",
            f"The {measure.name} total is a whole number.",
            field="total",
        )
    if value != _round(value):
        raise ScoringError(
            "too_precise", "Give the total to one decimal place at most.", field="total"
        )
    return Score(value, measure.items, 0)


# ── Change ───────────────────────────────────────────────────────────────────────────


def improvement(measure: Measure, baseline: Decimal, value: Decimal) -> Decimal:
    """How much better ``value`` is than ``baseline`` (negative when worse)."""
    change = Decimal(baseline) - Decimal(value)
    return change if measure.lower_is_better else -change


def meets_mcid(measure: Measure, baseline: Decimal, value: Decimal) -> bool:
    """Whether the change from baseline reaches the measure's MCID: its points, or its
    percentage of the baseline, whichever the measure defines (either suffices). Where
    published MCIDs differ (``mcid_range``), only a change reaching the largest counts:
    important by every estimate (``within_mcid_range`` says when by some only)."""
    if measure.scoring == CATEGORY:
        return measure.responder_max > 0 and Decimal(value) <= measure.responder_max
    if not measure.measures_change:
        return False
    better = improvement(measure, baseline, value)
    if better <= 0:
        return False
    if measure.mcid_range:
        return better >= measure.mcid_range[1]
    if measure.mcid_points and better >= measure.mcid_points:
        return True
    base = Decimal(baseline)
    return bool(measure.mcid_percent and base > 0 and better * 100 >= measure.mcid_percent * base)


def within_mcid_range(measure: Measure, baseline: Decimal, value: Decimal) -> bool:
    """Whether the change is important by some published estimates but not by all: at
    least the smallest of a contested MCID's range, short of the largest."""
    if not measure.mcid_range or not measure.measures_change:
        return False
    low, high = measure.mcid_range
    return low <= improvement(measure, baseline, value) < high


def _towards_better(measure: Measure, baseline: Decimal, step: Decimal) -> Decimal:
    line = Decimal(baseline) - step if measure.lower_is_better else Decimal(baseline) + step
    return _round(max(Decimal(measure.score_min), min(Decimal(measure.score_max), line)))


def mcid_band(measure: Measure, baseline: Decimal) -> tuple[Decimal, Decimal] | None:
    """For a contested MCID: the scores the smallest and the largest estimate put an
    important change at, from ``baseline`` (for charts); None for any other measure."""
    if not measure.mcid_range or not measure.measures_change:
        return None
    low, high = measure.mcid_range
    return _towards_better(measure, baseline, low), _towards_better(measure, baseline, high)


def mcid_line(measure: Measure, baseline: Decimal) -> Decimal | None:
    """The score a patient must reach for an important change (for charts), or None. For
    a contested MCID, the nearer end of its range (``mcid_band`` gives both)."""
    if measure.scoring == CATEGORY or not measure.measures_change:
        return None
    band = mcid_band(measure, baseline)
    if band is not None:
        return band[0]
    steps = []
    if measure.mcid_points:
        steps.append(Decimal(measure.mcid_points))
    if measure.mcid_percent:
        steps.append(Decimal(baseline) * measure.mcid_percent / 100)
    if not steps:
        return None
    # Either criterion suffices, so the line is the nearer of the two.
    return _towards_better(measure, baseline, min(steps))


@dataclass(frozen=True)
class PainRule:
    """The clinic's MCID for pain: a fall of ``points``, or of ``percent`` of baseline."""

    kind: str  # "points" or "percent"
    points: int = 2
    percent: int = 30

    def improved(self, baseline: int, pain: int) -> bool:
        fall = baseline - pain
        if fall <= 0:
            return False
        if self.kind == "percent":
            return fall * 100 >= self.percent * baseline
        return fall >= self.points

    def threshold(self, baseline: int) -> Decimal:
        """The highest pain that still counts as improved from ``baseline``."""
        if self.kind == "percent":
            return _round(Decimal(baseline) * (100 - self.percent) / 100)
        return Decimal(baseline - self.points)

    def describe(self) -> str:
        if self.kind == "percent":
            return f"{self.percent}% of baseline"
        return f"{self.points} point{'s' if self.points != 1 else ''}"

"""The course planner: from a course's pain scores to its phase, the next session and a
sentence that says why. Pure: no Django, property-tested with hypothesis.

A course runs in phases (DESIGN.md §5, shared/clinical §5):

- *initial*: weekly sessions;
- *taper*: every other week, once pain has fallen from baseline by at least the MCID at
  ``improving_sessions`` (2) sessions in a row;
- *maintenance*: monthly, once the improvement has held through ``taper_sessions`` (2)
  fortnightly sessions;
- a *relapse* starts a new weekly series (series 2, 3…): a session whose pain is back
  within the MCID of baseline, or ``relapse_measures`` (2) measures in a row — sessions
  or diary entries — at least the MCID above the lowest pain since improving;
- *review*: ``trial_sessions`` (6) sessions of a series without improvement prompt a
  review instead of another booking; a review that decides to continue starts a fresh
  trial from that day.

The baseline is the pain before the course's first needling: the first session's score.
Every session adds its contact time (the booked length of its visit); where the clinic
sets a cap of its own, the plan warns as it nears.

Given the NICE guidance for the course's condition (guidance.py), the plan also says
where the course stands against it (``Standing``): professional time against NG193's
single course of 5 hours for chronic primary pain, sessions and weeks against CG150's up
to 10 over 5–8 weeks for headaches, or a note where NICE sets no limit (NG59 does not
recommend acupuncture for low back pain and sciatica). At or past the limit, NICE's
recommended course is complete: the decision says so and asks for a review, until a
review agrees to go on. It never stops a booking: the clinic is private, and the
decision is the practitioner's with the patient.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from enum import StrEnum

from acuclinic.outcomes.guidance import CONTACT_TIME, SESSIONS, Guidance
from acuclinic.outcomes.scoring import PainRule


class Phase(StrEnum):
    INITIAL = "initial"
    TAPER = "taper"
    MAINTENANCE = "maintenance"
    REVIEW = "review"

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]


PHASE_LABELS = {
    Phase.INITIAL: "Weekly",
    Phase.TAPER: "Every other week",
    Phase.MAINTENANCE: "Monthly maintenance",
    Phase.REVIEW: "Review",
}


class Action(StrEnum):
    BOOK = "book"  # propose the next session
    REVIEW = "review"  # no booking: review the course first
    ENDED = "ended"  # the course was closed
    WAIT = "wait"  # nothing signed yet


@dataclass(frozen=True)
class Rules:
    """The clinic's thresholds (outcomes.OutcomesPolicy), with the defaults."""

    pain: PainRule = field(default_factory=lambda: PainRule("points"))
    improving_sessions: int = 2
    taper_sessions: int = 2
    relapse_measures: int = 2
    trial_sessions: int = 6
    initial_days: int = 7
    taper_days: int = 14
    maintenance_days: int = 28
    # The clinic's own cap on contact time for any course (None: none). NICE's limits,
    # which depend on the condition, come from the guidance instead.
    contact_cap_minutes: int | None = None

    def interval(self, phase: Phase) -> int | None:
        return {
            Phase.INITIAL: self.initial_days,
            Phase.TAPER: self.taper_days,
            Phase.MAINTENANCE: self.maintenance_days,
        }.get(phase)


@dataclass(frozen=True)
class Session:
    """A signed session: its day, the pain before needling and the clinician's minutes."""

    day: date
    pain: int
    minutes: int
    ref: int | None = None  # the session note's id, for links


@dataclass(frozen=True)
class DiaryEntry:
    day: date
    pain: int
    ref: int = 0  # the entry's id: two entries on one day are read in the order written


@dataclass(frozen=True)
class Mark:
    """A session as the plan saw it."""

    number: int
    day: date
    pain: int
    minutes: int
    phase: Phase  # the phase the session was given in
    series: int
    improved: bool
    ref: int | None = None


@dataclass
class Span:
    """A stretch of the course in one phase, from ``start`` to ``end`` (None: ongoing)."""

    phase: Phase
    series: int
    start: date
    end: date | None = None
    sessions: list[Mark] = field(default_factory=list)

    @property
    def label(self) -> str:
        if self.phase == Phase.INITIAL:
            return f"Weekly series {self.series}" if self.series > 1 else "Weekly (initial)"
        return self.phase.label


@dataclass(frozen=True)
class Change:
    """A change of phase: when, to what, and the sentence that explains it."""

    day: date
    phase: Phase
    series: int
    sentence: str


@dataclass(frozen=True)
class Decision:
    action: Action
    phase: Phase | None
    sentence: str
    interval_days: int | None = None
    next_date: date | None = None
    # NICE's recommended course is complete and no review has agreed to go on: the
    # sentence asks for one. Booking stays open.
    review_advised: bool = False


class Limit(StrEnum):
    """Where a course stands against the limit of its NICE guidance."""

    WITHIN = "within"
    NEAR = "near"  # the next session would reach or pass the limit
    AT = "at"
    OVER = "over"
    NONE = "none"  # NICE sets no limit for the condition: a note only


@dataclass(frozen=True)
class Standing:
    """A course against NICE's guidance for its condition, in figures and in words."""

    guidance: Guidance
    status: Limit
    progress: str  # "2 h 15 min of 5 h used"; "session 6 of up to 10, week 4 (5–8 weeks)"
    sentence: str
    complete: bool = False  # NICE's recommended course is complete (at or past it)
    reached_on: date | None = None  # the session at which it became complete
    reviewed_on: date | None = None  # the first review since then that agreed to go on
    minutes: int = 0
    sessions: int = 0
    week: int = 0  # the week of the course the last session fell in (the first is 1)
    earlier_courses: int = 0  # earlier courses of the patient under the same guidance

    @property
    def review_advised(self) -> bool:
        return self.complete and self.reviewed_on is None


@dataclass
class Plan:
    baseline: int | None
    latest_pain: int | None
    marks: list[Mark]
    spans: list[Span]
    changes: list[Change]
    decision: Decision
    phase: Phase | None
    series: int
    relapses: int
    non_response: bool
    first_mcid_session: int | None
    contact_minutes: int
    warnings: list[str]
    left_initial_on: date | None  # when the first series ended (taper or review)
    standing: Standing | None = None  # against NICE's guidance, when it was given

    @property
    def sessions(self) -> int:
        return len(self.marks)

    @property
    def change(self) -> int | None:
        """Baseline minus the latest pain: positive is better."""
        if self.baseline is None or self.latest_pain is None:
            return None
        return self.baseline - self.latest_pain


_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight"}


def _count(n: int, noun: str) -> str:
    word = _WORDS.get(n, str(n))
    return f"{word} {noun}{'s' if n != 1 else ''}" if n != 1 else f"one {noun}"


def hours(minutes: int) -> str:
    """300 → "5 h", 270 → "4 h 30 min", 45 → "45 min"."""
    whole, rest = divmod(minutes, 60)
    if not whole:
        return f"{rest} min"
    return f"{whole} h" + (f" {rest} min" if rest else "")


class _Walk:
    """The plan built one measure at a time, in date order."""

    def __init__(self, rules: Rules, baseline: int):
        self.rules, self.baseline = rules, baseline
        self.phase, self.series = Phase.INITIAL, 1
        self.in_series = 0  # sessions since the series (or its trial) began
        self.improved_run = 0
        self.taper_run = 0
        self.rise_run = 0
        self.nadir = baseline
        self.relapses = 0
        self.non_response = False
        self.first_mcid: int | None = None
        self.left_initial_on: date | None = None
        self.marks: list[Mark] = []
        self.changes: list[Change] = []

    @property
    def step(self) -> int:
        """The MCID in points, for a rise above the lowest pain."""
        rule = self.rules.pain
        if rule.kind == "percent":
            return max(1, -(-rule.percent * self.baseline // 100))
        return rule.points

    def _move(self, day: date, phase: Phase, sentence: str) -> None:
        if self.phase == Phase.INITIAL and self.series == 1 and self.left_initial_on is None:
            self.left_initial_on = day
        self.phase = phase
        self.changes.append(Change(day, phase, self.series, sentence))

    def review_continued(self, day: date) -> None:
        if self.phase == Phase.REVIEW:
            self.phase, self.in_series, self.improved_run = Phase.INITIAL, 0, 0
            self.changes.append(
                Change(
                    day,
                    Phase.INITIAL,
                    self.series,
                    f"Reviewed: a further trial of up to {self.rules.trial_sessions} weekly "
                    "sessions.",
                )
            )

    def _relapse(self, day: date, sentence: str, *, at_session: bool) -> None:
        self.relapses += 1
        self.series += 1
        self.phase = Phase.INITIAL
        self.in_series = 1 if at_session else 0
        self.improved_run = self.taper_run = self.rise_run = 0
        self.changes.append(Change(day, Phase.INITIAL, self.series, sentence))

    def _check_relapse(self, day: date, pain: int, *, at_session: bool, what: str) -> bool:
        """In taper or maintenance: is this measure a relapse? (Moves the plan if so.)"""
        b, rule = self.baseline, self.rules.pain
        if at_session and not rule.improved(b, pain):
            self._relapse(
                day,
                f"Pain {pain}/10 vs baseline {b}/10: back within {rule.describe()} of "
                f"baseline, so a relapse: starting weekly series {self.series + 1}.",
                at_session=True,
            )
            return True
        if pain >= self.nadir + self.step:
            self.rise_run += 1
            if self.rise_run >= self.rules.relapse_measures:
                self._relapse(
                    day,
                    f"Pain {pain}/10 ({what}): {self.step} or more above its lowest "
                    f"({self.nadir}/10) at {_count(self.rise_run, 'measure')} in a row, so a "
                    f"relapse: starting weekly series {self.series + 1}.",
                    at_session=at_session,
                )
                return True
        else:
            self.rise_run = 0
            self.nadir = min(self.nadir, pain)
        return False

    def diary(self, entry: DiaryEntry) -> None:
        if self.phase in (Phase.TAPER, Phase.MAINTENANCE):
            self._check_relapse(entry.day, entry.pain, at_session=False, what="pain diary")

    def session(self, session: Session) -> None:
        rules, b = self.rules, self.baseline
        number = len(self.marks) + 1
        improved = rules.pain.improved(b, session.pain)
        if improved and self.first_mcid is None:
            self.first_mcid = number
        given_in = self.phase
        relapsed = False
        if self.phase in (Phase.TAPER, Phase.MAINTENANCE):
            relapsed = self._check_relapse(
                session.day, session.pain, at_session=True, what="at a session"
            )
        if relapsed:
            given_in = Phase.INITIAL
            # The session that starts the new series is its first: when a rise above the
            # lowest pain is the relapse, that session may still be an improvement on
            # baseline, and it counts towards the run as the series' later sessions do.
            self.improved_run = 1 if improved else 0
        elif self.phase in (Phase.INITIAL, Phase.REVIEW):
            self.in_series += 1
            self.improved_run = self.improved_run + 1 if improved else 0
            if self.improved_run >= rules.improving_sessions:
                self.nadir, self.rise_run, self.taper_run = session.pain, 0, 0
                self._move(
                    session.day,
                    Phase.TAPER,
                    f"Pain {session.pain}/10 vs baseline {b}/10 at "
                    f"{_count(self.improved_run, 'session')}: moving to every other week.",
                )
            elif self.phase == Phase.INITIAL and self.in_series >= rules.trial_sessions:
                self.non_response = True
                self._move(
                    session.day,
                    Phase.REVIEW,
                    f"No response after {_count(self.in_series, 'session')}: pain "
                    f"{session.pain}/10 vs baseline {b}/10 has not fallen by "
                    f"{rules.pain.describe()} at {_count(rules.improving_sessions, 'session')} "
                    "in a row. Review the course rather than book again.",
                )
        elif self.phase == Phase.TAPER:
            self.taper_run += 1
            if self.taper_run >= rules.taper_sessions:
                self._move(
                    session.day,
                    Phase.MAINTENANCE,
                    f"Improvement held through {_count(self.taper_run, 'fortnightly session')} "
                    f"(pain {session.pain}/10 vs baseline {b}/10): moving to monthly "
                    "maintenance.",
                )
        self.marks.append(
            Mark(
                number=number,
                day=session.day,
                pain=session.pain,
                minutes=session.minutes,
                phase=given_in,
                series=self.series,
                improved=improved,
                ref=session.ref,
            )
        )


def plan_course(
    sessions: Sequence[Session],
    *,
    rules: Rules,
    today: date,
    diary: Sequence[DiaryEntry] = (),
    reviews: Sequence[date] = (),
    ended_on: date | None = None,
    guidance: Guidance | None = None,
    earlier_courses: int = 0,
) -> Plan:
    """The plan for a course: ``sessions`` and ``diary`` in any order; ``reviews`` are the
    days a review decided to continue; ``ended_on`` the day the course was closed;
    ``guidance`` NICE's for the course's condition, and ``earlier_courses`` how many
    courses the patient had before this one under the same guidance."""
    ordered = sorted(sessions, key=lambda s: (s.day, s.ref or 0, s.pain))
    if not ordered:
        return _empty(ended_on)
    baseline = ordered[0].pain
    walk = _Walk(rules, baseline)
    # On one day: the session first, then a review (it follows the session that asked for
    # it), then diary entries. Ties are broken by id, then by value, so the answer never
    # depends on the order of the input.
    events = [(s.day, 0, s.ref or 0, s.pain, s) for s in ordered]
    events += [(day, 1, 0, 0, day) for day in set(reviews)]
    events += [(d.day, 2, d.ref, d.pain, d) for d in diary]
    events.sort(key=lambda e: e[:4])
    for day, kind, _, _, item in events:
        if kind == 0:
            walk.session(item)
        elif kind == 1:
            walk.review_continued(day)
        elif walk.marks:  # diary before the first session has no baseline to compare
            walk.diary(item)

    contact = sum(m.minutes for m in walk.marks)
    warnings = _cap_warnings(rules, contact, walk.marks[-1].minutes)
    decision = _decide(walk, rules, today=today, ended_on=ended_on, contact=contact)
    standing = None
    if guidance is not None:
        standing = _standing(
            guidance,
            walk.marks,
            rules,
            next_date=decision.next_date,
            reviews=reviews,
            earlier_courses=earlier_courses,
        )
        if standing.review_advised and decision.action in (Action.BOOK, Action.REVIEW):
            decision = replace(
                decision, sentence=f"{decision.sentence} {standing.sentence}", review_advised=True
            )
    return Plan(
        baseline=baseline,
        latest_pain=walk.marks[-1].pain,
        marks=walk.marks,
        spans=_spans(walk, ended_on),
        changes=walk.changes,
        decision=decision,
        phase=walk.phase,
        series=walk.series,
        relapses=walk.relapses,
        non_response=walk.non_response,
        first_mcid_session=walk.first_mcid,
        contact_minutes=contact,
        warnings=warnings,
        left_initial_on=walk.left_initial_on,
        standing=standing,
    )


def _empty(ended_on: date | None) -> Plan:
    decision = (
        Decision(Action.ENDED, None, "The course was closed before any signed session.")
        if ended_on
        else Decision(
            Action.WAIT,
            None,
            "No signed session yet: the pain score before the first needling is the baseline.",
        )
    )
    return Plan(None, None, [], [], [], decision, None, 1, 0, False, None, 0, [], None)


def _cap_warnings(rules: Rules, contact: int, last_minutes: int) -> list[str]:
    cap = rules.contact_cap_minutes
    if not cap:
        return []
    if contact >= cap:
        return [
            f"Contact time {hours(contact)} has reached the clinic's own cap of {hours(cap)} "
            "for a course."
        ]
    after = contact + last_minutes
    if after >= cap:
        effect = "reach it" if after == cap else "take the course past it"
        return [
            f"Contact time {hours(contact)} of the {hours(cap)} cap: another "
            f"{hours(last_minutes)} session would {effect}."
        ]
    return []


def _decide(walk: _Walk, rules: Rules, *, today: date, ended_on, contact: int) -> Decision:
    last = walk.marks[-1]
    b = walk.baseline
    if ended_on is not None:
        return Decision(
            Action.ENDED,
            walk.phase,
            f"Course closed. Pain {last.pain}/10 at the last session vs baseline {b}/10.",
        )
    if walk.phase == Phase.REVIEW:
        latest = walk.changes[-1].sentence if walk.changes else ""
        return Decision(Action.REVIEW, Phase.REVIEW, latest)
    interval = rules.interval(walk.phase)
    next_date = max(last.day + timedelta(days=interval), today + timedelta(days=1))
    change = walk.changes[-1] if walk.changes else None
    recent = change is not None and change.day >= last.day
    if recent:
        sentence = change.sentence
    elif walk.phase == Phase.INITIAL:
        sentence = (
            f"Pain {last.pain}/10 vs baseline {b}/10 after {_count(walk.in_series, 'session')}"
            f"{f' of series {walk.series}' if walk.series > 1 else ''}: weekly sessions "
            f"continue (a trial of up to {rules.trial_sessions})."
        )
    elif walk.phase == Phase.TAPER:
        sentence = (
            f"Pain {last.pain}/10 vs baseline {b}/10: still improved, every other week "
            f"({walk.taper_run} of {rules.taper_sessions} before monthly)."
        )
    else:
        sentence = (
            f"Pain {last.pain}/10 vs baseline {b}/10: improvement holding, monthly "
            "maintenance continues."
        )
    return Decision(Action.BOOK, walk.phase, sentence, interval, next_date)


def _spans(walk: _Walk, ended_on: date | None) -> list[Span]:
    """The phases as stretches of time, each with the sessions given in it."""
    first = walk.marks[0]
    spans = [Span(Phase.INITIAL, 1, first.day)]
    for change in walk.changes:
        spans[-1].end = change.day
        spans.append(Span(change.phase, change.series, change.day))
    for mark in walk.marks:
        # A session belongs to the last span that started on or before it and gave it its
        # phase (a session that changes the phase was given in the earlier one).
        for span in reversed(spans):
            if span.start <= mark.day and span.phase == mark.phase and span.series == mark.series:
                span.sessions.append(mark)
                break
        else:
            spans[0].sessions.append(mark)
    if ended_on is not None:
        spans[-1].end = ended_on
    return spans


# ── Against NICE's guidance ──────────────────────────────────────────────────────────

# What the decision adds once NICE's recommended course is complete.
COMPLETE = "the course NICE recommends is complete. Review with the patient whether to go on."


def _week(first: date, day: date) -> int:
    """The week of the course ``day`` falls in: the first session's week is week 1."""
    return (day - first).days // 7 + 1


def _complete(why: str) -> str:
    return f"{why}: {COMPLETE}"


def _standing(
    guidance: Guidance,
    marks: list[Mark],
    rules: Rules,
    *,
    next_date: date | None,
    reviews: Sequence[date],
    earlier_courses: int,
) -> Standing:
    minutes = sum(m.minutes for m in marks)
    first, last = marks[0], marks[-1]
    common = {
        "minutes": minutes,
        "sessions": len(marks),
        "week": _week(first.day, last.day),
        "earlier_courses": earlier_courses,
    }
    if guidance.kind == CONTACT_TIME:
        standing = _against_time(guidance, marks, **common)
    elif guidance.kind == SESSIONS:
        standing = _against_sessions(guidance, marks, next_date=next_date, **common)
    else:
        sentence = (
            f"{guidance.advice} The planner asks for a review after "
            f"{_count(rules.trial_sessions, 'weekly session')} without a fall in pain of "
            f"{rules.pain.describe()}."
        )
        return Standing(guidance, Limit.NONE, "", sentence, **common)
    if standing.complete:
        agreed = sorted(d for d in reviews if d >= standing.reached_on)
        if agreed:
            standing = replace(
                standing,
                reviewed_on=agreed[0],
                sentence=f"A review agreed to go on past {guidance.short}'s recommended course.",
            )
    return standing


def _against_time(guidance: Guidance, marks: list[Mark], **common):
    limit, used, short = guidance.limit_minutes, common["minutes"], guidance.short
    progress = f"{hours(used)} of {hours(limit)} used"
    running, reached_on = 0, None
    for mark in marks:
        running += mark.minutes
        if running >= limit:
            reached_on = mark.day
            break
    if used > limit:
        status = Limit.OVER
        sentence = _complete(
            f"{hours(used - limit)} past the {hours(limit)} of professional time in {short}'s "
            "course"
        )
    elif used == limit:
        status = Limit.AT
        sentence = _complete(
            f"All {hours(limit)} of professional time in {short}'s course are used"
        )
    else:
        left, after = limit - used, used + marks[-1].minutes
        if after >= limit:
            status = Limit.NEAR
            effect = "use the rest" if after == limit else "take the course past it"
            sentence = (
                f"{hours(left)} left of {short}'s {hours(limit)} of professional time: another "
                f"{hours(marks[-1].minutes)} session would {effect}."
            )
        else:
            status = Limit.WITHIN
            sentence = f"{hours(left)} left of {short}'s {hours(limit)} of professional time."
    earlier_courses = common["earlier_courses"]
    if guidance.single_course and earlier_courses:
        earlier = "one before" if earlier_courses == 1 else f"{earlier_courses} before"
        sentence = _complete(
            f"{short} recommends a single course, and this patient has had {earlier}"
        )
        return Standing(guidance, status, progress, sentence, True, marks[0].day, **common)
    complete = status in (Limit.AT, Limit.OVER)
    return Standing(guidance, status, progress, sentence, complete, reached_on, **common)


def _against_sessions(guidance: Guidance, marks: list[Mark], *, next_date: date | None, **common):
    cap, low, high, short = (
        guidance.limit_sessions,
        guidance.weeks_min,
        guidance.weeks_max,
        guidance.short,
    )
    count, week, first = common["sessions"], common["week"], marks[0].day
    progress = f"session {count} of up to {cap}, week {week} ({low}–{high} weeks)"
    course = f"{short}'s course of up to {cap} sessions over {low}–{high} weeks"
    reached_on = next((m.day for m in marks if m.number >= cap or _week(first, m.day) > high), None)
    if count > cap:
        status = Limit.OVER
        sentence = _complete(f"{count} sessions, {count - cap} more than {course}")
    elif week > high:
        status = Limit.OVER
        sentence = _complete(f"Week {week}, later than {course}")
    elif count == cap:
        status = Limit.AT
        sentence = _complete(f"Session {count} is the last of {course}")
    else:
        ahead = _week(first, next_date) if next_date is not None else None
        if count == cap - 1:
            status = Limit.NEAR
            sentence = f"One session left of {course}."
        elif ahead is not None and ahead > high:
            status = Limit.NEAR
            sentence = f"The proposed next session, in week {ahead}, would fall after {course}."
        else:
            status = Limit.WITHIN
            sentence = f"{_count(cap - count, 'session')} left of {course}."
            sentence = sentence[0].upper() + sentence[1:]
    complete = status in (Limit.AT, Limit.OVER)
    return Standing(guidance, status, progress, sentence, complete, reached_on, **common)

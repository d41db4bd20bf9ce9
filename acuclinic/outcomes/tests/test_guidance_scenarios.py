"""NICE's limit for each presenting condition (issue 12, point 10; shared/clinical §5),
one scenario a row: below, at and over each limit, and the conditions NICE sets none for.

Each row gives the condition, the sessions (pain, booked minutes, days apart), and where
the planner must say the course stands against the guidance in data/guidance.toml, in
figures ("2 h 15 min of 5 h used"), in words, and in its decision.
"""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from acuclinic.outcomes import guidance
from acuclinic.outcomes.planner import Action, Limit, Rules, Session, plan_course
from acuclinic.people.choices import ConditionChoice

BOOK = guidance.load(conditions=ConditionChoice.values)
MONDAY = date(2026, 1, 5)
IMPROVING = (7, 5, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4)
COMPLETE = "the course NICE recommends is complete. Review with the patient whether to go on."


@dataclass(frozen=True)
class Scenario:
    name: str
    condition: str
    sessions: int
    status: Limit
    progress: str
    says: str  # in the standing's sentence
    minutes: int = 30
    every: int = 7
    earlier_courses: int = 0
    reviews: tuple[int, ...] = ()  # days after the first session a review agreed to go on
    complete: bool = False
    review_advised: bool = False


def _sessions(s: Scenario) -> list[Session]:
    return [
        Session(MONDAY + timedelta(days=s.every * n), IMPROVING[n], s.minutes, ref=n + 1)
        for n in range(s.sessions)
    ]


NG193_NOTE = "NICE NG193 (2021): chronic primary pain"
SCENARIOS = [
    # NG193, chronic primary pain: one course of at most 5 h of professional time.
    *[
        row
        for condition in ("fibromyalgia", "msk")
        for row in (
            Scenario(
                f"{condition}: 2 h 15 min used, well within NG193's 5 h",
                condition,
                3,
                Limit.WITHIN,
                "2 h 15 min of 5 h used",
                "2 h 45 min left of NICE NG193's 5 h of professional time.",
                minutes=45,
            ),
            Scenario(
                f"{condition}: below NG193's limit, the next session would reach it",
                condition,
                9,
                Limit.NEAR,
                "4 h 30 min of 5 h used",
                "30 min left of NICE NG193's 5 h of professional time: another 30 min "
                "session would use the rest.",
            ),
            Scenario(
                f"{condition}: at NG193's 5 h",
                condition,
                10,
                Limit.AT,
                "5 h of 5 h used",
                f"All 5 h of professional time in NICE NG193's course are used: {COMPLETE}",
                complete=True,
                review_advised=True,
            ),
            Scenario(
                f"{condition}: over NG193's 5 h",
                condition,
                7,
                Limit.OVER,
                "5 h 15 min of 5 h used",
                f"15 min past the 5 h of professional time in NICE NG193's course: {COMPLETE}",
                minutes=45,
                complete=True,
                review_advised=True,
            ),
        )
    ],
    Scenario(
        "NG193 sets no time window: 4 h over a year is still within it",
        "fibromyalgia",
        8,
        Limit.WITHIN,
        "4 h of 5 h used",
        "1 h left of NICE NG193's 5 h of professional time.",
        every=45,
    ),
    Scenario(
        "NG193 recommends a single course: a second one is past it from its first session",
        "msk",
        2,
        Limit.WITHIN,
        "1 h of 5 h used",
        f"NICE NG193 recommends a single course, and this patient has had one before: {COMPLETE}",
        earlier_courses=1,
        complete=True,
        review_advised=True,
    ),
    Scenario(
        "at NG193's limit, a review that agreed to go on is recorded, not asked for again",
        "fibromyalgia",
        11,
        Limit.OVER,
        "5 h 30 min of 5 h used",
        "A review agreed to go on past NICE NG193's recommended course.",
        reviews=(63,),
        complete=True,
    ),
    Scenario(
        "a review before the limit was reached does not count for it",
        "fibromyalgia",
        10,
        Limit.AT,
        "5 h of 5 h used",
        f"All 5 h of professional time in NICE NG193's course are used: {COMPLETE}",
        reviews=(35,),
        complete=True,
        review_advised=True,
    ),
    # CG150, headaches: up to 10 sessions over 5–8 weeks.
    Scenario(
        "headache: session 6, week 4",
        "headache",
        6,
        Limit.WITHIN,
        "session 6 of up to 10, week 4 (5–8 weeks)",
        "Four sessions left of NICE CG150's course of up to 10 sessions over 5–8 weeks.",
        every=5,
    ),
    Scenario(
        "headache: session 9, one left",
        "headache",
        9,
        Limit.NEAR,
        "session 9 of up to 10, week 6 (5–8 weeks)",
        "One session left of NICE CG150's course of up to 10 sessions over 5–8 weeks.",
        every=5,
    ),
    Scenario(
        "headache: the proposed next session would fall after week 8",
        "headache",
        8,
        Limit.NEAR,
        "session 8 of up to 10, week 8 (5–8 weeks)",
        "The proposed next session, in week 12, would fall after NICE CG150's course of up "
        "to 10 sessions over 5–8 weeks.",  # monthly maintenance: 28 days after week 8
    ),
    Scenario(
        "headache: session 10 is the last of CG150's course",
        "headache",
        10,
        Limit.AT,
        "session 10 of up to 10, week 7 (5–8 weeks)",
        f"Session 10 is the last of NICE CG150's course of up to 10 sessions over 5–8 "
        f"weeks: {COMPLETE}",
        every=5,
        complete=True,
        review_advised=True,
    ),
    Scenario(
        "headache: more sessions than CG150's 10",
        "headache",
        12,
        Limit.OVER,
        "session 12 of up to 10, week 7 (5–8 weeks)",
        f"12 sessions, 2 more than NICE CG150's course of up to 10 sessions over 5–8 weeks: "
        f"{COMPLETE}",
        every=4,
        complete=True,
        review_advised=True,
    ),
    Scenario(
        "headache: fewer sessions, but after CG150's 8 weeks",
        "headache",
        5,
        Limit.OVER,
        "session 5 of up to 10, week 9 (5–8 weeks)",
        f"Week 9, later than NICE CG150's course of up to 10 sessions over 5–8 weeks: {COMPLETE}",
        every=14,
        complete=True,
        review_advised=True,
    ),
    # NG59, low back pain and sciatica: not recommended; outcomes decide.
    *[
        Scenario(
            f"{condition}: NG59's note, however long the course",
            condition,
            sessions,
            Limit.NONE,
            "",
            "NICE does not recommend acupuncture for low back pain with or without sciatica. "
            "A private clinic may still offer it; outcomes, not habit, decide whether a course "
            "goes on. The planner asks for a review after six weekly sessions without a fall "
            "in pain of 2 points.",
        )
        for condition in ("low_back", "sciatica")
        for sessions in (1, 20)
    ],
    # Chronic secondary pain, and conditions that do not say which guidance applies.
    *[
        Scenario(
            f"{condition or 'no condition recorded'}: no NICE limit, and none invented",
            condition,
            20,
            Limit.NONE,
            "",
            says,
        )
        for condition, says in (
            ("post_surgery", "No NICE guideline sets a course of acupuncture for this pain"),
            ("whiplash", "No NICE guideline sets a course of acupuncture for this pain"),
            ("other", "NICE's limit depends on the kind of pain"),
            ("", "Record the presenting condition to see this course against the right one."),
        )
    ],
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_each_condition_stands_against_its_nice_limit_as_the_reference_gives(scenario):
    sessions = _sessions(scenario)
    found = BOOK.for_condition(scenario.condition).guidance
    plan = plan_course(
        sessions,
        rules=Rules(),
        today=sessions[-1].day,
        guidance=found,
        earlier_courses=scenario.earlier_courses,
        reviews=[MONDAY + timedelta(days=d) for d in scenario.reviews],
    )
    standing = plan.standing
    assert standing.status == scenario.status
    assert standing.progress == scenario.progress
    assert scenario.says in standing.sentence
    assert standing.complete is scenario.complete
    assert plan.decision.review_advised is scenario.review_advised
    if scenario.review_advised:
        # The suggestion says the course is complete and asks for a review...
        assert plan.decision.sentence.endswith(standing.sentence)
    # ...and never stops a booking: the action is the one the pain alone decides.
    alone = plan_course(sessions, rules=Rules(), today=sessions[-1].day)
    assert (plan.decision.action, plan.decision.next_date) == (
        alone.decision.action,
        alone.decision.next_date,
    )


def test_every_condition_and_every_guidance_is_exercised_by_a_scenario():
    conditions = {s.condition or guidance.UNRECORDED for s in SCENARIOS}
    assert conditions == {*ConditionChoice.values, guidance.UNRECORDED}
    used = {BOOK.for_condition(s.condition).guidance.id for s in SCENARIOS}
    assert used == set(BOOK.guidance)
    for limited in ("ng193", "cg150"):
        statuses = {
            s.status
            for s in SCENARIOS
            if BOOK.for_condition(s.condition).guidance.id == limited and not s.earlier_courses
        }
        assert {Limit.WITHIN, Limit.AT, Limit.OVER} <= statuses, limited


def test_which_guidance_each_condition_is_read_against():
    read_as = {c: BOOK.for_condition(c).guidance.id for c in ConditionChoice.values}
    assert read_as == {
        "fibromyalgia": "ng193",
        "msk": "ng193",
        "headache": "cg150",
        "low_back": "ng59",
        "sciatica": "ng59",
        "post_surgery": "secondary",
        "whiplash": "secondary",
        "other": "unknown",
    }


def test_ng193_is_five_hours_with_no_time_window_and_cg150_ten_sessions_over_five_to_eight_weeks():
    ng193, cg150 = BOOK.guidance["ng193"], BOOK.guidance["cg150"]
    assert (ng193.kind, ng193.limit_minutes, ng193.single_course) == ("contact_time", 300, True)
    assert ng193.weeks_max is None
    assert "no time window" in ng193.advice.lower()
    assert (cg150.limit_sessions, cg150.weeks_min, cg150.weeks_max) == (10, 5, 8)
    assert BOOK.guidance["ng59"].kind == "not_recommended"


def test_a_closed_course_shows_where_it_ended_but_asks_for_nothing():
    sessions = _sessions(Scenario("", "fibromyalgia", 11, Limit.OVER, "", ""))
    plan = plan_course(
        sessions,
        rules=Rules(),
        today=sessions[-1].day,
        guidance=BOOK.guidance["ng193"],
        ended_on=sessions[-1].day,
    )
    assert plan.decision.action == Action.ENDED
    assert plan.standing.complete and not plan.decision.review_advised
    assert plan.standing.progress == "5 h 30 min of 5 h used"

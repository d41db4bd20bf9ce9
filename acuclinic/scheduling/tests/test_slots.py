"""The availability engine on its own (no database): examples, then properties.

Times in these tests are UK wall-clock times; the engine is given aware instants.
"""

import random
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from acuclinic.people.credentials import CredentialFacts
from acuclinic.scheduling import slots

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2027, 1, 4)  # a winter Monday, far from a clock change
SPRING_CHANGE = date(2027, 3, 28)  # 01:00 GMT becomes 02:00 BST
AUTUMN_CHANGE = date(2027, 10, 31)  # 02:00 BST becomes 01:00 GMT
LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)
FAR_AHEAD = datetime(2100, 1, 1, tzinfo=UTC)

# Open 08:00–20:00 Monday to Saturday, like the test clinic.
OPEN = slots.Location("Europe/London", tuple((d, time(8), time(20)) for d in range(6)))
# A branch that closes for lunch.
BRANCH = slots.Location(
    "Europe/London",
    tuple(
        (d, opens, closes)
        for d in range(5)
        for opens, closes in ((time(9), time(13)), (time(14), time(18)))
    ),
)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LONDON)


def weekly(*days, starts=time(9), ends=time(17), since=date(2026, 1, 1), until=None):
    return tuple(slots.WeeklyHours(d, starts, ends, since, until) for d in days)


def busy(*spans) -> tuple:
    return tuple(slots.Span(s, e) for s, e in spans)


def request(day: date, last: date | None = None, **changes) -> slots.Request:
    fields = {
        "duration": timedelta(minutes=30),
        "first_day": day,
        "last_day": last or day,
        "earliest": LONG_AGO,
        "latest": FAR_AHEAD,
    }
    fields.update(changes)
    return slots.Request(**fields)


def starts(found) -> list[str]:
    return [f"{s.start.astimezone(LONDON):%H:%M}" for s in found]


ROOM = slots.Room(1)


# Examples ------------------------------------------------------------------------------


def test_a_practitioner_is_offered_every_quarter_hour_of_their_working_time():
    prac = slots.Practitioner(7, weekly=weekly(0, starts=time(9), ends=time(11)))
    found = slots.free_slots(request(MONDAY), OPEN, [prac], [ROOM])
    assert starts(found) == ["09:00", "09:15", "09:30", "09:45", "10:00", "10:15", "10:30"]
    assert {(s.practitioner_id, s.room_id) for s in found} == {(7, 1)}
    assert all(s.end - s.start == timedelta(minutes=30) for s in found)


def test_nothing_is_offered_on_a_day_they_do_not_work_or_before_the_pattern_starts():
    prac = slots.Practitioner(7, weekly=weekly(1, since=MONDAY + timedelta(days=8)))
    assert slots.free_slots(request(MONDAY, MONDAY + timedelta(days=7)), OPEN, [prac], [ROOM]) == []


def test_an_ended_pattern_offers_nothing_after_its_last_day():
    prac = slots.Practitioner(7, weekly=weekly(0, until=MONDAY - timedelta(days=1)))
    assert slots.free_slots(request(MONDAY), OPEN, [prac], [ROOM]) == []


def test_working_time_is_cut_to_opening_hours_and_the_lunch_closure():
    prac = slots.Practitioner(7, weekly=weekly(0, starts=time(8), ends=time(19)))
    found = starts(slots.free_slots(request(MONDAY), BRANCH, [prac], [ROOM]))
    assert found[0] == "09:00" and found[-1] == "17:30"
    assert "12:30" in found and "12:45" not in found and "13:30" not in found
    assert "14:00" in found


def test_leave_removes_the_day_and_a_part_day_of_training_removes_those_hours():
    prac = slots.Practitioner(
        7,
        weekly=weekly(0, 1),
        changes=(
            slots.DayChange(MONDAY, MONDAY, adds=False),
            slots.DayChange(
                MONDAY + timedelta(days=1),
                MONDAY + timedelta(days=1),
                adds=False,
                starts=time(9),
                ends=time(13),
            ),
        ),
    )
    found = slots.free_slots(request(MONDAY, MONDAY + timedelta(days=1)), OPEN, [prac], [ROOM])
    assert {s.start.astimezone(LONDON).date() for s in found} == {MONDAY + timedelta(days=1)}
    assert starts(found)[0] == "13:00"


def test_an_extra_session_adds_time_but_never_outside_opening_hours():
    saturday = MONDAY + timedelta(days=5)
    prac = slots.Practitioner(
        7,
        weekly=weekly(0),
        changes=(slots.DayChange(saturday, saturday, adds=True, starts=time(18), ends=time(21)),),
    )
    found = starts(slots.free_slots(request(saturday), OPEN, [prac], [ROOM]))
    assert found == ["18:00", "18:15", "18:30", "18:45", "19:00", "19:15", "19:30"]


def test_a_booking_and_its_turnover_keep_the_next_start_away():
    prac = slots.Practitioner(
        7,
        weekly=weekly(0, starts=time(9), ends=time(12)),
        busy=busy((at(MONDAY, 10), at(MONDAY, 10, 40))),  # a 10:00 visit held until 10:40
    )
    found = starts(
        slots.free_slots(request(MONDAY, turnover=timedelta(minutes=10)), OPEN, [prac], [ROOM])
    )
    # 09:15 + 30 minutes + 10 of turnover runs into 10:00; 10:45 is the first after.
    assert found[:4] == ["09:00", "09:15", "10:45", "11:00"]
    assert "11:30" in found  # the visit may end at 12:00; its turnover may run past it


def test_the_room_is_the_lowest_free_one_and_a_closure_counts_as_busy():
    prac = slots.Practitioner(7, weekly=weekly(0, starts=time(9), ends=time(10)))
    rooms = [
        slots.Room(3),
        slots.Room(2, closed=busy((at(MONDAY, 9), at(MONDAY, 9, 30)))),
        slots.Room(5, suitable=False),
    ]
    found = slots.free_slots(request(MONDAY), OPEN, [prac], rooms)
    assert [(f"{s.start.astimezone(LONDON):%H:%M}", s.room_id) for s in found] == [
        ("09:00", 3),
        ("09:15", 3),
        ("09:30", 2),
    ]


def test_without_a_suitable_room_nothing_is_offered():
    prac = slots.Practitioner(7, weekly=weekly(0))
    assert slots.free_slots(request(MONDAY), OPEN, [prac], [slots.Room(1, suitable=False)]) == []


def test_an_unqualified_practitioner_is_never_offered():
    prac = slots.Practitioner(7, weekly=weekly(0), qualified=False)
    assert slots.free_slots(request(MONDAY), OPEN, [prac], [ROOM]) == []


def test_needling_is_offered_only_on_days_the_credentials_hold():
    def held(until):
        return tuple(
            CredentialFacts(kind, body, date(2026, 1, 1), until)
            for kind, body in (
                ("registration", "HCPC"),
                ("membership", "AACP"),
                ("insurance", "Test Mutual"),
            )
        )

    prac = slots.Practitioner(
        7,
        weekly=weekly(0, 1),
        profession="physiotherapist",
        credentials=held(until=MONDAY),
    )
    week = request(MONDAY, MONDAY + timedelta(days=1), needs_credentials=True)
    days = {s.start.astimezone(LONDON).date() for s in slots.free_slots(week, OPEN, [prac], [ROOM])}
    assert days == {MONDAY}
    # A visit without needles needs no credentials.
    plain = request(MONDAY, MONDAY + timedelta(days=1))
    days = {
        s.start.astimezone(LONDON).date() for s in slots.free_slots(plain, OPEN, [prac], [ROOM])
    }
    assert days == {MONDAY, MONDAY + timedelta(days=1)}


def test_minimum_notice_and_the_booking_horizon_bound_the_starts():
    prac = slots.Practitioner(7, weekly=weekly(0, starts=time(9), ends=time(12)))
    found = slots.free_slots(
        request(MONDAY, earliest=at(MONDAY, 9, 50), latest=at(MONDAY, 10, 30)),
        OPEN,
        [prac],
        [ROOM],
    )
    assert starts(found) == ["10:00", "10:15", "10:30"]


def test_the_patient_s_own_visits_are_left_out_but_not_their_turnover():
    prac = slots.Practitioner(7, weekly=weekly(0, starts=time(9), ends=time(11)))
    found = slots.free_slots(
        request(MONDAY, patient_busy=busy((at(MONDAY, 9, 30), at(MONDAY, 10)))),
        OPEN,
        [prac],
        [ROOM],
    )
    assert starts(found) == ["09:00", "10:00", "10:15", "10:30"]


def test_anyone_gives_every_practitioner_in_time_order_then_by_practitioner():
    a = slots.Practitioner(2, weekly=weekly(0, starts=time(9), ends=time(10)))
    b = slots.Practitioner(1, weekly=weekly(0, starts=time(9, 30), ends=time(10, 30)))
    found = slots.free_slots(request(MONDAY), OPEN, [a, b], [slots.Room(1), slots.Room(2)])
    assert [(f"{s.start.astimezone(LONDON):%H:%M}", s.practitioner_id) for s in found] == [
        ("09:00", 2),
        ("09:15", 2),
        ("09:30", 1),
        ("09:30", 2),
        ("09:45", 1),
        ("10:00", 1),
    ]
    assert [s.practitioner_id for s in slots.one_per_start(found)] == [2, 2, 1, 1, 1]


def test_the_limit_stops_at_the_earliest_slots():
    prac = slots.Practitioner(7, weekly=weekly(0, 1, 2))
    week = request(MONDAY, MONDAY + timedelta(days=2), limit=3)
    assert starts(slots.free_slots(week, OPEN, [prac], [ROOM])) == ["09:00", "09:15", "09:30"]


def test_nearest_offers_the_same_practitioner_first_then_others_nearest_first():
    def slot(hour, minute, who):
        start = at(MONDAY, hour, minute)
        return slots.Slot(start, who, 1, start + timedelta(minutes=30))

    found = [slot(9, 0, 1), slot(11, 0, 1), slot(10, 15, 2), slot(10, 0, 3), slot(9, 45, 1)]
    chosen = slots.nearest(found, at(MONDAY, 10), practitioner_id=1, limit=2)
    assert [(f"{s.start.astimezone(LONDON):%H:%M}", s.practitioner_id) for s in chosen] == [
        ("09:45", 1),
        ("09:00", 1),  # as near as 11:00: the earlier wins
        ("10:00", 3),
        ("10:15", 2),
    ]


# Clock changes -----------------------------------------------------------------------------


def test_on_the_spring_change_day_the_clock_s_local_times_are_kept():
    sunday_open = slots.Location("Europe/London", ((6, time(0), time(4)),))
    prac = slots.Practitioner(7, weekly=weekly(6, starts=time(0), ends=time(4)))
    found = slots.free_slots(request(SPRING_CHANGE, step_minutes=30), sunday_open, [prac], [ROOM])
    # 01:00–02:00 does not exist that night; 00:30 runs from 00:30 GMT to 02:00 BST.
    assert starts(found) == ["00:00", "00:30", "02:00", "02:30", "03:00", "03:30"]
    assert found[1].end.astimezone(LONDON).hour == 2


def test_a_ten_o_clock_start_is_ten_o_clock_local_on_both_sides_of_each_change():
    prac = slots.Practitioner(7, weekly=weekly(0, starts=time(10), ends=time(10, 30)))
    for change, utc_hours in ((SPRING_CHANGE, [10, 9]), (AUTUMN_CHANGE, [9, 10])):
        before, after = change - timedelta(days=6), change + timedelta(days=1)  # Mondays
        found = slots.free_slots(request(before, after), OPEN, [prac], [ROOM])
        assert [s.start.astimezone(LONDON).time() for s in found] == [time(10), time(10)]
        assert [s.start.astimezone(UTC).hour for s in found] == utc_hours


def test_working_time_checks_an_instant_against_the_day_s_hours():
    prac = slots.Practitioner(7, weekly=weekly(0, starts=time(9), ends=time(17)))
    assert slots.within_working_time(OPEN, prac, at(MONDAY, 9), at(MONDAY, 9, 30))
    assert slots.within_working_time(OPEN, prac, at(MONDAY, 16, 30), at(MONDAY, 17))
    assert not slots.within_working_time(OPEN, prac, at(MONDAY, 16, 45), at(MONDAY, 17, 15))
    assert not slots.within_working_time(OPEN, prac, at(MONDAY, 8, 45), at(MONDAY, 9, 15))


def test_a_weekly_series_keeps_its_weekday_and_the_local_time_is_applied_each_day():
    days = slots.recurring_days(SPRING_CHANGE - timedelta(days=12), 6, 1)
    assert [d.weekday() for d in days] == [1] * 6
    instants = [slots.at_local(d, time(10), LONDON) for d in days]
    assert {i.astimezone(LONDON).time() for i in instants} == {time(10)}
    assert [i.astimezone(UTC).hour for i in instants] == [10, 10, 9, 9, 9, 9]


def test_a_weekly_course_takes_the_earliest_time_free_every_week():
    # 09:00 is taken in the third week, 09:15 overlaps that booking: 09:30 is the first
    # time free in all four weeks.
    third_monday = MONDAY + timedelta(weeks=2)
    one = slots.Practitioner(
        1,
        weekly=weekly(0, starts=time(9), ends=time(12)),
        busy=busy((at(third_monday, 9), at(third_monday, 9, 30))),
    )
    course = slots.first_weekly(
        request(MONDAY, MONDAY + timedelta(weeks=4, days=-1)), OPEN, [one], [ROOM], weeks=4
    )
    assert starts(course) == ["09:30"] * 4
    assert [s.start.astimezone(LONDON).date() for s in course] == [
        MONDAY + timedelta(weeks=w) for w in range(4)
    ]


def test_a_weekly_course_is_with_anyone_free_each_week_and_keeps_the_local_time():
    # Over the spring change: 10:00 before it is 10:00 after it, with whoever is free.
    first = SPRING_CHANGE - timedelta(days=13)  # a Monday
    away = slots.DayChange(first + timedelta(weeks=1), first + timedelta(weeks=1), False)
    a = slots.Practitioner(1, weekly=weekly(0, starts=time(10), ends=time(11)), changes=(away,))
    b = slots.Practitioner(2, weekly=weekly(0, starts=time(10), ends=time(11)))
    course = slots.first_weekly(
        request(first, first + timedelta(weeks=3, days=-1)), OPEN, [a, b], [ROOM], weeks=3
    )
    assert starts(course) == ["10:00"] * 3
    assert [s.practitioner_id for s in course] == [1, 2, 1]
    assert [s.start.astimezone(UTC).hour for s in course] == [10, 10, 9]


def test_no_weekly_course_when_no_time_is_free_every_week():
    second_monday = MONDAY + timedelta(weeks=1)
    full = slots.Practitioner(
        1,
        weekly=weekly(0, starts=time(9), ends=time(10)),
        busy=busy((at(second_monday, 9), at(second_monday, 10))),
    )
    wanted = request(MONDAY, MONDAY + timedelta(weeks=2, days=-1))
    assert slots.first_weekly(wanted, OPEN, [full], [ROOM], weeks=2) == []


# Properties ---------------------------------------------------------------------------------

QUARTERS = st.integers(min_value=6 * 4, max_value=21 * 4)  # 06:00 to 21:00


def _clock(quarter: int) -> time:
    return time(quarter // 4, quarter % 4 * 15)


@st.composite
def hours(draw):
    a, b = sorted(draw(st.lists(QUARTERS, min_size=2, max_size=2, unique=True)))
    return _clock(a), _clock(b)


@st.composite
def scenarios(draw):
    """A few practitioners, rooms and bookings over a fortnight that may hold a change."""
    first_day = draw(
        st.sampled_from(
            [MONDAY, SPRING_CHANGE - timedelta(days=3), AUTUMN_CHANGE - timedelta(days=3)]
        )
    )
    days = draw(st.integers(min_value=1, max_value=9))
    last_day = first_day + timedelta(days=days - 1)
    # Mostly open, and mostly working on the days asked about, so most examples offer
    # something and many offer a choice of rooms.
    opening = tuple(
        (weekday, *draw(hours())) for weekday in range(7) if draw(st.integers(0, 3)) != 0
    )
    weekdays = sorted({(first_day + timedelta(days=n)).weekday() for n in range(days)})
    location = slots.Location("Europe/London", opening)

    def instant(day_offset, quarter):
        return at(first_day + timedelta(days=day_offset), quarter // 4, quarter % 4 * 15)

    def spans(max_size):
        found = []
        for _ in range(draw(st.integers(min_value=0, max_value=max_size))):
            offset = draw(st.integers(min_value=0, max_value=days - 1))
            start = draw(QUARTERS)
            length = draw(st.integers(min_value=1, max_value=8))
            found.append(slots.Span(instant(offset, start), instant(offset, start + length)))
        return tuple(found)

    practitioners = []
    for pid in draw(st.lists(st.integers(1, 50), min_size=1, max_size=4, unique=True)):
        patterns = tuple(
            slots.WeeklyHours(draw(st.sampled_from(weekdays)), *draw(hours()), date(2026, 1, 1))
            for _ in range(draw(st.integers(0, 4)))
        )
        changes = []
        for _ in range(draw(st.integers(0, 2))):
            offset = draw(st.integers(min_value=0, max_value=days - 1))
            day = first_day + timedelta(days=offset)
            whole = draw(st.booleans())
            starts_at, ends_at = (None, None) if whole else draw(hours())
            changes.append(slots.DayChange(day, day, draw(st.booleans()), starts_at, ends_at))
        practitioners.append(
            slots.Practitioner(
                pid,
                weekly=patterns,
                changes=tuple(changes),
                busy=spans(4),
                qualified=draw(st.booleans()) or draw(st.booleans()),
            )
        )
    rooms = [
        slots.Room(
            rid, suitable=draw(st.booleans()) or draw(st.booleans()), closed=spans(1), busy=spans(3)
        )
        for rid in draw(st.lists(st.integers(1, 20), min_size=1, max_size=4, unique=True))
    ]
    req = slots.Request(
        duration=timedelta(minutes=draw(st.sampled_from([15, 30, 45, 60, 75]))),
        turnover=timedelta(minutes=draw(st.sampled_from([0, 5, 10, 15]))),
        first_day=first_day,
        last_day=last_day,
        earliest=instant(0, draw(QUARTERS)),
        latest=FAR_AHEAD,
        patient_busy=spans(2),
    )
    return req, location, practitioners, rooms


def _meets(spans, start, end) -> bool:
    return any(s.start < end and start < s.end for s in spans)


def _inside_local_hours(location, practitioner, slot) -> bool:
    """Checked minute by minute from the rules themselves, without the engine's period
    arithmetic: every minute of the visit is open, worked (usual hours or an extra
    session, which may adjoin) and not time off."""
    local_start, local_end = slot.start.astimezone(LONDON), slot.end.astimezone(LONDON)
    day = local_start.date()
    if local_end.date() != day and local_end.time() != time(0):
        return False

    def within(moment, starts, ends):
        return starts is None or (starts <= moment < ends)

    # Step through instants in UTC: two London times on the autumn change night compare
    # by their wall clock, not by when they happen.
    minute = slot.start.astimezone(UTC)
    while minute < slot.end.astimezone(UTC):
        now = minute.astimezone(LONDON).time()
        opened = any(w == day.weekday() and o <= now < c for w, o, c in location.opening)
        usual = any(h.applies_on(day) and h.starts <= now < h.ends for h in practitioner.weekly)
        extra = any(
            c.adds and c.covers(day) and within(now, c.starts, c.ends) for c in practitioner.changes
        )
        away = any(
            not c.adds and c.covers(day) and within(now, c.starts, c.ends)
            for c in practitioner.changes
        )
        if not opened or not (usual or extra) or away:
            return False
        minute += timedelta(minutes=1)
    return True


@settings(max_examples=200, deadline=None)
@given(scenarios())
def test_no_offered_slot_meets_a_booking_or_lies_outside_working_time(scenario):
    req, location, practitioners, rooms = scenario
    by_id = {p.id: p for p in practitioners}
    room_by_id = {r.id: r for r in rooms}
    for slot in slots.free_slots(req, location, practitioners, rooms):
        practitioner, room = by_id[slot.practitioner_id], room_by_id[slot.room_id]
        held_until = slot.end + req.turnover
        assert practitioner.qualified and room.suitable
        assert not _meets(practitioner.busy, slot.start, held_until)
        assert not _meets(room.busy + room.closed, slot.start, held_until)
        assert not _meets(req.patient_busy, slot.start, slot.end)
        assert _inside_local_hours(location, practitioner, slot)
        assert slot.start >= req.earliest
        assert slot.start.astimezone(LONDON).minute % 15 == 0


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.randoms(use_true_random=False))
def test_slots_do_not_depend_on_the_order_of_the_inputs(scenario, rnd: random.Random):
    req, location, practitioners, rooms = scenario
    expected = slots.free_slots(req, location, practitioners, rooms)

    def shuffled(items):
        items = list(items)
        rnd.shuffle(items)
        return items

    practitioners = [
        slots.Practitioner(
            p.id,
            weekly=tuple(shuffled(p.weekly)),
            changes=tuple(shuffled(p.changes)),
            busy=tuple(shuffled(p.busy)),
            qualified=p.qualified,
        )
        for p in shuffled(practitioners)
    ]
    rooms = [
        slots.Room(r.id, r.suitable, tuple(shuffled(r.closed)), tuple(shuffled(r.busy)))
        for r in shuffled(rooms)
    ]
    opening = slots.Location(location.time_zone, tuple(shuffled(location.opening)))
    req = slots.Request(**{**req.__dict__, "patient_busy": tuple(shuffled(req.patient_busy))})
    assert slots.free_slots(req, opening, practitioners, rooms) == expected


@settings(max_examples=150, deadline=None)
@given(scenarios())
def test_every_start_clear_of_the_practitioner_s_bookings_is_offered(scenario):
    # The other side of "never outside": nothing free is held back — in particular, the
    # engine's jump past a busy stretch never jumps over a free start.
    req, location, practitioners, _ = scenario
    req = slots.Request(**{**req.__dict__, "patient_busy": ()})
    qualified = [
        slots.Practitioner(p.id, weekly=p.weekly, changes=p.changes, busy=p.busy)
        for p in practitioners
    ]
    found = slots.free_slots(req, location, qualified, [ROOM, slots.Room(2)])
    offered = {(s.start, s.practitioner_id) for s in found}
    for practitioner in qualified:
        day = req.first_day
        while day <= req.last_day:
            for quarter in range(0, 24 * 4):
                start = slots.at_local(day, _clock(quarter), LONDON)
                if start is None or start < req.earliest:
                    continue
                candidate = slots.Slot(start, practitioner.id, 0, start + req.duration)
                held_until = candidate.end + req.turnover
                free = not _meets(practitioner.busy, start, held_until)
                if free and _inside_local_hours(location, practitioner, candidate):
                    assert (start, practitioner.id) in offered
            day += timedelta(days=1)


@settings(max_examples=60, deadline=None)
@given(scenarios(), st.integers(min_value=1, max_value=20))
def test_a_limit_gives_the_first_slots_of_the_full_answer(scenario, limit):
    req, location, practitioners, rooms = scenario
    everything = slots.free_slots(req, location, practitioners, rooms)
    limited = slots.Request(**{**req.__dict__, "limit": limit})
    assert slots.free_slots(limited, location, practitioners, rooms) == everything[:limit]


def _weekly_by_brute_force(req, location, practitioners, rooms, weeks):
    """Every free slot of all the weeks, then the first week's earliest time that has a
    slot in every week: the plain way to find a weekly course."""
    everything = slots.free_slots(req, location, practitioners, rooms)
    by_time: dict[tuple, dict[int, slots.Slot]] = {}
    for slot in everything:
        local = slot.start.astimezone(LONDON)
        week = (local.date() - req.first_day).days // 7
        by_time.setdefault((local.weekday(), local.time()), {}).setdefault(week, slot)
    for slot in everything:
        local = slot.start.astimezone(LONDON)
        if local.date() >= req.first_day + timedelta(weeks=1):
            break
        each_week = by_time[(local.weekday(), local.time())]
        if len(each_week) == weeks:
            return [each_week[week] for week in range(weeks)]
    return []


@given(scenarios(), st.integers(min_value=1, max_value=3))
def test_a_weekly_course_is_what_a_search_of_every_day_would_find(scenario, weeks):
    req, location, practitioners, rooms = scenario
    # Patterns on every weekday, so later weeks offer times too.
    practitioners = [
        slots.Practitioner(
            **{
                **p.__dict__,
                "weekly": p.weekly
                + tuple(
                    slots.WeeklyHours(d, time(9), time(13), date(2026, 1, 1)) for d in range(5)
                ),
            }
        )
        for p in practitioners
    ]
    whole = slots.Request(
        **{**req.__dict__, "last_day": req.first_day + timedelta(weeks=weeks, days=-1)}
    )
    expected = _weekly_by_brute_force(whole, location, practitioners, rooms, weeks)
    assert slots.first_weekly(whole, location, practitioners, rooms, weeks=weeks) == expected

"""Laying out the diary grid (scheduling/diary.py), property-tested: whatever the
appointments, every card sits inside the grid and overlapping cards sit side by side."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from acuclinic.scheduling.diary.layout import Card, Column, assign_lanes, build_grid

# Pure and quick, but a busy CI machine must not fail them on timing.
no_deadline = settings(deadline=None)

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2026, 3, 23)
SUNDAY_CLOCKS_CHANGE = date(2026, 3, 29)  # 01:00 GMT becomes 02:00 BST


@dataclass
class Visit:
    pk: int
    start: datetime
    end: datetime
    is_active: bool = True


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON)


opening_hours = st.builds(
    lambda opens, length: (time(opens), time(min(23, opens + length))),
    st.integers(6, 12),
    st.integers(4, 11),
)


@st.composite
def visits_on(draw, day: date):
    """Up to 12 visits from 05:00 to 23:45 that day, some cancelled, some overlapping."""
    count = draw(st.integers(0, 12))
    visits = []
    for pk in range(1, count + 1):
        start = at(day, 5) + timedelta(minutes=15 * draw(st.integers(0, 74)))
        length = timedelta(minutes=draw(st.sampled_from([15, 30, 45, 60, 90, 240])))
        visits.append(Visit(pk, start, start + length, is_active=draw(st.booleans())))
    return visits


def layout(day: date, visits, hours, now=None):
    column = Column(label="Sarah Patel", day=day, practitioner=None)
    grid = build_grid(
        columns=[column],
        appointments_by_column=[visits],
        opening={day.weekday(): [hours]},
        tz=LONDON,
        now=now or datetime(2026, 1, 1, tzinfo=UTC),
    )
    return grid, column


@no_deadline
@given(st.sampled_from([MONDAY, SUNDAY_CLOCKS_CHANGE]), st.data(), opening_hours)
def test_cards_never_fall_outside_the_grid(day, data, hours):
    visits = data.draw(visits_on(day))
    grid, column = layout(day, visits, hours)
    assert len(column.cards) == len(visits)
    for card in column.cards:
        assert 1 <= card.row_start < card.row_end <= grid.rows + 1, (card, grid.rows)
        assert 1 <= card.lane <= column.lanes


@no_deadline
@given(st.sampled_from([MONDAY, SUNDAY_CLOCKS_CHANGE]), st.data(), opening_hours)
def test_overlapping_cards_get_different_lanes(day, data, hours):
    _, column = layout(day, data.draw(visits_on(day)), hours)
    for a, b in combinations(column.cards, 2):
        if a.row_start < b.row_end and b.row_start < a.row_end:
            assert a.lane != b.lane


@no_deadline
@given(st.data(), opening_hours)
def test_free_slots_are_inside_opening_hours_and_clear_of_active_visits(data, hours):
    visits = data.draw(visits_on(MONDAY))
    now = at(MONDAY, data.draw(st.integers(0, 23)))
    _, column = layout(MONDAY, visits, hours, now=now)
    opens, closes = hours
    for slot in column.free:
        slot_end = slot.start + timedelta(minutes=30)
        assert slot.start > now
        assert at(MONDAY, opens.hour) <= slot.start and slot_end <= at(MONDAY, closes.hour)
        for visit in visits:
            if visit.is_active:
                assert not (visit.start < slot_end and slot.start < visit.end), (slot, visit)


def test_a_ten_oclock_visit_spans_its_rows_from_the_grid_start():
    visit = Visit(1, at(MONDAY, 10), at(MONDAY, 10, 30))
    grid, column = layout(MONDAY, [visit], (time(8), time(20)))
    assert grid.times[0] == "08:00" and grid.rows == 48
    assert (column.cards[0].row_start, column.cards[0].row_end) == (9, 11)


def test_a_visit_after_closing_time_is_kept_on_the_last_row():
    # Opening hours can shrink after a booking was made; the visit must still show.
    late = Visit(1, at(MONDAY, 21), at(MONDAY, 21, 30))
    grid, column = layout(MONDAY, [late], (time(8), time(20)))
    assert (column.cards[0].row_start, column.cards[0].row_end) == (grid.rows, grid.rows + 1)


def test_a_day_without_opening_hours_is_closed_with_no_free_slots():
    column = Column(label="Sun", day=MONDAY + timedelta(days=6), practitioner=None)
    build_grid(
        columns=[column],
        appointments_by_column=[[]],
        opening={0: [(time(8), time(20))]},
        tz=LONDON,
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert column.closed
    assert column.free == []


def test_three_visits_at_once_need_three_lanes_and_a_later_one_reuses_the_first():
    cards = [Card(Visit(n, None, None), 5, 9) for n in (1, 2, 3)]
    cards.append(Card(Visit(4, None, None), 9, 11))
    assert assign_lanes(cards) == 3
    assert sorted(c.lane for c in cards[:3]) == [1, 2, 3]
    assert cards[3].lane == 1


def test_a_visit_in_the_last_quarter_hour_before_closing_leaves_no_free_time_over_it():
    # Found by the property above: the final row of the day was never marked busy.
    closing_visit = Visit(1, at(MONDAY, 16, 45), at(MONDAY, 17))
    grid, column = layout(MONDAY, [closing_visit], (time(9), time(17)))
    free_starts = [slot.start for slot in column.free]
    assert at(MONDAY, 16, 30) not in free_starts
    assert at(MONDAY, 16) in free_starts
    assert grid.last == time(17)


@st.composite
def closures_on(draw, day: date):
    """Up to three closures of a room, some starting the day before or ending after."""
    closures = []
    for _ in range(draw(st.integers(0, 3))):
        start = at(day, 0) + timedelta(minutes=15 * draw(st.integers(-40, 100)))
        length = timedelta(minutes=draw(st.sampled_from([10, 15, 45, 120, 24 * 60])))
        closures.append((start, start + length, "Deep clean"))
    return closures


@no_deadline
@given(st.data(), opening_hours)
def test_a_rooms_closures_sit_inside_the_grid_and_no_free_time_meets_one(data, hours):
    closures = data.draw(closures_on(MONDAY))
    column = Column(label="Room 1", day=MONDAY, practitioner=None, closures=closures)
    grid = build_grid(
        columns=[column],
        appointments_by_column=[[]],
        opening={MONDAY.weekday(): [hours]},
        tz=LONDON,
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    for block in column.blocked:
        assert 1 <= block.row_start < block.row_end <= grid.rows + 1, (block, grid.rows)
    for slot in column.free:
        slot_end = slot.start + timedelta(minutes=30)
        for starts, ends, _ in closures:
            assert not (starts < slot_end and slot.start < ends), (slot, starts, ends)


def test_a_closure_on_another_day_blocks_nothing():
    tuesday = MONDAY + timedelta(days=1)
    column = Column(
        label="Room 1",
        day=MONDAY,
        practitioner=None,
        closures=[(at(tuesday, 9), at(tuesday, 12), "Painting")],
    )
    build_grid(
        columns=[column],
        appointments_by_column=[[]],
        opening={0: [(time(8), time(20))]},
        tz=LONDON,
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert column.blocked == []
    assert len(column.free) == 24


def test_the_visit_being_moved_leaves_its_own_time_free_for_itself():
    moving, other = (
        Visit(1, at(MONDAY, 10), at(MONDAY, 10, 30)),
        Visit(2, at(MONDAY, 11), at(MONDAY, 11, 30)),
    )
    column = Column(label="Sarah Patel", day=MONDAY, practitioner=None)
    build_grid(
        columns=[column],
        appointments_by_column=[[moving, other]],
        opening={0: [(time(8), time(20))]},
        tz=LONDON,
        now=datetime(2026, 1, 1, tzinfo=UTC),
        moving=1,
    )
    free = {slot.start for slot in column.free}
    assert at(MONDAY, 10) in free and at(MONDAY, 11) not in free
    assert len(column.cards) == 2  # still shown where it is

"""FHIR date search values: precision makes an interval, prefixes compare with it."""

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acuclinic.interop.fhir.search_params import (
    SearchError,
    date_bounds,
    date_interval,
    parse_count,
    parse_reference,
)

LONDON = ZoneInfo("Europe/London")


def test_precision_makes_the_interval():
    start, end = date_interval("2026-03", LONDON)
    assert (start, end) == (
        datetime(2026, 3, 1, tzinfo=LONDON),
        datetime(2026, 4, 1, tzinfo=LONDON),
    )
    start, end = date_interval("2026", LONDON)
    assert end == datetime(2027, 1, 1, tzinfo=LONDON)
    start, end = date_interval("2026-03-29T01:30:00Z", LONDON)
    assert start == datetime(2026, 3, 29, 1, 30, tzinfo=UTC) and (end - start).seconds == 1


@pytest.mark.parametrize(
    ("raw", "ops"),
    [
        ("2026-03-03", ["gte", "lt"]),
        ("eq2026-03-03", ["gte", "lt"]),
        ("ge2026-03-03", ["gte"]),
        ("gt2026-03-03", ["gte"]),
        ("lt2026-03-03", ["lt"]),
        ("le2026-03-03", ["lt"]),
    ],
)
def test_prefixes(raw, ops):
    assert [b.op for b in date_bounds(raw, LONDON)] == ops


def test_gt_starts_after_the_whole_day_and_le_ends_with_it():
    day_end = datetime(2026, 3, 4, tzinfo=LONDON)
    assert date_bounds("gt2026-03-03", LONDON)[0].moment == day_end
    assert date_bounds("le2026-03-03", LONDON)[0].moment == day_end


@pytest.mark.parametrize(
    "raw",
    ["03/03/2026", "2026-3-3", "2026-02-30", "ne2026-01-01", "sa2026", "2026-03-03T10:00", ""],
)
def test_malformed_dates_are_refused(raw):
    with pytest.raises(SearchError):
        date_bounds(raw, LONDON)


@settings(max_examples=50)
@given(st.text(max_size=30))
def test_any_text_is_parsed_or_refused_with_a_message(raw):
    try:
        date_bounds(raw, LONDON)
    except SearchError as exc:
        assert str(exc)


def test_count_and_reference():
    assert parse_count("20", maximum=500) == 20
    for bad in ("0", "501", "-1", "x"):
        with pytest.raises(SearchError):
            parse_count(bad, maximum=500)
    assert parse_reference("Patient/12", "Patient") == "12"
    with pytest.raises(SearchError):
        parse_reference("Patient/12/_history", "Patient")

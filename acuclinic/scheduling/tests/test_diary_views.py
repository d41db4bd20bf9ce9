"""The diary: a day or a week, by location and by practitioner, with links to book the
free times. Bad query parameters fall back to the defaults instead of an error page."""

import re
from datetime import UTC, date, datetime, time, timedelta
from html import escape
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from acuclinic.clinic.models import Location, OpeningHours, Room
from acuclinic.core.formats import format_date
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.testing import factories

DIARY = reverse("diary")


@pytest.fixture
def signed_in(client, reception_user):
    client.force_login(reception_user)
    return client


@pytest.fixture
def day(clinic):
    """A weekday next week, when the clinic is open 08:00–20:00."""
    return timezone.localtime(factories.next_weekday_at(10)).date()


@pytest.fixture
def colleague(clinic):
    return factories.practitioner("tom", qualified_medical=True)


def visit(practitioner, day, hour, minute=0, **fields):
    start = timezone.make_aware(
        datetime.combine(day, time(hour, minute)), timezone.get_current_timezone()
    )
    return factories.appointment(
        patient=fields.pop("patient", None) or factories.patient(),
        practitioner=practitioner,
        start=start,
        **fields,
    )


def show(client, **params):
    response = client.get(DIARY, {k: str(v) for k, v in params.items()})
    assert response.status_code == 200
    return response


def column_labels(response) -> list[str]:
    return [c.label for c in response.context["grid"].columns]


def cards(response, label: str) -> list:
    (column,) = [c for c in response.context["grid"].columns if c.label == label]
    return [card.appointment for card in column.cards]


def test_the_day_view_has_a_column_per_practitioner_with_their_visits(
    signed_in, day, practitioner, colleague
):
    mine = visit(practitioner, day, 10)
    theirs = visit(colleague, day, 11, room=Room.objects.get(name="Room 2"))
    response = show(signed_in, date=day.isoformat())
    assert sorted(column_labels(response)) == sorted([practitioner.name, colleague.name])
    assert cards(response, practitioner.name) == [mine]
    assert cards(response, colleague.name) == [theirs]
    page = response.content.decode()
    assert f'Diary <span class="muted">{format_date(day)} · Riverside</span>' in page
    assert f'id="appt-{mine.pk}"' in page
    assert "10:00–10:30" in page
    assert escape(mine.patient.full_name) in page


def test_choosing_a_practitioner_shows_only_their_column(signed_in, day, practitioner, colleague):
    visit(practitioner, day, 10)
    theirs = visit(colleague, day, 11, room=Room.objects.get(name="Room 2"))
    response = show(signed_in, date=day.isoformat(), practitioner=practitioner.pk)
    assert column_labels(response) == [practitioner.name]
    assert f'id="appt-{theirs.pk}"' not in response.content.decode()


def test_the_week_view_runs_monday_to_sunday_and_sunday_is_closed(signed_in, day, practitioner):
    mine = visit(practitioner, day, 10)
    response = show(signed_in, date=day.isoformat(), view="week")
    monday = day - timedelta(days=day.weekday())
    columns = response.context["grid"].columns
    assert [c.day for c in columns] == [monday + timedelta(days=n) for n in range(7)]
    assert columns[0].label == f"Mon {monday.day} {monday:%b}"
    assert [c.closed for c in columns] == [False] * 6 + [True]
    assert cards(response, columns[day.weekday()].label) == [mine]
    assert f"week of {format_date(monday)}" in response.content.decode()


def test_the_week_view_for_one_practitioner_leaves_out_colleagues(
    signed_in, day, practitioner, colleague
):
    visit(practitioner, day, 10)
    visit(colleague, day, 11, room=Room.objects.get(name="Room 2"))
    response = show(signed_in, date=day.isoformat(), view="week", practitioner=colleague.pk)
    everyone = [
        a for c in response.context["grid"].columns for a in (x.appointment for x in c.cards)
    ]
    assert [a.practitioner for a in everyone] == [colleague]


def test_each_location_has_its_own_diary(signed_in, clinic, day, practitioner):
    hilltop = Location.objects.create(
        clinic=clinic, name="Hilltop", address_line1="2 Hill Rd", town="Testford", postcode="TE3"
    )
    OpeningHours.objects.create(
        location=hilltop, weekday=day.weekday(), opens=time(9), closes=time(13)
    )
    upstairs = Room.objects.create(location=hilltop, name="Upstairs")
    at_riverside = visit(practitioner, day, 10)
    at_hilltop = visit(practitioner, day, 12, room=upstairs)
    # Without a choice the diary opens at the first location by name.
    assert show(signed_in, date=day.isoformat()).context["location"] == hilltop
    hill = show(signed_in, date=day.isoformat(), location=hilltop.pk)
    river = show(signed_in, date=day.isoformat(), location=at_riverside.room.location_id)
    assert cards(hill, practitioner.name) == [at_hilltop]
    assert cards(river, practitioner.name) == [at_riverside]
    assert hill.context["grid"].times[0] == "09:00" and hill.context["grid"].rows == 16


def test_cancelled_visits_leave_the_diary_but_missed_ones_stay(signed_in, day, practitioner):
    now = timezone.now()
    visit(practitioner, day, 10, status=AppointmentStatus.CANCELLED, cancelled_at=now)
    visit(practitioner, day, 11, status=AppointmentStatus.LATE_CANCELLED, cancelled_at=now)
    missed = visit(practitioner, day, 12, status=AppointmentStatus.DID_NOT_ATTEND)
    response = show(signed_in, date=day.isoformat())
    assert cards(response, practitioner.name) == [missed]
    assert "1 appointment shown." in response.content.decode()


def free_links(response) -> list[dict]:
    links = re.findall(
        r'<li class="free"[^>]*><a href="([^"]+)" aria-label="([^"]+)"', response.content.decode()
    )
    found = []
    for href, label in links:
        url = urlparse(href.replace("&amp;", "&"))
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        found.append({"path": url.path, "label": label, **query})
    return found


def test_free_times_link_to_the_booking_form_with_the_time_and_practitioner(
    signed_in, day, practitioner
):
    visit(practitioner, day, 10)
    response = show(signed_in, date=day.isoformat())
    links = free_links(response)
    starts = [timezone.localtime(datetime.fromisoformat(unquote(link["start"]))) for link in links]
    assert {s.strftime("%H:%M") for s in starts} >= {"08:00", "09:30", "10:30", "19:30"}
    assert "10:00" not in {s.strftime("%H:%M") for s in starts}
    assert "20:00" not in {s.strftime("%H:%M") for s in starts}
    half_ten = links[[s.strftime("%H:%M") for s in starts].index("10:30")]
    assert half_ten["path"] == reverse("appointment_new")
    assert half_ten["practitioner"] == str(practitioner.pk)
    assert half_ten["label"] == f"Book {practitioner.name} at 10:30"


def test_free_times_are_offered_only_while_the_practitioner_works(signed_in, day, clinic):
    from acuclinic.scheduling.models import WorkingException, WorkingPattern

    part_timer = factories.practitioner("part", qualified_medical=True, works_opening_hours=False)
    WorkingPattern.objects.create(
        practitioner=part_timer,
        location=Location.objects.get(),
        weekday=day.weekday(),
        starts=time(9),
        ends=time(12),
        valid_from=day - timedelta(days=7),
    )
    response = show(signed_in, date=day.isoformat(), practitioner=part_timer.pk)
    starts = {
        timezone.localtime(datetime.fromisoformat(unquote(link["start"]))).strftime("%H:%M")
        for link in free_links(response)
    }
    assert starts == {"09:00", "09:30", "10:00", "10:30", "11:00", "11:30"}
    # On leave: nothing to book, and the column says why.
    WorkingException.objects.create(
        practitioner=part_timer, kind="leave", first_day=day, last_day=day
    )
    response = show(signed_in, date=day.isoformat(), practitioner=part_timer.pk)
    assert free_links(response) == []
    assert response.context["grid"].columns[0].note == "Not working"


def test_no_free_time_is_offered_in_the_turnover_after_a_visit(signed_in, day, practitioner):
    appointment = visit(practitioner, day, 10)
    appointment.held_until = appointment.end + timedelta(minutes=10)
    appointment.save()
    response = show(signed_in, date=day.isoformat())
    starts = {
        timezone.localtime(datetime.fromisoformat(unquote(link["start"]))).strftime("%H:%M")
        for link in free_links(response)
    }
    assert "10:30" not in starts and "11:00" in starts and "09:30" in starts


def test_no_free_time_is_offered_in_the_past(signed_in, practitioner, clinic):
    last_week = timezone.localdate() - timedelta(days=7)
    response = show(signed_in, date=last_week.isoformat())
    assert free_links(response) == []


def test_previous_and_next_move_by_a_day_or_by_a_week(signed_in, day, practitioner):
    response = show(signed_in, date=day.isoformat(), practitioner=practitioner.pk)
    assert f"date={(day + timedelta(days=1)).isoformat()}" in response.context["next_url"]
    assert f"practitioner={practitioner.pk}" in response.context["next_url"]
    week = show(signed_in, date=day.isoformat(), view="week")
    assert f"date={(day - timedelta(days=7)).isoformat()}" in week.context["prev_url"]
    assert "view=week" in week.context["prev_url"]


def _open_today_or_next() -> date:
    """The test clinic opens Monday to Saturday."""
    today = timezone.localdate()
    return today + timedelta(days=1) if today.weekday() == 6 else today


def test_without_a_date_the_diary_shows_today(signed_in, practitioner):
    assert show(signed_in).context["day"] == _open_today_or_next()


def test_on_a_day_the_location_is_closed_the_diary_opens_on_the_next_open_day(
    signed_in, practitioner
):
    sunday = datetime(2026, 3, 8, 9, 0, tzinfo=UTC)  # the test clinic is closed on Sundays
    with time_machine.travel(sunday, tick=False):
        response = show(signed_in)
    assert response.context["day"] == date(2026, 3, 9)
    assert "Nobody works at" not in response.content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {"date": "tomorrow"},
        {"date": "2026-02-30"},
        {"date": "9999-12-31"},
        {"date": "0001-01-01"},
        {"date": "9999-12-31", "view": "week"},
        {"date": "0001-01-01", "view": "week"},
        {"view": "month"},
        {"location": "riverside"},
        {"location": "999999"},
        {"location": "99999999999999999999999"},
        {"practitioner": "-1"},
        {"practitioner": "everyone"},
    ],
    ids=lambda p: "&".join(f"{k}={v}" for k, v in p.items()),
)
def test_bad_query_parameters_fall_back_to_the_defaults(signed_in, practitioner, params):
    response = show(signed_in, **params)
    assert response.context["location"].name == "Riverside"
    if "date" in params:
        assert response.context["day"] == _open_today_or_next()
    if "view" in params and params["view"] == "month":
        assert response.context["view"] == "day"
    if "practitioner" in params:
        assert response.context["chosen"] is None


def test_without_any_location_the_diary_says_one_is_needed(signed_in, clinic):
    Location.objects.update(is_active=False)
    response = show(signed_in)
    assert "No location is set up yet." in response.content.decode()

"""The first time free every week for a course: GET /api/v1/availability/weekly and the
"Find the first weekly time" control on the series booking page."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Room, Service
from acuclinic.scheduling.choices import ExceptionKind
from acuclinic.scheduling.models import Appointment, Series, WorkingException, WorkingPattern
from acuclinic.scheduling.tests.helpers import at
from acuclinic.testing import factories
from acuclinic.testing.api_client import as_user

WEEKS = 6


def _works_wednesdays(username: str, location, wednesday, starts: int, ends: int):
    prac = factories.practitioner(username, qualified_medical=True, works_opening_hours=False)
    WorkingPattern.objects.create(
        practitioner=prac,
        location=location,
        weekday=2,
        starts=time(starts),
        ends=time(ends),
        valid_from=wednesday - timedelta(days=7),
    )
    return prac


@pytest.fixture
def morning_only(clinic, location, wednesday):
    """The only practitioner there: Wednesdays 09:00–10:00."""
    return _works_wednesdays("morning", location, wednesday, 9, 10)


@pytest.fixture
def taken_in_week_three(medical, morning_only, wednesday):
    """Their 09:00 in the third week is booked: 09:00 is not free every week."""
    return factories.appointment(
        patient=factories.patient(),
        practitioner=morning_only,
        service=medical,
        start=at(wednesday + timedelta(weeks=2), 9),
    )


def ask(api, **params):
    return api.get("/availability/weekly", params)


def local(item: dict) -> datetime:
    return datetime.fromisoformat(item["start"])


def _after_the_visit(medical, hour: int) -> time:
    held = timedelta(minutes=medical.duration_minutes + medical.turnover_minutes)
    return (datetime.combine(datetime.min, time(hour)) + held).time()


# The API ------------------------------------------------------------------------------------


def test_a_course_is_the_same_weekday_and_time_every_week_after_a_taken_slot(
    api, medical, location, morning_only, wednesday, taken_in_week_three
):
    response = ask(
        api,
        service=medical.pk,
        location=location.pk,
        start_from=wednesday.isoformat(),
        weeks=WEEKS,
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["weeks"] == WEEKS
    starts = [local(item) for item in body["items"]]
    assert [s.date() for s in starts] == [wednesday + timedelta(weeks=w) for w in range(WEEKS)]
    # The same local time each week (across a clock change too), after the week-3 visit.
    assert {s.time() for s in starts} == {_after_the_visit(medical, 9)}
    first = body["items"][0]
    clock = _after_the_visit(medical, 9)
    assert first["start"] == at(wednesday, clock.hour, clock.minute).isoformat()
    assert datetime.fromisoformat(first["end"]) - starts[0] == timedelta(
        minutes=medical.duration_minutes
    )
    assert first["practitioner"] == {"id": morning_only.pk, "name": morning_only.name}
    assert Room.objects.filter(pk=first["room"]["id"], location=location).exists()
    assert first["start_display"].endswith(f", {clock:%H:%M}")


def test_weeks_default_to_six_from_today(api, medical, location, practitioner):
    body = ask(api, service=medical.pk, location=location.pk).json()
    assert body["weeks"] == 6
    starts = [local(item) for item in body["items"]]
    first_day = starts[0].date()
    assert timezone.localdate() <= first_day < timezone.localdate() + timedelta(days=7)
    assert [s.date() for s in starts] == [first_day + timedelta(weeks=w) for w in range(6)]
    assert len({s.time() for s in starts}) == 1


def test_the_practitioner_filter_finds_their_time_not_the_first_anyone_has(
    api, medical, location, morning_only, wednesday
):
    afternoon = _works_wednesdays("afternoon", location, wednesday, 14, 15)
    asked = {"service": medical.pk, "location": location.pk, "start_from": wednesday.isoformat()}

    anyone = ask(api, **asked).json()["items"]
    theirs = ask(api, **asked, practitioner=afternoon.pk).json()["items"]

    assert {(local(i).time(), i["practitioner"]["id"]) for i in anyone} == {
        (time(9), morning_only.pk)
    }
    assert {(local(i).time(), i["practitioner"]["id"]) for i in theirs} == {
        (time(14), afternoon.pk)
    }


def test_no_time_free_every_week_is_an_empty_list(api, medical, location, morning_only, wednesday):
    WorkingException.objects.create(
        practitioner=morning_only,
        kind=ExceptionKind.LEAVE,
        first_day=wednesday + timedelta(weeks=4),
        last_day=wednesday + timedelta(weeks=4),
    )
    asked = {"service": medical.pk, "location": location.pk, "start_from": wednesday.isoformat()}

    assert ask(api, **asked, weeks=6).json() == {"weeks": 6, "items": []}
    # Four weeks end before the leave.
    assert len(ask(api, **asked, weeks=4).json()["items"]) == 4


BAD = [
    ("no weeks", {"weeks": 0}, 422, "invalid"),
    ("more weeks than a course may have", {"weeks": 53}, 422, "invalid"),
    ("weeks as text", {"weeks": "six"}, 422, "invalid"),
    ("an unknown service", {"service": 999_999}, 404, "unknown_service"),
    ("an unknown location", {"location": 999_999}, 404, "unknown_location"),
    ("an unknown practitioner", {"practitioner": 999_999}, 404, "unknown_practitioner"),
    ("a date with a time and no offset", {"start_from": "+7T10:30"}, 422, "invalid"),
    ("not a date", {"start_from": "next week"}, 422, "invalid"),
    ("a day in the past", {"start_from": "-1"}, 422, "in_the_past"),
]


@pytest.mark.parametrize(
    ("changes", "status", "code"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_questions_get_a_clear_code_and_write_nothing(
    api, medical, location, morning_only, changes, status, code
):
    today = timezone.localdate()
    params = {"service": medical.pk, "location": location.pk}
    for key, value in changes.items():
        if isinstance(value, str) and value[:1] in "+-":
            days, _, clock = value.partition("T")
            value = (today + timedelta(days=int(days))).isoformat() + (f"T{clock}" if clock else "")
        params[key] = value
    written = (Appointment.objects.count(), Series.objects.count(), AuditEntry.objects.count())

    response = ask(api, **params)

    assert (response.status_code, response.json()["code"]) == (status, code)
    assert written == (
        Appointment.objects.count(),
        Series.objects.count(),
        AuditEntry.objects.count(),
    )


def test_a_practitioner_who_may_not_give_the_service_is_a_422_not_an_empty_list(
    api, location, clinic
):
    traditional = Service.objects.get(name="Traditional acupuncture")
    medic = factories.practitioner("medic", qualified_medical=True)
    response = ask(api, service=traditional.pk, location=location.pk, practitioner=medic.pk)
    assert (response.status_code, response.json()["code"]) == (422, "not_qualified")


@pytest.mark.parametrize(
    ("role", "status"),
    [("reception", 200), ("practitioner", 200), ("admin", 200), ("outsider", 403), (None, 401)],
)
def test_the_front_desk_may_ask_others_may_not(users, medical, location, role, status):
    response = ask(
        as_user(users.get(role) if role else None), service=medical.pk, location=location.pk
    )
    assert response.status_code == status


# The series page ----------------------------------------------------------------------------


def _find(client, patient, **fields):
    return client.get(
        reverse("series_new"),
        {"patient": patient.pk, **{f"find-{name}": value for name, value in fields.items()}},
    )


def test_reception_finds_the_weekly_time_and_books_the_course_from_it(
    client, reception_user, medical, location, morning_only, wednesday, taken_in_week_three
):
    patient = factories.patient()
    client.force_login(reception_user)
    response = _find(
        client,
        patient,
        service=medical.pk,
        location=location.pk,
        practitioner="",
        date=wednesday.isoformat(),
        weeks=WEEKS,
    )

    page = response.content.decode()
    assert response.status_code == 200
    clock = f"{_after_the_visit(medical, 9):%H:%M}"
    assert f"Wednesdays at {clock}" in page
    assert page.count(f", {clock}</td><td>{escape(morning_only.name)}</td>") == WEEKS
    fill = response.context["weekly_fill"]
    assert fill in page.replace("&amp;", "&")

    # The link opens the series form with that first start, practitioner and room ...
    filled = client.get(fill)
    form = filled.context["form"]
    first = response.context["weekly"][0]
    assert filled.status_code == 200
    assert {name: form[name].value() for name in form.initial} == {
        "service": medical.pk,
        "practitioner": morning_only.pk,
        "room": first.room.pk,
        "date": wednesday,
        "time": _after_the_visit(medical, 9),
        "sessions": WEEKS,
    }
    # ... and those values check out free in every week.
    data = {
        "patient": patient.pk,
        "service": medical.pk,
        "practitioner": morning_only.pk,
        "room": first.room.pk,
        "date": wednesday.isoformat(),
        "time": clock,
        "sessions": WEEKS,
        "interval_weeks": 1,
        "channel": "phone",
        "action": "preview",
    }
    preview = client.post(reverse("series_new"), data)
    assert preview.status_code == 200
    plan = preview.context["plan"]
    assert plan.all_free and len(plan.sessions) == WEEKS


def test_the_search_starts_from_what_the_series_form_holds(
    client, reception_user, medical, location, morning_only, wednesday
):
    patient = factories.patient()
    client.force_login(reception_user)
    response = client.get(
        reverse("series_new"),
        {
            "patient": patient.pk,
            "service": medical.pk,
            "practitioner": morning_only.pk,
            "location": location.pk,
            "start": at(wednesday, 9).isoformat(),
            "sessions": 4,
        },
    )
    finder = response.context["finder"]
    assert {name: finder[name].value() for name in finder.fields} == {
        "service": medical.pk,
        "location": location.pk,
        "practitioner": morning_only.pk,
        "date": wednesday,
        "weeks": 4,
    }


def test_the_page_says_so_when_no_time_is_free_every_week(
    client, reception_user, medical, location, morning_only, wednesday
):
    WorkingException.objects.create(
        practitioner=morning_only,
        kind=ExceptionKind.LEAVE,
        first_day=wednesday + timedelta(weeks=1),
        last_day=wednesday + timedelta(weeks=1),
    )
    client.force_login(reception_user)
    response = _find(
        client,
        factories.patient(),
        service=medical.pk,
        location=location.pk,
        date=wednesday.isoformat(),
        weeks=WEEKS,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"No time is free every week for {WEEKS} weeks" in page
    assert "weekly_fill" not in response.context


def test_the_page_explains_a_bad_number_of_weeks(client, reception_user, medical, location):
    client.force_login(reception_user)
    response = _find(client, factories.patient(), service=medical.pk, location=location.pk, weeks=0)
    assert response.status_code == 200
    assert response.context["finder"].errors["weeks"] == [
        "Ensure this value is greater than or equal to 1."
    ]
    assert "There is a problem" in response.content.decode()


def test_the_page_refuses_a_practitioner_who_may_not_give_the_service(
    client, reception_user, location
):
    traditional = Service.objects.get(name="Traditional acupuncture")
    medic = factories.practitioner("medic", qualified_medical=True)
    client.force_login(reception_user)
    response = _find(
        client,
        factories.patient(),
        service=traditional.pk,
        location=location.pk,
        practitioner=medic.pk,
        weeks=WEEKS,
    )
    assert response.status_code == 200
    assert response.context["finder"].errors["practitioner"] == [
        f"{medic} is not qualified in {traditional.needling_label}."
    ]
    assert "weekly_fill" not in response.context

"""Free slots from the database: GET /api/v1/availability, the loader behind it, and the
"Find a free time" page."""

from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from acuclinic.clinic.models import Clinic, Location, Room, Service
from acuclinic.core.formats import LONDON
from acuclinic.scheduling import queries
from acuclinic.scheduling.choices import ExceptionKind
from acuclinic.scheduling.models import RoomClosure, WorkingException, WorkingPattern
from acuclinic.scheduling.tests.helpers import at
from acuclinic.testing import factories


@pytest.fixture
def morning_only(clinic, location, wednesday):
    """Works Wednesdays 09:00–10:00."""
    prac = factories.practitioner("morning", qualified_medical=True, works_opening_hours=False)
    WorkingPattern.objects.create(
        practitioner=prac,
        location=location,
        weekday=2,
        starts=time(9),
        ends=time(10),
        valid_from=wednesday - timedelta(days=7),
    )
    return prac


def ask(api, **params):
    return api.get("/availability", params)


def hhmm(items) -> list[str]:
    return [datetime.fromisoformat(i["start"]).strftime("%H:%M") for i in items]


def test_free_slots_come_earliest_first_in_uk_time_with_the_offset(
    api, medical, location, morning_only, wednesday
):
    response = ask(
        api,
        service=medical.pk,
        location=location.pk,
        practitioner=morning_only.pk,
        start_from=wednesday.isoformat(),
        start_to=wednesday.isoformat(),
    )
    assert response.status_code == 200
    body = response.json()
    assert hhmm(body["items"]) == ["09:00", "09:15", "09:30"]
    first = body["items"][0]
    assert first["start"] == at(wednesday, 9).isoformat()
    assert first["start_display"].endswith(", 09:00")
    assert first["practitioner"] == {"id": morning_only.pk, "name": morning_only.name}
    assert first["room"]["name"] == "Room 1"
    assert (body["first_day"], body["last_day"], body["count"]) == (
        wednesday.isoformat(),
        wednesday.isoformat(),
        3,
    )


def test_bookings_and_their_turnover_are_left_out(api, medical, location, morning_only, wednesday):
    medical.turnover_minutes = 15
    medical.save()
    factories.appointment(
        patient=factories.patient(), practitioner=morning_only, start=at(wednesday, 9)
    )
    items = ask(
        api,
        service=medical.pk,
        location=location.pk,
        practitioner=morning_only.pk,
        start_from=wednesday.isoformat(),
    ).json()["items"]
    assert hhmm(items) == []  # 09:00 held to 09:45; 09:45 would end after 10:00


def test_anyone_includes_every_practitioner_who_works_there(
    api, medical, location, morning_only, practitioner, wednesday
):
    items = ask(
        api,
        service=medical.pk,
        location=location.pk,
        start_from=wednesday.isoformat(),
        start_to=wednesday.isoformat(),
        limit=500,
    ).json()["items"]
    at_nine = [i["practitioner"]["id"] for i in items if i["start"] == at(wednesday, 9).isoformat()]
    assert sorted(at_nine) == sorted([morning_only.pk, practitioner.pk])
    distinct = ask(
        api,
        service=medical.pk,
        location=location.pk,
        start_from=wednesday.isoformat(),
        one_per_time="true",
    ).json()["items"]
    assert len({i["start"] for i in distinct}) == len(distinct)


def test_leave_a_closed_room_and_the_patient_s_own_visits_are_honoured(
    api, medical, location, morning_only, patient, wednesday
):
    WorkingException.objects.create(
        practitioner=morning_only,
        kind="training",
        first_day=wednesday,
        last_day=wednesday,
        starts=time(9),
        ends=time(9, 15),
    )
    for room in Room.objects.all():
        RoomClosure.objects.create(room=room, starts=at(wednesday, 9, 45), ends=at(wednesday, 10))
    factories.appointment(
        patient=patient,
        practitioner=factories.practitioner("other", qualified_medical=True),
        start=at(wednesday, 9, 15),
    )
    params = {
        "service": medical.pk,
        "location": location.pk,
        "practitioner": morning_only.pk,
        "start_from": wednesday.isoformat(),
    }
    assert hhmm(ask(api, **params).json()["items"]) == ["09:15"]
    assert hhmm(ask(api, **params, patient=patient.pk).json()["items"]) == []


def test_a_lapsed_registration_stops_needling_slots_but_not_reviews(
    api, location, clinic, wednesday
):
    lapsing = factories.practitioner(
        "lapsing", qualified_medical=True, valid_until=wednesday - timedelta(days=1)
    )
    for name, expected in (("Medical acupuncture", 0), ("Follow-up", 1)):
        service = Service.objects.get(name=name)
        items = ask(
            api,
            service=service.pk,
            location=location.pk,
            practitioner=lapsing.pk,
            start_from=wednesday.isoformat(),
            limit=1,
        ).json()["items"]
        assert len(items) == expected, name


def test_online_booking_keeps_the_clinic_s_notice_and_horizon(api, medical, location, practitioner):
    clinic = Clinic.objects.get()
    clinic.min_booking_notice_hours = 48
    clinic.booking_horizon_days = 14
    clinic.save()
    today = timezone.localdate()
    items = ask(
        api,
        service=medical.pk,
        location=location.pk,
        start_from=today.isoformat(),
        start_to=(today + timedelta(days=30)).isoformat(),
        online="true",
        limit=500,
    ).json()["items"]
    starts = [datetime.fromisoformat(i["start"]) for i in items]
    now = timezone.now()
    assert starts and min(starts) >= now + timedelta(hours=48)
    assert max(starts) <= now + timedelta(days=14)
    # Staff are not bound by either.
    staff = ask(
        api, service=medical.pk, location=location.pk, start_from=today.isoformat(), limit=500
    ).json()["items"]
    assert min(datetime.fromisoformat(i["start"]) for i in staff) < now + timedelta(hours=48)


def test_the_loader_reads_the_same_few_queries_however_busy_the_diary(
    medical, location, practitioner, wednesday, django_assert_max_num_queries
):
    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries_run:
            queries.find_slots(
                service=medical,
                location=Location.objects.select_related("clinic").get(pk=location.pk),
                first_day=wednesday,
                last_day=wednesday + timedelta(days=13),
            )
        return len(queries_run)

    quiet = count()
    for n in range(30):
        factories.appointment(
            patient=factories.patient(),
            practitioner=factories.practitioner(f"busy{n}", qualified_medical=True),
            start=at(wednesday + timedelta(days=n % 10), 9 + n % 8),
        )
    assert count() == quiet
    assert quiet <= 12


def test_a_weekly_course_is_the_first_time_free_in_every_week(
    medical, location, morning_only, wednesday
):
    # Their 09:00 in the third week is taken: the course starts once that visit and its
    # turnover are over, the same time each Wednesday.
    factories.appointment(
        patient=factories.patient(),
        practitioner=morning_only,
        start=at(wednesday + timedelta(weeks=2), 9),
    )
    place = Location.objects.select_related("clinic").get(pk=location.pk)
    course = queries.find_weekly(service=medical, location=place, first_day=wednesday, weeks=6)

    held = timedelta(minutes=medical.duration_minutes + medical.turnover_minutes)
    assert [s.start.date() for s in course] == [wednesday + timedelta(weeks=w) for w in range(6)]
    assert {s.start.time() for s in course} == {(at(wednesday, 9) + held).time()}
    assert {s.practitioner for s in course} == {morning_only}
    every_day = queries.find_slots(
        service=medical,
        location=place,
        first_day=wednesday,
        last_day=wednesday + timedelta(weeks=6, days=-1),
        practitioner=morning_only,
    )
    assert set(course) <= set(every_day)


def test_no_weekly_course_when_one_week_is_full(medical, location, morning_only, wednesday):
    WorkingException.objects.create(
        practitioner=morning_only,
        kind=ExceptionKind.LEAVE,
        first_day=wednesday + timedelta(weeks=1),
        last_day=wednesday + timedelta(weeks=1),
    )
    place = Location.objects.select_related("clinic").get(pk=location.pk)
    assert queries.find_weekly(service=medical, location=place, first_day=wednesday, weeks=6) == []


BAD = [
    ("an unknown service", {"service": 999_999}, 404, "unknown_service"),
    ("an unknown location", {"location": 999_999}, 404, "unknown_location"),
    ("an unknown practitioner", {"practitioner": 999_999}, 404, "unknown_practitioner"),
    ("days the wrong way round", {"start_from": "+9", "start_to": "+2"}, 422, "range_reversed"),
    ("over two months", {"start_from": "+1", "start_to": "+70"}, 422, "range_too_long"),
    ("days in the past", {"start_from": "-9", "start_to": "-2"}, 422, "in_the_past"),
    ("not a date", {"start_from": "next week"}, 422, "invalid"),
    ("a limit of 0", {"limit": 0}, 422, "invalid"),
]


@pytest.mark.parametrize(
    ("changes", "status", "code"), [b[1:] for b in BAD], ids=[b[0] for b in BAD]
)
def test_bad_questions_get_a_clear_code(api, medical, location, changes, status, code):
    today = timezone.localdate()
    params = {"service": medical.pk, "location": location.pk}
    for key, value in changes.items():
        if isinstance(value, str) and value[:1] in "+-":
            value = (today + timedelta(days=int(value))).isoformat()
        params[key] = value
    response = ask(api, **params)
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_an_unqualified_practitioner_is_a_422_not_an_empty_list(api, location, clinic):
    traditional = Service.objects.get(name="Traditional acupuncture")
    medic = factories.practitioner("medic", qualified_medical=True)
    response = ask(api, service=traditional.pk, location=location.pk, practitioner=medic.pk)
    assert (response.status_code, response.json()["code"]) == (422, "not_qualified")


def test_a_service_not_bookable_online_is_refused_for_online(api, location, clinic):
    review = Service.objects.get(name="Follow-up")
    review.bookable_online = False
    review.save()
    response = ask(api, service=review.pk, location=location.pk, online="true")
    assert (response.status_code, response.json()["code"]) == (422, "not_bookable_online")


# The page -----------------------------------------------------------------------------------


def test_the_find_a_time_page_lists_free_times_with_a_link_that_books_them(
    client, reception_user, medical, location, morning_only, wednesday, patient
):
    client.force_login(reception_user)
    response = client.get(
        reverse("free_slots"),
        {
            "service": medical.pk,
            "location": location.pk,
            "practitioner": morning_only.pk,
            "date": wednesday.isoformat(),
            "patient": patient.pk,
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    slot = at(wednesday, 9).astimezone(LONDON)
    assert f"{slot:%a} {slot.day} {slot:%b %Y}, 09:00" in page
    assert f"practitioner={morning_only.pk}" in page and f"patient={patient.pk}" in page


def test_the_find_a_time_page_refuses_a_day_in_the_past(client, reception_user, medical, location):
    client.force_login(reception_user)
    yesterday = timezone.localdate() - timedelta(days=1)
    response = client.get(
        reverse("free_slots"),
        {"service": medical.pk, "location": location.pk, "date": yesterday.isoformat()},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["date"] == ["Choose today or a later day."]

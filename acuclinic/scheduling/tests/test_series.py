"""Courses of sessions: plan every session, book all or none, keep 10:00 at 10:00 across
the clock changes, move or cancel the rest — by the service, the API and the pages."""

from datetime import UTC, timedelta

import pytest
from django.urls import reverse

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Room
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.core.formats import LONDON
from acuclinic.scheduling import series
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment, Series, WorkingException
from acuclinic.scheduling.tests.helpers import at, next_clock_change, next_weekday
from acuclinic.testing import factories


@pytest.fixture
def room(clinic):
    return Room.objects.get(name="Room 1")


@pytest.fixture
def physio(clinic):
    """Credentials for two years, so a course can reach the next autumn clock change."""
    return factories.practitioner(
        "physio", qualified_medical=True, valid_until=next_weekday(0, days_ahead=760)
    )


@pytest.fixture
def tuesday():
    return next_weekday(1)


def plan(patient, physio, room, medical, first_start, sessions=6, **kw):
    return series.series_plan(
        patient=patient,
        practitioner=physio,
        room=room,
        service=medical,
        first_start=first_start,
        sessions=sessions,
        **kw,
    )


def book(patient, physio, room, medical, first_start, sessions=6, **kw):
    return series.series_book(
        patient=patient,
        practitioner=physio,
        room=room,
        service=medical,
        first_start=first_start,
        sessions=sessions,
        **kw,
    )


def local_times(appointments):
    return [a.start.astimezone(LONDON) for a in appointments]


# Planning --------------------------------------------------------------------------------


def test_a_free_course_plans_six_weekly_sessions_all_ok(patient, physio, room, medical, tuesday):
    course = plan(patient, physio, room, medical, at(tuesday, 10))
    assert course.all_free and course.bookable
    assert [s.wanted.start for s in course.sessions] == [
        at(tuesday + timedelta(weeks=n), 10) for n in range(6)
    ]
    assert not Appointment.objects.exists()


def test_every_session_is_checked_even_the_last(patient, physio, room, medical, tuesday):
    sixth = tuesday + timedelta(weeks=5)
    factories.appointment(
        patient=factories.patient(), practitioner=physio, room=room, start=at(sixth, 10)
    )
    course = plan(patient, physio, room, medical, at(tuesday, 10))
    assert [s.ok for s in course.sessions] == [True] * 5 + [False]
    taken = course.sessions[5]
    assert taken.problem.code == "practitioner_busy"
    # The nearest free time that day, with the same practitioner.
    assert taken.alternative.practitioner == physio
    assert taken.alternative.start.astimezone(LONDON).date() == sixth
    assert taken.alternative.start in (at(sixth, 9, 30), at(sixth, 10, 30))
    assert course.bookable and not course.all_free


def test_a_session_on_leave_gets_the_nearest_colleague_or_day(
    patient, physio, room, medical, tuesday
):
    third = tuesday + timedelta(weeks=2)
    WorkingException.objects.create(
        practitioner=physio, kind="leave", first_day=third, last_day=third
    )
    colleague = factories.practitioner("colleague", qualified_medical=True)
    course = plan(patient, physio, room, medical, at(tuesday, 10))
    session = course.sessions[2]
    assert session.problem.code == "practitioner_away"
    # Nobody's own time is free that day for them; a colleague is, at the very time asked.
    assert session.alternative.practitioner == colleague
    assert session.alternative.start == at(third, 10)


def test_the_patient_s_own_visit_on_a_session_day_is_a_problem_too(
    patient, physio, room, medical, tuesday
):
    factories.appointment(
        patient=patient,
        practitioner=factories.practitioner("other", qualified_medical=True),
        room=Room.objects.get(name="Room 2"),
        start=at(tuesday + timedelta(weeks=1), 10),
    )
    course = plan(patient, physio, room, medical, at(tuesday, 10))
    assert course.sessions[1].problem.code == "patient_busy"


@pytest.mark.parametrize(
    ("sessions", "code"),
    [
        (53, "series_too_long"),
        (10**9, "series_too_long"),
        (1, "series_too_short"),
        (0, "series_too_short"),
        (-3, "series_too_short"),
    ],
)
def test_an_absurd_number_of_sessions_is_refused(
    patient, physio, room, medical, tuesday, sessions, code
):
    with pytest.raises(InvalidRequest) as exc:
        plan(patient, physio, room, medical, at(tuesday, 10), sessions=sessions)
    assert exc.value.code == code


def test_fifty_two_weekly_sessions_are_allowed(patient, physio, room, medical, tuesday):
    course = plan(patient, physio, room, medical, at(tuesday, 10), sessions=52)
    assert len(course.sessions) == 52


def test_an_unqualified_practitioner_or_a_room_without_a_couch_refuse_the_whole_course(
    patient, room, medical, tuesday, clinic
):
    traditional = factories.practitioner("trad", qualified_traditional=True)
    with pytest.raises(InvalidRequest) as exc:
        plan(patient, traditional, room, medical, at(tuesday, 10))
    assert exc.value.code == "not_qualified"
    office = Room.objects.create(location=room.location, name="Office", has_couch=False)
    physio = factories.practitioner("physio2", qualified_medical=True)
    with pytest.raises(InvalidRequest) as exc:
        plan(patient, physio, office, medical, at(tuesday, 10))
    assert exc.value.code == "room_unsuitable"


def test_a_course_starting_in_the_past_is_refused(patient, physio, room, medical):
    with pytest.raises(InvalidRequest) as exc:
        plan(patient, physio, room, medical, at(next_weekday(1, days_ahead=-14), 10))
    assert exc.value.code == "in_the_past"


# Booking ----------------------------------------------------------------------------------


def test_booking_a_course_books_every_session_in_order(patient, physio, room, medical, tuesday):
    course = book(patient, physio, room, medical, at(tuesday, 10))
    appointments = list(course.appointments.order_by("series_index"))
    assert [a.series_index for a in appointments] == [1, 2, 3, 4, 5, 6]
    assert local_times(appointments) == [at(tuesday + timedelta(weeks=n), 10) for n in range(6)]
    assert course.cadence_display == "weekly on Tuesdays at 10:00"
    assert appointments[2].series_position_display == "Session 3 of 6"
    assert AuditEntry.objects.filter(object_type="scheduling.appointment").count() == 6
    assert AuditEntry.objects.get(object_type="scheduling.series").detail == (
        "6 sessions weekly on Tuesdays at 10:00"
    )


def test_a_taken_session_without_a_choice_books_nothing(patient, physio, room, medical, tuesday):
    factories.appointment(
        patient=factories.patient(),
        practitioner=physio,
        room=room,
        start=at(tuesday + timedelta(weeks=4), 10),
    )
    with pytest.raises(Conflict) as exc:
        book(patient, physio, room, medical, at(tuesday, 10))
    assert exc.value.code == "series_conflict"
    assert exc.value.extra["session"] == 5
    assert exc.value.extra["plan"][4]["alternative"] is not None
    assert not Series.objects.exists()
    assert Appointment.objects.count() == 1


def test_the_alternatives_the_user_accepted_are_booked(patient, physio, room, medical, tuesday):
    factories.appointment(
        patient=factories.patient(),
        practitioner=physio,
        room=room,
        start=at(tuesday + timedelta(weeks=4), 10),
    )
    preview = plan(patient, physio, room, medical, at(tuesday, 10))
    course = book(
        patient, physio, room, medical, at(tuesday, 10), choices=preview.alternatives_taken()
    )
    fifth = course.appointments.get(series_index=5)
    assert fifth.start == preview.sessions[4].alternative.start


def test_a_slot_taken_between_preview_and_confirm_books_nothing_at_all(
    patient, physio, room, medical, tuesday
):
    preview = plan(patient, physio, room, medical, at(tuesday, 10))
    assert preview.all_free
    # Someone else books the fourth session's time meanwhile.
    factories.appointment(
        patient=factories.patient(),
        practitioner=physio,
        room=room,
        start=at(tuesday + timedelta(weeks=3), 10),
    )
    with pytest.raises(Conflict) as exc:
        book(patient, physio, room, medical, at(tuesday, 10))
    assert exc.value.extra["session"] == 4
    assert Appointment.objects.count() == 1
    assert not AuditEntry.objects.filter(object_type="scheduling.series").exists()


def test_a_choice_for_a_session_that_does_not_exist_is_refused(
    patient, physio, room, medical, tuesday
):
    choice = series.Choice(at(tuesday, 11), physio, room)
    with pytest.raises(InvalidRequest) as exc:
        book(patient, physio, room, medical, at(tuesday, 10), sessions=3, choices={4: choice})
    assert exc.value.code == "unknown_session"


# Clock changes --------------------------------------------------------------------------------


@pytest.mark.parametrize("month", [3, 10], ids=["spring (GMT to BST)", "autumn (BST to GMT)"])
def test_a_weekly_ten_o_clock_course_stays_at_ten_across_the_clock_change(
    patient, physio, room, medical, month
):
    change = next_clock_change(month)
    first = change - timedelta(days=19)  # a Tuesday, three weeks before the change
    course = book(patient, physio, room, medical, at(first, 10))
    appointments = list(course.appointments.order_by("series_index"))
    assert {a.start.astimezone(LONDON).strftime("%a %H:%M") for a in appointments} == {"Tue 10:00"}
    utc_hours = [a.start.astimezone(UTC).hour for a in appointments]
    before, after = (10, 9) if month == 3 else (9, 10)
    assert utc_hours == [before] * 3 + [after] * 3


# The rest of a series ----------------------------------------------------------------------


@pytest.fixture
def course(patient, physio, room, medical, tuesday):
    return book(patient, physio, room, medical, at(tuesday, 10))


def sessions_of(course):
    return list(course.appointments.order_by("series_index"))


def test_cancelling_the_rest_cancels_this_and_later_sessions_only(course):
    third = sessions_of(course)[2]
    cancelled = series.series_cancel_rest(third, reason="Pain has settled")
    assert [a.series_index for a in cancelled] == [3, 4, 5, 6]
    statuses = [a.status for a in sessions_of(course)]
    assert statuses == ["booked", "booked"] + ["cancelled"] * 4


def test_cancelling_the_rest_inside_the_notice_marks_only_the_near_one_late(course, tuesday):
    first = sessions_of(course)[0]
    now = first.start - timedelta(hours=3)
    series.series_cancel_rest(first, reason="Unwell", now=now)
    statuses = [a.status for a in sessions_of(course)]
    assert statuses == ["late_cancelled"] + ["cancelled"] * 5


def test_moving_the_rest_shifts_every_later_session_to_the_new_day_and_time(course, tuesday):
    sessions = sessions_of(course)
    moved = series.series_move_rest(sessions[3], start=at(tuesday + timedelta(weeks=3, days=2), 14))
    assert moved.all_free
    times = [a.start.astimezone(LONDON).strftime("%a %H:%M") for a in sessions_of(course)]
    assert times == ["Tue 10:00"] * 3 + ["Thu 14:00"] * 3
    assert AuditEntry.objects.filter(detail="moved with the rest of its series").count() == 3


def test_moving_the_rest_a_week_later_moves_into_time_the_series_itself_leaves(course, tuesday):
    sessions = sessions_of(course)
    series.series_move_rest(sessions[1], start=sessions[2].start)
    starts = [a.start for a in sessions_of(course)]
    assert starts[1:] == [at(tuesday + timedelta(weeks=n), 10) for n in range(2, 7)]


def test_moving_the_rest_is_all_or_none(course, tuesday, physio, room):
    blocker = tuesday + timedelta(weeks=5, days=1)
    factories.appointment(
        patient=factories.patient(), practitioner=physio, room=room, start=at(blocker, 10)
    )
    before = [a.start for a in sessions_of(course)]
    with pytest.raises(Conflict) as exc:
        series.series_move_rest(sessions_of(course)[0], start=at(tuesday + timedelta(days=1), 10))
    assert exc.value.code == "series_conflict"
    assert exc.value.extra["session"] == 6
    assert [a.start for a in sessions_of(course)] == before


def test_a_dry_run_says_what_would_move_and_moves_nothing(course, tuesday):
    before = [a.start for a in sessions_of(course)]
    result = series.series_move_rest(sessions_of(course)[0], start=at(tuesday, 11), dry_run=True)
    assert result.all_free and len(result.sessions) == 6
    assert [a.start for a in sessions_of(course)] == before


def test_one_session_moved_on_its_own_stays_in_the_series(course, tuesday):
    from acuclinic.scheduling import services

    second = sessions_of(course)[1]
    services.appointment_move(second, start=at(tuesday + timedelta(weeks=1), 15))
    second.refresh_from_db()
    assert (second.series_id, second.series_index) == (course.pk, 2)


def test_the_rest_of_an_appointment_outside_a_series_is_refused(patient, practitioner, clinic):
    single = factories.appointment(patient=patient, practitioner=practitioner)
    with pytest.raises(InvalidRequest) as exc:
        series.series_cancel_rest(single)
    assert exc.value.code == "not_in_series"


# The API ---------------------------------------------------------------------------------------


@pytest.fixture
def asked(patient, physio, room, medical, tuesday):
    return {
        "patient": patient.pk,
        "practitioner": physio.pk,
        "room": room.pk,
        "service": medical.pk,
        "first_start": at(tuesday, 10).isoformat(),
        "sessions": 6,
    }


def test_the_preview_lists_each_session_with_ok_or_an_alternative(
    api, asked, physio, room, tuesday
):
    factories.appointment(
        patient=factories.patient(),
        practitioner=physio,
        room=room,
        start=at(tuesday + timedelta(weeks=2), 10),
    )
    response = api.post("/series/preview", asked)
    assert response.status_code == 200
    body = response.json()
    assert (body["all_free"], body["bookable"]) == (False, True)
    assert [s["ok"] for s in body["sessions"]] == [True, True, False, True, True, True]
    third = body["sessions"][2]
    assert third["problem"]["code"] == "practitioner_busy"
    assert third["alternative"]["practitioner"]["id"] == physio.pk
    assert third["start"] == at(tuesday + timedelta(weeks=2), 10).isoformat()
    assert not Appointment.objects.filter(series__isnull=False).exists()


def test_confirming_with_the_alternative_books_all_six(api, asked, physio, room, tuesday):
    factories.appointment(
        patient=factories.patient(),
        practitioner=physio,
        room=room,
        start=at(tuesday + timedelta(weeks=2), 10),
    )
    third = api.post("/series/preview", asked).json()["sessions"][2]["alternative"]
    choice = {
        "index": 3,
        "start": third["start"],
        "practitioner": third["practitioner"]["id"],
        "room": third["room"]["id"],
    }
    response = api.post("/series", {**asked, "choices": [choice]})
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sessions"] == 6 and len(body["appointments"]) == 6
    assert body["appointments"][2]["start"] == third["start"]
    assert body["appointments"][2]["series"]["display"] == "Session 3 of 6"
    assert api.get(f"/series/{body['id']}").json() == body


def test_confirming_without_choices_when_one_is_taken_is_409_with_a_fresh_plan(
    api, asked, physio, room, tuesday
):
    factories.appointment(
        patient=factories.patient(),
        practitioner=physio,
        room=room,
        start=at(tuesday + timedelta(weeks=2), 10),
    )
    response = api.post("/series", asked)
    assert response.status_code == 409
    assert response.json()["code"] == "series_conflict"
    assert response.json()["session"] == 3
    assert len(response.json()["plan"]) == 6
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"sessions": 53}, 422, "series_too_long"),
        ({"sessions": 1}, 422, "series_too_short"),
        ({"interval_weeks": 9}, 422, "invalid_interval"),
        ({"first_start": "2031-03-04T10:00:00"}, 422, "naive_datetime"),
        ({"practitioner": 999_999}, 404, "unknown_practitioner"),
        ({"sessions": "6"}, 422, "invalid"),
    ],
    ids=["53 sessions", "one session", "every 9 weeks", "no zone", "unknown", "text"],
)
def test_bad_series_requests_are_refused_with_a_code(api, asked, changes, status, code):
    for path in ("/series/preview", "/series"):
        response = api.post(path, {**asked, **changes})
        assert (response.status_code, response.json()["code"]) == (status, code), path
    assert not Appointment.objects.exists()


def test_the_api_moves_and_cancels_the_rest(api, course, tuesday):
    sessions = sessions_of(course)
    dry = api.post(
        f"/appointments/{sessions[2].pk}/move-rest",
        {"start": at(tuesday + timedelta(weeks=2), 11).isoformat(), "dry_run": True},
    )
    assert dry.status_code == 200
    assert dry.json()["moved"] is False and len(dry.json()["plan"]["sessions"]) == 4
    moved = api.post(
        f"/appointments/{sessions[2].pk}/move-rest",
        {"start": at(tuesday + timedelta(weeks=2), 11).isoformat()},
    )
    assert moved.json()["moved"] is True
    assert [a.start.astimezone(LONDON).hour for a in sessions_of(course)] == [
        10,
        10,
        11,
        11,
        11,
        11,
    ]
    cancelled = api.post(f"/appointments/{sessions[4].pk}/cancel-rest", {"by": "clinic"})
    assert cancelled.status_code == 200
    assert [a["series"]["index"] for a in cancelled.json()] == [5, 6]
    assert {a["cancelled_by"] for a in cancelled.json()} == {"clinic"}


# The pages ---------------------------------------------------------------------------------------


@pytest.fixture
def signed_in(client, reception_user):
    client.force_login(reception_user)
    return client


def form(patient, physio, room, medical, tuesday, **changes):
    data = {
        "patient": patient.pk,
        "service": medical.pk,
        "practitioner": physio.pk,
        "room": room.pk,
        "date": tuesday.isoformat(),
        "time": "10:00",
        "sessions": "6",
        "interval_weeks": "1",
        "channel": "phone",
        "action": "preview",
    }
    data.update(changes)
    return data


def test_the_preview_page_lists_each_date_and_books_only_on_confirm(
    signed_in, patient, physio, room, medical, tuesday
):
    factories.appointment(
        patient=factories.patient(),
        practitioner=physio,
        room=room,
        start=at(tuesday + timedelta(weeks=1), 10),
    )
    url = reverse("series_new") + f"?patient={patient.pk}"
    preview = signed_in.post(url, form(patient, physio, room, medical, tuesday))
    page = preview.content.decode()
    assert preview.status_code == 200
    assert page.count(">OK<") == 5
    assert "already has an appointment then" in page and "Instead:" in page
    assert "Book all 6 sessions" in page
    assert not Series.objects.exists()

    choice = preview.context["choice_values"][2]
    booked = signed_in.post(
        url, form(patient, physio, room, medical, tuesday, action="book", **{"choice-2": choice})
    )
    course = Series.objects.get()
    assert booked.status_code == 302 and booked["Location"] == reverse(
        "series_detail", args=[course.pk]
    )
    assert course.appointments.count() == 6


def test_a_course_of_sixty_sessions_is_refused_on_its_field(
    signed_in, patient, physio, room, medical, tuesday
):
    url = reverse("series_new") + f"?patient={patient.pk}"
    response = signed_in.post(url, form(patient, physio, room, medical, tuesday, sessions="60"))
    assert response.status_code == 400
    assert "at most 52 sessions" in response.context["form"].errors["sessions"][0]


def test_the_appointment_page_says_which_session_of_the_course_it_is(signed_in, course):
    third = sessions_of(course)[2]
    page = signed_in.get(reverse("appointment_detail", args=[third.pk])).content.decode()
    assert "Session 3 of the course" in page and "Visit 3 of 6 booked together" in page
    assert "weekly on Tuesdays at 10:00" in page
    assert reverse("appointment_move_rest", args=[third.pk]) in page
    assert "Cancel this and the 3 later sessions" in page
    # The course's own cancel form: its "The clinic" label ticks its own radio button (the
    # root conftest fails any page with a repeated id).
    assert 'for="id_rest_by_1"' in page and 'id="id_rest_by_1"' in page


def test_the_series_page_lists_every_session(signed_in, course):
    page = signed_in.get(reverse("series_detail", args=[course.pk])).content.decode()
    assert page.count(" of 6</td>") == 6


def test_moving_the_rest_from_the_page_previews_then_moves(
    signed_in, course, tuesday, physio, room
):
    first = sessions_of(course)[0]
    url = reverse("appointment_move_rest", args=[first.pk])
    data = {
        "date": tuesday.isoformat(),
        "time": "15:00",
        "practitioner": physio.pk,
        "room": room.pk,
        "action": "preview",
    }
    preview = signed_in.post(url, data)
    assert "Move all 6 sessions" in preview.content.decode()
    assert {a.start.astimezone(LONDON).hour for a in sessions_of(course)} == {10}
    moved = signed_in.post(url, {**data, "action": "move"})
    assert moved.status_code == 302
    assert {a.start.astimezone(LONDON).hour for a in sessions_of(course)} == {15}


def test_cancelling_the_rest_from_the_page(signed_in, course):
    fourth = sessions_of(course)[3]
    response = signed_in.post(
        reverse("appointment_cancel_rest", args=[fourth.pk]), {"reason": "", "by": "patient"}
    )
    assert response.status_code == 302
    assert [a.status for a in sessions_of(course)].count(AppointmentStatus.CANCELLED) == 3

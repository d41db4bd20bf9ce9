"""The demo clinic's working time agrees with its diary: every visit it books could have
been booked through the booking rules (working time, time off, turnover), and its
courses are series."""

from collections import defaultdict
from datetime import date
from itertools import pairwise

import pytest

from acuclinic.demo.builder import build_demo
from acuclinic.demo.spec import DemoSpec
from acuclinic.scheduling import queries, services, slots
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment, Series, WorkingException, WorkingPattern
from acuclinic.testing.module_db import module_demo

pytestmark = pytest.mark.django_db

TODAY = date(2026, 1, 12)  # so the window holds Christmas and New Year
SPEC = DemoSpec(today=TODAY, patients=80, practitioners=6, rooms=4, months_back=2)


# The tests only read the demo, so it is built once for the module.
demo = module_demo(SPEC)


def active():
    return (
        Appointment.objects.filter(status__in=AppointmentStatus.active())
        .select_related("practitioner__user", "room__location", "service")
        .order_by("start")
    )


def test_every_practitioner_has_a_pattern_for_each_rota_day(demo):
    for appointment in active():
        local = appointment.start.astimezone(appointment.room.location.tz)
        assert WorkingPattern.objects.filter(
            practitioner=appointment.practitioner,
            location=appointment.room.location,
            weekday=local.weekday(),
        ).exists(), appointment


def test_every_active_visit_lies_in_working_time_and_never_in_time_off(demo):
    places, facts = {}, {}
    for appointment in active():
        location = appointment.room.location
        day = appointment.start.astimezone(location.tz).date()
        if location.pk not in places:
            places[location.pk] = queries.location_facts(location)
        key = (appointment.practitioner_id, location.pk, day)
        if key not in facts:
            facts[key] = services.practitioner_facts(appointment.practitioner, location, day)
        place, who = places[location.pk], facts[key]
        assert slots.within_working_time(place, who, appointment.start, appointment.end)
        assert not slots.away_during(place, who, appointment.start, appointment.end)


def test_no_visit_falls_inside_another_s_turnover(demo):
    for key in ("practitioner_id", "room_id"):
        held = defaultdict(list)
        for appointment in active():
            held[getattr(appointment, key)].append(appointment)
        for visits in held.values():
            for before, after in pairwise(visits):
                assert after.start >= before.held_until, (before.pk, after.pk)
    assert all(a.held_until > a.end for a in active())


def test_the_clinic_closes_over_christmas_and_new_year(demo):
    closed = {e.first_day for e in WorkingException.objects.filter(kind="bank_holiday")}
    assert {date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)} <= closed
    for appointment in active():
        local = appointment.start.astimezone(appointment.room.location.tz).date()
        assert local not in closed


def test_leave_and_training_are_recorded_and_kept(demo):
    leave = WorkingException.objects.filter(kind="leave")
    training = WorkingException.objects.filter(kind="training")
    assert leave.exists() and training.exists()
    for exception in [*leave, *training]:
        for appointment in active().filter(practitioner=exception.practitioner):
            local = appointment.start.astimezone(appointment.room.location.tz).date()
            assert not exception.first_day <= local <= exception.last_day, appointment


def test_the_weekly_part_of_each_course_is_a_series_in_order(demo):
    courses = list(Series.objects.prefetch_related("appointments"))
    assert len(courses) > 10
    for course in courses:
        sessions = sorted(course.appointments.all(), key=lambda a: a.series_index)
        assert [s.series_index for s in sessions] == list(range(1, course.sessions + 1))
        assert sessions == sorted(sessions, key=lambda a: a.start)
        assert {s.patient_id for s in sessions} == {course.patient_id}
        first = sessions[0].start.astimezone(course.location.tz)
        assert (course.weekday, course.local_time) == (first.weekday(), first.time())


def test_the_same_spec_builds_the_same_working_time_and_series():
    def rows():
        return (
            sorted(
                WorkingPattern.objects.values_list(
                    "practitioner__user__username", "location__name", "weekday", "starts", "ends"
                )
            ),
            sorted(
                WorkingException.objects.values_list(
                    "practitioner__user__username", "kind", "first_day", "last_day", "note"
                ),
                key=repr,
            ),
            sorted(
                Appointment.objects.filter(series__isnull=False).values_list(
                    "patient__email", "start", "series_index", "series__sessions"
                )
            ),
        )

    # Reset first: the module's demo may be there already (the test's savepoint brings it
    # back afterwards).
    build_demo(SPEC, reset_first=True)
    first = rows()
    build_demo(SPEC, reset_first=True)
    assert rows() == first

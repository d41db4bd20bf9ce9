"""One count of sessions: a visit's number in the course is the same whether it is
signed (its place among the signed sessions, as on the course timeline) or still to come,
and the same on the appointment, the diary card and the portal."""

from datetime import datetime, time, timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from acuclinic.clinic.choices import Modality
from acuclinic.outcomes import numbering, services
from acuclinic.outcomes.choices import EndReason
from acuclinic.outcomes.models import Course
from acuclinic.outcomes.queries import course_views
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.testing import factories
from acuclinic.testing import treatment as testing


@time_machine.travel(
    timezone.make_aware(datetime.combine(timezone.localdate(), time(12))), tick=True
)
def test_signed_sessions_and_booked_visits_are_counted_once_in_one_order(
    client, patient, practitioner, clinic
):
    lot = testing.needle_lot(clinic)
    today = timezone.localdate()
    signed = []
    for hour in (9, 10, 11):
        visit = testing.ready_visit(patient, practitioner, hour=hour)
        testing.signed_note(visit, lot)
        signed.append(visit)
    cancelled = factories.appointment(
        patient=patient,
        practitioner=practitioner,
        start=factories.next_weekday_at(9),
        status=AppointmentStatus.CANCELLED,
        cancelled_at=timezone.now(),
    )
    booked = [
        factories.appointment(
            patient=patient,
            practitioner=practitioner,
            start=factories.next_weekday_at(10) + timedelta(weeks=n),
        )
        for n in (0, 1)
    ]
    numbers = numbering.session_numbers([*signed, cancelled, *booked])
    assert [numbers[a.pk] for a in signed] == [1, 2, 3]
    assert [numbers[a.pk] for a in booked] == [4, 5]
    assert cancelled.pk not in numbers

    # The course timeline numbers the signed sessions the same way.
    services.course_refresh(patient, today=today)
    (view,) = course_views(patient, today=today)
    marks = [m for span in view.plan.spans for m in span.sessions]
    assert [m.number for m in marks] == [1, 2, 3]
    assert numbering.session_numbers(booked) == {booked[0].pk: 4, booked[1].pk: 5}

    client.force_login(practitioner.user)
    page = client.get(reverse("appointment_detail", args=[booked[0].pk])).content.decode()
    assert "Session 4 of the course" in page


def _history(patient, practitioner, clinic, sessions: int, *, hour: int) -> list:
    """A closed course of ``sessions`` signed sessions, then an open one with as many
    signed, one attended visit not yet signed and one cancelled; returns next week's two
    booked visits (from ``hour``, so two patients' visits do not meet)."""
    today = timezone.localdate()
    for started, ended in (
        (today - timedelta(days=400), today - timedelta(days=300)),
        (None, None),
    ):
        first = started or today - timedelta(days=200)
        Course.objects.create(
            patient=patient,
            clinic=clinic,
            practitioner=practitioner,
            modality=Modality.MEDICAL,
            started_on=first,
            ended_on=ended,
            end_reason=EndReason.DISCHARGED if ended else "",
            refreshed_at=timezone.now(),
        )
        factories.weekly_sessions(
            patient, practitioner, [5] * sessions, first_day=first, every_days=4
        )
    for status, days_ago in ((AppointmentStatus.COMPLETED, 5), (AppointmentStatus.CANCELLED, 4)):
        factories.appointment(
            patient=patient,
            practitioner=practitioner,
            start=timezone.make_aware(
                datetime.combine(today - timedelta(days=days_ago), time(hour))
            ),
            status=status,
            **({"cancelled_at": timezone.now()} if status == AppointmentStatus.CANCELLED else {}),
        )
    return [
        factories.appointment(
            patient=patient, practitioner=practitioner, start=factories.next_weekday_at(at)
        )
        for at in (hour, hour + 4)
    ]


def test_numbering_reads_the_same_whatever_the_history_before_the_week(
    patient, practitioner, clinic
):
    """Years of history before the visits shown change their numbers, not the work done:
    the same queries number a patient with two earlier sessions and one with twenty."""
    newer = factories.patient(given_name="Ada")
    counted = {}
    for who, sessions, hour in ((newer, 2, 9), (patient, 20, 11)):
        visits = _history(who, practitioner, clinic, sessions, hour=hour)
        with CaptureQueriesContext(connection) as queries:
            numbers = numbering.session_numbers(visits)
        counted[sessions] = len(queries)
        # The closed course's sessions are not counted; the open course's signed
        # sessions and its attended visit are.
        assert [numbers[v.pk] for v in visits] == [sessions + 2, sessions + 3]
    assert counted[2] == counted[20]

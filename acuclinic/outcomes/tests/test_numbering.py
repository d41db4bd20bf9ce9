"""One count of sessions: a visit's number in the course is the same whether it is
signed (its place among the signed sessions, as on the course timeline) or still to come,
and the same on the appointment, the diary card and the portal."""

from datetime import datetime, time, timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from acuclinic.outcomes import numbering, services
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

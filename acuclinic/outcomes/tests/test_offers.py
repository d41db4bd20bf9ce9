"""From plan to diary: after a signed session the planner proposes the next date, the
page offers free times with the same practitioner from that date, and one click books
one through scheduling (its checks, its lock)."""

import re
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from acuclinic.core.errors import Conflict
from acuclinic.outcomes import offers, queries, services
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories

BOOK_BUTTON = re.compile(
    r'<form method="post" action="(/outcomes/courses/\d+/book/)">(.*?)</form>', re.S
)


@pytest.fixture
def colleague(clinic):
    """Another practitioner, free whenever the clinic is open."""
    return factories.practitioner("colleague", qualified_medical=True)


def _view(patient):
    services.course_refresh(patient)
    return queries.course_views(patient, today=timezone.localdate())[-1]


def _buttons(html: str) -> list[tuple[str, dict]]:
    """Each one-click form on a page: where it posts and its hidden fields."""
    found = []
    for action, body in BOOK_BUTTON.findall(html):
        fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', body))
        found.append((action, fields))
    return found


def test_the_offer_is_free_times_with_the_same_practitioner_from_the_proposed_day(
    sessions, low_back, practitioner, colleague
):
    sessions(7, 6)
    view = _view(low_back)
    offer = offers.next_session_offer(view, today=timezone.localdate())
    proposed = view.plan.decision.next_date
    assert proposed == timezone.localdate() + timedelta(days=7)
    assert offer.practitioner == practitioner
    assert offer.service.name == "Medical acupuncture"
    assert 1 <= len(offer.slots) <= offers.MAX_OFFERS
    days = [slot.start.date() for slot in offer.slots]
    assert days == sorted(set(days)), "one time per day, earliest day first"
    assert all(day >= proposed for day in days)
    assert {slot.practitioner for slot in offer.slots} == {practitioner}
    # The last session was at 10:00 and the diary is empty: 10:00 is offered each day.
    assert {(slot.start.hour, slot.start.minute) for slot in offer.slots} == {(10, 0)}


def test_a_time_already_taken_is_not_offered_and_the_nearest_free_one_is(
    sessions, low_back, practitioner
):
    sessions(7, 6)
    view = _view(low_back)
    first = offers.next_session_offer(view, today=timezone.localdate()).slots[0]
    someone = factories.patient()
    factories.appointment(patient=someone, practitioner=practitioner, start=first.start)
    again = offers.next_session_offer(view, today=timezone.localdate()).slots[0]
    assert again.start.date() == first.start.date()
    assert again.start != first.start
    # Medical acupuncture is 30 minutes: the nearest free start is just before or after.
    assert abs(again.start - first.start) <= timedelta(minutes=45)


def test_one_click_books_the_offered_time_and_the_page_then_shows_it_booked(
    client, practitioner_user, practitioner, sessions, low_back
):
    sessions(7, 6)
    client.force_login(practitioner_user)
    page = client.get(f"/outcomes/patients/{low_back.pk}/").content.decode()
    assert "One click books it." in page
    [(action, fields), *_] = _buttons(page)
    response = client.post(action, fields)
    assert response.status_code == 302
    booked = Appointment.objects.get(patient=low_back, status=AppointmentStatus.BOOKED)
    assert booked.start.isoformat() == fields["start"]
    assert booked.practitioner == practitioner
    assert booked.service.name == "Medical acupuncture"
    assert booked.created_by == practitioner_user
    after = client.get(response["Location"]).content.decode()
    assert "Booked " in after and "Next session already booked" in after
    assert _buttons(after) == []


def test_the_note_page_offers_the_next_session_right_after_signing(
    client, clinic, practitioner, practitioner_user, low_back
):
    from acuclinic.testing import treatment as treatment

    lot = treatment.needle_lot(clinic)
    visit = treatment.ready_visit(low_back, practitioner)
    note = treatment.signed_note(visit, lot)
    client.force_login(practitioner_user)
    page = client.get(f"/treatment/notes/{note.pk}/").content.decode()
    assert "weekly sessions continue" in page
    buttons = _buttons(page)
    assert buttons, "free times to book"
    action, fields = buttons[0]
    assert fields["next"] == f"/treatment/notes/{note.pk}/"
    response = client.post(action, fields)
    assert response["Location"] == f"/treatment/notes/{note.pk}/"
    assert Appointment.objects.filter(
        patient=low_back, status=AppointmentStatus.BOOKED, start__gt=visit.start
    ).exists()


def test_a_time_taken_meanwhile_is_refused_and_nothing_is_booked(
    client, practitioner_user, practitioner, sessions, low_back
):
    sessions(7, 6)
    client.force_login(practitioner_user)
    page = client.get(f"/outcomes/patients/{low_back.pk}/").content.decode()
    [(action, fields), *_] = _buttons(page)
    someone = factories.patient()
    taken = factories.appointment(
        patient=someone, practitioner=practitioner, start=datetime.fromisoformat(fields["start"])
    )
    response = client.post(action, fields, follow=True)
    assert "Not booked:" in response.content.decode()
    assert not Appointment.objects.filter(patient=low_back, status="booked").exists()
    assert Appointment.objects.filter(start=taken.start, status="booked").count() == 1


@pytest.mark.parametrize(
    "fields",
    [
        {"start": "next tuesday", "practitioner": "1", "room": "1", "service": "1"},
        {"start": "2030-01-07T10:00:00", "practitioner": "1", "room": "1", "service": "1"},
        {"start": "2030-01-07T10:00:00+00:00", "practitioner": "999", "room": "1", "service": "1"},
    ],
)
def test_a_booking_that_is_not_a_time_offered_is_refused_and_nothing_is_booked(
    client, practitioner_user, sessions, low_back, fields
):
    sessions(7, 6)
    [course] = services.course_refresh(low_back)
    client.force_login(practitioner_user)
    response = client.post(f"/outcomes/courses/{course.pk}/book/", fields, follow=True)
    page = response.content.decode()
    assert "could not be read" in page or "no longer offered" in page
    assert not Appointment.objects.filter(patient=low_back, status="booked").exists()


def test_while_a_review_is_due_nothing_is_offered_and_a_booking_is_refused(
    client, practitioner_user, practitioner, sessions, low_back
):
    sessions(7, 7, 6, 7, 7, 7)
    [course] = services.course_refresh(low_back)
    client.force_login(practitioner_user)
    page = client.get(f"/outcomes/patients/{low_back.pk}/").content.decode()
    assert _buttons(page) == []
    room = course.clinic.locations.get().rooms.order_by("pk").first()
    start = factories.next_weekday_at(10)
    response = client.post(
        f"/outcomes/courses/{course.pk}/book/",
        {
            "start": timezone.localtime(start).isoformat(),
            "practitioner": practitioner.pk,
            "room": room.pk,
            "service": course.clinic.services.get(name="Medical acupuncture").pk,
        },
        follow=True,
    )
    assert "review the course before booking another session" in response.content.decode()
    assert not Appointment.objects.filter(patient=low_back, status="booked").exists()


def test_a_closed_course_offers_nothing_and_books_nothing(
    practitioner_user, practitioner, sessions, low_back
):
    sessions(7, 5, 4)
    [course] = services.course_refresh(low_back)
    services.course_close(course, user=practitioner_user)
    view = _view(low_back)
    assert offers.next_session_offer(view, today=timezone.localdate()) is None
    room = course.clinic.locations.get().rooms.order_by("pk").first()
    with pytest.raises(Conflict) as refused:
        services.next_session_book(
            course,
            practitioner=practitioner,
            room=room,
            service=course.clinic.services.get(name="Medical acupuncture"),
            start=factories.next_weekday_at(10),
            user=practitioner_user,
        )
    assert refused.value.code == "course_closed"
    assert not Appointment.objects.filter(patient=low_back, status="booked").exists()


def test_at_nices_limit_the_next_session_can_still_be_booked(
    patient, practitioner, practitioner_user, course_of
):
    # Ten half-hour sessions for fibromyalgia: NG193's 5 h are used, a review is advised...
    course_of("fibromyalgia", 7, 5, 4, 4, 4, 4, 4, 4, 4, 4)
    view = _view(patient)
    assert view.plan.decision.review_advised
    offer = offers.next_session_offer(view, today=timezone.localdate())
    assert offer.slots, "the times are still offered"
    # ...but the clinic is private: booking is not refused.
    slot = offer.slots[0]
    booked = services.next_session_book(
        view.course,
        practitioner=slot.practitioner,
        room=slot.room,
        service=offer.service,
        start=slot.start,
        user=practitioner_user,
    )
    assert booked.status == AppointmentStatus.BOOKED

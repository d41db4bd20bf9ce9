"""Booking from the diary (pick the patient, then book), and moving, cancelling and
marking an appointment from its page. Refusals show on the field they concern."""

from datetime import datetime, timedelta
from html import escape
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Room, Service
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories

BOOK = reverse("appointment_new")


@pytest.fixture
def signed_in(client, reception_user):
    client.force_login(reception_user)
    return client


@pytest.fixture
def when(clinic):
    """10:00 on a weekday next week, UK time."""
    return factories.next_weekday_at(10)


@pytest.fixture
def room(clinic):
    return Room.objects.get(name="Room 1")


def booking(patient, practitioner, room, service, start, /, **overrides):
    local = timezone.localtime(start)
    return {
        "patient": patient.pk,
        "practitioner": practitioner.pk,
        "room": room.pk,
        "service": service.pk,
        "date": local.date().isoformat(),
        "time": local.strftime("%H:%M"),
        "channel": "phone",
        "notes": "",
        **overrides,
    }


def flash(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# Step one: choose the patient


def test_booking_without_a_patient_first_asks_who_it_is_for(signed_in, practitioner, room, when):
    response = signed_in.get(
        BOOK,
        {"location": room.location_id, "start": when.isoformat(), "practitioner": practitioner.pk},
    )
    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert target.path == reverse("patient_list")
    pick = parse_qs(target.query)["pick"][0]
    assert pick.startswith(BOOK + "?")
    kept = parse_qs(urlparse(pick).query)
    assert kept["start"] == [when.isoformat()]
    assert kept["practitioner"] == [str(practitioner.pk)]


def test_the_search_results_lead_back_to_the_form_with_the_patient_chosen(
    signed_in, practitioner, patient, when
):
    first = signed_in.get(BOOK, {"start": when.isoformat(), "practitioner": practitioner.pk})
    results = signed_in.get(first["Location"] + f"&q={patient.family_name}")
    link = f"&amp;patient={patient.pk}"
    assert link in results.content.decode()
    assert f"Book for {patient.given_name}" in results.content.decode()


# Step two: the booking form


def test_the_form_starts_with_what_was_chosen_in_the_diary(
    signed_in, practitioner, patient, room, when
):
    response = signed_in.get(
        BOOK,
        {
            "patient": patient.pk,
            "start": when.isoformat(),
            "practitioner": practitioner.pk,
            "location": room.location_id,
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial["practitioner"] == practitioner.pk
    assert form.initial["date"] == timezone.localtime(when).date()
    assert form.initial["time"].strftime("%H:%M") == "10:00"
    assert form.initial["room"] == room.pk
    page = response.content.decode()
    assert f"for {patient.full_name}, born" in page


def test_booking_saves_the_appointment_and_shows_it_in_the_diary(
    signed_in, reception_user, practitioner, patient, room, medical, when
):
    response = signed_in.post(BOOK, booking(patient, practitioner, room, medical, when))
    appointment = Appointment.objects.get()
    assert (appointment.start, appointment.end) == (when, when + timedelta(minutes=30))
    assert appointment.created_by == reception_user
    local = timezone.localtime(when)
    assert response["Location"] == (
        f"{reverse('diary')}?date={local.date().isoformat()}&location={room.location_id}"
        f"#appt-{appointment.pk}"
    )
    assert flash(response) == [
        f"Booked {patient.full_name} with {practitioner.name} on "
        f"{local:%a} {local.day} {local:%b %Y}, 10:00."
    ]


def test_a_clash_is_shown_on_the_time_with_the_nearest_free_times(
    signed_in, practitioner, patient, room, medical, when
):
    factories.appointment(patient=factories.patient(), practitioner=practitioner, start=when)
    clash = when + timedelta(minutes=15)
    response = signed_in.post(BOOK, booking(patient, practitioner, room, medical, clash))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["time"] == [f"{practitioner.name} already has an appointment then."]
    alternatives = response.context["alternatives"]
    assert alternatives and all(isinstance(a["start"], datetime) for a in alternatives)
    page = response.content.decode()
    assert "Nearest free times" in page
    first = timezone.localtime(alternatives[0]["start"])
    assert f"{first:%a} {first.day} {first:%b %Y}, {first:%H:%M} with {practitioner.name}" in page
    # Each one links to the booking form with that time, practitioner and room chosen.
    book_it = response.context["alternatives"][0]["url"]
    assert f"practitioner={practitioner.pk}" in book_it and "start=" in book_it
    assert book_it.replace("&", "&amp;") in page
    assert Appointment.objects.count() == 1


def test_a_time_outside_opening_hours_is_refused_on_the_time(
    signed_in, practitioner, patient, room, medical, when
):
    late = when.replace(hour=19, minute=45)
    response = signed_in.post(BOOK, booking(patient, practitioner, room, medical, late))
    assert "is not open at" in response.context["form"].errors["time"][0]
    assert not Appointment.objects.exists()


def test_an_unqualified_practitioner_is_refused_on_the_practitioner(
    signed_in, practitioner, patient, room, when
):
    traditional = Service.objects.get(name="Traditional acupuncture")
    response = signed_in.post(BOOK, booking(patient, practitioner, room, traditional, when))
    assert "is not qualified in" in response.context["form"].errors["practitioner"][0]
    assert not Appointment.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"date": ""}, "date"),
        ({"date": "31/02/2026"}, "date"),
        ({"time": "25:00"}, "time"),
        ({"practitioner": "999999"}, "practitioner"),
        ({"service": ""}, "service"),
        ({"room": "abc"}, "room"),
        ({"channel": "pigeon"}, "channel"),
    ],
)
def test_bad_input_is_shown_on_its_field_and_books_nothing(
    signed_in, practitioner, patient, room, medical, when, overrides, field
):
    response = signed_in.post(
        BOOK, booking(patient, practitioner, room, medical, when, **overrides)
    )
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f'id="id_{field}_error"' in response.content.decode()
    assert not Appointment.objects.exists()


def test_booking_for_an_unknown_patient_is_not_found(signed_in, clinic):
    assert signed_in.get(BOOK, {"patient": 999999}).status_code == 404


@pytest.mark.parametrize(
    ("name", "value", "ignored"),
    [
        ("location", "riverside", "room"),
        ("location", "99999999999999999999", "room"),
        ("practitioner", "²", "practitioner"),
        ("room", "١٢٣", "room"),
        ("start", "not a time", "date"),
        ("start", "2026-13-45T10:00:00+00:00", "date"),
        ("start", "2026-03-03T10:00:00", "date"),  # no offset: ambiguous, so not used
    ],
)
def test_bad_choices_from_the_diary_are_ignored_not_an_error_page(
    signed_in, patient, name, value, ignored
):
    response = signed_in.get(BOOK, {"patient": patient.pk, name: value})
    assert response.status_code == 200
    assert ignored not in response.context["form"].initial


@pytest.mark.parametrize("patient_id", ["²", "99999999999999999999999", "-1"])
def test_a_malformed_patient_id_is_not_an_error_page(signed_in, clinic, patient_id):
    assert signed_in.get(BOOK, {"patient": patient_id}).status_code in (302, 404)


# The appointment page: move, cancel, mark


@pytest.fixture
def booked(practitioner, patient, when):
    return factories.appointment(patient=patient, practitioner=practitioner, start=when)


def detail(appointment):
    return reverse("appointment_detail", args=[appointment.pk])


def test_the_appointment_page_shows_who_when_and_where(signed_in, booked):
    page = signed_in.get(detail(booked)).content.decode()
    local = timezone.localtime(booked.start)
    assert escape(booked.patient.full_name) in page
    assert escape(booked.practitioner.name) in page
    assert f"{local:%a} {local.day} {local:%b %Y}, 10:00" in page
    assert "10:00–10:30" in page
    assert "Room 1, Riverside" in page
    assert "Move appointment" in page and "Cancel appointment" in page


def test_an_unknown_appointment_is_not_found(signed_in, clinic):
    assert signed_in.get(reverse("appointment_detail", args=[999999])).status_code == 404


def move(client, appointment, hour, **overrides):
    local = timezone.localtime(appointment.start)
    data = {
        "date": local.date().isoformat(),
        "time": f"{hour:02d}:00",
        "practitioner": appointment.practitioner_id,
        "room": appointment.room_id,
        **overrides,
    }
    return client.post(reverse("appointment_move", args=[appointment.pk]), data)


def test_moving_changes_the_time_and_returns_to_the_diary(signed_in, booked):
    response = move(signed_in, booked, 14)
    booked.refresh_from_db()
    assert timezone.localtime(booked.start).hour == 14
    assert booked.end - booked.start == timedelta(minutes=30)
    assert response["Location"].endswith(f"#appt-{booked.pk}")
    assert flash(response) == ["Appointment moved."]


def test_moving_onto_a_taken_time_is_refused_on_the_time_and_changes_nothing(
    signed_in, booked, practitioner
):
    factories.appointment(
        patient=factories.patient(), practitioner=practitioner, start=booked.start.replace(hour=14)
    )
    response = move(signed_in, booked, 14)
    assert response.status_code == 400
    assert response.context["move_form"].errors["time"]
    assert "There is a problem" in response.content.decode()
    booked.refresh_from_db()
    assert timezone.localtime(booked.start).hour == 10


def test_a_move_with_a_missing_time_is_refused_on_the_field(signed_in, booked):
    response = move(signed_in, booked, 14, time="")
    assert response.status_code == 400
    assert response.context["move_form"].errors["time"]


def test_cancelling_well_ahead_is_an_ordinary_cancellation(signed_in, booked):
    response = signed_in.post(
        reverse("appointment_cancel", args=[booked.pk]), {"reason": "Going away"}
    )
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.CANCELLED
    assert booked.cancellation_reason == "Going away"
    assert response["Location"] == detail(booked)
    assert flash(response) == ["Appointment cancelled."]


def test_cancelling_inside_the_notice_period_is_recorded_as_late(signed_in, practitioner, patient):
    soon = factories.appointment(
        patient=patient, practitioner=practitioner, start=timezone.now() + timedelta(hours=2)
    )
    response = signed_in.post(reverse("appointment_cancel", args=[soon.pk]), {"reason": ""})
    soon.refresh_from_db()
    assert soon.status == AppointmentStatus.LATE_CANCELLED
    assert flash(response) == ["Cancelled late (inside the notice period)."]


def test_cancelling_twice_says_why_not(signed_in, booked):
    url = reverse("appointment_cancel", args=[booked.pk])
    signed_in.post(url, {"reason": ""})
    response = signed_in.post(url, {"reason": ""})
    assert flash(response)[-1] == (
        "This appointment is cancelled; only a booked appointment can be cancelled."
    )


def test_a_reason_that_is_too_long_is_refused_with_a_message(signed_in, booked):
    response = signed_in.post(
        reverse("appointment_cancel", args=[booked.pk]), {"reason": "x" * 201}
    )
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED
    assert flash(response) == ["Keep the reason to 200 characters."]


def test_a_cancelled_appointment_offers_no_move_or_cancel(signed_in, booked):
    signed_in.post(reverse("appointment_cancel", args=[booked.pk]), {"reason": ""})
    page = signed_in.get(detail(booked)).content.decode()
    assert "Move appointment" not in page
    assert "Cancel appointment" not in page
    assert "Cancelled on" in page


def mark(client, appointment, status):
    return client.post(reverse("appointment_status", args=[appointment.pk]), {"status": status})


def test_marking_arrived_then_completed(signed_in, practitioner, patient):
    # Arrival is marked from 30 minutes before the start (the clinic's arrival window).
    booked = factories.appointment(
        patient=patient, practitioner=practitioner, start=timezone.now() + timedelta(minutes=10)
    )
    assert flash(mark(signed_in, booked, "arrived")) == ["Status updated."]
    mark(signed_in, booked, "completed")
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.COMPLETED
    changes = AuditEntry.objects.filter(
        action="change", object_type="scheduling.appointment", object_id=str(booked.pk)
    )
    assert sorted(changes.values_list("detail", flat=True)) == ["arrived", "completed"]


def test_a_visit_cannot_be_marked_missed_before_it_starts(signed_in, booked):
    response = mark(signed_in, booked, "dna")
    assert flash(response) == ["An appointment cannot be missed before it starts."]
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.BOOKED


def test_a_past_visit_can_be_marked_missed(signed_in, practitioner, patient):
    earlier = factories.appointment(
        patient=patient, practitioner=practitioner, start=timezone.now() - timedelta(hours=3)
    )
    mark(signed_in, earlier, "dna")
    earlier.refresh_from_db()
    assert earlier.status == AppointmentStatus.DID_NOT_ATTEND


def test_an_unknown_status_asks_for_a_status(signed_in, booked):
    assert flash(mark(signed_in, booked, "teleported")) == ["Choose a status."]

"""Booking online, page by page: what is offered (services, the online notice and
horizon), the confirmation email (.ics, what to expect, aftercare, a working
questionnaire link, a cancel link), a time taken in between (alternatives), and every
kind of bad or abusive input refused with a clear page and nothing written."""

import re
from datetime import datetime, timedelta
from urllib.parse import unquote

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from acuclinic.clinic.models import Clinic, Service
from acuclinic.core.formats import format_datetime
from acuclinic.online_booking import ratelimit
from acuclinic.online_booking import services as online
from acuclinic.online_booking.models import OnlineBooking, RateLimitCount
from acuclinic.online_booking.tests import helpers as h
from acuclinic.people.models import Patient
from acuclinic.safety.models import QuestionnaireLink
from acuclinic.scheduling import services
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db


def _nothing_written(patients_before: int = 0) -> bool:
    return (
        Patient.objects.count() == patients_before
        and not Appointment.objects.exists()
        and not OnlineBooking.objects.exists()
    )


# What is offered -----------------------------------------------------------------------


def test_a_traditional_first_consultation_is_listed_with_the_first_appointments(client, clinic):
    Service.objects.filter(name="Traditional acupuncture").update(
        name="Traditional acupuncture: first consultation", first_visit=True
    )

    page = client.get(reverse("online_start")).content.decode()

    follow_ups = page.index("Follow-up appointments")
    assert page.index("Your first appointment") < page.index("first consultation") < follow_ups


def test_the_first_page_offers_only_what_can_be_booked_online_first_visits_first(client, clinic):
    review = Service.objects.get(name="Follow-up")
    review.bookable_online = False
    review.save()

    page = client.get(reverse("online_start")).content.decode()

    assert page.index("Your first appointment") < page.index("Assessment and acupuncture")
    assert page.index("Assessment and acupuncture") < page.index("Follow-up appointments")
    assert "Medical acupuncture" in page
    assert "Follow-up<" not in page  # the review is not on offer
    # One location: already chosen.
    assert re.search(r'<input[^>]*name="location"[^>]*checked', page)


def test_choosing_nothing_says_what_to_choose(client, clinic):
    response = client.get(reverse("online_start"), {"service": "", "location": ""})

    assert response.status_code == 400
    assert "Choose what you would like to book." in response.content.decode()


def test_the_times_on_offer_keep_the_minimum_notice_and_the_horizon(client, clinic, practitioner):
    clinic.min_booking_notice_hours = 48
    clinic.booking_horizon_days = 14
    clinic.save()
    tomorrow = timezone.localdate() + timedelta(days=1)

    soon = client.get(
        reverse("online_times"),
        {**_service_and_place(), "start": tomorrow.isoformat()},
    ).content.decode()
    late = client.get(
        reverse("online_times"),
        {**_service_and_place(), "start": (tomorrow + timedelta(days=30)).isoformat()},
    ).content.decode()

    offered, offered_late = _times_in(soon), _times_in(late)
    assert offered
    assert min(offered) >= timezone.now() + timedelta(hours=48)
    assert offered_late
    assert max(offered_late) <= timezone.now() + timedelta(days=14)


def _times_in(page: str) -> list[datetime]:
    """The times a page offers, from its links to the details page."""
    return [datetime.fromisoformat(unquote(t)) for t in re.findall(r"time=([^&\"]+)", page)]


def _service_and_place(name: str = "Assessment and acupuncture") -> dict:
    return {"service": h.service(name).pk, "location": h.location().pk}


def test_with_anyone_each_time_is_offered_once(client, clinic, practitioner):
    factories.practitioner("second", qualified_medical=True)
    day = h.a_weekday_at(9).date()

    page = client.get(
        reverse("online_times"), {**_service_and_place(), "start": day.isoformat()}
    ).content.decode()

    times = _times_in(page)
    assert times
    assert len(times) == len(set(times))


def test_a_practitioner_not_qualified_for_the_service_is_not_offered_to_choose(
    client, clinic, practitioner
):
    traditional_only = factories.practitioner("trad", qualified_traditional=True)

    page = client.get(reverse("online_times"), _service_and_place()).content.decode()

    assert f'value="{practitioner.pk}"' in page
    assert f'value="{traditional_only.pk}"' not in page


# Booking and the confirmation -----------------------------------------------------------


def test_booking_online_books_the_time_and_says_so(client, clinic, practitioner):
    start = h.a_weekday_at(10)

    response = h.book(client, start)

    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.start, appointment.practitioner, appointment.channel) == (
        start,
        practitioner,
        "web",
    )
    assert appointment.patient.email == "maggie.obrien@example.test"
    done = client.get(response["Location"]).content.decode()
    assert "You are booked" in done
    assert format_datetime(start) in done


def test_the_confirmation_email_carries_the_visit_as_a_calendar_file(client, clinic, practitioner):
    start = h.a_weekday_at(10)
    h.book(client, start)
    appointment = Appointment.objects.get()

    message = h.confirmation_for(appointment)

    assert message.recipient == "maggie.obrien@example.test"
    assert message.subject == f"Booked: Assessment and acupuncture on {format_datetime(start)}"
    attachment = message.attachments.get()
    assert (attachment.filename, attachment.mimetype) == ("appointment.ics", "text/calendar")
    calendar = Calendar.from_ical(bytes(attachment.content))
    assert calendar["method"] == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart") == start
    assert str(event["dtstart"].params["TZID"]) == "Europe/London"
    assert event.decoded("dtend") == start + timedelta(minutes=60)
    assert str(event["uid"]) == f"appointment-{appointment.pk}@acuclinic"
    assert "Riverside Physio" in str(event["summary"])
    assert "1 Mill Lane" in str(event["location"])
    assert calendar.walk("VTIMEZONE")


def test_the_confirmation_says_what_to_expect_and_how_to_look_after_yourself(
    client, clinic, practitioner
):
    h.book(client, h.a_weekday_at(10))
    body = h.confirmation_for(Appointment.objects.get()).body

    assert "Dear Maggie," in body
    assert "WHAT TO EXPECT" in body
    assert "loose, comfortable clothing" in body
    assert "Keep the places where the needles went in clean and dry" in body
    assert "In an emergency, call 999." in body


def test_the_questionnaire_link_in_the_confirmation_opens_the_patients_questionnaire(
    client, clinic, practitioner
):
    h.book(client, h.a_weekday_at(10))
    appointment = Appointment.objects.get()
    body = h.confirmation_for(appointment).body

    link = re.search(r"http://testserver(/safety/q/[^/\s]+/)", body)[1]
    page = client.get(link)

    assert page.status_code == 200
    assert "Your health questionnaire" in page.content.decode()
    assert QuestionnaireLink.objects.get().patient == appointment.patient


def test_the_cancel_link_cancels_with_notice_and_the_time_is_free_again(
    client, clinic, practitioner
):
    start = h.a_weekday_at(10)
    h.book(client, start)
    appointment = Appointment.objects.get()
    link = re.search(
        r"http://testserver(/book/manage/[^/\s]+/)", h.confirmation_for(appointment).body
    )[1]

    page = client.get(link).content.decode()
    assert "Cancel this appointment" in page
    response = client.post(link)

    assert response.status_code == 302
    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancelled_by) == (
        AppointmentStatus.CANCELLED,
        "patient",
    )
    assert "is cancelled" in client.get(link).content.decode()
    free = online.free_slot_for(
        online.Choice(h.service(), h.location(), practitioner, start),
        patient=None,
        now=timezone.now(),
    )
    assert free is not None


def test_inside_the_notice_period_the_cancel_link_warns_it_is_late_then_cancels(
    client, clinic, practitioner
):
    """The manage link says what the portal says: a late cancellation, confirmed first."""
    patient = factories.patient()
    soon = factories.appointment(
        patient=patient, practitioner=practitioner, start=timezone.now() + timedelta(hours=20)
    )
    link = reverse("online_manage", args=[online.manage_token(soon)])

    page = client.get(link).content.decode()
    unwarned = client.post(link)
    soon.refresh_from_db()
    assert (unwarned.status_code, soon.status) == (409, AppointmentStatus.BOOKED)
    response = client.post(link, {"warned_late": "1"})

    assert "This will be a late cancellation" in page
    assert "Cancel it anyway (late cancellation)" in page
    assert response.status_code == 302
    soon.refresh_from_db()
    assert soon.status == AppointmentStatus.LATE_CANCELLED


@pytest.mark.parametrize("name", ["online_manage", "online_done"])
def test_a_forged_or_mistyped_link_gets_a_clear_page(client, clinic, name):
    response = client.get(reverse(name, args=["not-a-real-token"]))

    assert response.status_code == 404
    assert "This link is not recognised" in response.content.decode()


def test_the_done_page_link_stops_working_after_a_while(client, clinic, practitioner):
    h.book(client, h.a_weekday_at(10))
    link = reverse("online_done", args=[online.done_token(Appointment.objects.get())])

    with time_machine.travel(timezone.now() + timedelta(hours=3)):
        response = client.get(link)

    assert response.status_code == 404


# A time taken between choosing and confirming ---------------------------------------------


def test_a_time_taken_meanwhile_offers_the_nearest_free_times_and_writes_nothing(
    client, clinic, practitioner
):
    start = h.a_weekday_at(10)
    services.appointment_book(
        patient=factories.patient(),
        practitioner=practitioner,
        room=_room(),
        service=h.service(),
        start=start,
    )
    patients = Patient.objects.count()

    response = h.book(client, start, practitioner=practitioner)

    assert response.status_code == 409
    page = response.content.decode()
    assert "that time has just been taken" in page
    assert "Choose one of the nearest free times" in page
    offered = re.findall(r'name="alternative" value="(\d+)\|([^"]+)"', page)
    assert offered
    assert all(datetime.fromisoformat(t) != start for _, t in offered)
    assert Patient.objects.count() == patients
    assert Appointment.objects.count() == 1
    assert not OnlineBooking.objects.exists()


def _room():
    from acuclinic.clinic.models import Room

    return Room.objects.order_by("pk").first()


def test_choosing_one_of_the_alternatives_books_it(client, clinic, practitioner):
    start = h.a_weekday_at(10)
    services.appointment_book(
        patient=factories.patient(),
        practitioner=practitioner,
        room=_room(),
        service=h.service(),
        start=start,
    )
    page = h.book(client, start, practitioner=practitioner).content.decode()
    value = re.findall(r'name="alternative" value="([^"]+)"', page)[0]
    chosen_start = datetime.fromisoformat(value.split("|")[1])

    data = {**h.chosen(start, practitioner=practitioner), **h.person(), "alternative": value}
    response = client.post(reverse("online_details"), data)

    assert response.status_code == 302
    booked = Appointment.objects.get(channel="web")
    assert booked.start == chosen_start


# Bots and abuse ----------------------------------------------------------------------------


def test_a_filled_in_honeypot_is_refused_with_a_clear_page_and_nothing_written(
    client, clinic, practitioner
):
    response = h.book(client, h.a_weekday_at(10), website="http://cheap-pills.example")

    assert response.status_code == 400
    assert "We could not accept this" in response.content.decode()
    assert _nothing_written()


def test_a_form_sent_back_faster_than_a_person_could_is_refused(client, clinic, practitioner):
    response = h.book(client, h.a_weekday_at(10), started=h.stamp(timedelta(seconds=1)))

    assert response.status_code == 400
    assert "faster than a person could fill it in" in response.content.decode()
    assert _nothing_written()


@pytest.mark.parametrize("started", ["", "1700000000", "forged:stamp"])
def test_a_missing_or_forged_form_stamp_is_refused(client, clinic, practitioner, started):
    response = h.book(client, h.a_weekday_at(10), started=started)

    assert response.status_code == 400
    assert "open the page again" in response.content.decode()
    assert _nothing_written()


def test_too_many_bookings_from_one_address_are_refused(client, clinic, practitioner, monkeypatch):
    monkeypatch.setattr(
        online,
        "BOOKING_LIMITS",
        (
            ratelimit.Limit("online_booking:address", 2, timedelta(hours=1)),
            online.BOOKING_LIMITS[1],
        ),
    )
    for hour, email in ((9, "a@example.test"), (11, "b@example.test")):
        assert h.book(client, h.a_weekday_at(hour), email=email).status_code == 302

    response = h.book(client, h.a_weekday_at(14), email="c@example.test")

    assert response.status_code == 429
    assert "too many requests" in response.content.decode()
    assert Appointment.objects.count() == 2
    # Another address is not held up.
    assert (
        h.book(client, h.a_weekday_at(14), email="c@example.test", ip="198.51.100.20").status_code
        == 302
    )


def test_too_many_bookings_for_one_email_are_refused_from_any_address(
    client, clinic, practitioner, monkeypatch
):
    monkeypatch.setattr(
        online,
        "BOOKING_LIMITS",
        (online.BOOKING_LIMITS[0], ratelimit.Limit("online_booking:email", 1, timedelta(days=1))),
    )
    assert h.book(client, h.a_weekday_at(9)).status_code == 302

    response = h.book(client, h.a_weekday_at(11), ip="198.51.100.30")

    assert response.status_code == 429
    assert Appointment.objects.count() == 1


def test_the_counts_live_in_the_database_without_addresses_or_emails(clinic):
    limit = ratelimit.Limit("test", 5, timedelta(hours=1))

    counts = [ratelimit.count_use(limit, "maggie@example.test") for _ in range(3)]

    assert counts == [1, 2, 3]
    row = RateLimitCount.objects.get()
    assert row.count == 3
    assert "maggie" not in row.key


# Bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (lambda: timezone.now() - timedelta(days=1), "has already passed"),
        (lambda: timezone.now() + timedelta(hours=2), "notice"),
        (lambda: timezone.now() + timedelta(days=200), "days ahead"),
    ],
    ids=["past", "inside the notice", "past the horizon"],
)
def test_a_time_outside_the_online_rules_is_refused(client, clinic, practitioner, when, message):
    start = when().replace(minute=0, second=0, microsecond=0)

    page = client.get(h.details_url(start))
    response = h.book(client, start)

    assert page.status_code == response.status_code == 400
    assert message in response.content.decode()
    assert "Nothing has been booked." in response.content.decode()
    assert _nothing_written()


@pytest.mark.parametrize(
    "changes",
    [
        {"service": "999999"},
        {"service": "abc"},
        {"location": "999999"},
        {"practitioner": "999999"},
        {"time": "tomorrow at ten"},
        {"time": "2026-03-03T10:00:00"},  # no time zone
        {"time": "9999-12-31T10:00:00+00:00"},
        {"time": ""},
    ],
)
def test_a_chosen_time_the_pages_never_offered_is_refused(client, clinic, practitioner, changes):
    data = {**h.chosen(h.a_weekday_at(10)), **changes}

    page = client.get(reverse("online_details"), data)
    response = client.post(reverse("online_details"), {**data, **h.person()})

    assert page.status_code == response.status_code == 400
    assert "cannot be booked online" in response.content.decode()
    assert _nothing_written()


def test_a_service_not_bookable_online_is_refused_even_by_a_crafted_form(
    client, clinic, practitioner
):
    Service.objects.filter(name="Medical acupuncture").update(bookable_online=False)

    response = h.book(client, h.a_weekday_at(10), service_name="Medical acupuncture")

    assert response.status_code == 400
    assert _nothing_written()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({"dob_day": "31", "dob_month": "2"}, "Enter a real date of birth"),
        ({"dob_year": str(timezone.localdate().year + 1)}, "must be in the past"),
        ({"dob_year": "1850"}, "Ensure this value is greater than or equal to 1900"),
        ({"dob_day": "tenth"}, "Enter a whole number"),
        ({"email": "not an email"}, "Enter an email address like"),
        ({"email": ""}, "Enter your email address."),
        ({"phone": "12"}, "Enter a UK phone number"),
        ({"given_name": ""}, "Enter your first name."),
        ({"family_name": "x" * 81}, "at most 80 characters"),
        ({"given_name": "Nul\x00Byte"}, "Null characters are not allowed"),
        ({"alternative": "12|yesterday"}, "Choose one of the times offered"),
    ],
)
def test_bad_details_are_shown_on_the_form_and_nothing_is_written(
    client, clinic, practitioner, typed, message
):
    response = h.book(client, h.a_weekday_at(10), **typed)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert _nothing_written()


def test_a_stale_form_comes_back_with_a_fresh_stamp(client, clinic, practitioner):
    response = h.book(client, h.a_weekday_at(10), started=h.stamp(timedelta(hours=7)))

    assert response.status_code == 400
    assert "open for a long time" in response.content.decode()
    fresh = re.search(r'name="started" value="([^"]+)"', response.content.decode())[1]
    assert fresh != h.person()["started"]
    assert _nothing_written()


def test_the_public_pages_need_no_clinic_to_answer_sensibly(client, db):
    # A brand new installation with nothing set up yet.
    assert not Clinic.objects.exists()
    for name in ("online_start", "online_contact"):
        assert client.get(reverse(name)).status_code == 200
    assert client.get(reverse("online_times"), {"service": "1", "location": "1"}).status_code == 400


def test_the_manage_link_is_refused_once_the_visit_moves_and_after_it_is_over(
    client, clinic, practitioner
):
    patient = factories.patient()
    visit = factories.appointment(
        patient=patient, practitioner=practitioner, start=timezone.now() + timedelta(days=5)
    )
    link = reverse("online_manage", args=[online.manage_token(visit)])
    assert client.get(link).status_code == 200
    # Over a day after the visit ended: refused.
    with time_machine.travel(visit.end + timedelta(days=1, minutes=1)):
        late = client.get(link)
    assert late.status_code == 404
    assert "since been changed, or has passed" in late.content.decode()
    # Moved: the old link is refused, a new one works.
    visit.start += timedelta(hours=2)
    visit.end += timedelta(hours=2)
    visit.held_until = None  # worked out again on saving, from the new end
    visit.save()
    assert client.get(link).status_code == 404
    assert (
        client.get(reverse("online_manage", args=[online.manage_token(visit)])).status_code == 200
    )

"""The enquiry inbox: the web form lands in it, reception enters calls and emails, marks
them replied or closed, and books from one in a couple of clicks, which marks it booked
with its appointment. By page and by API; bad input refused with nothing written."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Room
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.core.formats import format_datetime
from acuclinic.enquiries import services as enquiries
from acuclinic.enquiries.choices import EnquiryStatus
from acuclinic.enquiries.models import Enquiry
from acuclinic.online_booking import ratelimit
from acuclinic.online_booking import services as online
from acuclinic.online_booking.tests import helpers as h
from acuclinic.people.models import Patient
from acuclinic.scheduling import services
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories
from acuclinic.testing.api_client import as_user

pytestmark = pytest.mark.django_db


def _web_form(**overrides) -> dict:
    data = {
        "name": "Vera Asking",
        "email": "vera.asking@example.test",
        "phone": "",
        "condition": "msk",
        "message": "Do you treat knee pain? I have had it for two years.",
        "website": "",
        "started": h.stamp(),
    }
    data.update(overrides)
    return data


@pytest.fixture
def web_enquiry(clinic):
    return enquiries.enquiry_receive_web(
        name="Vera Asking",
        email="vera.asking@example.test",
        phone="07700 900610",
        message="Do you treat knee pain?",
    )


# The web form -------------------------------------------------------------------------------


def test_the_contact_form_lands_in_the_inbox_as_new(client, clinic, reception_user):
    response = client.post(reverse("online_contact"), _web_form())

    assert response.status_code == 302
    assert "your message has been sent" in client.get(response["Location"]).content.decode()
    enquiry = Enquiry.objects.get()
    assert (enquiry.channel, enquiry.status, enquiry.condition) == ("web", "new", "msk")
    assert enquiry.created_by is None
    client.force_login(reception_user)
    inbox = client.get(reverse("enquiry_list")).content.decode()
    assert "Vera Asking" in inbox
    assert "Do you treat knee pain?" in inbox


def test_the_menu_counts_the_new_enquiries(client, clinic, reception_user, web_enquiry):
    enquiries.enquiry_receive_web(name="Another", phone="07700 900611", message="Prices?")
    client.force_login(reception_user)

    page = client.get(reverse("patient_list")).content.decode()

    assert re.search(r">Enquiries \(2<span class=\"visually-hidden\"> new</span>\)</a>", page)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"email": "", "phone": ""}, "Give an email address or a phone number"),
        ({"message": ""}, "Write your message."),
        ({"message": "x" * 2001}, "at most 2000 characters"),
        ({"email": "vera@"}, "Enter an email address like"),
        ({"condition": "hangover"}, "Select a valid choice"),
    ],
)
def test_a_contact_form_with_bad_input_says_why_and_sends_nothing(client, clinic, changes, message):
    response = client.post(reverse("online_contact"), _web_form(**changes))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Enquiry.objects.exists()


def test_the_contact_form_turns_away_programs(client, clinic):
    honeypot = client.post(reverse("online_contact"), _web_form(website="buy now"))
    too_fast = client.post(reverse("online_contact"), _web_form(started=h.stamp(timedelta(0))))

    assert honeypot.status_code == too_fast.status_code == 400
    assert "We could not accept this" in honeypot.content.decode()
    assert "faster than a person" in too_fast.content.decode()
    assert not Enquiry.objects.exists()


def test_the_contact_form_is_rate_limited_per_address(client, clinic, monkeypatch):
    monkeypatch.setattr(
        online,
        "CONTACT_LIMITS",
        (ratelimit.Limit("enquiry:address", 1, timedelta(hours=1)), online.CONTACT_LIMITS[1]),
    )
    assert client.post(reverse("online_contact"), _web_form()).status_code == 302

    response = client.post(reverse("online_contact"), _web_form(email="other@example.test"))

    assert response.status_code == 429
    assert Enquiry.objects.count() == 1


# Reception handles them ----------------------------------------------------------------------


def test_reception_enters_a_phone_call_and_is_named_as_handling_it(client, reception_user):
    client.force_login(reception_user)
    received = timezone.localtime() - timedelta(hours=1)

    response = client.post(
        reverse("enquiry_new"),
        {
            "channel": "phone",
            "name": "Phoebe Caller",
            "phone": "07700 900555",
            "message": "Wants a Saturday morning",
            "received_on": received.date().isoformat(),
            "received_time": received.strftime("%H:%M"),
        },
    )

    enquiry = Enquiry.objects.get()
    assert response["Location"] == reverse("enquiry_detail", args=[enquiry.pk])
    assert (enquiry.channel, enquiry.status) == ("phone", "new")
    assert enquiry.handled_by == enquiry.created_by == reception_user
    assert AuditEntry.objects.filter(object_type="enquiries.enquiry", action="create").exists()


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"channel": "web"}, "invalid_channel"),
        ({"received_at": timezone.now() + timedelta(days=1)}, "received_in_future"),
        ({"received_at": timezone.now() - timedelta(days=400)}, "received_too_long_ago"),
        ({"email": "", "phone": ""}, "no_contact_details"),
        ({"name": "  "}, "name_required"),
        ({"condition": "hangover"}, "invalid_condition"),
    ],
)
def test_an_enquiry_staff_cannot_have_taken_is_refused(reception_user, clinic, changes, code):
    fields = {
        "channel": "email",
        "name": "Ed Mailer",
        "email": "ed@example.test",
        "message": "Price list please",
        "user": reception_user,
    }
    fields.update(changes)

    with pytest.raises(InvalidRequest) as refused:
        enquiries.enquiry_record(**fields)

    assert refused.value.code == code
    assert not Enquiry.objects.exists()


def test_reception_marks_an_enquiry_replied_then_closed_with_notes(
    client, reception_user, web_enquiry
):
    client.force_login(reception_user)
    url = reverse("enquiry_update", args=[web_enquiry.pk])

    client.post(url, {"status": "replied", "notes": "Emailed the price list"})
    web_enquiry.refresh_from_db()
    assert (web_enquiry.status, web_enquiry.notes, web_enquiry.handled_by) == (
        "replied",
        "Emailed the price list",
        reception_user,
    )
    client.post(url, {"status": "closed", "notes": "Emailed the price list. No reply."})

    web_enquiry.refresh_from_db()
    assert web_enquiry.status == "closed"
    page = client.get(reverse("enquiry_list"), {"status": "closed"}).content.decode()
    assert "Vera Asking" in page
    assert "Vera Asking" not in client.get(reverse("enquiry_list")).content.decode()


def test_booked_is_never_set_by_hand(client, reception_user, web_enquiry):
    client.force_login(reception_user)

    response = client.post(reverse("enquiry_update", args=[web_enquiry.pk]), {"status": "booked"})

    assert response.status_code == 400
    web_enquiry.refresh_from_db()
    assert web_enquiry.status == "new"
    with pytest.raises(InvalidRequest) as refused:
        enquiries.enquiry_update(web_enquiry, user=reception_user, status="booked")
    assert refused.value.code == "book_from_enquiry"


def test_the_inbox_filters_by_status_and_channel_and_odd_filters_show_the_open_ones(
    client, reception_user, web_enquiry
):
    enquiries.enquiry_record(
        channel="phone",
        name="Phoebe Caller",
        phone="07700 900555",
        message="Saturday?",
        user=reception_user,
    )
    client.force_login(reception_user)

    phone = client.get(reverse("enquiry_list"), {"status": "", "channel": "phone"}).content.decode()
    odd = client.get(reverse("enquiry_list"), {"status": "sideways", "page": "x"})

    assert "Phoebe Caller" in phone
    assert "Vera Asking" not in phone
    assert odd.status_code == 200
    assert "Phoebe Caller" in odd.content.decode()


# Booking from an enquiry ---------------------------------------------------------------------


def test_booking_from_an_enquiry_prefills_a_new_patient_and_marks_the_enquiry_booked(
    client, reception_user, practitioner, web_enquiry
):
    client.force_login(reception_user)
    start = h.a_weekday_at(11)

    first = client.get(reverse("enquiry_book", args=[web_enquiry.pk])).content.decode()
    assert 'value="Vera"' in first
    assert 'value="Asking"' in first
    assert 'value="vera.asking@example.test"' in first
    client.post(
        reverse("enquiry_new_patient", args=[web_enquiry.pk]),
        factories.patient_form_data(
            given_name="Vera", family_name="Asking", email="vera.asking@example.test"
        ),
    )
    patient = Patient.objects.get(family_name="Asking")
    times = client.get(
        reverse("enquiry_book", args=[web_enquiry.pk]),
        {"service": h.service().pk, "location": h.location().pk, "date": start.date().isoformat()},
    ).content.decode()
    assert f"Book {format_datetime(start)} with {practitioner.name}" in times.replace("&#x27;", "'")
    response = client.post(
        reverse("enquiry_book_slot", args=[web_enquiry.pk]),
        {
            "service": h.service().pk,
            "practitioner": practitioner.pk,
            "room": Room.objects.order_by("pk").first().pk,
            "start": start.isoformat(),
        },
    )

    appointment = Appointment.objects.get(patient=patient)
    assert response["Location"] == reverse("appointment_detail", args=[appointment.pk])
    assert (appointment.start, appointment.channel) == (start, "web")
    web_enquiry.refresh_from_db()
    assert (web_enquiry.status, web_enquiry.appointment, web_enquiry.patient) == (
        EnquiryStatus.BOOKED,
        appointment,
        patient,
    )
    assert web_enquiry.handled_by == reception_user


def test_an_existing_patient_is_offered_by_email_or_phone_and_chosen_in_one_click(
    client, reception_user, web_enquiry
):
    vera = factories.patient(
        given_name="Veronica", family_name="Asking-Smith", email="VERA.ASKING@example.test"
    )
    stranger = factories.patient(family_name="Elsewhere")
    client.force_login(reception_user)

    page = client.get(reverse("enquiry_book", args=[web_enquiry.pk])).content.decode()
    assert reverse("patient_detail", args=[vera.pk]) in page
    assert reverse("patient_detail", args=[stranger.pk]) not in page
    client.post(reverse("enquiry_patient", args=[web_enquiry.pk]), {"patient": vera.pk})

    web_enquiry.refresh_from_db()
    assert web_enquiry.patient == vera
    assert (
        "step 2 of 2" in client.get(reverse("enquiry_book", args=[web_enquiry.pk])).content.decode()
    )


@pytest.mark.parametrize("patient", ["", "abc", "99999999", "1" * 30])
def test_choosing_no_real_patient_changes_nothing(client, reception_user, web_enquiry, patient):
    client.force_login(reception_user)

    response = client.post(reverse("enquiry_patient", args=[web_enquiry.pk]), {"patient": patient})

    assert response.status_code == 302
    web_enquiry.refresh_from_db()
    assert web_enquiry.patient is None


def test_a_clash_when_booking_from_an_enquiry_offers_other_times_and_leaves_it_unbooked(
    client, reception_user, practitioner, web_enquiry, patient
):
    enquiries.enquiry_link_patient(web_enquiry, patient=patient, user=reception_user)
    start = h.a_weekday_at(11)
    room = Room.objects.order_by("pk").first()
    services.appointment_book(
        patient=factories.patient(),
        practitioner=practitioner,
        room=room,
        service=h.service(),
        start=start,
    )
    client.force_login(reception_user)

    response = client.post(
        reverse("enquiry_book_slot", args=[web_enquiry.pk]),
        {
            "service": h.service().pk,
            "practitioner": practitioner.pk,
            "room": room.pk,
            "start": start.isoformat(),
        },
    )

    assert response.status_code == 409
    page = response.content.decode()
    assert "Not booked" in page
    assert "Book this time" in page
    web_enquiry.refresh_from_db()
    assert (web_enquiry.status, web_enquiry.appointment) == ("new", None)
    assert not Appointment.objects.filter(patient=patient).exists()


def test_an_enquiry_is_booked_once(reception_user, practitioner, web_enquiry, patient):
    room = Room.objects.order_by("pk").first()
    book = dict(
        practitioner=practitioner,
        room=room,
        service=h.service(),
        user=reception_user,
        patient=patient,
    )
    enquiries.enquiry_book(web_enquiry, start=h.a_weekday_at(11), **book)

    with pytest.raises(Conflict) as refused:
        enquiries.enquiry_book(web_enquiry, start=h.a_weekday_at(14), **book)

    assert refused.value.code == "already_booked"
    assert Appointment.objects.filter(patient=patient).count() == 1


# By API ------------------------------------------------------------------------------------------


def test_the_api_lists_enters_handles_and_books_enquiries(reception_user, practitioner, patient):
    api = as_user(reception_user)

    created = api.post(
        "/enquiries",
        {"channel": "email", "name": "Ed Mailer", "email": "ed@example.test", "message": "Prices?"},
    )
    enquiry_id = created.json()["id"]
    listed = api.get("/enquiries", {"status": "new"}).json()
    changed = api.patch(f"/enquiries/{enquiry_id}", {"status": "replied", "notes": "Sent them"})
    booked = api.post(
        f"/enquiries/{enquiry_id}/book",
        {
            "patient": patient.pk,
            "practitioner": practitioner.pk,
            "room": Room.objects.order_by("pk").first().pk,
            "service": h.service().pk,
            "start": h.a_weekday_at(11).isoformat(),
        },
    )

    assert created.status_code == 201
    assert created.json()["handled_by"] == reception_user.display_name
    assert (listed["count"], listed["new"]) == (1, 1)
    assert changed.json()["status"] == "replied"
    assert booked.status_code == 201
    assert booked.json()["channel"] == "email"
    final = api.get(f"/enquiries/{enquiry_id}").json()
    assert (final["status"], final["appointment_id"], final["patient"]["id"]) == (
        "booked",
        booked.json()["id"],
        patient.pk,
    )


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (
            {"channel": "web", "name": "A", "email": "a@example.test", "message": "x"},
            422,
            "invalid_channel",
        ),
        ({"channel": "phone", "name": "A", "message": "x"}, 422, "no_contact_details"),
        ({"channel": "fax", "name": "A", "phone": "0161", "message": "x"}, 422, "invalid"),
        (
            {"channel": "phone", "name": "A", "phone": "0161", "message": "x", "extra": 1},
            422,
            "invalid",
        ),
        (
            {
                "channel": "phone",
                "name": "A",
                "phone": "0161",
                "message": "x",
                "received_at": "2026-03-03T10:00:00",
            },
            422,
            "naive_datetime",
        ),
    ],
)
def test_the_api_refuses_bad_enquiries_and_writes_nothing(
    reception_user, clinic, body, status, code
):
    response = as_user(reception_user).post("/enquiries", body)

    assert response.status_code == status
    assert response.json()["code"] == code
    assert not Enquiry.objects.exists()


def test_the_api_answers_unknown_enquiries_with_404(reception_user, clinic):
    api = as_user(reception_user)

    assert api.get("/enquiries/999999").json()["code"] == "unknown_enquiry"
    assert api.patch("/enquiries/999999", {"status": "closed"}).status_code == 404

"""Finding a returning patient's record from an online booking, safely: a confident match
books under their record; anything less makes a new record for reception to check; and
the person booking is told the same thing either way."""

import re
from datetime import date

import pytest
from django.urls import reverse

from acuclinic.online_booking import services as online
from acuclinic.online_booking.choices import PatientMatch
from acuclinic.online_booking.models import OnlineBooking
from acuclinic.online_booking.tests import helpers as h
from acuclinic.people.models import Patient
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def margaret(clinic):
    """On file since last year, with her full name, an address and a GP."""
    return factories.patient(
        given_name="Margaret",
        family_name="O’Brien",
        date_of_birth=date(1970, 3, 12),
        email="Maggie.OBrien@Example.test",
        phone="+44 7700 900461",
        address_line1="9 Weir Cottages",
        gp_practice="Kingsmead Health Centre",
    )


def _details(**overrides) -> online.Details:
    fields = {
        "given_name": "Maggie",
        "family_name": "obrien",
        "date_of_birth": date(1970, 3, 12),
        "email": " maggie.obrien@example.TEST ",
        "phone": "07700 900461",
    }
    fields.update(overrides)
    return online.Details(**fields)


def test_a_returning_patient_is_found_however_the_name_and_email_are_typed(margaret):
    match = online.find_patient(_details(family_name="O'BRIEN"))

    assert (match.patient, match.outcome) == (margaret, PatientMatch.MATCHED)


@pytest.mark.parametrize(
    "typed",
    [{"family_name": "O’Brien-Smith"}, {"date_of_birth": date(1970, 12, 3)}],
    ids=["another family name", "another birth date"],
)
def test_someone_else_is_a_new_patient(margaret, typed):
    match = online.find_patient(_details(**typed))

    assert (match.patient, match.outcome, match.candidates) == (None, PatientMatch.NEW, [])


def test_a_mobile_that_fits_with_a_new_email_is_only_a_possible_match(margaret):
    # The confirmation and its links go by email: only the record's own address may
    # receive them, so a new email never books under an existing record.
    match = online.find_patient(_details(email="someone.else@example.test"))

    assert match.patient is None
    assert match.outcome == PatientMatch.POSSIBLE_DUPLICATE
    assert match.candidates == [margaret]


def test_two_records_that_both_fit_are_not_guessed_between(margaret):
    sister = factories.patient(
        given_name="Maeve",
        family_name="OBrien",
        date_of_birth=date(1970, 3, 12),
        email="family@example.test",
        phone="07700 900461",
    )

    match = online.find_patient(_details())

    assert match.patient is None
    assert match.outcome == PatientMatch.POSSIBLE_DUPLICATE
    assert match.candidates == [margaret, sister]


def test_a_confident_match_books_under_the_existing_record_and_changes_nothing_on_it(
    client, margaret, practitioner
):
    before = Patient.objects.values().get(pk=margaret.pk)
    start = h.a_weekday_at(10)

    response = h.book(client, start, given_name="Maggie", phone="07700 900999")

    assert response.status_code == 302
    appointment = Appointment.objects.get(start=start)
    assert appointment.patient == margaret
    assert appointment.channel == "web"
    assert Patient.objects.count() == 1
    after = Patient.objects.values().get(pk=margaret.pk)
    assert {k: v for k, v in after.items() if k != "updated_at"} == {
        k: v for k, v in before.items() if k != "updated_at"
    }
    booking = OnlineBooking.objects.get(appointment=appointment)
    assert (booking.match, booking.given_name, booking.phone) == (
        PatientMatch.MATCHED,
        "Maggie",
        "07700 900999",
    )
    assert not booking.needs_check


def test_an_uncertain_match_books_under_a_new_record_flagged_for_reception(
    client, margaret, practitioner, reception_user
):
    start = h.a_weekday_at(10)

    h.book(client, start, email="new.address@example.test")

    new = Patient.objects.exclude(pk=margaret.pk).get()
    assert (new.given_name, new.family_name, new.email) == (
        "Maggie",
        "O'Brien",
        "new.address@example.test",
    )
    booking = OnlineBooking.objects.get(appointment__patient=new)
    assert booking.match == PatientMatch.POSSIBLE_DUPLICATE
    assert list(booking.possible_matches.all()) == [margaret]
    assert "may be a returning patient" in booking.appointment.notes
    # Reception finds it on the list of records to check, with the possible match.
    client.force_login(reception_user)
    page = client.get(reverse("online_checks")).content.decode()
    assert reverse("patient_detail", args=[new.pk]) in page
    assert reverse("patient_detail", args=[margaret.pk]) in page


def _without_the_booking(text: str, appointment: Appointment) -> str:
    """The page or email with what differs between two bookings blanked out: the time,
    and the one-off tokens in links."""
    text = text.replace(f"{appointment.start.astimezone(h.location().tz):%H:%M}", "HH:MM")
    return re.sub(r"/(book/(done|manage)|safety/q)/[^/\s\"]+/", "/LINK/", text)


def test_the_person_booking_is_told_the_same_whether_or_not_a_record_was_found(
    client, margaret, practitioner
):
    found = h.book(client, h.a_weekday_at(10), given_name="Maggie")
    not_found = h.book(client, h.a_weekday_at(11), given_name="Maggie", family_name="O'Brian")
    pages, emails = [], []
    for response, family in ((found, "O'Brien"), (not_found, "O'Brian")):
        done = client.get(response["Location"])
        appointment = Appointment.objects.get(online_booking__family_name=family)
        pages.append(_without_the_booking(done.content.decode(), appointment))
        message = h.confirmation_for(appointment)
        emails.append(_without_the_booking(message.subject + message.body, appointment))

    assert Appointment.objects.get(online_booking__family_name="O'Brien").patient == margaret
    assert pages[0] == pages[1]
    assert emails[0] == emails[1]
    for text in pages + emails:
        # Nothing from her record: not the name on file, the address or the GP.
        assert "Margaret" not in text
        assert "Weir Cottages" not in text
        assert "Kingsmead" not in text

"""Booking where the council licenses acupuncture: the booking check refuses a needling
visit the practitioner or the premises lack the council's registration for, naming what
is missing; free-slot searches and online booking never offer such a pair."""

from datetime import timedelta

import pytest
from django.utils import timezone

from acuclinic.clinic.models import Location, Room, Service
from acuclinic.core.errors import InvalidRequest
from acuclinic.online_booking import services as online
from acuclinic.people.choices import Profession
from acuclinic.scheduling import queries, services
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories

COUNCIL = "Testford Borough Council"
BOROUGH = "London Borough of Testford"


@pytest.fixture
def location(clinic):
    return Location.objects.select_related("clinic").get(name="Riverside")


@pytest.fixture
def acupuncture(clinic):
    return Service.objects.get(name="Traditional acupuncture")


@pytest.fixture
def acupuncturist(clinic):
    return factories.practitioner(
        "rosie", profession=Profession.ACUPUNCTURIST, qualified_traditional=True
    )


def book(practitioner, service, start):
    return services.appointment_book(
        patient=factories.patient(),
        practitioner=practitioner,
        room=Room.objects.get(name="Room 1"),
        service=service,
        start=start,
    )


def _free_with(practitioner, service, location, days=7) -> list:
    first = timezone.localdate() + timedelta(days=1)
    return queries.find_slots(
        service=service,
        location=location,
        first_day=first,
        last_day=first + timedelta(days=days),
        practitioner=practitioner,
        limit=5,
    )


def test_without_the_councils_registration_a_needling_visit_is_refused_by_name(
    location, acupuncture, acupuncturist
):
    factories.license_location(location, council=COUNCIL)
    start = factories.next_weekday_at(10)
    with pytest.raises(InvalidRequest) as exc:
        book(acupuncturist, acupuncture, start)
    assert exc.value.code == "credentials_lapsed"
    day = timezone.localtime(start).date()
    assert exc.value.message == (
        f"{acupuncturist.name} cannot needle then: no {COUNCIL} acupuncture registration "
        f"valid on {day:%-d %b %Y}."
    )
    assert not Appointment.objects.exists()


def test_without_the_premises_registration_the_message_names_the_premises(
    location, acupuncture, acupuncturist
):
    factories.license_location(location, council=COUNCIL, premises_from=False)
    factories.council_credential(acupuncturist, COUNCIL)
    start = factories.next_weekday_at(10)
    with pytest.raises(InvalidRequest) as exc:
        book(acupuncturist, acupuncture, start)
    day = timezone.localtime(start).date()
    assert exc.value.message.endswith(
        f"the premises at Riverside have no {COUNCIL} acupuncture premises registration "
        f"valid on {day:%-d %b %Y}."
    )


def test_with_both_registrations_the_visit_is_booked(location, acupuncture, acupuncturist):
    factories.license_location(location, council=COUNCIL)
    factories.council_credential(acupuncturist, COUNCIL)
    assert book(acupuncturist, acupuncture, factories.next_weekday_at(10)).pk


def test_a_licence_that_ends_before_the_visit_refuses_it(location, acupuncture, acupuncturist):
    factories.license_location(location, regime="llaa_1991", council=BOROUGH)
    factories.council_credential(
        acupuncturist, BOROUGH, valid_until=timezone.localdate() + timedelta(days=2)
    )
    with pytest.raises(InvalidRequest) as exc:
        book(acupuncturist, acupuncture, factories.next_weekday_at(10, days_ahead=10))
    assert "no London Borough of Testford special treatment licence" in exc.value.message


def test_an_exempt_physiotherapist_in_london_is_booked_without_a_licence(location, clinic):
    factories.license_location(location, regime="llaa_1991", council=BOROUGH, premises_from=False)
    physio = factories.practitioner("phys", qualified_medical=True)
    medical = Service.objects.get(name="Medical acupuncture")
    assert book(physio, medical, factories.next_weekday_at(10)).pk


def test_a_visit_without_needles_needs_no_licence(location, acupuncturist):
    factories.license_location(location, council=COUNCIL, premises_from=False)
    review = Service.objects.get(name="Follow-up")
    assert book(acupuncturist, review, factories.next_weekday_at(10)).pk


def test_free_slots_leave_out_a_practitioner_the_council_would_refuse(
    location, acupuncture, acupuncturist
):
    assert _free_with(acupuncturist, acupuncture, location)
    factories.license_location(location, council=COUNCIL)
    assert _free_with(acupuncturist, acupuncture, location) == []
    factories.council_credential(acupuncturist, COUNCIL)
    offered = _free_with(acupuncturist, acupuncture, location)
    assert offered
    # What is offered can be booked.
    assert book(acupuncturist, acupuncture, offered[0].start).pk


def test_free_slots_start_on_the_day_the_premises_are_registered(
    location, acupuncture, acupuncturist
):
    registered = timezone.localdate() + timedelta(days=4)
    factories.license_location(location, council=COUNCIL, premises_from=registered)
    factories.council_credential(acupuncturist, COUNCIL)
    offered = _free_with(acupuncturist, acupuncture, location, days=14)
    assert offered
    assert all(slot.start.date() >= registered for slot in offered)


def test_online_booking_does_not_offer_a_practitioner_the_council_would_refuse(
    location, acupuncture, acupuncturist
):
    factories.license_location(location, council=COUNCIL)
    assert acupuncturist not in online.practitioners_at(acupuncture, location)
    factories.council_credential(acupuncturist, COUNCIL)
    assert acupuncturist in online.practitioners_at(acupuncture, location)

"""The practitioner's iCalendar feed, parsed back with the icalendar library: valid RFC
5545 with its VTIMEZONE, 10:00 local on both sides of the clock change, nothing clinical,
and a URL that stops working the moment it is revoked."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Clinic
from acuclinic.core.formats import LONDON
from acuclinic.people.models import CalendarFeedToken
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.feeds import tokens as feed_tokens
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories

# Tue 10 Mar 2026, midday. The clocks go forward on Sun 29 Mar 2026.
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=LONDON)
TUESDAYS = [datetime(2026, 3, day, 10, 0, tzinfo=LONDON) for day in (17, 24, 31)] + [
    datetime(2026, 4, 7, 10, 0, tzinfo=LONDON)
]
CLINICAL_HISTORY = "Sciatica since lifting a wardrobe; takes apixaban"


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def mira(clock, clinic, practitioner):
    patient = factories.patient(
        given_name="Mira", family_name="Okafor", email="mira.okafor@example.test"
    )
    factories.clinical_summary(patient, by=practitioner.user, history=CLINICAL_HISTORY)
    return patient


@pytest.fixture
def course(mira, practitioner):
    """A weekly course at 10:00 on Tuesdays, across the clock change."""
    return [
        factories.appointment(
            patient=mira, practitioner=practitioner, start=start, notes="Needs the hoist"
        )
        for start in TUESDAYS
    ]


@pytest.fixture
def feed_url(practitioner):
    _, secret = feed_tokens.calendar_feed_issue(practitioner, user=practitioner.user)
    return reverse("calendar_feed_ics", args=[secret])


def _events(response) -> list:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    return sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))


def test_the_feed_is_valid_icalendar_with_a_vtimezone_for_london(client, course, feed_url):
    response = client.get(feed_url)
    calendar = Calendar.from_ical(response.content)
    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//acuclinic//Practitioner calendar feed//EN"
    assert b"\r\nX-PUBLISHED-TTL:PT15M\r\n" in response.content
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT15M\r\n" in response.content
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/London"
    assert {c.name for c in zone.subcomponents} == {"STANDARD", "DAYLIGHT"}
    events = _events(response)
    assert len(events) == 4
    for event in events:
        for required in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "SEQUENCE"):
            assert required in event
        assert event["DTSTART"].params["TZID"] == "Europe/London"
    # Lines are folded at 75 octets and end in CRLF, as RFC 5545 requires.
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))


def test_a_weekly_10am_course_stays_at_10_local_time_across_the_clock_change(
    client, course, feed_url
):
    starts = [event.decoded("dtstart") for event in _events(client.get(feed_url))]
    assert [start.astimezone(LONDON).hour for start in starts] == [10, 10, 10, 10]
    offsets = [start.utcoffset() for start in starts]
    assert offsets == [timedelta(0), timedelta(0), timedelta(hours=1), timedelta(hours=1)]


def test_each_event_names_the_service_and_where_but_no_patient(client, course, feed_url):
    event = _events(client.get(feed_url))[0]
    assert str(event["SUMMARY"]) == "Medical acupuncture"
    assert "Okafor" not in client.get(feed_url).content.decode()
    assert str(event["LOCATION"]) == "Room 1, Riverside, 1 Mill Lane, Testford, TE1 1ST"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(event["CLASS"]) == "PRIVATE"
    assert str(event["URL"]).endswith(reverse("appointment_detail", args=[course[0].pk]))
    assert event.decoded("dtend") - event.decoded("dtstart") == timedelta(minutes=30)


def test_a_clinic_that_opts_in_gets_the_patients_initial_and_surname(
    client, admin_user, course, feed_url
):
    client.force_login(admin_user)
    client.post(reverse("security_settings"), {"calendar_feed_patient_names": "on"})
    client.logout()
    event = _events(client.get(feed_url))[0]
    assert str(event["SUMMARY"]) == "Medical acupuncture — M. Okafor"


def test_the_feed_carries_nothing_clinical_nor_the_patients_details(client, course, feed_url):
    Clinic.objects.update(calendar_feed_patient_names=True)
    text = client.get(feed_url).content.decode()
    for private in (
        "apixaban",
        "Sciatica",
        "hoist",  # the front desk's notes
        "Mira",  # only the initial
        "mira.okafor@example.test",
        course[0].patient.phone.replace(" ", ""),
        str(course[0].patient.date_of_birth.year),
    ):
        assert private not in text.replace("\r\n ", ""), private


def test_the_feed_covers_a_month_back_to_a_year_ahead(client, mira, practitioner, feed_url):
    for start in (
        NOW - timedelta(days=32),
        NOW - timedelta(days=30),
        NOW + timedelta(days=364),
        NOW + timedelta(days=366),
    ):
        factories.appointment(patient=mira, practitioner=practitioner, start=start)
    starts = [event.decoded("dtstart") for event in _events(client.get(feed_url))]
    assert starts == [NOW - timedelta(days=30), NOW + timedelta(days=364)]


def test_only_the_practitioners_own_appointments_are_listed(client, course, feed_url, mira):
    colleague = factories.practitioner("colleague", qualified_medical=True)
    factories.appointment(
        patient=mira, practitioner=colleague, start=TUESDAYS[0] + timedelta(hours=3)
    )
    assert len(_events(client.get(feed_url))) == len(course)


def test_a_recent_cancellation_is_sent_as_cancelled_and_an_old_one_is_left_out(
    client, course, feed_url
):
    Appointment.objects.filter(pk=course[0].pk).update(
        status=AppointmentStatus.CANCELLED, cancelled_at=NOW - timedelta(days=2)
    )
    Appointment.objects.filter(pk=course[1].pk).update(
        status=AppointmentStatus.LATE_CANCELLED, cancelled_at=NOW - timedelta(days=40)
    )
    events = _events(client.get(feed_url))
    assert [(str(e["UID"]), str(e["STATUS"])) for e in events] == [
        (f"appointment-{course[0].pk}@acuclinic", "CANCELLED"),
        (f"appointment-{course[2].pk}@acuclinic", "CONFIRMED"),
        (f"appointment-{course[3].pk}@acuclinic", "CONFIRMED"),
    ]


def test_a_moved_appointment_keeps_its_uid_with_a_higher_sequence(client, clock, course, feed_url):
    before = _events(client.get(feed_url))[0]
    clock.shift(timedelta(hours=1))
    visit = course[0]
    visit.start += timedelta(hours=2)
    visit.end += timedelta(hours=2)
    visit.held_until = None  # worked out again on saving, from the new end
    visit.save()
    after = _events(client.get(feed_url))[0]
    assert after["UID"] == before["UID"]
    assert after["SEQUENCE"] > before["SEQUENCE"]
    assert after.decoded("last-modified") > before.decoded("last-modified")
    assert after.decoded("dtstart").astimezone(LONDON).hour == 12


def test_the_feed_is_private_briefly_cacheable_and_unchanged_feeds_answer_304(
    client, course, feed_url
):
    first = client.get(feed_url)
    assert "private" in first["Cache-Control"]
    assert "max-age=300" in first["Cache-Control"]
    assert first["ETag"]
    again = client.get(feed_url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    assert client.get(feed_url).content == first.content  # the same bytes while unchanged


@pytest.mark.parametrize(
    "secret",
    ["cal_" + "x" * 43, "nothing-like-a-token", "cal_" + "y" * 200],
    ids=["unknown", "malformed", "oversized"],
)
def test_an_unknown_url_is_a_plain_404_and_the_attempt_is_audited(client, course, secret):
    response = client.get(reverse("calendar_feed_ics", args=[secret]))
    assert response.status_code == 404
    assert response.content == b"Not found.\n"
    assert AuditEntry.objects.filter(
        action="denied", detail="calendar feed: unknown or revoked URL"
    ).exists()


def test_a_revoked_url_answers_exactly_like_one_that_never_existed(
    client, practitioner, course, feed_url
):
    feed_tokens.calendar_feed_revoke(practitioner, user=practitioner.user)
    revoked = client.get(feed_url)
    never = client.get(reverse("calendar_feed_ics", args=["cal_" + "x" * 43]))
    assert revoked.status_code == never.status_code == 404
    assert revoked.content == never.content
    assert revoked["Content-Type"] == never["Content-Type"]


def test_a_new_url_stops_the_old_one(client, practitioner, course, feed_url):
    _, secret = feed_tokens.calendar_feed_issue(practitioner, user=practitioner.user)
    assert client.get(feed_url).status_code == 404
    assert client.get(reverse("calendar_feed_ics", args=[secret])).status_code == 200
    assert CalendarFeedToken.objects.filter(practitioner=practitioner).count() == 2
    assert CalendarFeedToken.objects.filter(revoked_at__isnull=True).count() == 1


def test_the_feed_of_a_switched_off_account_stops(client, practitioner, course, feed_url):
    practitioner.user.is_active = False
    practitioner.user.save()
    assert client.get(feed_url).status_code == 404


def test_reading_the_feed_is_audited_with_where_it_came_from(client, course, feed_url):
    client.get(feed_url, REMOTE_ADDR="198.51.100.23")
    entry = AuditEntry.objects.get(action="view", object_type="people.calendarfeedtoken")
    assert entry.detail == "calendar feed read: 4 appointments"
    assert entry.client_address == "198.51.100.23"


def test_only_a_digest_of_the_secret_is_stored(practitioner):
    token, secret = feed_tokens.calendar_feed_issue(practitioner, user=practitioner.user)
    assert secret.startswith("cal_")
    assert len(secret) > 40
    assert token.digest != secret
    assert secret not in token.digest
    assert token.prefix == secret[:12]


def test_last_read_is_recorded(client, practitioner, course, feed_url):
    client.get(feed_url)
    assert CalendarFeedToken.objects.get(revoked_at__isnull=True).last_used_at == NOW

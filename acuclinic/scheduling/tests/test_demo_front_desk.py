"""The demo clinic's front desk: an enquiry inbox with every channel and status, the
enquiries and online bookings its newest patients came from, and a waitlist whose every
entry the waitlist's own rules would accept.

The scale-1 demo is built once for the module inside a transaction that is rolled back
at the end; each test runs in a savepoint inside it.
"""

from collections import Counter
from datetime import date, time

import pytest

from acuclinic.core.formats import LONDON
from acuclinic.demo.spec import DemoSpec
from acuclinic.enquiries.choices import EnquiryChannel, EnquiryStatus
from acuclinic.enquiries.models import Enquiry
from acuclinic.online_booking.choices import PatientMatch
from acuclinic.online_booking.models import OnlineBooking
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing.module_db import module_demo
from acuclinic.waitlist.choices import WaitlistStatus
from acuclinic.waitlist.models import WaitlistEntry

TODAY = date(2026, 4, 15)
SPEC = DemoSpec.at_scale(1, today=TODAY)

pytestmark = pytest.mark.django_db


demo = module_demo(SPEC)


def test_the_inbox_has_every_channel_and_status_with_the_newest_still_new(demo):
    enquiries = list(Enquiry.objects.all())

    assert {e.channel for e in enquiries} == set(EnquiryChannel.values)
    assert {e.status for e in enquiries} == set(EnquiryStatus.values)
    newest = max(e.received_at for e in enquiries)
    assert newest.astimezone(LONDON).date() <= TODAY
    news = [e for e in enquiries if e.status == EnquiryStatus.NEW]
    assert news
    assert all((TODAY - e.received_at.astimezone(LONDON).date()).days <= 10 for e in news)
    assert all(e.email or e.phone for e in enquiries)
    # Handled enquiries say by whom; a web enquiry nobody has opened yet says nobody.
    assert all(e.handled_by is not None for e in enquiries if e.status != EnquiryStatus.NEW)


def test_each_booked_enquiry_is_its_patients_first_visit_booked_by_the_same_channel(demo):
    booked = Enquiry.objects.filter(status=EnquiryStatus.BOOKED).select_related(
        "appointment", "patient"
    )

    assert booked.count() >= 3
    for enquiry in booked:
        visit = enquiry.appointment
        assert visit.patient == enquiry.patient
        assert visit.channel == enquiry.channel
        assert enquiry.received_at < visit.start
        assert not Appointment.objects.filter(patient=visit.patient, start__lt=visit.start).exists()


def test_online_bookings_are_first_visits_booked_online_and_the_last_weeks_await_a_check(demo):
    bookings = list(OnlineBooking.objects.select_related("appointment__patient"))

    assert bookings
    for booking in bookings:
        visit = booking.appointment
        assert visit.channel == "web"
        assert (booking.email, booking.date_of_birth) == (
            visit.patient.email,
            visit.patient.date_of_birth,
        )
        assert booking.match == PatientMatch.NEW
    waiting = [b for b in bookings if b.needs_check]
    assert waiting
    assert {b.checked_by.username for b in bookings if not b.needs_check} <= {"reception"}


def test_every_waitlist_entry_keeps_the_waitlists_rules(demo):
    entries = list(
        WaitlistEntry.objects.select_related("patient", "appointment__room").prefetch_related(
            "practitioners"
        )
    )

    assert len(entries) == 8
    assert Counter(bool(e.practitioners.all()) for e in entries) == {True: 4, False: 4}
    for entry in entries:
        visit = entry.appointment
        assert entry.status == WaitlistStatus.WAITING
        assert entry.patient.email
        assert 1 <= entry.weekdays <= 127
        assert entry.earliest < entry.latest
        assert TODAY <= entry.until < visit.start.astimezone(LONDON).date()
        assert visit.patient == entry.patient
        assert visit.status == AppointmentStatus.BOOKED
        assert (visit.service_id, visit.room.location_id) == (entry.service_id, entry.location_id)
        assert all(p.pk == visit.practitioner_id for p in entry.practitioners.all())


def test_enquiries_arrive_in_office_hours(demo):
    for received in Enquiry.objects.values_list("received_at", flat=True):
        assert time(8) <= received.astimezone(LONDON).time() <= time(19)

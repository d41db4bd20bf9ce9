"""The staff booking form starts its free-time search from the patient's own waitlist
preferences (issue 15, point 2): their service, site, practitioner, days and hours; and
lists only that site's rooms."""

from datetime import time, timedelta

from django.urls import reverse
from django.utils import timezone

from acuclinic.clinic.models import Location, Room, Service
from acuclinic.waitlist import services as waitlist


def _free_times(page: str) -> list[str]:
    """The "Choose …" labels of the free times listed."""
    return [part.split('"')[0] for part in page.split('aria-label="Choose ')[1:]]


def test_booking_for_a_waitlisted_patient_shows_times_that_suit_them(
    client, reception_user, practitioner, patient
):
    other = Location.objects.create(
        clinic=Location.objects.get().clinic,
        name="Northgate",
        address_line1="2 High St",
        town="Testford",
        postcode="TE2 2ND",
    )
    Room.objects.create(location=other, name="North room")
    waitlist.entry_add(
        patient=patient,
        service=Service.objects.get(name="Medical acupuncture"),
        location=Location.objects.get(name="Riverside"),
        weekdays=[1, 3],  # Tuesday and Thursday
        earliest=time(9),
        latest=time(11),
        until=timezone.localdate() + timedelta(days=60),
        practitioners=[practitioner],
    )
    client.force_login(reception_user)

    page = client.get(reverse("appointment_new") + f"?patient={patient.pk}").content.decode()

    assert "Filtered for" in page and "from their waitlist entry: Medical acupuncture" in page
    times = _free_times(page)
    assert times, "the search ran with the preferences"
    assert all(t.startswith(("Tue", "Thu")) for t in times), times
    assert all(("09:" in t or "10:" in t) for t in times), times  # finished by 11:00
    assert "North room" not in page  # the site's rooms only


def test_a_patient_not_on_the_waitlist_gets_no_search_until_asked(
    client, reception_user, practitioner, patient
):
    client.force_login(reception_user)

    page = client.get(reverse("appointment_new") + f"?patient={patient.pk}").content.decode()

    assert "Filtered for" not in page
    assert _free_times(page) == []


def test_the_days_and_hours_filter_refuses_a_window_that_ends_before_it_starts(
    client, reception_user, practitioner, patient
):
    client.force_login(reception_user)
    service = Service.objects.get(name="Follow-up")

    page = client.get(
        reverse("appointment_new"),
        {
            "patient": patient.pk,
            "find-service": service.pk,
            "find-location": Location.objects.get().pk,
            "find-earliest": "15:00",
            "find-latest": "10:00",
        },
    ).content.decode()

    assert "Must be later than “Not before”." in page

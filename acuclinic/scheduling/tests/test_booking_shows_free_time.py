"""The staff booking form shows free time (issue 15, point 2): for the service, site and
practitioner (or anyone) chosen, with morning / afternoon / evening filters, a day at a
time, each time filling the form in; the rooms offered are the site's own."""

import re

from django.urls import reverse
from django.utils import timezone

from acuclinic.clinic.models import Location, Room, Service
from acuclinic.testing import factories


def test_the_booking_form_lists_free_mornings_and_offers_the_site_s_rooms_only(
    client, reception_user, practitioner, patient
):
    client.force_login(reception_user)
    here = Room.objects.get(name="Room 1").location
    elsewhere = Location.objects.create(
        clinic=here.clinic,
        name="Hillside",
        address_line1="1 Hill St",
        town="Leeds",
        postcode="LS1 1AA",
    )
    Room.objects.create(location=elsewhere, name="Hillside room")
    day = timezone.localtime(factories.next_weekday_at(9)).date()
    url = reverse("appointment_new")

    page = client.get(
        url,
        {
            "patient": patient.pk,
            "location": here.pk,
            "find-service": Service.objects.get(name="Medical acupuncture").pk,
            "find-location": here.pk,
            "find-date": day.isoformat(),
            "find-when": "morning",
        },
    ).content.decode()

    times = re.findall(r'<a href="([^"]+)" aria-label="Choose [^"]+">(\d\d):\d\d', page)
    assert times and all(int(hour) < 12 for _, hour in times)
    first = times[0][0].replace("&amp;", "&")
    assert f"patient={patient.pk}" in first and f"practitioner={practitioner.pk}" in first
    form = client.get(first).context["form"]
    assert form.initial["practitioner"] == practitioner.pk
    assert "Hillside room" not in page
    assert {room.location_id for room in form.fields["room"].queryset} == {here.pk}

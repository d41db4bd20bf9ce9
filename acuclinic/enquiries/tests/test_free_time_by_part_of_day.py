"""Booking shows free time (issue 15, point 2): the free-time list opens without an
error, filters to mornings, afternoons or evenings, lists a day at a time, and an
enquiry that asks for mornings starts with mornings ticked."""

import re
from datetime import time

import pytest
from django.urls import reverse
from django.utils import timezone

from acuclinic.enquiries import services as enquiries
from acuclinic.online_booking.tests import helpers as h
from acuclinic.scheduling import slots
from acuclinic.testing import factories


@pytest.mark.parametrize(
    ("message", "asked"),
    [
        ("Mornings are best for me", ["morning"]),
        ("Any EVENING or lunchtime", ["afternoon", "evening"]),
        ("Do you treat knee pain?", []),
    ],
)
def test_the_parts_of_the_day_a_message_asks_for(message, asked):
    assert slots.parts_of_day_asked(message) == asked


def test_a_time_belongs_to_one_part_of_the_day():
    assert [slots.part_of_day(time(h)) for h in (8, 11, 12, 16, 17, 19)] == [
        "morning",
        "morning",
        "afternoon",
        "afternoon",
        "evening",
        "evening",
    ]


def test_find_a_free_time_opens_without_an_error_then_filters_mornings_by_day(
    client, reception_user, practitioner
):
    client.force_login(reception_user)
    start = h.a_weekday_at(9)
    url = reverse("free_slots")

    opened = client.get(url, {"location": h.location().pk}).content.decode()
    found = client.get(
        url,
        {
            "service": h.service().pk,
            "location": h.location().pk,
            "date": start.date().isoformat(),
            "when": "morning",
        },
    )

    assert "This field is required" not in opened
    times = [timezone.localtime(s.start).time() for s in found.context["slots"]]
    assert times and all(t < time(12) for t in times)
    day_headings = [day for day, _ in found.context["days"]]
    assert len(day_headings) == len(set(day_headings)) >= 1
    assert f"<h3>{day_headings[0]} " in found.content.decode()


def test_an_enquiry_asking_for_mornings_starts_with_mornings_ticked(
    client, reception_user, practitioner
):
    client.force_login(reception_user)
    enquiry = enquiries.enquiry_receive_web(
        name="Vera Asking",
        email="vera.asking@example.test",
        phone="",
        message="Do you treat knee pain? Mornings only please.",
    )
    enquiries.enquiry_link_patient(enquiry, patient=factories.patient(), user=reception_user)

    page = client.get(reverse("enquiry_book", args=[enquiry.pk])).content.decode()

    boxes = dict(re.findall(r'<input type="checkbox" name="when" value="(\w+)"([^>]*)>', page))
    assert " checked" in boxes["morning"]
    assert " checked" not in boxes["evening"]

"""Shared makings for the online booking, enquiry and waitlist tests: what the public
forms post, and a stamp old enough to pass the bot check."""

from datetime import timedelta
from urllib.parse import urlencode

from django.urls import reverse
from django.utils import timezone

from acuclinic.clinic.models import Location, Service
from acuclinic.notifications.models import Message
from acuclinic.online_booking import botcheck
from acuclinic.testing import factories

# Long enough after the form was shown to pass the "too fast for a person" check.
A_PERSON_TOOK = timedelta(seconds=40)


def service(name: str = "Assessment and acupuncture") -> Service:
    return Service.objects.get(name=name)


def location() -> Location:
    return Location.objects.select_related("clinic").get(name="Riverside")


def a_weekday_at(hour: int, minute: int = 0, *, days_ahead: int = 7):
    return factories.next_weekday_at(hour, minute, days_ahead=days_ahead)


def stamp(ago: timedelta = A_PERSON_TOOK) -> str:
    return botcheck.started_stamp(timezone.now() - ago)


def chosen(start, *, service_name: str = "Assessment and acupuncture", practitioner=None) -> dict:
    """The chosen time, as the details page's address and hidden fields carry it."""
    data = {
        "service": service(service_name).pk,
        "location": location().pk,
        "time": start.isoformat(),
    }
    if practitioner is not None:
        data["practitioner"] = practitioner.pk
    return data


def details_url(start, **kwargs) -> str:
    return reverse("online_details") + "?" + urlencode(chosen(start, **kwargs))


def person(**overrides) -> dict:
    """What a person types on the details form."""
    data = {
        "given_name": "Maggie",
        "family_name": "O'Brien",
        "dob_day": "12",
        "dob_month": "3",
        "dob_year": "1970",
        "email": "maggie.obrien@example.test",
        "phone": "07700 900461",
        "condition": "low_back",
        "wants_contact": "on",
        "website": "",
        "started": stamp(),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def book(
    client,
    start,
    *,
    practitioner=None,
    service_name="Assessment and acupuncture",
    ip="203.0.113.9",
    **typed,
):
    """POST the details form for ``start`` from address ``ip``; returns the response."""
    data = {
        **chosen(start, service_name=service_name, practitioner=practitioner),
        **person(**typed),
    }
    return client.post(reverse("online_details"), data, REMOTE_ADDR=ip)


def confirmation_for(appointment) -> Message:
    return Message.objects.get(kind="online_booking_confirmation", appointment=appointment)

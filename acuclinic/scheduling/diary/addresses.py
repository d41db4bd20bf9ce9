"""The diary's many links (each card's, each free time's) built by string formatting from
one ``reverse()`` per kind of link: a week of twenty practitioners has thousands of
them, and reversing each one was a good part of the page's time."""

from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote_plus

from django.urls import reverse

# A number no real id in a URL pattern will be confused with while splitting.
_MARKER = 987654321987


def by_pk(name: str) -> Callable[[int], str]:
    """``reverse(name, args=[pk])`` for any pk, at the cost of one ``reverse``."""
    head, tail = reverse(name, args=[_MARKER]).split(str(_MARKER))
    return lambda pk: f"{head}{pk}{tail}"


class BookingLinks:
    """The booking form's address for a free time, as ``urlencode`` would write it:
    ``…/book/?location=1&start=2026-03-03T10%3A00%3A00%2B00%3A00&practitioner=7``."""

    def __init__(self, location_id: int):
        self.head = f"{reverse('appointment_new')}?location={location_id}&start="

    def __call__(self, start: datetime, *, practitioner=None, room=None) -> str:
        url = self.head + quote_plus(start.isoformat())
        if practitioner is not None:
            url += f"&practitioner={practitioner}"
        if room is not None:
            url += f"&room={room}"
        return url

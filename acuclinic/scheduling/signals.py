"""What scheduling announces to the apps above it, so that it never imports them.

``time_freed``: a booked visit's time came free (cancelled, or moved away). Sent once the
change has committed, with ``freed``, a ``Freed``. The waitlist listens and offers the time
to whoever waits for it (waitlist/receivers.py, connected in its apps.py).

``diary_cards``: the diary is about to show ``appointments`` to ``user`` on ``today``.
Listeners add what they own to each card, as attributes the cards read (written by
diary/cards.py for the page, views/diary_feed.py for the calendar): safety adds the
patient's safety at a glance (``safety``, whose ``html()`` is the card's box) and whether
their questionnaire will be out of date by the visit (``questionnaire_due``), in one go
for the whole page (safety/receivers.py). ``flags_in_words`` (True unless given) says
whether the page puts a patient's safety flags in words or only says there are some (the
week's small cards, the calendar's feed): only words are a read of the answers.

``visit_status_changed``: a visit was booked (``old`` is None) or its status changed
(arrived, did not attend, cancelled late…). Sent inside the transaction that makes the
change, with ``appointment``, ``old`` and ``new``: what a listener writes commits with
the change or not at all, and a listener's refusal (a ``ServiceError``) refuses the
change. Billing listens: it invoices the visit and charges the clinic's policy fees
(billing/receivers.py).
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.dispatch import Signal


@dataclass(frozen=True)
class Freed:
    """What came free: a practitioner's time at a location."""

    practitioner_id: int
    location_id: int
    start: datetime
    end: datetime


time_freed = Signal()
# Staff booked, moved or cancelled a visit and left "tell the patient" ticked. Sent with
# ``appointment``, ``change`` ("booked", "moved", "cancelled"), ``by_email``, ``by_text``,
# ``previous_start`` (a move's old time), ``link_for`` (a path → an absolute link) and
# ``user``. Online booking queues the messages (online_booking/patient_notices.py).
patient_to_be_told = Signal()
diary_cards = Signal()
visit_status_changed = Signal()


@dataclass(frozen=True)
class BookingPreference:
    """What a patient asked for, as the staff booking form's free-time search uses it:
    the service, site and practitioner (None: anyone), the weekdays (Monday = 0) and the
    time of day a visit must fall within; ``source`` says where it came from, on the page."""

    source: str
    service_id: int
    location_id: int
    practitioner_id: int | None
    weekdays: tuple[int, ...]
    earliest: time
    latest: time


# The staff booking form is opened for ``patient``: a listener returns the patient's own
# ``BookingPreference`` (or None), and the free-time search starts from it. The waitlist
# answers with the entry the patient waits on (waitlist/receivers.py).
booking_preferences = Signal()

"""What scheduling announces to the apps above it, so that it never imports them.

``time_freed``: a booked visit's time came free (cancelled, or moved away). Sent once the
change has committed, with ``freed``, a ``Freed``. The waitlist listens and offers the time
to whoever waits for it (waitlist/receivers.py, connected in its apps.py).
"""

from dataclasses import dataclass
from datetime import datetime

from django.dispatch import Signal


@dataclass(frozen=True)
class Freed:
    """What came free: a practitioner's time at a location."""

    practitioner_id: int
    location_id: int
    start: datetime
    end: datetime


time_freed = Signal()

"""Telling people from form-filling programs on the public forms, without a captcha.

Two checks, both invisible to a person:

- a *honeypot*: a field hidden from people (and from screen readers), which programs
  that fill in every field fill in;
- a *time to fill*: the form carries the moment it was shown, signed with the server's
  secret so it cannot be forged, and a form sent back sooner than a person could read
  it is refused. A stamp too old (a page left open for a day) asks for a fresh page.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.utils import timezone

from acuclinic.core.errors import ServiceError

SALT = "acuclinic.public-form-started"
# Long enough for a morning's distraction; a stamp older than this is stale.
MAX_AGE = timedelta(hours=6)


class LooksAutomated(ServiceError):
    status = 400


def min_seconds() -> float:
    """How long a person takes at least (``ACUCLINIC_FORM_MIN_SECONDS``, default 3)."""
    return float(getattr(settings, "ACUCLINIC_FORM_MIN_SECONDS", 3))


def started_stamp(now: datetime | None = None) -> str:
    """The signed moment a form is shown, for its hidden ``started`` field."""
    moment = now or timezone.now()
    return signing.dumps(moment.timestamp(), salt=SALT)


def check(*, honeypot: str, started: str, now: datetime | None = None) -> None:
    """Refuse a form sent by a program: the honeypot filled in, the stamp forged or
    missing, or the form sent back faster than a person could fill it in."""
    now = now or timezone.now()
    if honeypot:
        raise LooksAutomated(
            "looks_automated",
            "This form was filled in in a way only a program would, so it was not sent.",
        )
    try:
        shown = float(signing.loads(started or "", salt=SALT))
    except (signing.BadSignature, TypeError, ValueError) as exc:
        raise LooksAutomated(
            "form_stamp_invalid",
            "This form could not be checked. Please open the page again and fill it in.",
        ) from exc
    taken = now.timestamp() - shown
    if taken < min_seconds():
        raise LooksAutomated(
            "too_fast",
            "This form was sent back faster than a person could fill it in, so it was "
            "not sent. Please check your details and send it again.",
        )
    if taken > MAX_AGE.total_seconds():
        raise LooksAutomated(
            "form_stale",
            "This page has been open for a long time. Please check your details and send it again.",
        )

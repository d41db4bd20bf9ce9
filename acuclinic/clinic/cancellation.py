"""The one rule for a patient who wants to cancel or move a visit themselves.

The portal, the link in a booking email, the API and the Booking rules page all ask this
module, so they say the same thing:

- a patient may cancel online until the visit starts; with less notice than the clinic's
  cancellation notice it counts as a late cancellation, and they are told so and asked
  to confirm before anything happens;
- a patient may move a visit online only with at least that much notice (inside it the
  clinic can no longer offer the time to someone else), and only a kind of visit the
  clinic books online.

Pure: no database, no Django. The caller passes what it knows of the visit.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class PatientChange:
    """What a patient may do with one visit now, and why not where they may not."""

    may_cancel: bool
    late: bool  # cancelling now would be recorded as a late cancellation
    may_move: bool
    cancel_refusal: str = ""
    move_refusal: str = ""
    notice_hours: int = 0


def is_late(*, start: datetime, now: datetime, notice_hours: int) -> bool:
    """Inside the notice period before the visit (0 hours: nothing is ever late)."""
    return start - now < timedelta(hours=notice_hours)


def patient_change(
    *,
    booked: bool,
    status_label: str,
    start: datetime,
    now: datetime,
    notice_hours: int,
    service_name: str,
    bookable_online: bool,
) -> PatientChange:
    late = is_late(start=start, now=now, notice_hours=notice_hours)
    if not booked:
        return PatientChange(
            may_cancel=False,
            late=False,
            may_move=False,
            cancel_refusal=(
                f"This appointment is marked “{status_label}”, so there is nothing to cancel."
            ),
            move_refusal=f"This appointment is marked “{status_label}”, so it cannot be moved.",
            notice_hours=notice_hours,
        )
    if start <= now:
        started = "This appointment has already started. Please call the clinic."
        return PatientChange(False, False, False, started, started, notice_hours)
    move_refusal = ""
    if not bookable_online:
        move_refusal = (
            f"{service_name} appointments are arranged by the clinic, so this one cannot be "
            "moved online. Please call the clinic to change it."
        )
    elif late:
        move_refusal = (
            f"Your appointment is less than {notice_hours} hours away, so it cannot be moved "
            "online. Please call the clinic, or cancel it online (that counts as a late "
            "cancellation)."
        )
    return PatientChange(
        may_cancel=True,
        late=late,
        may_move=not move_refusal,
        move_refusal=move_refusal,
        notice_hours=notice_hours,
    )


def policy(notice_hours: int) -> str:
    """The rule in words, as the Booking rules page, the API and patients' emails say it."""
    if notice_hours == 0:
        return (
            "Patients may cancel or move an appointment online (in the portal or from the "
            "link in their booking email) until it starts. No cancellation counts as late."
        )
    return (
        "Patients may cancel online (in the portal or from the link in their booking email) "
        f"until the appointment starts. With less than {notice_hours} hours' notice the "
        "cancellation counts as late: they are told so and asked to confirm first. Moving "
        f"online needs at least {notice_hours} hours' notice; inside that, patients are "
        "asked to call. A cancellation by the clinic never counts as late."
    )

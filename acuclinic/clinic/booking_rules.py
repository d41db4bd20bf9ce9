"""The clinic's booking rules: how much notice a cancellation needs before it counts as
late, and the minimum notice and horizon for online bookings.

They live on the ``Clinic`` row itself, not in a settings row of their own, because
scheduling, online booking, reminders and the portal read them there. Changing them is
audited like every other settings page (clinic.policies).
"""

from dataclasses import dataclass

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import transaction

from acuclinic.clinic.models import Clinic
from acuclinic.clinic.policies import apply_settings, refuse_unknown
from acuclinic.core.errors import InvalidRequest

CANCELLATION_NOTICE = "cancellation_notice_hours"
MIN_BOOKING_NOTICE = "min_booking_notice_hours"
BOOKING_HORIZON = "booking_horizon_days"
ARRIVAL_WINDOW = "arrival_window_minutes"
BOOKING_RULES = (CANCELLATION_NOTICE, MIN_BOOKING_NOTICE, BOOKING_HORIZON, ARRIVAL_WINDOW)

# How each rule is named in a message to clinic staff, and its unit.
_SAID_AS = {
    CANCELLATION_NOTICE: ("The cancellation notice", "hours"),
    MIN_BOOKING_NOTICE: ("The minimum notice for online bookings", "hours"),
    BOOKING_HORIZON: ("The online booking horizon", "days"),
    ARRIVAL_WINDOW: ("How early a patient can be marked arrived", "minutes"),
}


@dataclass(frozen=True)
class Limits:
    low: int
    high: int
    unit: str

    def __str__(self) -> str:
        # "of hours from 0 to 168 (7 days)": staff think of a week, not of 168 hours.
        said = f"of {self.unit} from {self.low} to {self.high}"
        if self.unit == "hours" and self.high % 24 == 0:
            said += f" ({self.high // 24} days)"
        return said


def limits(name: str) -> Limits:
    """The range the model (and the database's check constraints) allow for ``name``."""
    field = Clinic._meta.get_field(name)
    lows = [v.limit_value for v in field.validators if isinstance(v, MinValueValidator)]
    highs = [v.limit_value for v in field.validators if isinstance(v, MaxValueValidator)]
    # A positive integer field starts at 0 even where the database reports no minimum.
    return Limits(low=max([0, *lows]), high=min(highs), unit=_SAID_AS[name][1])


def out_of_range_message(name: str) -> str:
    return f"{_SAID_AS[name][0]} must be a whole number {limits(name)}."


def current(clinic: Clinic) -> dict[str, int]:
    return {name: getattr(clinic, name) for name in BOOKING_RULES}


def _is_whole_number(value) -> bool:
    # bool is an int in Python, but True is not a number of hours.
    return isinstance(value, int) and not isinstance(value, bool)


def _check(name: str, value) -> None:
    allowed = limits(name)
    if not (_is_whole_number(value) and allowed.low <= value <= allowed.high):
        raise InvalidRequest("invalid_" + name, out_of_range_message(name), field=name)


def booking_rules_update(clinic: Clinic, *, user=None, **fields) -> Clinic:
    """Change some of ``clinic``'s booking rules; returns the clinic as saved.

    An unknown rule or a value out of range raises ``InvalidRequest`` (code
    ``unknown_setting`` or ``invalid_<field>``) and writes nothing. Only the rules that
    changed are audited; a change that changes nothing writes nothing.
    """
    refuse_unknown(fields, BOOKING_RULES)
    for name, value in fields.items():
        _check(name, value)
    others = [f.name for f in Clinic._meta.concrete_fields if f.name not in BOOKING_RULES]
    with transaction.atomic():
        row = Clinic.objects.select_for_update().get(pk=clinic.pk)
        apply_settings(row, BOOKING_RULES, fields, exclude=others, user=user)
    return row

"""How long a patient's record must be kept (no Django): the clinic's policy applied to a
date of birth and the last contact.

Defaults and their source: Records Management Code of Practice (NHS England / NHSX 2021),
Appendix II retention schedule — adult health records: 8 years after the conclusion of
treatment; children's records: until the patient's 25th birthday, or 26th if they were 17
at the conclusion of treatment (clinical/README.md §8).
"""

from dataclasses import dataclass
from datetime import date

SOURCE = (
    "Records Management Code of Practice 2021 (NHS England), Appendix II: adult health "
    "records 8 years after the conclusion of treatment; children's records until the 25th "
    "birthday, or 26th if 17 at the conclusion of treatment."
)
ADULT_YEARS = 8
CHILD_UNTIL_AGE = 25
CHILD_UNTIL_AGE_IF_17 = 26


@dataclass(frozen=True)
class Rules:
    adult_years: int = ADULT_YEARS
    child_until_age: int = CHILD_UNTIL_AGE
    child_until_age_if_17: int = CHILD_UNTIL_AGE_IF_17


@dataclass(frozen=True)
class Duty:
    keep_until: date
    reason: str


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def duty(born: date, last_contact: date, rules: Rules = Rules()) -> Duty:
    """Until when the record must be kept, and why, in a sentence."""
    adult_until = add_years(last_contact, rules.adult_years)
    age = age_on(born, last_contact)
    reason = f"{rules.adult_years} years after the last contact on {last_contact:%-d %b %Y}"
    if age < 18:
        birthday = rules.child_until_age_if_17 if age == 17 else rules.child_until_age
        child_until = add_years(born, birthday)
        if child_until >= adult_until:
            aged = " (17 at the end of care)" if age == 17 else ""
            return Duty(child_until, f"until their {birthday}th birthday{aged}")
    return Duty(adult_until, reason)

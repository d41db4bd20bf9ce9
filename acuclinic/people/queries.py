"""Finding patients: by name, date of birth or phone, in one search box."""

import re
from datetime import date, datetime

from django.db.models import Q, QuerySet

from acuclinic.people.models import Patient
from acuclinic.people.phone import national_digits

_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")
# Shorter than this, digits are more likely part of an address or a year than a number.
_MIN_NUMBER_DIGITS = 5


def parse_search_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def _number_filter(text: str) -> Q | None:
    """A phone number (any layout) or an NHS number, when ``text`` is only that."""
    digits = re.sub(r"\D", "", text)
    if len(digits) < _MIN_NUMBER_DIGITS or len(digits) < len(re.sub(r"[\s+()-]", "", text)):
        return None
    return Q(phone_digits__contains=national_digits(text)) | Q(nhs_number=digits)


def _name_filter(word: str) -> Q:
    return (
        Q(family_name__istartswith=word)
        | Q(given_name__istartswith=word)
        | Q(preferred_name__istartswith=word)
        | Q(email__iexact=word)
    )


def search_patients(text: str) -> QuerySet[Patient]:
    """Every word must match: a name part, a date of birth, or phone/NHS digits.

    "smith 12/03/1980" finds Smiths born that day; "07700 900" finds by phone prefix;
    "jean 12 March 1980" reads the last three words as one date.
    """
    text = (text or "").strip()
    qs = Patient.objects.all()
    if not text:
        return qs.none()
    whole_date = parse_search_date(text)
    if whole_date:
        return qs.filter(date_of_birth=whole_date)
    whole_number = _number_filter(text)
    if whole_number is not None:
        return qs.filter(whole_number)
    words = text.split()
    i = 0
    while i < len(words):
        # A date written with spaces ("12 Mar 1980") spans three words.
        day = parse_search_date(" ".join(words[i : i + 3])) if i + 3 <= len(words) else None
        if day:
            qs = qs.filter(date_of_birth=day)
            i += 3
            continue
        word = words[i]
        i += 1
        day = parse_search_date(word)
        number = _number_filter(word)
        if day:
            qs = qs.filter(date_of_birth=day)
        elif number is not None:
            qs = qs.filter(number)
        else:
            qs = qs.filter(_name_filter(word))
    return qs

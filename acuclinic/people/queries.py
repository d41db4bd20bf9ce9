"""Finding patients: by name, date of birth or phone, in one search box."""

import re
from datetime import date, datetime

from django.db.models import Q, QuerySet

from acuclinic.people.models import Patient
from acuclinic.people.phone import national_digits

_DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d", "%d.%m.%Y", "%d %b %Y", "%d %B %Y")


def parse_search_date(text: str) -> date | None:
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).date()
        except ValueError:
            continue
    return None


def search_patients(text: str) -> QuerySet[Patient]:
    """Every word must match: a name part, a date of birth, or phone/NHS digits.

    "smith 12/03/1980" finds Smiths born that day; "07700 900" finds by phone prefix.
    """
    text = (text or "").strip()
    qs = Patient.objects.all()
    if not text:
        return qs.none()
    whole_date = parse_search_date(text)
    if whole_date:
        return qs.filter(date_of_birth=whole_date)
    digits = re.sub(r"\D", "", text)
    if len(digits) >= 5 and len(digits) >= len(re.sub(r"[\s+()-]", "", text)):
        # The whole query is a number: a phone number (any layout) or an NHS number.
        return qs.filter(Q(phone_digits__contains=national_digits(text)) | Q(nhs_number=digits))
    for word in text.split():
        day = parse_search_date(word)
        if day:
            qs = qs.filter(date_of_birth=day)
        else:
            qs = qs.filter(
                Q(family_name__istartswith=word)
                | Q(given_name__istartswith=word)
                | Q(preferred_name__istartswith=word)
                | Q(email__iexact=word)
            )
    return qs

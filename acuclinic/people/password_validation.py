"""A password must not be made of the person's own details or the clinic's name.

Django's similarity check compares the whole password with each detail, so "zara shah
reception" (first name, surname, role) passes it. This one takes out every word of the
person's name, username, email address, role and the clinic's name (and digits, spaces
and punctuation); fewer than six letters left means the password is guessable by anyone
who knows who they are.
"""

import re

from django.core.exceptions import ValidationError

from acuclinic.clinic.models import Clinic

MIN_LEFT = 6
ROLE_WORDS = {"clinic", "admin", "practitioner", "reception", "receptionist", "staff"}


def _words(*values: str) -> set[str]:
    found = set()
    for value in values:
        for word in re.split(r"[^a-z]+", (value or "").lower()):
            if len(word) >= 3:
                found.add(word)
    return found


class PersonalDetailsValidator:
    def validate(self, password: str, user=None) -> None:
        details = [
            getattr(user, "first_name", ""),
            getattr(user, "last_name", ""),
            getattr(user, "username", ""),
            getattr(user, "email", ""),
        ]
        details += list(Clinic.objects.values_list("name", flat=True)[:5])
        words = sorted(_words(*details) | ROLE_WORDS, key=len, reverse=True)
        left = password.lower()
        for word in words:
            left = left.replace(word, "")
        if len(re.sub(r"[^a-z]", "", left)) < MIN_LEFT:
            raise ValidationError(
                "This password is made mostly of your name, email, role or the clinic's "
                "name. Choose words nobody could guess from who you are.",
                code="password_personal_details",
            )

    def get_help_text(self) -> str:
        return "Your password can't be made of your name, email, role or the clinic's name."

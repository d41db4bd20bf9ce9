"""UK phone numbers reduced to national digits, so any layout finds the same patient."""

import re


def national_digits(text: str) -> str:
    """'+44 (0)7700 900123', '0044 7700 900123', '447700900123' -> '07700900123'."""
    digits = re.sub(r"\D", "", text or "")
    if digits.startswith("0044"):
        # "00" is how the UK dials out, so "0044…" is the same as "+44…".
        digits = digits[2:]
    if digits.startswith("440"):
        digits = digits[2:]
    elif digits.startswith("44") and len(digits) == 12:
        digits = "0" + digits[2:]
    return digits[:20]

"""NHS number check digit (modulus 11), as the NHS Data Dictionary defines it.

Source: NHS Data Dictionary, "NHS Number" — the first nine digits are weighted 10 down
to 2, the sum is taken modulo 11, and 11 minus the remainder is the check digit
(11 becomes 0; 10 means the number is invalid).
"""

import re

_NON_DIGITS = re.compile(r"[\s-]")


def normalise(value: str) -> str:
    """Digits only: '943 476 5919' -> '9434765919'."""
    return _NON_DIGITS.sub("", value or "")


def check_digit(first_nine: str) -> int | None:
    """The check digit for nine digits, or None when no valid number can end them."""
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    digit = 11 - total % 11
    if digit == 11:
        return 0
    if digit == 10:
        return None
    return digit


def is_valid(value: str) -> bool:
    digits = normalise(value)
    if len(digits) != 10 or not digits.isdigit():
        return False
    return check_digit(digits[:9]) == int(digits[9])


def format_nhs_number(value: str) -> str:
    """The 3-3-4 grouping used on NHS letters."""
    d = normalise(value)
    return f"{d[:3]} {d[3:6]} {d[6:]}" if len(d) == 10 else value

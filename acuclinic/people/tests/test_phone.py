"""Phone numbers reduced to national digits, so any layout finds the same patient."""

import pytest

from acuclinic.people.phone import national_digits


@pytest.mark.parametrize(
    "written",
    [
        "07700 900123",
        "07700900123",
        "07700-900-123",
        "(07700) 900 123",
        "+44 7700 900123",
        "+44 (0)7700 900123",
        "447700900123",
        "0044 7700 900123",
    ],
)
def test_every_layout_of_a_uk_mobile_gives_the_same_digits(written):
    assert national_digits(written) == "07700900123"


def test_a_landline_keeps_its_area_code():
    assert national_digits("+44 1632 960123") == national_digits("01632 960123") == "01632960123"


def test_nothing_written_gives_no_digits():
    assert national_digits("") == ""
    assert national_digits(None) == ""

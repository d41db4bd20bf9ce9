"""The NHS number check digit (modulus 11), as the NHS Data Dictionary defines it."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from acuclinic.people import nhs_number

# Pure and quick, but a busy CI machine must not fail them on timing.
no_deadline = settings(deadline=None)

# The Data Dictionary's own example, and numbers from the 999 range kept for testing.
VALID = ["9434765919", "9990000018", "9990000026"]


@pytest.mark.parametrize("number", VALID)
def test_it_accepts_a_number_with_the_right_check_digit(number):
    assert nhs_number.is_valid(number)


@pytest.mark.parametrize(
    "number",
    [
        "9434765918",  # wrong check digit
        "943476591",  # nine digits
        "94347659190",  # eleven digits
        "943476591X",  # not a digit
        "",
    ],
)
def test_it_refuses_a_number_that_is_not_an_nhs_number(number):
    assert not nhs_number.is_valid(number)


@pytest.mark.parametrize("written", ["943 476 5919", "943-476-5919", " 9434765919 "])
def test_it_accepts_the_number_as_people_write_it(written):
    assert nhs_number.is_valid(written)
    assert nhs_number.normalise(written) == "9434765919"


def test_it_shows_the_number_grouped_three_three_four():
    assert nhs_number.format_nhs_number("9434765919") == "943 476 5919"


def test_nine_digits_whose_check_would_be_ten_can_never_be_valid():
    # 6 × 2 = 12; 12 mod 11 = 1; 11 − 1 = 10, which is no digit: no number starts so.
    assert nhs_number.check_digit("000000006") is None
    assert not any(nhs_number.is_valid(f"000000006{d}") for d in range(10))


nine_digits = st.text(alphabet="0123456789", min_size=9, max_size=9)


@no_deadline
@given(nine_digits)
def test_the_check_digit_is_eleven_minus_the_weighted_sum_modulo_eleven(first_nine):
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    expected = (11 - total % 11) % 11
    check = nhs_number.check_digit(first_nine)
    if expected == 10:
        assert check is None
    else:
        assert check == expected
        assert nhs_number.is_valid(first_nine + str(check))
        # Exactly one last digit completes a valid number.
        assert [d for d in range(10) if nhs_number.is_valid(first_nine + str(d))] == [check]


valid_numbers = nine_digits.filter(lambda s: nhs_number.check_digit(s) is not None).map(
    lambda s: s + str(nhs_number.check_digit(s))
)


@no_deadline
@given(valid_numbers, st.integers(0, 9), st.integers(1, 9))
def test_a_single_mistyped_digit_is_always_caught(number, position, shift):
    wrong = str((int(number[position]) + shift) % 10)
    typo = number[:position] + wrong + number[position + 1 :]
    assert not nhs_number.is_valid(typo)


@no_deadline
@given(valid_numbers, st.integers(0, 8))
def test_two_neighbouring_digits_swapped_are_always_caught(number, position):
    a, b = number[position], number[position + 1]
    swapped = number[:position] + b + a + number[position + 2 :]
    assert nhs_number.is_valid(swapped) == (a == b)

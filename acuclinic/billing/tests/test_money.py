"""The pure money rules: VAT inside a VAT-inclusive price, percentages, pro rata."""

from hypothesis import given
from hypothesis import strategies as st

from acuclinic.billing import money


def test_vat_in_a_gross_price_is_rounded_to_the_nearest_penny_halves_up():
    assert money.vat_in_gross(6000, 20) == 1000  # £60.00 includes £10.00
    assert money.vat_in_gross(5001, 20) == 834  # 833.5 rounds up
    assert money.vat_in_gross(5000, 20) == 833  # 833.33 rounds down
    assert money.vat_in_gross(5000, 0) == 0


def test_a_percentage_fee_is_rounded_halves_up():
    assert money.percent_of(4500, 50) == 2250
    assert money.percent_of(4999, 50) == 2500  # 2499.5 rounds up
    assert money.percent_of(1, 50) == 1


@given(st.lists(st.tuples(st.integers(0, money.MAX_LINE_PENCE), st.sampled_from([0, 20]))))
def test_totals_are_the_sum_of_their_lines(lines):
    found = money.totals([money.Line(g, r) for g, r in lines])
    assert found.gross_pence == sum(g for g, _ in lines)
    assert found.vat_pence == sum(money.vat_in_gross(g, r) for g, r in lines)
    assert 0 <= found.vat_pence <= found.gross_pence


@given(st.integers(0, money.MAX_LINE_PENCE))
def test_vat_is_never_more_than_a_sixth_of_the_price_plus_half_a_penny(gross):
    vat = money.vat_in_gross(gross, 20)
    assert abs(vat * 6 - gross) <= 3  # |vat - gross/6| <= 0.5p


@given(st.integers(0, 10**6), st.integers(1, 20), st.data())
def test_pro_rata_refund_never_exceeds_what_was_paid(paid, of, data):
    used = data.draw(st.integers(0, of))
    refund = money.pro_rata(paid, used, of)
    assert 0 <= refund <= paid
    assert money.pro_rata(paid, 0, of) == paid


def test_aged_debt_buckets():
    assert [money.age_bucket(d) for d in (0, 30, 31, 60, 61, 90, 91)] == [0, 0, 1, 1, 2, 2, 3]


def test_pounds():
    assert money.pounds(123450) == "£1,234.50"
    assert money.pounds(-500) == "−£5.00"

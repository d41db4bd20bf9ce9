"""Money arithmetic for invoices, in whole pence: no Django, property-tested.

Rounding (stated on every invoice): prices are what the patient pays, VAT included.
The VAT inside a line is worked out per line as ``gross × rate ÷ (100 + rate)``,
rounded to the nearest penny, halves up (HMRC allows rounding per line, to the
nearest penny); the invoice's VAT is the sum of its lines' VAT, so the lines always
add up to the totals. A percentage of an amount (a late-cancellation fee of 50 %) is
rounded the same way.
"""

from dataclasses import dataclass

STANDARD_RATE = 20
# Larger than any one line a clinic bills (a year of weekly sessions is under £10,000).
MAX_LINE_PENCE = 10_000_00

ROUNDING_NOTE = (
    "Prices include VAT where it applies. VAT is worked out per line, rounded to the "
    "nearest penny (halves up)."
)


def _div_half_up(numerator: int, denominator: int) -> int:
    if numerator < 0:
        return -_div_half_up(-numerator, denominator)
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (1 if 2 * remainder >= denominator else 0)


def vat_in_gross(gross_pence: int, rate_percent: int) -> int:
    """The VAT contained in a VAT-inclusive amount at ``rate_percent``."""
    if rate_percent == 0:
        return 0
    return _div_half_up(gross_pence * rate_percent, 100 + rate_percent)


def percent_of(amount_pence: int, percent: int) -> int:
    return _div_half_up(amount_pence * percent, 100)


@dataclass(frozen=True)
class Line:
    gross_pence: int
    vat_rate: int


@dataclass(frozen=True)
class Totals:
    gross_pence: int
    vat_pence: int

    @property
    def net_pence(self) -> int:
        return self.gross_pence - self.vat_pence


def totals(lines: list[Line]) -> Totals:
    return Totals(
        gross_pence=sum(line.gross_pence for line in lines),
        vat_pence=sum(vat_in_gross(line.gross_pence, line.vat_rate) for line in lines),
    )


def pro_rata(paid_pence: int, used: int, of: int) -> int:
    """What the unused part of a block of ``of`` sessions bought for ``paid_pence`` is
    worth once ``used`` are used: rounded down, so a refund never exceeds what was paid."""
    if of <= 0:
        return 0
    return paid_pence * (of - used) // of


AGE_BUCKETS = ("0–30 days", "31–60 days", "61–90 days", "90+ days")


def age_bucket(days_overdue: int) -> int:
    """Which aged-debt column a debt ``days`` old falls in (0–3)."""
    if days_overdue <= 30:
        return 0
    if days_overdue <= 60:
        return 1
    if days_overdue <= 90:
        return 2
    return 3


def pounds(pence: int) -> str:
    """£1,234.50; a negative amount as −£5.00."""
    sign = "−" if pence < 0 else ""
    pence = abs(pence)
    return f"{sign}£{pence // 100:,}.{pence % 100:02d}"

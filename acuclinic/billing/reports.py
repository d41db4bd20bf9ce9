"""The clinic's figures, each in a fixed number of queries whatever the number of
invoices: the database sums and groups, Python only lays out the rows."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Case, F, IntegerField, Sum, When
from django.utils import timezone

from acuclinic.billing import money
from acuclinic.billing.choices import PaymentKind, PaymentMethod
from acuclinic.billing.models import Payment
from acuclinic.core.formats import LONDON


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=LONDON)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=LONDON)


_SIGNED = Sum(
    Case(
        When(kind=PaymentKind.REFUND, then=-1 * F("amount_pence")),
        default="amount_pence",
        output_field=IntegerField(),
    )
)


@dataclass
class Takings:
    day: date
    by_method: list[tuple[str, int]] = field(default_factory=list)
    by_practitioner: list[tuple[str, int]] = field(default_factory=list)
    total_pence: int = 0
    cash_pence: int = 0

    @property
    def total(self) -> str:
        return money.pounds(self.total_pence)


def takings(day: date, *, practitioner=None) -> Takings:
    """Money taken on ``day`` (refunds subtracted), by method and by practitioner: the
    till cash-up. Account credit and prepaid sessions move money already held and are
    not takings. ``practitioner``: only what their visits brought in."""
    start, end = _day_bounds(day)
    rows = Payment.objects.filter(
        received_at__gte=start, received_at__lt=end, method__in=PaymentMethod.money_in()
    )
    if practitioner is not None:
        rows = rows.filter(practitioner=practitioner)
    result = Takings(day=day)
    labels = dict(PaymentMethod.choices)
    for method, amount in rows.values_list("method").annotate(s=_SIGNED).order_by("method"):
        result.by_method.append((labels[method], amount))
        result.total_pence += amount
        if method == PaymentMethod.CASH:
            result.cash_pence = amount
    names = (
        rows.values_list("practitioner__user__first_name", "practitioner__user__last_name")
        .annotate(s=_SIGNED)
        .order_by("practitioner__user__last_name", "practitioner__user__first_name")
    )
    for first, last, amount in names:
        name = f"{first} {last}".strip() if last or first else "No practitioner (on account)"
        result.by_practitioner.append((name, amount))
    return result


def today() -> date:
    return timezone.localdate()

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


# Aged debt ---------------------------------------------------------------------------


@dataclass
class AgedDebt:
    on: date
    buckets: list[int] = field(default_factory=lambda: [0, 0, 0, 0])
    rows: list[dict] = field(default_factory=list)  # the largest debts, oldest first

    @property
    def total_pence(self) -> int:
        return sum(self.buckets)


def aged_debt(on: date | None = None, *, top: int = 50) -> AgedDebt:
    """What is owed, by how long since the invoice (0–30, 31–60, 61–90, 90+ days): one
    query for the sums, one for the oldest debts listed, whatever the invoices."""
    from acuclinic.billing.models import Outstanding

    on = on or today()
    end = datetime.combine(on + timedelta(days=1), time(0), tzinfo=LONDON)
    edges = [end - timedelta(days=d) for d in (31, 61, 91)]
    rows = Outstanding.objects.filter(issued_at__lt=end)
    sums = rows.aggregate(
        b0=Sum(Case(When(issued_at__gte=edges[0], then="owed_pence"), default=0)),
        b1=Sum(
            Case(
                When(issued_at__lt=edges[0], issued_at__gte=edges[1], then="owed_pence"),
                default=0,
            )
        ),
        b2=Sum(
            Case(
                When(issued_at__lt=edges[1], issued_at__gte=edges[2], then="owed_pence"),
                default=0,
            )
        ),
        b3=Sum(Case(When(issued_at__lt=edges[2], then="owed_pence"), default=0)),
    )
    result = AgedDebt(on=on, buckets=[sums[f"b{i}"] or 0 for i in range(4)])
    for o in rows.select_related("invoice", "patient").order_by("issued_at")[:top]:
        days = (on - timezone.localtime(o.issued_at, LONDON).date()).days
        result.rows.append(
            {
                "invoice": o.invoice,
                "patient": o.patient,
                "days": days,
                "bucket": money.AGE_BUCKETS[money.age_bucket(days)],
                "owed_pence": o.owed_pence,
            }
        )
    return result


# Revenue -----------------------------------------------------------------------------


@dataclass
class Revenue:
    start: date
    end: date
    by_month: list[tuple[date, int]] = field(default_factory=list)
    by_service: list[tuple[str, int]] = field(default_factory=list)
    by_practitioner: list[tuple[str, int]] = field(default_factory=list)
    total_pence: int = 0


def revenue(start: date, end: date) -> Revenue:
    """Invoiced less credited, without VAT, for invoices issued from ``start`` to
    ``end`` inclusive: by month, by service and by practitioner (three queries)."""
    from acuclinic.billing.choices import InvoiceKind, InvoiceStatus
    from acuclinic.billing.models import InvoiceLine

    lo = datetime.combine(start, time(0), tzinfo=LONDON)
    hi = datetime.combine(end + timedelta(days=1), time(0), tzinfo=LONDON)
    lines = InvoiceLine.objects.filter(
        invoice__status=InvoiceStatus.ISSUED,
        invoice__issued_at__gte=lo,
        invoice__issued_at__lt=hi,
    )
    net = Sum(
        Case(
            When(
                invoice__kind=InvoiceKind.CREDIT_NOTE,
                then=F("vat_pence") - F("amount_pence"),
            ),
            default=F("amount_pence") - F("vat_pence"),
            output_field=IntegerField(),
        )
    )
    result = Revenue(start=start, end=end)
    # One grouped query (month × service × practitioner: at most a few thousand rows
    # whatever the invoices), summed three ways here.
    rows = (
        lines.values_list(
            "invoice__issued_month",
            "service__name",
            "practitioner__user__first_name",
            "practitioner__user__last_name",
        )
        .annotate(s=net)
        .order_by()
    )
    by_month: dict[date, int] = {}
    by_service: dict[str, int] = {}
    by_practitioner: dict[str, int] = {}
    for month, service, first, last, amount in rows:
        month_day = month.date() if isinstance(month, datetime) else month
        by_month[month_day] = by_month.get(month_day, 0) + amount
        service = service or "Other items"
        by_service[service] = by_service.get(service, 0) + amount
        name = f"{first} {last}".strip() if (first or last) else "No practitioner"
        by_practitioner[name] = by_practitioner.get(name, 0) + amount
        result.total_pence += amount
    result.by_month = sorted(by_month.items())
    result.by_service = sorted(by_service.items(), key=lambda x: (-x[1], x[0]))
    result.by_practitioner = sorted(by_practitioner.items(), key=lambda x: (-x[1], x[0]))
    return result


# The accountant's export -------------------------------------------------------------

# Xero's "Sales invoice" import template columns (the starred ones are required by
# Xero); a credit note's line has a negative UnitAmount. Tax types: Xero's UK names.
INVOICE_COLUMNS = [
    "*ContactName",
    "EmailAddress",
    "*InvoiceNumber",
    "Reference",
    "*InvoiceDate",
    "*DueDate",
    "*Description",
    "*Quantity",
    "*UnitAmount",
    "*AccountCode",
    "*TaxType",
    "TaxAmount",
    "Currency",
]
PAYMENT_COLUMNS = ["Date", "Amount", "Payee", "Description", "Reference", "Method", "Invoice"]
TAX_TYPES = {"exempt": "Exempt Income", "standard": "20% (VAT on Income)", "outside": "No VAT"}
SALES_ACCOUNT = "200"


def _money(pence: int) -> str:
    sign = "-" if pence < 0 else ""
    return f"{sign}{abs(pence) // 100}.{abs(pence) % 100:02d}"


def invoice_rows(start: date, end: date):
    """The export's invoice lines, issued from ``start`` to ``end`` inclusive."""
    from acuclinic.billing.choices import InvoiceStatus
    from acuclinic.billing.models import InvoiceLine

    lo = datetime.combine(start, time(0), tzinfo=LONDON)
    hi = datetime.combine(end + timedelta(days=1), time(0), tzinfo=LONDON)
    lines = (
        InvoiceLine.objects.filter(
            invoice__status=InvoiceStatus.ISSUED,
            invoice__issued_at__gte=lo,
            invoice__issued_at__lt=hi,
        )
        .select_related("invoice__patient", "invoice__credits")
        .order_by("invoice__number", "position")
    )
    yield INVOICE_COLUMNS
    for line in lines.iterator(chunk_size=2000):
        inv = line.invoice
        sign = -1 if inv.is_credit_note else 1
        yield [
            inv.patient.full_name,
            inv.patient.email,
            inv.reference,
            inv.credits.reference if inv.credits_id else "",
            timezone.localtime(inv.issued_at, LONDON).date().isoformat(),
            (inv.due_date or timezone.localtime(inv.issued_at, LONDON).date()).isoformat(),
            line.description,
            "1",
            _money(sign * line.amount_pence),
            SALES_ACCOUNT,
            TAX_TYPES.get(line.vat_treatment, "No VAT"),
            _money(sign * line.vat_pence),
            "GBP",
        ]


def payment_rows(start: date, end: date):
    lo = datetime.combine(start, time(0), tzinfo=LONDON)
    hi = datetime.combine(end + timedelta(days=1), time(0), tzinfo=LONDON)
    rows = (
        Payment.objects.filter(
            received_at__gte=lo, received_at__lt=hi, method__in=PaymentMethod.money_in()
        )
        .select_related("patient", "invoice")
        .order_by("received_at", "pk")
    )
    yield PAYMENT_COLUMNS
    for p in rows.iterator(chunk_size=2000):
        refund = p.kind == PaymentKind.REFUND
        yield [
            timezone.localtime(p.received_at, LONDON).date().isoformat(),
            _money(-p.amount_pence if refund else p.amount_pence),
            p.patient.full_name,
            ("Refund: " + p.reason) if refund else "Payment",
            p.reference,
            p.get_method_display(),
            p.invoice.reference if p.invoice_id else "On account",
        ]


# Each report page as CSV -------------------------------------------------------------
# Money in every report CSV is pounds with two decimals (e.g. "57.00", "-10.00" for a
# refund), as the header of its money columns says: "(GBP, pounds)". Column lists are
# documented in docs/billing-reports-csv.md.

GBP = "(GBP, pounds)"
TAKINGS_COLUMNS = ["Date", "Group", "Name", f"Amount {GBP}"]
AGED_DEBT_COLUMNS = ["As at", "Invoice", "Patient", "Issued", "Days", "Bucket", f"Owed {GBP}"]
REVENUE_COLUMNS = ["From", "To", "Group", "Name", f"Net revenue {GBP}"]
INSURER_DEBT_COLUMNS = ["Insurer", f"Owed {GBP}"]
LIABILITY_COLUMNS = ["As at", "Open courses", "Sessions not yet delivered", f"Value {GBP}"]


def takings_csv(found: Takings, *, with_cash: bool = True):
    """The till cash-up: one row per payment method, per practitioner, the cash in the
    till (not in a practitioner's own takings, as on the page) and the total (refunds
    subtracted)."""
    day = found.day.isoformat()
    yield TAKINGS_COLUMNS
    for name, amount in found.by_method:
        yield [day, "Method", name, _money(amount)]
    for name, amount in found.by_practitioner:
        yield [day, "Practitioner", name, _money(amount)]
    if with_cash:
        yield [day, "Cash in till", "Cash", _money(found.cash_pence)]
    yield [day, "Total", "All methods", _money(found.total_pence)]


def aged_debt_csv(on: date | None = None):
    """Every outstanding invoice (not only the page's largest fifty), oldest first, then
    one row per age bucket with its total."""
    from acuclinic.billing.models import Outstanding

    found = aged_debt(on, top=0)
    on = found.on
    end = datetime.combine(on + timedelta(days=1), time(0), tzinfo=LONDON)
    yield AGED_DEBT_COLUMNS
    rows = (
        Outstanding.objects.filter(issued_at__lt=end)
        .select_related("invoice", "patient")
        .order_by("issued_at", "pk")
    )
    for o in rows.iterator(chunk_size=2000):
        issued = timezone.localtime(o.issued_at, LONDON).date()
        days = (on - issued).days
        yield [
            on.isoformat(),
            o.invoice.reference,
            o.patient.full_name,
            issued.isoformat(),
            str(days),
            money.AGE_BUCKETS[money.age_bucket(days)],
            _money(o.owed_pence),
        ]
    for label, amount in zip(money.AGE_BUCKETS, found.buckets, strict=True):
        yield [on.isoformat(), "", "", "", "", f"Total {label}", _money(amount)]
    yield [on.isoformat(), "", "", "", "", "Total", _money(found.total_pence)]


def revenue_csv(found: Revenue):
    """Net revenue (without VAT, less credit notes) by month, service and practitioner."""
    span = [found.start.isoformat(), found.end.isoformat()]
    yield REVENUE_COLUMNS
    for month, amount in found.by_month:
        yield [*span, "Month", month.strftime("%Y-%m"), _money(amount)]
    for name, amount in found.by_service:
        yield [*span, "Service", name, _money(amount)]
    for name, amount in found.by_practitioner:
        yield [*span, "Practitioner", name, _money(amount)]
    yield [*span, "Total", "All", _money(found.total_pence)]


def insurer_debt_csv(rows: list[tuple[str, int]]):
    yield INSURER_DEBT_COLUMNS
    for name, amount in rows:
        yield [name, _money(amount)]
    yield ["Total", _money(sum(a for _, a in rows))]


def liability_csv(owed: dict, on: date):
    yield LIABILITY_COLUMNS
    yield [on.isoformat(), str(owed["courses"]), str(owed["sessions"]), _money(owed["value_pence"])]

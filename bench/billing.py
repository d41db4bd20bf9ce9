"""Billing benchmark: the takings, aged-debt and revenue reports over five years.

    .venv/bin/python bench/billing.py [--scale 3] [--practitioners 20] [--months-back 60]
        [--renders 20] [--postgres postgres://user@host/db]

Builds the demo clinic (20 practitioners, five years of visits; the demo invoices every
visit given and pays nearly all of them) into a throwaway database — a temporary SQLite
file, and on PostgreSQL a database named ``acuclinic_bench_billing`` created and dropped
around the run — then times, as a signed-in clinic admin gets them, the day's takings
(the till cash-up), and the reports page (aged debt plus a year's revenue by month,
service and practitioner), and each report's queries on their own, with the number of
queries each makes. The issue asks for p95 ≤ 300 ms on both databases and a query count
that does not grow with the invoices; this prints the figures and asserts nothing.
"""

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from datetime import date, timedelta  # noqa: E402

from bench._common import (  # noqa: E402
    add_database_options,
    engine_version,
    measure_each_database,
    median_p95,
    print_table,
)

BENCH_DATABASE = "acuclinic_bench_billing"
TARGET_SECONDS = 0.3


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time the billing reports at scale.")
    parser.add_argument("--scale", type=int, default=3, help="demo scale (3: 900 patients)")
    parser.add_argument("--practitioners", type=int, default=20)
    parser.add_argument("--months-back", type=int, default=60, help="months of history (60)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--renders", type=int, default=20, help="times to time each (20)")
    add_database_options(parser, BENCH_DATABASE)
    args = parser.parse_args(argv)
    if args.scale < 1 or args.renders < 1:
        parser.error("--scale and --renders must be 1 or more")
    return args


def main() -> int:
    args = parse_args()
    if args.measure:
        print(json.dumps(measure(args)))
        return 0
    child_argv = ["--scale", str(args.scale), "--practitioners", str(args.practitioners)]
    child_argv += ["--months-back", str(args.months_back), "--seed", str(args.seed)]
    child_argv += ["--renders", str(args.renders)]
    if args.today:
        child_argv += ["--today", args.today.isoformat()]
    results, failures = measure_each_database(
        __file__, child_argv, postgres=args.postgres, database_name=BENCH_DATABASE
    )
    print_figures(results, args)
    for name, reason in failures.items():
        print(f"\n{name} was not measured: {reason}")
    return 1 if failures else 0


def _ms(values: list[float]) -> str:
    middle, p95 = median_p95(values)
    return f"{middle * 1000:,.0f} / {p95 * 1000:,.0f} ms"


def print_figures(results: dict[str, dict], args: argparse.Namespace) -> None:
    first = next(iter(results.values()))
    print()
    print(
        f"acuclinic billing benchmark: scale {args.scale}, {args.practitioners} practitioners, "
        f"{args.months_back} months back, seed {args.seed}, "
        f"today {date.fromisoformat(first['today']):%a %-d %b %Y}"
    )
    print(
        f"{first['invoices']:,} invoices, {first['payments']:,} payments, "
        f"{first['owed']:,} still owed"
    )
    versions = ", ".join(f"{name} {r['engine_version']}" for name, r in results.items())
    print(f"Python {sys.version.split()[0]}, Django {first['django']}, {versions}")
    print(f"Times are median / 95th percentile over {args.renders} runs; target p95 ≤ 300 ms.")
    print()
    rows = [
        ("demo build", lambda r: f"{r['build_seconds']:,.0f} s"),
        ("takings (a busy day), queries", lambda r: _ms(r["takings"])),
        ("aged debt, queries", lambda r: _ms(r["aged"])),
        ("revenue (12 months), queries", lambda r: _ms(r["revenue"])),
        ("revenue (5 years), queries", lambda r: _ms(r["revenue_all"])),
        ("takings page, whole request", lambda r: _ms(r["takings_page"])),
        ("reports page, whole request", lambda r: _ms(r["reports_page"])),
        ("queries: takings / aged / revenue", lambda r: r["query_counts"]),
        (
            "p95 ≤ 300 ms (all of the above)",
            lambda r: (
                "yes"
                if all(
                    median_p95(r[k])[1] <= TARGET_SECONDS
                    for k in ("takings", "aged", "revenue", "takings_page", "reports_page")
                )
                else "NO"
            ),
        ),
    ]
    print_table(rows, results)


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def measure(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.db.models.functions import TruncDate
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from acuclinic.billing import reports
    from acuclinic.billing.models import Invoice, Outstanding, Payment
    from acuclinic.demo.builder import build_demo
    from acuclinic.demo.spec import DemoSpec
    from acuclinic.people.models import User

    call_command("migrate", interactive=False, verbosity=0)
    today = args.today or timezone.localdate()
    spec = DemoSpec.at_scale(
        args.scale,
        today=today,
        seed=args.seed,
        months_back=args.months_back,
        months_ahead=1,
        practitioners=args.practitioners,
    )
    print(f"Building {spec.describe()} on {connection.vendor}…", file=sys.stderr)
    summary = build_demo(spec)
    busiest = (
        Payment.objects.annotate(day=TruncDate("received_at"))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["day"]
    )
    year_ago = today - timedelta(days=365)
    client = Client()
    client.force_login(User.objects.get(username="admin"))

    def page(path, query=None):
        response = client.get(path, query or {})
        assert response.status_code == 200, (path, response.status_code)

    counts = []
    for run in (
        lambda: reports.takings(busiest),
        lambda: reports.aged_debt(today),
        lambda: reports.revenue(year_ago, today),
    ):
        with CaptureQueriesContext(connection) as ctx:
            run()
        counts.append(str(len(ctx)))
    n = args.renders
    return {
        "today": today.isoformat(),
        "django": django.get_version(),
        "engine_version": engine_version(connection),
        "invoices": Invoice.objects.count(),
        "payments": Payment.objects.count(),
        "owed": Outstanding.objects.count(),
        "build_seconds": summary.seconds,
        "takings": [_timed(lambda: reports.takings(busiest)) for _ in range(n)],
        "aged": [_timed(lambda: reports.aged_debt(today)) for _ in range(n)],
        "revenue": [_timed(lambda: reports.revenue(year_ago, today)) for _ in range(n)],
        "revenue_all": [
            _timed(lambda: reports.revenue(spec.history_start, today)) for _ in range(n)
        ],
        "takings_page": [
            _timed(lambda: page("/billing/takings/", {"date": busiest.isoformat()}))
            for _ in range(n)
        ],
        "reports_page": [
            _timed(
                lambda: page(
                    "/billing/reports/",
                    {"start": year_ago.isoformat(), "end": today.isoformat()},
                )
            )
            for _ in range(n)
        ],
        "query_counts": " / ".join(counts),
    }


if __name__ == "__main__":
    raise SystemExit(main())

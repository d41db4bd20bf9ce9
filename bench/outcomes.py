"""Outcomes benchmark: the clinic outcomes report over a large clinic's five years.

    .venv/bin/python bench/outcomes.py [--scale 67] [--months-back 60]
        [--postgres postgres://user@host/db]

Builds the demo clinic at ``--scale`` (67: 20,100 patients) with ``--months-back`` of
history (60: five years) into a throwaway database — a temporary SQLite file, and on
PostgreSQL a database named ``acuclinic_bench_outcomes`` created and dropped around the
run — then times the clinic outcomes report for courses started over the whole history:
the page as a signed-in clinic admin gets it (catch-up, the grouped queries, charts and
template, through Django's test client), the CSV download, and the report's queries on
their own. Each database is measured in a child process of its own. The issue asks for
the page in under 2 s on both databases; this prints the figures and asserts nothing
about time (see bench/README.md).
"""

import sys
from pathlib import Path

# `python bench/outcomes.py` puts bench/ first on sys.path; put the repository root there
# instead, so the project imports as it does everywhere else.
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from datetime import date  # noqa: E402

from bench._common import (  # noqa: E402
    add_database_options,
    engine_version,
    measure_each_database,
    median_p95,
    print_table,
)

BENCH_DATABASE = "acuclinic_bench_outcomes"
TARGET_SECONDS = 2.0


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time the clinic outcomes report at scale.")
    parser.add_argument("--scale", type=int, default=67, help="demo scale (67: 20,100 patients)")
    parser.add_argument("--months-back", type=int, default=60, help="months of history (60)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--renders", type=int, default=10, help="times to render each (10)")
    add_database_options(parser, BENCH_DATABASE)
    args = parser.parse_args(argv)
    if args.scale < 1 or args.renders < 1:
        parser.error("--scale and --renders must be 1 or more")
    return args


# --- the parent: one child per database, then the table --------------------------------


def main() -> int:
    args = parse_args()
    if args.measure:
        print(json.dumps(measure(args)))
        return 0
    child_argv = ["--scale", str(args.scale), "--months-back", str(args.months_back)]
    child_argv += ["--seed", str(args.seed), "--renders", str(args.renders)]
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
        f"acuclinic outcomes benchmark: scale {args.scale}, {args.months_back} months back, "
        f"seed {args.seed}, today {date.fromisoformat(first['today']):%a %-d %b %Y}"
    )
    print(
        f"{first['patients']:,} patients, {first['appointments']:,} appointments, "
        f"{first['notes']:,} signed session notes, {first['courses']:,} courses, "
        f"{first['measurements']:,} measures and diary entries"
    )
    versions = ", ".join(f"{name} {r['engine_version']}" for name, r in results.items())
    print(f"Python {sys.version.split()[0]}, Django {first['django']}, {versions}")
    print(f"Times are median / 95th percentile over {args.renders} runs; the target is under 2 s.")
    print()
    rows = [
        ("demo build", lambda r: f"{r['build_seconds']:,.0f} s"),
        ("report page, whole request (first)", lambda r: f"{r['page_first'] * 1000:,.0f} ms"),
        ("report page, whole request", lambda r: _ms(r["page"])),
        ("CSV download, whole request", lambda r: _ms(r["csv"])),
        ("report queries alone", lambda r: _ms(r["queries"])),
        ("catch-up with nothing new", lambda r: _ms(r["catch_up"])),
        ("courses in the report", lambda r: f"{r['reported']:,}"),
        ("under 2 s (slowest page)", lambda r: "yes" if max(r["page"]) < TARGET_SECONDS else "NO"),
    ]
    print_table(rows, results)


# --- the child: build, then time -------------------------------------------------------


def _timed(fn) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def measure(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from acuclinic.demo.builder import build_demo
    from acuclinic.demo.spec import DemoSpec
    from acuclinic.outcomes import queries, report, services
    from acuclinic.outcomes.models import Course, Measurement
    from acuclinic.people.models import User
    from acuclinic.treatment.models import SessionNote

    call_command("migrate", interactive=False, verbosity=0)
    today = args.today or timezone.localdate()
    spec = DemoSpec.at_scale(
        args.scale, today=today, seed=args.seed, months_back=args.months_back, months_ahead=1
    )
    print(f"Building {spec.describe()} on {connection.vendor}…", file=sys.stderr)
    summary = build_demo(spec)
    clinic = queries.default_clinic()
    admin = User.objects.get(username="admin")
    client = Client()
    client.force_login(admin)
    start, end = spec.history_start, today
    query = {"start": start.isoformat(), "end": end.isoformat()}

    def page():
        response = client.get("/outcomes/", query)
        assert response.status_code == 200, response.status_code
        return response

    def csv():
        response = client.get("/outcomes/report.csv", query)
        assert response.status_code == 200, response.status_code
        return response

    page_first, _ = _timed(page)
    pages = [_timed(page)[0] for _ in range(args.renders)]
    csvs = [_timed(csv)[0] for _ in range(args.renders)]
    catch_ups = [_timed(lambda: services.courses_catch_up(clinic))[0] for _ in range(args.renders)]
    runs = [
        _timed(lambda: report.outcomes_report(clinic, start=start, end=end))
        for _ in range(args.renders)
    ]
    connection.ensure_connection()
    return {
        "today": today.isoformat(),
        "django": django.get_version(),
        "engine_version": engine_version(connection),
        "patients": summary.patients,
        "appointments": summary.appointments,
        "notes": SessionNote.objects.filter(signed_at__isnull=False).count(),
        "courses": Course.objects.count(),
        "measurements": Measurement.objects.count(),
        "reported": runs[0][1].overall.courses,
        "build_seconds": summary.seconds,
        "page_first": page_first,
        "page": pages,
        "csv": csvs,
        "catch_up": catch_ups,
        "queries": [seconds for seconds, _ in runs],
    }


if __name__ == "__main__":
    raise SystemExit(main())

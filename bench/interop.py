"""Data in and out benchmark: whole-clinic FHIR $export, the subject access request for
the patient with the longest history, and importing a 50,000-row file.

    .venv/bin/python bench/interop.py [--scale 3] [--practitioners 20] [--patients 2800]
        [--months-back 60] [--import-rows 50000] [--postgres postgres://user@host/db]

Builds the demo clinic (by default 20 practitioners and 2,800 patients over five years,
about 60,000 appointments) into a throwaway database (a temporary SQLite file; on PostgreSQL a
database named ``acuclinic_bench_interop`` created and dropped around the run), then:

- runs the whole-clinic ``$export`` as the worker does, timing it, then again taking the
  peak of Python memory allocated during it (tracemalloc) — the export streams each type
  a chunk at a time, so the peak should not grow with the clinic (compare two scales);
- produces the subject access archive (HTML + FHIR Bundle + audit) for the patient with
  the most appointments, ``--renders`` times, for the median and 95th percentile;
- imports a generated Cliniko file of ``--import-rows`` new patients (dry run, then the
  real run) and reports rows a second.

Prints the figures and asserts nothing about time (see bench/README.md).
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
import tracemalloc  # noqa: E402
from datetime import date  # noqa: E402

from bench._common import (  # noqa: E402
    add_database_options,
    engine_version,
    measure_each_database,
    median_p95,
    print_table,
)

BENCH_DATABASE = "acuclinic_bench_interop"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time exports, subject access and imports.")
    parser.add_argument("--scale", type=int, default=3, help="demo scale (3)")
    parser.add_argument("--practitioners", type=int, default=20, help="practitioners (20)")
    parser.add_argument(
        "--patients",
        type=int,
        default=2800,
        help="patients (2,800: about 60,000 appointments in five years, the issue's clinic; "
        "0: the scale's own, 300 a scale)",
    )
    parser.add_argument("--months-back", type=int, default=60, help="months of history (60)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
    parser.add_argument("--renders", type=int, default=10, help="subject access runs (10)")
    parser.add_argument("--import-rows", type=int, default=50_000, help="rows to import")
    add_database_options(parser, BENCH_DATABASE)
    args = parser.parse_args(argv)
    if args.scale < 1 or args.renders < 1 or args.import_rows < 1:
        parser.error("--scale, --renders and --import-rows must be 1 or more")
    if args.patients < 0:
        parser.error("--patients must be 0 or more")
    return args


def main() -> int:
    args = parse_args()
    if args.measure:
        print(json.dumps(measure(args)))
        return 0
    child_argv = ["--scale", str(args.scale), "--practitioners", str(args.practitioners)]
    child_argv += ["--patients", str(args.patients)]
    child_argv += ["--months-back", str(args.months_back), "--seed", str(args.seed)]
    child_argv += ["--renders", str(args.renders), "--import-rows", str(args.import_rows)]
    if args.today:
        child_argv += ["--today", args.today.isoformat()]
    results, failures = measure_each_database(
        __file__, child_argv, postgres=args.postgres, database_name=BENCH_DATABASE
    )
    first = next(iter(results.values()))
    print()
    print(
        f"acuclinic interop benchmark: scale {args.scale}, {args.practitioners} practitioners, "
        f"{first['patients']:,} patients, {args.months_back} months back, seed {args.seed}"
    )
    print(
        f"{first['patients']:,} patients, {first['appointments']:,} appointments, "
        f"{first['resources']:,} FHIR resources exported"
    )
    versions = ", ".join(f"{name} {r['engine_version']}" for name, r in results.items())
    print(f"Python {sys.version.split()[0]}, {versions}")
    print()

    def ms(values):
        middle, p95 = median_p95(values)
        return f"{middle * 1000:,.0f} / {p95 * 1000:,.0f} ms"

    rows = [
        ("demo build", lambda r: f"{r['build_seconds']:,.0f} s"),
        ("whole-clinic $export", lambda r: f"{r['export_seconds']:,.1f} s"),
        ("$export resources a second", lambda r: f"{r['resources'] / r['export_seconds']:,.0f}"),
        ("$export peak Python memory", lambda r: f"{r['export_peak_mb']:,.1f} MB"),
        ("NDJSON written", lambda r: f"{r['export_mb']:,.1f} MB"),
        ("subject access zip, median / p95", lambda r: ms(r["sar"])),
        ("its patient's appointments", lambda r: f"{r['sar_appointments']:,}"),
        ("import dry run", lambda r: f"{r['import_dry_seconds']:,.1f} s"),
        ("import real run", lambda r: f"{r['import_seconds']:,.1f} s"),
        ("import rows a second (real run)", lambda r: f"{r['import_rows_per_second']:,.0f}"),
    ]
    print_table(rows, results)
    for name, reason in failures.items():
        print(f"\n{name} was not measured: {reason}")
    return 1 if failures else 0


def say(line: str) -> None:
    """Progress on stderr (stdout's last line is the child's figures), stamped."""
    print(f"{time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)


def _timed(fn):
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def cliniko_file(rows: int) -> bytes:
    """``rows`` made-up new patients in Cliniko's export layout."""
    lines = ["First Name,Last Name,Date of Birth,Sex,Email,Mobile Phone,City,Post Code"]
    for n in range(rows):
        born = date(1940 + n % 60, 1 + n % 12, 1 + n % 28)
        lines.append(
            f"Bench{n},Importson{n // 7},{born:%d/%m/%Y},{'Female' if n % 2 else 'Male'},"
            f"bench{n}@example.test,07700 9{n % 100000:05d},Testford,TE1 1AA"
        )
    return ("\n".join(lines) + "\n").encode()


def measure(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from acuclinic.demo.builder import build_demo
    from acuclinic.demo.spec import DemoSpec
    from acuclinic.interop import export, sar
    from acuclinic.interop.fhir.registry import KINDS
    from acuclinic.interop.importing import patients as importing
    from acuclinic.interop.models import ExportJob, SubjectAccessRequest
    from acuclinic.people.models import Patient, User

    call_command("migrate", interactive=False, verbosity=0)
    today = args.today or timezone.localdate()
    spec = DemoSpec.at_scale(
        args.scale,
        today=today,
        seed=args.seed,
        months_back=args.months_back,
        months_ahead=1,
        practitioners=args.practitioners,
        **({"patients": args.patients} if args.patients else {}),
    )
    say(f"Building {spec.describe()}, {spec.patients:,} patients, on {connection.vendor}…")
    summary = build_demo(spec)
    say(f"Built {summary.appointments:,} appointments in {summary.seconds:.0f} s.")
    admin = User.objects.get(username="admin")

    def new_job(name):
        return ExportJob.objects.create(
            id=name, requested_by=admin, level="system", types=list(KINDS), request_url="bench"
        )

    # Timed on its own; tracemalloc slows Python several times over, so the memory peak
    # is taken on a second run.
    job = new_job("bench-time")
    export_seconds, _ = _timed(lambda: export.run(job))
    job.refresh_from_db()
    say(f"Exported {sum(o['count'] for o in job.output):,} resources in {export_seconds:.0f} s.")
    tracemalloc.start()
    export.run(new_job("bench-memory"))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    say(f"Export peak Python memory {peak / 1e6:.1f} MB.")
    folder = export.job_dir(job)
    export_bytes = sum(p.stat().st_size for p in folder.glob("*.ndjson"))

    busiest = Patient.objects.annotate(n=Count("appointments")).order_by("-n").first()
    request = SubjectAccessRequest.objects.create(
        patient=busiest, received_on=today, due_on=today, recorded_by=admin
    )
    sars = [
        _timed(lambda: sar.sar_archive(request, user=admin, base_url="http://bench/fhir/R4"))[0]
        for _ in range(args.renders)
    ]

    say(f"Subject access: {len(sars)} runs, slowest {max(sars):.1f} s.")
    data = cliniko_file(args.import_rows)
    dry_seconds, _ = _timed(lambda: importing.import_patients(data, "cliniko", dry_run=True))
    real_seconds, plan = _timed(lambda: importing.import_patients(data, "cliniko", dry_run=False))
    assert plan.count("create") == args.import_rows, plan.summary()
    say(
        f"Imported {args.import_rows:,} rows: dry run {dry_seconds:.0f} s, "
        f"real {real_seconds:.0f} s"
    )
    connection.ensure_connection()
    return {
        "engine_version": engine_version(connection),
        "patients": summary.patients,
        "appointments": summary.appointments,
        "build_seconds": summary.seconds,
        "resources": sum(o["count"] for o in job.output),
        "export_seconds": export_seconds,
        "export_peak_mb": peak / 1e6,
        "export_mb": export_bytes / 1e6,
        "sar": sars,
        "sar_appointments": busiest.n,
        "import_dry_seconds": dry_seconds,
        "import_seconds": real_seconds,
        "import_rows_per_second": args.import_rows / real_seconds,
    }


if __name__ == "__main__":
    raise SystemExit(main())

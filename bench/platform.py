"""Platform benchmark: build the demo clinic at a scale, then time what staff do most.

    .venv/bin/python bench/platform.py [--scale 10] [--postgres postgres://user@host/db]

Each database gets a throwaway copy (a temporary SQLite file; on PostgreSQL a database
named ``acuclinic_bench``, created and dropped around the run), measured in a child
process of its own so each starts from cold settings. See bench/README.md.
"""

import sys
from pathlib import Path

# `python bench/platform.py` puts bench/ first on sys.path, where this file would stand in
# for the standard library's `platform` module in everything imported after it. Put the
# repository root there instead.
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from datetime import date, timedelta  # noqa: E402

from bench._common import (  # noqa: E402
    add_database_options,
    engine_version,
    measure_each_database,
    median_p95,
    print_table,
)

BENCH_DATABASE = "acuclinic_bench"
SEARCH_KINDS = ("name", "date of birth", "phone")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark acuclinic on the demo clinic.")
    parser.add_argument("--scale", type=int, default=10, help="demo scale (default 10)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--today", type=date.fromisoformat, help="YYYY-MM-DD (default: today)")
    add_database_options(parser, BENCH_DATABASE)
    parser.add_argument("--searches", type=int, default=300, help="patient searches to time")
    parser.add_argument("--diaries", type=int, default=60, help="diary days to render")
    parser.add_argument("--records", type=int, default=150, help="patient records to open")
    args = parser.parse_args(argv)
    if args.scale < 1:
        parser.error("--scale must be 1 or more")
    return args


# --- the parent: one child per database, then the table --------------------------------


def main() -> int:
    args = parse_args()
    if args.measure:
        print(json.dumps(measure(args)))
        return 0
    child_argv = ["--scale", str(args.scale), "--seed", str(args.seed)]
    child_argv += ["--searches", str(args.searches), "--diaries", str(args.diaries)]
    child_argv += ["--records", str(args.records)]
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
    return f"{middle:.1f} / {p95:.1f} ms"


def print_figures(results: dict[str, dict], args: argparse.Namespace) -> None:
    first = next(iter(results.values()))
    print()
    print(
        f"acuclinic platform benchmark: scale {args.scale}, seed {args.seed}, "
        f"today {date.fromisoformat(first['today']):%a %-d %b %Y}"
    )
    print(
        f"{first['patients']:,} patients, {first['appointments']:,} appointments, "
        f"{first['practitioners']} practitioners, {first['locations']} locations"
    )
    versions = ", ".join(f"{name} {r['engine_version']}" for name, r in results.items())
    print(f"Python {sys.version.split()[0]}, Django {first['django']}, {versions}")
    print("Latencies are median / 95th percentile, in one run.")
    print()
    rows = [
        ("demo build", lambda r: f"{r['build_seconds']:.1f} s"),
        ("rows written", lambda r: f"{r['rows']:,}"),
        ("rows per second", lambda r: f"{r['rows'] / r['build_seconds']:,.0f}"),
    ]
    for kind in SEARCH_KINDS:
        count = len(first["search"][kind])
        rows.append((f"patient search by {kind} ({count})", lambda r, k=kind: _ms(r["search"][k])))
    rows.append((f"diary day, one location ({len(first['diary'])})", lambda r: _ms(r["diary"])))
    rows.append((f"patient record ({len(first['record'])})", lambda r: _ms(r["record"])))
    print_table(rows, results)


# --- the child: build, then time -------------------------------------------------------


def measure(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from acuclinic.demo.builder import build_demo
    from acuclinic.demo.spec import DemoSpec

    call_command("migrate", interactive=False, verbosity=0)
    today = args.today or timezone.localdate()
    print(f"Building the scale-{args.scale} demo on {connection.vendor}…", file=sys.stderr)
    summary = build_demo(DemoSpec.at_scale(args.scale, today=today, seed=args.seed))
    rng = random.Random(args.seed)
    connection.ensure_connection()
    return {
        "today": today.isoformat(),
        "django": django.get_version(),
        "engine_version": engine_version(connection),
        "patients": summary.patients,
        "appointments": summary.appointments,
        "practitioners": summary.practitioners,
        "locations": summary.locations,
        "rows": summary.rows,
        "build_seconds": summary.seconds,
        "search": time_searches(rng, args.searches),
        "diary": time_diaries(rng, args.diaries, today),
        "record": time_records(rng, args.records),
    }


def _timed(action) -> float:
    started = time.perf_counter()
    action()
    return (time.perf_counter() - started) * 1000


def time_searches(rng: random.Random, count: int) -> dict[str, list[float]]:
    from acuclinic.people.models import Patient
    from acuclinic.people.queries import search_patients
    from acuclinic.people.views import SEARCH_LIMIT

    people = list(Patient.objects.values_list("given_name", "family_name", "date_of_birth"))
    phones = list(Patient.objects.exclude(phone="").values_list("phone", flat=True))

    def by_name() -> str:
        given, family, _ = rng.choice(people)
        return rng.choice([family, f"{given} {family}", family[:3]])

    def by_birth() -> str:
        return f"{rng.choice(people)[2]:%d/%m/%Y}"

    def by_phone() -> str:
        phone = rng.choice(phones)
        return rng.choice([phone, phone.replace(" ", "")[-6:]])

    makers = {"name": by_name, "date of birth": by_birth, "phone": by_phone}
    timings: dict[str, list[float]] = {kind: [] for kind in SEARCH_KINDS}
    for n in range(count):
        kind = SEARCH_KINDS[n % len(SEARCH_KINDS)]
        text = makers[kind]()
        # What the search page does: one page of results, one more to know if there are more.
        timings[kind].append(_timed(lambda t=text: list(search_patients(t)[: SEARCH_LIMIT + 1])))
    return timings


def _client_for(username: str):
    from django.test import Client

    from acuclinic.people.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def _get(client, url: str, params: dict | None = None) -> float:
    def fetch():
        response = client.get(url, params or {})
        if response.status_code != 200:
            raise SystemExit(f"GET {url} {params or ''} answered {response.status_code}")

    return _timed(fetch)


def time_diaries(rng: random.Random, count: int, today: date) -> list[float]:
    """Reception's day view of the main location, on working days around today."""
    from django.urls import reverse

    from acuclinic.clinic.models import Location

    client = _client_for("reception")
    location = Location.objects.order_by("pk").first()
    days = [today + timedelta(days=offset) for offset in range(-180, 31)]
    days = [d for d in days if d.weekday() < 5]
    url = reverse("diary")
    for day in days[:3]:
        _get(client, url, {"location": location.pk, "date": day.isoformat()})  # warm up
    return [
        _get(client, url, {"location": location.pk, "date": rng.choice(days).isoformat()})
        for _ in range(count)
    ]


def time_records(rng: random.Random, count: int) -> list[float]:
    """A practitioner opening patient records (with the clinical summary, audited)."""
    from django.urls import reverse

    from acuclinic.people.models import Patient

    client = _client_for("practitioner")
    ids = list(Patient.objects.values_list("pk", flat=True))
    for pk in ids[:3]:
        _get(client, reverse("patient_detail", args=[pk]))  # warm up
    return [_get(client, reverse("patient_detail", args=[rng.choice(ids)])) for _ in range(count)]


if __name__ == "__main__":
    sys.exit(main())

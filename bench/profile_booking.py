"""Where a booking through the API spends its CPU: cProfile over bookings in-process.

    .venv/bin/python bench/profile_booking.py [--postgres postgres://root@127.0.0.1:5432/postgres]
        [--keep var/profile-booking] [--bookings 100] [--sort tottime] [--top 40]

Builds a small demo clinic (4 practitioners, one location, 300 patients, a month back;
with ``--keep``, once, reused by later runs), then sends ``--bookings`` bookings through
``POST /api/v1/appointments`` with Django's test client, as ``bench/scheduling.py
--in-process-only`` times them, under cProfile. Prints the profile's top functions and
the SQL statements of one booking, to stderr, for each database. A tool for finding what
to make faster; the figures to quote come from ``bench/scheduling.py``.
"""

import sys
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import cProfile  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import pstats  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from datetime import timedelta  # noqa: E402

from bench._common import add_database_options, measure_each_database  # noqa: E402

DATABASE = "acuclinic_bench_profile"


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Profile bookings through the API.")
    parser.add_argument("--bookings", type=int, default=100)
    parser.add_argument("--sort", default="tottime", help="pstats sort key (tottime)")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--keep", type=Path, help="keep the built clinic in this folder")
    parser.add_argument("--database-name", default=DATABASE)
    add_database_options(parser, DATABASE)
    return parser.parse_args(argv)


def main() -> int:
    args = parse_args()
    if args.measure:
        measure(args)
        print(json.dumps({}))
        return 0
    child = ["--bookings", str(args.bookings), "--sort", args.sort, "--top", str(args.top)]
    _, failures = measure_each_database(
        __file__,
        child,
        postgres=args.postgres,
        database_name=args.database_name,
        keep=args.keep,
    )
    for engine, why in failures.items():
        print(f"{engine}: {why}", file=sys.stderr)
    return 0


def measure(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from acuclinic.demo.builder import build_demo
    from acuclinic.demo.spec import DemoSpec
    from acuclinic.people.models import User
    from acuclinic.people.services import api_token_create
    from acuclinic.scheduling.models import Appointment
    from bench.scheduling import booking_pool

    call_command("migrate", interactive=False, verbosity=0)
    today = timezone.localdate()
    spec = DemoSpec(
        today=today,
        seed=2026,
        locations=1,
        rooms=4,
        practitioners=4,
        patients=300,
        months_back=1,
        months_ahead=1,
    )
    if not Appointment.objects.exists():
        build_demo(spec)
    # After every appointment so far: a kept clinic's earlier runs booked from the horizon.
    last = Appointment.objects.order_by("-start").values_list("start", flat=True).first()
    first_day = max(spec.horizon, timezone.localdate(last)) + timedelta(days=7)
    pool = booking_pool(first_day, wanted=args.bookings + 2, rng=random.Random())
    _, token = api_token_create(user=User.objects.get(username="reception"), name="Profile")
    client = Client(headers={"Authorization": f"Bearer {token}"})

    def book(body: dict) -> int:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        response = client.post(
            "/api/v1/appointments", json.dumps(body), "application/json", headers=key
        )
        return response.status_code

    book(pool[0])  # warm up
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        book(pool[1])
    statuses = []
    # CPU time, not wall-clock: waits for a busy machine or disk are not the app's cost.
    profile = cProfile.Profile(time.process_time)
    profile.enable()
    for body in pool[2:]:
        statuses.append(book(body))
    profile.disable()
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats(args.sort).print_stats(args.top)
    say = sys.stderr.write
    say(f"\n===== {connection.vendor}: {len(statuses)} bookings, answers {set(statuses)}\n")
    say(f"{len(statements)} statements in one booking:\n")
    for sql in statements:
        say(f"  {sql[:200]}\n")
    say(out.getvalue())


if __name__ == "__main__":
    raise SystemExit(main())

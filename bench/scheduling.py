"""Scheduling benchmark: availability and booking in a busy clinic's year (issue 3).

    .venv/bin/python bench/scheduling.py [--postgres postgres://user@host/db]

Builds the demo clinic (``acuclinic.demo``, what ``acuclinic demo`` builds) with 20
practitioners at 3 locations and 12 months of appointments into a throwaway database —
a temporary SQLite file, and on PostgreSQL a database named ``acuclinic_bench_sched``
created and dropped around the run — then measures, each database in a child process
of its own:

- availability: the next six weekly sessions with any practitioner at one location
  (the course reception books most), through ``scheduling.queries.find_slots`` and the
  slot engine; and the API's next six free times that week, for comparison;
- booking throughput: 16 clients booking through the JSON API of a real HTTP server
  (gunicorn), beside the throughput of single-row insert transactions through the same
  database driver in the same run, as a ratio; and, as the ceiling HTTP itself sets on
  the machine, the same clients sending the same requests to an app that does nothing
  (bench/null_app.py) under the same gunicorn settings;
- that no practitioner or room was booked twice, checked with SQL over every active
  appointment once the clients have finished.

It prints the figures beside the issue's targets, PASS or MISS, and asserts nothing about
time: it fails only if something answers wrongly or a double booking is found. See
bench/README.md for what each figure means.
"""

import sys
from pathlib import Path

# `python bench/scheduling.py` puts bench/ first on sys.path; put the repository root
# there instead, so the project imports as it does everywhere else.
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import logging  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import socket  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
import uuid  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from datetime import date, timedelta  # noqa: E402

from bench._common import (  # noqa: E402
    add_database_options,
    engine_version,
    measure_each_database,
    median_p95,
    print_table,
)

BENCH_DATABASE = "acuclinic_bench_sched"
# The targets.
AVAILABILITY_P95_MS = 50.0
THROUGHPUT_RATIO = 0.25
# A course is six weekly sessions (scheduling/series.py); search from a day in the
# coming four weeks, the part of the diary the demo has already filled.
COURSE_WEEKS = 6
SEARCH_FROM_DAYS = 28


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time availability and booking at scale.")
    parser.add_argument("--practitioners", type=int, default=20)
    parser.add_argument("--locations", type=int, default=3)
    parser.add_argument(
        "--rooms",
        type=int,
        default=20,
        help="rooms in all (20: one for each practitioner of a full-time team)",
    )
    parser.add_argument(
        "--patients",
        type=int,
        default=12500,
        help="patients (12,500: enough to fill a full-time team's diaries with about "
        "60,000 appointments in the 12 months)",
    )
    parser.add_argument(
        "--days-a-week",
        type=int,
        default=5,
        help="weekdays each practitioner works (5: a busy clinic's full-time team; 0: "
        "the demo's usual mix of full and part time)",
    )
    parser.add_argument("--months-back", type=int, default=11)
    parser.add_argument("--months-ahead", type=int, default=1)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--searches", type=int, default=200, help="availability searches (200)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (16)")
    parser.add_argument(
        "--seconds", type=float, default=20, help="length of each throughput phase (20)"
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (4)")
    parser.add_argument(
        "--contended",
        type=float,
        default=0.1,
        help="share of bookings two clients race each other for (0.1)",
    )
    parser.add_argument(
        "--in-process-only",
        action="store_true",
        help="time bookings in-process only (their CPU, app and database, and the floor): "
        "no availability searches, no server, no raw inserts",
    )
    parser.add_argument(
        "--database-name",
        default=BENCH_DATABASE,
        help=f"the PostgreSQL database to create and drop ({BENCH_DATABASE}): another name "
        "lets two runs (say, two commits) measure side by side under the same load",
    )
    add_database_options(parser, BENCH_DATABASE)
    args = parser.parse_args(argv)
    if args.searches < 1 or args.clients < 1 or args.seconds <= 0 or args.workers < 1:
        parser.error("--searches, --clients, --seconds and --workers must be above 0")
    if not 0 <= args.days_a_week <= 5:
        parser.error("--days-a-week must be between 0 and 5")
    if not 0 <= args.contended <= 0.5:
        parser.error("--contended must be between 0 and 0.5")
    return args


CHILD_OPTIONS = (
    "practitioners",
    "locations",
    "rooms",
    "patients",
    "days_a_week",
    "months_back",
    "months_ahead",
    "seed",
    "searches",
    "clients",
    "seconds",
    "workers",
    "contended",
    "in_process_only",
)


# --- the parent: one child per database, then the table --------------------------------


def main() -> int:
    args = parse_args()
    if args.measure:
        print(json.dumps(measure(args)))
        return 0
    child_argv = []
    for name in CHILD_OPTIONS:
        value = getattr(args, name)
        if isinstance(value, bool):
            child_argv += ["--" + name.replace("_", "-")] if value else []
        else:
            child_argv += ["--" + name.replace("_", "-"), str(value)]
    results, failures = measure_each_database(
        __file__, child_argv, postgres=args.postgres, database_name=args.database_name
    )
    print_figures(results, args)
    for name, reason in failures.items():
        print(f"\n{name} was not measured: {reason}")
    double_booked = any(
        r["overlaps"]["practitioner"] or r["overlaps"]["room"] for r in results.values()
    )
    return 1 if failures or double_booked else 0


def _ms(values: list[float]) -> str:
    middle, p95 = median_p95(values)
    return f"{middle:.1f} / {p95:.1f} ms"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _p95_ok(values: list[float]) -> bool:
    return median_p95(values)[1] < AVAILABILITY_P95_MS


def _ratio(r: dict) -> float:
    return r["booking"]["per_second"] / r["raw"]["per_second"]


def _ceiling(r: dict) -> float:
    return r["booking"]["ceiling"]["per_second"] / r["raw"]["per_second"]


def _cpu_budget_ms(r: dict) -> float:
    """The CPU time one booking may take, all told (client, HTTP, app and database), for
    the machine's CPUs to book at the target rate: CPUs / (target ratio × raw rate)."""
    return (os.cpu_count() or 1) * 1000 / (THROUGHPUT_RATIO * r["raw"]["per_second"])


def _cpu(spent: dict[str, float] | None) -> str:
    """CPU ms per request in all, then whose: ``2.0 ms (clients 0.5, gunicorn 1.5)``."""
    if spent is None:
        return "n/a"  # no /proc to read it from
    whose = ", ".join(f"{who} {ms:.1f}" for who, ms in spent.items())
    return f"{sum(spent.values()):.1f} ms ({whose})"


def _db_ms(r: dict, run: str) -> str:
    if r["engine"] == "sqlite":
        return "(in the app's)"
    return f"{r['booking'][run]['database_cpu_ms']:.1f} ms"


def _all_told_ms(r: dict, run: str) -> str:
    return f"{r['booking'][run]['all_told_cpu_ms']:.1f} ms"


def _above_floor_ms(r: dict) -> str:
    booking = r["booking"]
    above = booking["one_client"]["all_told_cpu_ms"] - booking["refused"]["all_told_cpu_ms"]
    return f"{above:.1f} ms"


def _least_cpu_ms(r: dict) -> float | None:
    """The least CPU any booking through the API costs: an HTTP exchange with an app that
    does nothing (clients and gunicorn), and the app's process's median for a request
    it refuses before it looks at the diary."""
    exchange = r["booking"]["ceiling"]["cpu_ms"]
    if exchange is None:
        return None
    return sum(exchange.values()) + median_p95(r["booking"]["refused"]["cpu_ms"])[0]


def _of_ceiling(r: dict) -> float:
    return r["booking"]["per_second"] / r["booking"]["ceiling"]["per_second"]


def _shown(fmt, results: dict[str, dict]) -> bool:
    """Whether a row has figures (``--in-process-only`` leaves most out)."""
    try:
        for r in results.values():
            fmt(r)
    except (KeyError, TypeError, ValueError, statistics.StatisticsError):
        return False
    return True


def _loads(results: dict[str, dict]) -> str:
    return ", ".join(f"{name} {r['load']:.1f}" for name, r in results.items())


def print_figures(results: dict[str, dict], args: argparse.Namespace) -> None:
    first = next(iter(results.values()))
    print()
    print(
        f"acuclinic scheduling benchmark: {first['practitioners']} practitioners "
        f"({f'{args.days_a_week} days a week' if args.days_a_week else 'full and part time'}), "
        f"{first['locations']} locations, {first['rooms']} rooms, {args.months_back} months "
        f"back and {args.months_ahead} ahead of {date.fromisoformat(first['today']):%a %-d %b %Y}"
        f", seed {args.seed}"
    )
    print(
        f"{first['patients']:,} patients, {first['appointments']:,} appointments "
        f"({first['unplaced']:,} more sessions asked for found no free practitioner)"
    )
    versions = ", ".join(f"{name} {r['engine_version']}" for name, r in results.items())
    print(
        f"Python {sys.version.split()[0]}, Django {first['django']}, {versions}; "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"Latencies are median / 95th percentile over {args.searches} searches; "
        f"throughput over {args.seconds:g} s with {args.clients} clients, in one run."
    )
    print()
    searches = len(first["weekly"])
    rows = [
        ("demo build", lambda r: f"{r['build_seconds']:,.0f} s"),
        (
            f"{COURSE_WEEKS} weekly sessions, anyone, one location ({searches})",
            lambda r: _ms(r["weekly"]),
        ),
        ("  found a weekly time", lambda r: f"{r['weekly_found']} of {len(r['weekly'])}"),
        (
            f"  target p95 < {AVAILABILITY_P95_MS:g} ms",
            lambda r: _verdict(_p95_ok(r["weekly"])),
        ),
        (
            f"API: next 6 free times that week ({len(first['api_week'])})",
            lambda r: _ms(r["api_week"]),
        ),
        (
            f"  target p95 < {AVAILABILITY_P95_MS:g} ms",
            lambda r: _verdict(_p95_ok(r["api_week"])),
        ),
        (
            f"bookings through the API, {args.clients} clients",
            lambda r: f"{r['booking']['per_second']:,.1f} /s",
        ),
        ("  booked (201)", lambda r: f"{r['booking']['booked']:,}"),
        ("  refused as taken (409)", lambda r: f"{r['booking']['conflicts']:,}"),
        ("  latency per booking", lambda r: _ms(r["booking"]["latency_ms"])),
        ("  CPU per request answered, all told", lambda r: _cpu(r["booking"]["cpu_ms"])),
        (
            f"one booking in-process, no server ({len(first['booking']['one_client']['ms'])})",
            lambda r: _ms(r["booking"]["one_client"]["ms"]),
        ),
        ("  CPU of the app's process", lambda r: _ms(r["booking"]["one_client"]["cpu_ms"])),
        ("  CPU of the database server's backend, mean", lambda r: _db_ms(r, "one_client")),
        ("  CPU all told, app + database, mean", lambda r: _all_told_ms(r, "one_client")),
        ("  SQL statements per booking", lambda r: str(r["booking"]["one_client"]["statements"])),
        (
            f"a booking refused at validation, in-process ({REFUSED_REQUESTS})",
            lambda r: _ms(r["booking"]["refused"]["ms"]),
        ),
        ("  CPU of the app's process", lambda r: _ms(r["booking"]["refused"]["cpu_ms"])),
        ("  CPU of the database server's backend, mean", lambda r: _db_ms(r, "refused")),
        ("  CPU all told, app + database, mean: the floor", lambda r: _all_told_ms(r, "refused")),
        ("  a booking, less that floor", lambda r: _above_floor_ms(r)),
        (
            f"raw single-row inserts, {args.clients} threads",
            lambda r: f"{r['raw']['per_second']:,.0f} /s",
        ),
        ("bookings / raw inserts", lambda r: f"{_ratio(r):.3f}"),
        (f"  target >= {THROUGHPUT_RATIO:g}", lambda r: _verdict(_ratio(r) >= THROUGHPUT_RATIO)),
        (
            f"  CPU it leaves a booking: {os.cpu_count()} CPUs / target rate",
            lambda r: f"{_cpu_budget_ms(r):.2f} ms",
        ),
        (
            f"same requests to an app that does nothing, {args.clients} clients",
            lambda r: f"{r['booking']['ceiling']['per_second']:,.0f} /s",
        ),
        ("  CPU per request, all told", lambda r: _cpu(r["booking"]["ceiling"]["cpu_ms"])),
        ("  its ratio to raw inserts: the most HTTP allows", lambda r: f"{_ceiling(r):.3f}"),
        ("  bookings / that ceiling", lambda r: f"{_of_ceiling(r):.3f}"),
        (
            "practitioner / room double bookings",
            lambda r: f"{r['overlaps']['practitioner']} / {r['overlaps']['room']}",
        ),
        (
            "  no double booking",
            lambda r: _verdict(not (r["overlaps"]["practitioner"] or r["overlaps"]["room"])),
        ),
    ]
    if args.in_process_only:
        rows = [(label, fmt) for label, fmt in rows if _shown(fmt, results)]
    print_table(rows, results)
    if args.in_process_only:
        print(f"\nLoad average (1 min) when measuring began: {_loads(results)}.")
        return
    for name, r in results.items():
        budget, least = _cpu_budget_ms(r), _least_cpu_ms(r)
        if least is not None and least > budget:
            exchange = sum(r["booking"]["ceiling"]["cpu_ms"].values())
            spent = sum((r["booking"]["cpu_ms"] or {}).values())
            print(
                f"\nOn {name}, booking at {THROUGHPUT_RATIO:g} of the raw rate would leave each "
                f"booking {budget:.2f} ms of CPU on this machine's {os.cpu_count()} CPUs, for "
                f"the clients, HTTP, the app and the database together. An HTTP exchange with "
                f"an app that does nothing costs {exchange:.2f} ms, and the app then spends "
                f"{least - exchange:.2f} ms on a booking it refuses at validation "
                f"(authentication, permission, reading the body): {least:.2f} ms before any "
                f"booking is checked or written. Each request in the run cost {spent:.1f} ms. "
                f"No booking through this API can meet the target on this machine."
            )
        if _ceiling(r) < THROUGHPUT_RATIO:
            print(
                f"\nOn {name}, the same requests to an app that does nothing reach only "
                f"{_ceiling(r):.3f} of the raw inserts' rate on this machine: with a new "
                f"connection per request, as these clients make, no HTTP endpoint meets the "
                f"{THROUGHPUT_RATIO:g} target here."
            )
    loads = ", ".join(f"{name} {r['load']:.1f}" for name, r in results.items())
    print(f"\nLoad average (1 min) when measuring began: {loads}, on {os.cpu_count()} CPUs.")


# --- the child: build, then measure ----------------------------------------------------


def measure(args: argparse.Namespace) -> dict:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from acuclinic.demo.builder import build_demo
    from acuclinic.demo.spec import DemoSpec

    call_command("migrate", interactive=False, verbosity=0)
    today = timezone.localdate()
    spec = DemoSpec(
        today=today,
        seed=args.seed,
        locations=args.locations,
        rooms=args.rooms,
        practitioners=args.practitioners,
        patients=args.patients,
        days_a_week=args.days_a_week or None,
        months_back=args.months_back,
        months_ahead=args.months_ahead,
    )
    _say(
        f"Building {args.practitioners} practitioners at {args.locations} locations, "
        f"{args.patients:,} patients, {args.months_back} months back and {args.months_ahead} "
        f"ahead of {today.isoformat()} on {connection.vendor}…"
    )
    summary = build_demo(spec)
    _say(f"Built {summary.appointments:,} appointments in {summary.seconds:.0f} s.")
    load = os.getloadavg()[0]
    rng = random.Random(args.seed)
    if args.in_process_only:
        weekly, found, api_week, raw = [], 0, [], None
        booking = in_process_bookings(first_day=spec.horizon + timedelta(days=7), rng=rng)
    else:
        weekly, found = time_weekly_courses(rng, args.searches, today)
        api_week = time_api_week(rng, args.searches, today)
        raw = raw_inserts(args.clients, args.seconds)
        booking = http_bookings(args, first_day=spec.horizon + timedelta(days=7), rng=rng)
    connection.ensure_connection()
    return {
        "today": today.isoformat(),
        "django": django.get_version(),
        "engine": connection.vendor,
        "engine_version": engine_version(connection),
        "practitioners": summary.practitioners,
        "locations": summary.locations,
        "rooms": summary.rooms,
        "patients": summary.patients,
        "appointments": summary.appointments,
        "unplaced": summary.unplaced,
        "build_seconds": summary.seconds,
        "load": load,
        "weekly": weekly,
        "weekly_found": found,
        "api_week": api_week,
        "raw": raw,
        "booking": booking,
        "overlaps": double_bookings(),
    }


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return (time.perf_counter() - started) * 1000, result


def _cpu_timed(action) -> tuple[float, float]:
    """Wall-clock and CPU milliseconds of ``action``; the CPU is this process's only (on
    PostgreSQL the server's share is not in it)."""
    started, cpu = time.perf_counter(), time.process_time()
    action()
    return (time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000


def _timings(timed: list[tuple[float, float]]) -> dict[str, list[float]]:
    """``_cpu_timed``'s pairs as the figures keep them: wall-clock ms, and CPU ms."""
    return {"ms": [wall for wall, _ in timed], "cpu_ms": [cpu for _, cpu in timed]}


def _treatment_services():
    """The two follow-up services, which most bookings are: medical and traditional."""
    from acuclinic.clinic.models import Service
    from acuclinic.demo import clinic as demo_clinic

    keys = (demo_clinic.MEDICAL_FOLLOW_UP, demo_clinic.TRADITIONAL_FOLLOW_UP)
    return [Service.objects.get(name=demo_clinic.SERVICES[key][0]) for key in keys]


def _locations():
    from acuclinic.clinic.models import Location

    return list(Location.objects.select_related("clinic").order_by("pk"))


# Availability -------------------------------------------------------------------------


def weekly_course(service, location, first_day: date, weeks: int = COURSE_WEEKS) -> list:
    """The first weekday and time from ``first_day`` on that is free with someone at
    ``location`` in each of the next ``weeks`` weeks: one free slot per week (the
    earliest practitioner free each week), or [] when no time is free every week.

    ``scheduling.queries.find_weekly``: the loader and the slot engine the diary, the
    API and online booking use, asked for a weekly course (series.py)."""
    from acuclinic.scheduling.queries import find_weekly

    return find_weekly(service=service, location=location, first_day=first_day, weeks=weeks)


def _searches(rng: random.Random, count: int, today: date):
    """(service, location, first day) for each search: locations and services in turn,
    from a random day of the coming four weeks."""
    services, locations = _treatment_services(), _locations()
    for n in range(count):
        location = locations[n % len(locations)]
        service = services[(n // len(locations)) % len(services)]
        yield service, location, today + timedelta(days=rng.randrange(SEARCH_FROM_DAYS))


def time_weekly_courses(rng: random.Random, count: int, today: date) -> tuple[list, int]:
    _say(f"Timing {count} searches for {COURSE_WEEKS} weekly sessions…")
    for service, location, day in _searches(random.Random(0), 3, today):
        weekly_course(service, location, day)  # warm up
    timings, found = [], 0
    for service, location, day in _searches(rng, count, today):
        ms, course = _timed(lambda s=service, loc=location, d=day: weekly_course(s, loc, d))
        timings.append(ms)
        found += bool(course)
    return timings, found


def time_api_week(rng: random.Random, count: int, today: date) -> list[float]:
    """GET /api/v1/availability as an integration would ask it: anyone, one slot per
    time, six of them, from a day on (a week is the endpoint's default window)."""
    from django.test import Client

    from acuclinic.people.models import User
    from acuclinic.people.services import api_token_create

    _say(f"Timing {count} API availability requests…")
    _, secret = api_token_create(user=User.objects.get(username="reception"), name="Bench")
    client = Client(headers={"Authorization": f"Bearer {secret}"})

    def ask(service, location, day) -> None:
        query = {"service": service.pk, "location": location.pk, "start_from": day.isoformat()}
        response = client.get("/api/v1/availability", {**query, "one_per_time": 1, "limit": 6})
        if response.status_code != 200:
            raise SystemExit(f"GET /api/v1/availability {query} answered {response.status_code}")

    for service, location, day in _searches(random.Random(0), 3, today):
        ask(service, location, day)  # warm up
    return [
        _timed(lambda s=service, loc=location, d=day: ask(s, loc, d))[0]
        for service, location, day in _searches(rng, count, today)
    ]


# Throughput ---------------------------------------------------------------------------


def run_for(seconds: float, workers: list) -> float:
    """Run each ``workers[i](deadline)`` in its own thread, all released at once; the
    seconds from the start until the last has finished."""
    from django.db import connection

    go = threading.Event()
    state = {}
    errors = []

    def run(work) -> None:
        try:
            go.wait()
            work(state["deadline"])
        except BaseException as exc:  # report it, do not hang the run
            errors.append(exc)
        finally:
            connection.close()  # each thread has its own connection

    threads = [threading.Thread(target=run, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    time.sleep(0.2)  # let every thread reach the start line
    started = time.perf_counter()
    state["deadline"] = started + seconds
    go.set()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise errors[0]
    return elapsed


RAW_TABLE = "bench_raw_insert"
# A WSGI app that answers without doing anything: the ceiling HTTP sets (null_app.py).
NULL_APP = "bench.null_app:application"
# Bookings timed one after another, in-process, before the clients start.
ONE_CLIENT_BOOKINGS = 102
# Requests refused at validation, timed the same way: the least a booking costs.
REFUSED_REQUESTS = 200


def raw_inserts(clients: int, seconds: float) -> dict:
    """Single-row INSERT transactions of an appointment-sized row, one thread per
    client, through Django's connection (the same driver and connection settings as the
    app: on SQLite WAL and IMMEDIATE transactions), without the ORM."""
    from django.db import connection, transaction
    from django.utils import timezone

    _say(f"Timing raw single-row inserts with {clients} threads for {seconds:g} s…")
    key = (
        "integer NOT NULL PRIMARY KEY AUTOINCREMENT"
        if connection.vendor == "sqlite"
        else "bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
    )
    stamp = "datetime" if connection.vendor == "sqlite" else "timestamp with time zone"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE {RAW_TABLE} (id {key}, client integer NOT NULL, "
            "practitioner_id bigint NOT NULL, room_id bigint NOT NULL, "
            f"patient_id bigint NOT NULL, start {stamp} NOT NULL, ends {stamp} NOT NULL, "
            f"created_at {stamp} NOT NULL)"
        )
    connection.close()
    sql = (
        f"INSERT INTO {RAW_TABLE} (client, practitioner_id, room_id, patient_id, start, ends, "
        "created_at) VALUES (%s, %s, %s, %s, %s, %s, %s)"
    )
    counts = [0] * clients

    def inserter(i: int):
        def work(deadline: float) -> None:
            n = 0
            while time.perf_counter() < deadline:
                now = timezone.now()
                values = [
                    connection.ops.adapt_datetimefield_value(moment)
                    for moment in (now, now + timedelta(minutes=30), now)
                ]
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute(sql, [i, n % 20 + 1, n % 17 + 1, n + 1, *values])
                n += 1
            counts[i] = n

        return work

    elapsed = run_for(seconds, [inserter(i) for i in range(clients)])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {RAW_TABLE}")
        written = cursor.fetchone()[0]
        cursor.execute(f"DROP TABLE {RAW_TABLE}")
    if written != sum(counts):
        raise SystemExit(f"Raw inserts: {sum(counts)} committed but {written} rows found.")
    return {"inserted": written, "seconds": elapsed, "per_second": written / elapsed}


def booking_pool(first_day: date, wanted: int, rng: random.Random) -> list[dict]:
    """Up to ``wanted`` bookings no two of which clash, from ``first_day`` on, each for
    a different patient: free slots as the engine offers them, with the room changed
    where an earlier pick took it. Shuffled, so clients do not queue for one diary."""
    from acuclinic.clinic.models import Room
    from acuclinic.people.models import Patient
    from acuclinic.scheduling.queries import find_slots

    patients = list(Patient.objects.order_by("pk").values_list("pk", flat=True))
    rng.shuffle(patients)
    wanted = min(wanted, len(patients))
    services, locations = _treatment_services(), _locations()
    rooms = defaultdict(list)
    for room in Room.objects.filter(is_active=True).order_by("pk"):
        rooms[room.location_id].append(room.pk)
    held: dict[tuple, list] = defaultdict(list)  # (kind, id, day) -> [(start, until)]

    def free(key, start, until) -> bool:
        return all(until <= s or u <= start for s, u in held[key])

    pool: list[dict] = []
    week = first_day
    while len(pool) < wanted and week < first_day + timedelta(weeks=26):
        for location in locations:
            for service in services:
                turnover = timedelta(minutes=service.turnover_minutes)
                for slot in find_slots(
                    service=service,
                    location=location,
                    first_day=week,
                    last_day=week + timedelta(days=6),
                ):
                    start, until, day = slot.start, slot.end + turnover, slot.start.date()
                    who = ("practitioner", slot.practitioner.pk, day)
                    if not free(who, start, until):
                        continue
                    room = next(
                        (r for r in rooms[location.pk] if free(("room", r, day), start, until)),
                        None,
                    )
                    if room is None:
                        continue
                    held[who].append((start, until))
                    held[("room", room, day)].append((start, until))
                    pool.append(
                        {
                            "patient": patients[len(pool)],
                            "practitioner": slot.practitioner.pk,
                            "room": room,
                            "service": service.pk,
                            "start": slot.start.isoformat(),
                        }
                    )
                    if len(pool) == wanted:
                        break
                if len(pool) == wanted:
                    break
            if len(pool) == wanted:
                break
        week += timedelta(weeks=1)
    rng.shuffle(pool)
    return pool


def client_lists(pool: list[dict], clients: int, contended: float) -> list[list[dict]]:
    """The pool dealt out to ``clients``; where ``contended`` asks, the second of each
    pair of clients asks at the same point in its list for the slot the first asks for
    (for its own patient), so the two race and one must be refused."""
    lists = [pool[i::clients] for i in range(clients)]
    every = round(1 / contended) if contended else 0
    if every:
        for first, second in zip(lists[0::2], lists[1::2], strict=False):
            for n in range(every - 1, min(len(first), len(second)), every):
                second[n] = {**first[n], "patient": second[n]["patient"]}
    return lists


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _processes_cpu(wanted) -> float | None:
    """CPU seconds used so far by the processes ``wanted(pid, parent, name)`` picks, from
    Linux's /proc; None where there is no /proc."""
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return None
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            head, tail = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue  # it ended while we looked
        fields = tail.split()  # from the state on: parent is [1], user and system [11:13]
        if wanted(int(entry.name), int(fields[1]), head.split("(", 1)[1]):
            total += int(fields[11]) + int(fields[12])
    return total / ticks


class CpuMeter:
    """The CPU time a phase costs the whole machine, read before and after it: this
    process's (the clients), the server's (gunicorn's master and workers) and, on
    PostgreSQL, the database server's processes on this machine."""

    def __init__(self, server_pid: int, postgres: bool) -> None:
        self.server_pid, self.postgres = server_pid, postgres

    def read(self) -> dict[str, float] | None:
        server = _processes_cpu(lambda pid, parent, _: self.server_pid in (pid, parent))
        if server is None:
            return None
        spent = {"clients": time.process_time(), "gunicorn": server}
        if self.postgres:
            spent["PostgreSQL"] = _processes_cpu(lambda _p, _q, name: name == "postgres")
        return spent

    @staticmethod
    def per_request(before, after, requests: int) -> dict[str, float] | None:
        """Milliseconds of CPU per request, by whose they were."""
        if before is None or after is None or not requests:
            return None
        return {who: (after[who] - before[who]) * 1000 / requests for who in before}


class Server:
    """gunicorn serving the app on the loopback address, as in production (README)."""

    def __init__(self, workers: int, log_path: Path, app: str = "acuclinic.wsgi") -> None:
        self.port = _free_port()
        self.log_path = log_path
        command = [sys.executable, "-m", "gunicorn", app]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", str(workers)]
        command += ["--log-level", "warning", "--timeout", "120"]
        self.log = log_path.open("w")
        self.process = subprocess.Popen(command, stdout=self.log, stderr=self.log, cwd=ROOT)

    def request(self, method: str, path: str, body=None, headers=None) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            data = json.dumps(body) if body is not None else None
            sent = {"Content-Type": "application/json", **(headers or {})}
            connection.request(method, path, body=data, headers=sent)
            response = connection.getresponse()
            return response.status, response.read()
        finally:
            connection.close()

    def wait_until_up(self, path: str = "/login/", expect: int = 200) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                break
            try:
                status, _ = self.request("GET", path)
                if status == expect:
                    return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"gunicorn did not start:\n{self.log_path.read_text()[-2000:]}")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()


def in_process_bookings(*, first_day: date, rng: random.Random) -> dict:
    """``--in-process-only``: what one booking and the floor cost, with no server."""
    from acuclinic.people.models import User
    from acuclinic.people.services import api_token_create

    _say("Choosing free slots to book…")
    pool = booking_pool(first_day, wanted=ONE_CLIENT_BOOKINGS, rng=rng)
    _, token = api_token_create(user=User.objects.get(username="reception"), name="Bench")
    _say(f"Timing {ONE_CLIENT_BOOKINGS} bookings one after another, in-process…")
    return {
        "one_client": one_client_bookings(pool, token),
        "refused": refused_requests(token, REFUSED_REQUESTS),
    }


def http_bookings(args: argparse.Namespace, *, first_day: date, rng: random.Random) -> dict:
    """``args.clients`` clients, each with its own API token, booking their list of
    slots through POST /api/v1/appointments (with an Idempotency-Key, as the API asks
    integrations to) until the time is up."""
    from django.conf import settings
    from django.db import connection

    from acuclinic.people.models import User
    from acuclinic.people.services import api_token_create
    from acuclinic.scheduling.models import Appointment

    clients = args.clients
    _say("Choosing free slots for the clients to book…")
    pool = booking_pool(first_day, wanted=ONE_CLIENT_BOOKINGS + clients * 250, rng=rng)
    reception = User.objects.get(username="reception")
    tokens = [
        api_token_create(user=reception, name=f"Bench desk {i + 1}")[1] for i in range(clients)
    ]
    _say(f"Timing {ONE_CLIENT_BOOKINGS} bookings one after another, in-process…")
    one_client = one_client_bookings(pool[:ONE_CLIENT_BOOKINGS], tokens[0])
    refused = refused_requests(tokens[0], REFUSED_REQUESTS)
    lists = client_lists(pool[ONE_CLIENT_BOOKINGS:], clients, args.contended)
    before = Appointment.objects.count()
    connection.close()  # gunicorn's workers and the clients use their own
    ceiling = http_ceiling(args, lists, tokens)

    server = Server(args.workers, Path(settings.VAR_DIR) / "gunicorn.log")
    try:
        server.wait_until_up()
        for token in tokens:  # each worker connects to the database and loads the app
            auth = {"Authorization": f"Bearer {token}"}
            status, body = server.request("GET", "/api/v1/services", headers=auth)
            if status != 200:
                raise SystemExit(f"GET /api/v1/services answered {status}: {body[:300]!r}")
        _say(f"Booking through the API with {clients} clients for {args.seconds:g} s…")
        meter = CpuMeter(server.process.pid, postgres=connection.vendor == "postgresql")
        cpu_before = meter.read()
        answers, elapsed, ran_out = drive(server, lists, tokens, args.seconds)
        cpu_after = meter.read()
    finally:
        server.stop()
    statuses = Counter(status for client in answers for status, _ in client)
    booked = statuses[201]
    # Per request answered: the refusals cost CPU too, and the target counts bookings.
    cpu = CpuMeter.per_request(cpu_before, cpu_after, booked + statuses[409])
    added = Appointment.objects.count() - before
    if added != booked:
        raise SystemExit(
            f"The API answered 201 {booked} times but {added} appointments were added."
        )
    if ran_out:
        _say(f"{ran_out} clients booked every slot they had before the time was up.")
    return {
        "booked": booked,
        "conflicts": statuses[409],
        "seconds": elapsed,
        "per_second": booked / elapsed,
        "latency_ms": [ms for client in answers for status, ms in client if status == 201],
        "ran_out": ran_out,
        "cpu_ms": cpu,
        "one_client": one_client,
        "refused": refused,
        "ceiling": ceiling,
    }


def drive(server: Server, lists: list[list[dict]], tokens: list[str], seconds: float):
    """Each client POSTs its list of bookings to ``server`` one after another (a new
    connection each, with its own token and a fresh Idempotency-Key) until the time is
    up. Returns each client's (status, ms) answers, the seconds taken, and how many
    clients ran out of bookings first."""
    answers: list[list[tuple[int, float]]] = [[] for _ in lists]
    ran_out = [False] * len(lists)

    def booker(i: int):
        auth = {"Authorization": f"Bearer {tokens[i]}"}

        def work(deadline: float) -> None:
            for body in lists[i]:
                if time.perf_counter() >= deadline:
                    return
                headers = {**auth, "Idempotency-Key": str(uuid.uuid4())}
                started = time.perf_counter()
                status, text = server.request("POST", "/api/v1/appointments", body, headers)
                answers[i].append((status, (time.perf_counter() - started) * 1000))
                if status not in (201, 409):
                    raise SystemExit(
                        f"POST /api/v1/appointments {body} answered {status}: {text[:300]!r}"
                    )
            ran_out[i] = True

        return work

    elapsed = run_for(seconds, [booker(i) for i in range(len(lists))])
    return answers, elapsed, sum(ran_out)


def http_ceiling(args: argparse.Namespace, lists: list[list[dict]], tokens: list[str]) -> dict:
    """The same clients sending the same requests to ``bench/null_app.py`` under the
    same gunicorn settings: what HTTP alone allows on this machine, with nothing booked."""
    from django.conf import settings

    server = Server(args.workers, Path(settings.VAR_DIR) / "gunicorn-null.log", NULL_APP)
    try:
        server.wait_until_up(path="/", expect=201)
        _say(f"Sending the same requests to an app that does nothing for {args.seconds:g} s…")
        meter = CpuMeter(server.process.pid, postgres=False)
        before = meter.read()
        answers, elapsed, _ = drive(server, lists, tokens, args.seconds)
        after = meter.read()
    finally:
        server.stop()
    answered = sum(len(client) for client in answers)
    return {
        "answered": answered,
        "seconds": elapsed,
        "per_second": answered / elapsed,
        "cpu_ms": CpuMeter.per_request(before, after, answered),
    }


def _backend_cpu_seconds() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend process, from
    Linux's /proc (the server is on this machine); 0 on SQLite, whose work is done in
    this process and counted in its own CPU time."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    _, tail = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)
    fields = tail.split()  # from the state on: user and system are [11:13]
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _with_database_cpu(action, count: int) -> dict:
    """``action`` ``count`` times, each timed as ``_cpu_timed`` does, and the CPU the
    database server's backend spent on them in all, per request: /proc counts in ticks
    (10 ms), too coarse for one request, so it is read around the whole run."""
    backend = _backend_cpu_seconds()
    timed = _timings([_cpu_timed(action) for _ in range(count)])
    database_ms = (_backend_cpu_seconds() - backend) * 1000 / count
    app_ms = sum(timed["cpu_ms"]) / count
    return {**timed, "database_cpu_ms": database_ms, "all_told_cpu_ms": app_ms + database_ms}


def one_client_bookings(bodies: list[dict], token: str) -> dict:
    """What one booking costs the app and the database alone: POST /api/v1/appointments
    through Django's test client (no server, no network), one at a time, in wall-clock
    and CPU milliseconds, and the CPU of the database server's backend (PostgreSQL).
    Also how many SQL statements one booking sends, counted on the second."""
    from django.db import connection
    from django.test import Client

    client = Client(headers={"Authorization": f"Bearer {token}"})

    def book(body: dict) -> None:
        key = {"Idempotency-Key": str(uuid.uuid4())}
        response = client.post(
            "/api/v1/appointments", json.dumps(body), "application/json", headers=key
        )
        if response.status_code != 201:
            raise SystemExit(f"POST /api/v1/appointments {body} answered {response.status_code}")

    book(bodies[0])  # warm up
    statements = []

    def count(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    # Not CaptureQueriesContext: every request empties the connection's query log.
    with connection.execute_wrapper(count):
        book(bodies[1])
    rest = iter(bodies[2:])
    timed = _with_database_cpu(lambda: book(next(rest)), len(bodies) - 2)
    return {**timed, "statements": len(statements)}


def refused_requests(token: str, count: int) -> dict:
    """The least any booking through the API costs: the same POST with a start that has
    no time zone, which the API authenticates, checks the permission of, reads and
    refuses (422) before it looks at the diary. In-process, wall-clock and CPU ms."""
    from django.test import Client

    client = Client(headers={"Authorization": f"Bearer {token}"})
    body = json.dumps(
        {"patient": 1, "practitioner": 1, "room": 1, "service": 1, "start": "2030-01-07T10:00"}
    )

    def refused() -> None:
        response = client.post("/api/v1/appointments", body, "application/json")
        if response.status_code != 422:
            raise SystemExit(f"A start without a time zone answered {response.status_code}.")

    quiet = logging.getLogger("django.request")  # it warns of every 4xx
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        refused()  # warm up
        return _with_database_cpu(refused, count)
    finally:
        quiet.setLevel(level)


# Double bookings ----------------------------------------------------------------------


def double_bookings() -> dict[str, int]:
    """Active appointments whose held time (visit and turnover) starts before an earlier
    one's of the same practitioner (or room) has ended: each practitioner's (room's)
    appointments in order of start, against the latest end of all before it."""
    from django.db.models import F, Max, Window
    from django.db.models.expressions import RowRange

    from acuclinic.scheduling.models import Appointment

    found = {}
    for kind in ("practitioner", "room"):
        earlier = Window(
            Max("held_until"),
            partition_by=[F(f"{kind}_id")],
            order_by=[F("start").asc(), F("pk").asc()],
            frame=RowRange(start=None, end=-1),
        )
        found[kind] = (
            Appointment.objects.active()
            .annotate(earlier_until=earlier)
            .filter(start__lt=F("earlier_until"))
            .count()
        )
    return found


if __name__ == "__main__":
    raise SystemExit(main())

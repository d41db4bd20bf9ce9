"""Profile the diary and its feed on a clinic kept by ``pages.py --keep``: where the
server's time goes, by function, for one view as one role.

    .venv/bin/python bench/profile_diary.py /work/bench-keep/NAME/acuclinic_bench_pages_1y.sqlite3 \
        --path feed --view week --role reception
    .venv/bin/python bench/profile_diary.py postgres://root@127.0.0.1:5432/NAME_5y \
        --date 2026-12-07 --sql

Prints cProfile's top functions by cumulative and by own time, and the CPU time per
request (process time, which another engineer's load on the machine disturbs less than
wall-clock time). ``--sql`` lists one request's statements instead, slowest first, with
the time each took as the server waited for it.
"""

import sys
from pathlib import Path

# bench/ would shadow the standard library's ``platform`` (see bench/_common.py).
BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != BENCH_DIR]
sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import cProfile  # noqa: E402
import os  # noqa: E402
import pstats  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import date, timedelta  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "clinic", help="the kept clinic: its SQLite file, or a PostgreSQL database's URL"
    )
    parser.add_argument("--path", choices=("diary", "feed"), default="diary")
    parser.add_argument("--view", choices=("day", "week"), default="week")
    parser.add_argument("--by", choices=("practitioner", "room"), default="practitioner")
    parser.add_argument("--role", default="reception")
    parser.add_argument("--date", help="YYYY-MM-DD (default: the day the clinic was built)")
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--no-profile", action="store_true", help="only time the requests")
    parser.add_argument("--save", type=Path, help="write the response to this file (to diff)")
    parser.add_argument("--sql", action="store_true", help="list one request's statements")
    args = parser.parse_args()

    from bench._common import child_env

    if "://" in args.clinic:
        url, var_dir = args.clinic, tempfile.mkdtemp(prefix="acuclinic-profile-")
    else:
        sqlite = Path(args.clinic).resolve()
        url, var_dir = f"sqlite:///{sqlite}", str(sqlite.parent)
    os.environ.update(child_env(url, var_dir))
    import django

    django.setup()
    import logging

    from django.test import Client

    from acuclinic.clinic.models import Location
    from acuclinic.people.models import User

    logging.getLogger("django.request").setLevel(logging.ERROR)
    day = date.fromisoformat(args.date) if args.date else _built_on(args.clinic)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    client = Client()
    client.force_login(User.objects.get(username=args.role))
    url = "/diary/feed/" if args.path == "feed" else "/diary/"
    params = {
        "location": Location.objects.order_by("pk").first().pk,
        "date": day.isoformat(),
        "view": args.view,
        "by": args.by,
    }
    response = client.get(url, params)
    assert response.status_code == 200, response.status_code
    print(f"GET {url} {params} as {args.role}: {len(response.content):,} bytes")
    if args.save:
        args.save.write_bytes(response.content)

    cpu, wall = [], []
    for _ in range(args.requests):
        c, w = time.process_time(), time.perf_counter()
        client.get(url, params)
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    cpu.sort(), wall.sort()
    print(
        f"CPU ms median {cpu[len(cpu) // 2]:.1f} (min {cpu[0]:.1f}); "
        f"wall ms median {wall[len(wall) // 2]:.1f} (min {wall[0]:.1f}); "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    if args.sql:
        _list_statements(client, url, params)
        return 0
    if args.no_profile:
        return 0
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.requests):
        client.get(url, params)
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


def _list_statements(client, url: str, params: dict) -> None:
    from django.db import connection

    timed = []

    def timer(execute, sql, params_, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params_, many, context)
        finally:
            timed.append(((time.perf_counter() - start) * 1000, sql))

    with connection.execute_wrapper(timer):
        client.get(url, params)
    print(f"{len(timed)} statements, {sum(ms for ms, _ in timed):.1f} ms in all")
    for ms, sql in sorted(timed, reverse=True):
        print(f"{ms:7.2f} ms  {' '.join(sql.split())[:300]}")


def _built_on(clinic: str) -> date:
    import json

    kept = Path(clinic).with_suffix("").with_suffix(".built.json")
    if "://" not in clinic and kept.exists():
        return date.fromisoformat(json.loads(kept.read_text())["built_on"])
    return date.today()


if __name__ == "__main__":
    sys.exit(main())

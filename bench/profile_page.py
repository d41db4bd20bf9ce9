"""Profile any staff page on a kept clinic: where the server's time goes, by function,
for one page as one role, and the SQL it sends.

    .venv/bin/python bench/profile_page.py sqlite:////path/acuclinic_bench_pages_1y.sqlite3 \
        treatment_report --role admin [--today 2026-12-07] [--sql]

The page is named by its URL name; a page that takes an id gets the same sample object
``pages.py`` measures it with. Prints the CPU time per request (process time, which
another engineer's load on the machine disturbs less than wall-clock time), the number of
statements one request sends (with ``--sql``, the statements themselves), then
cProfile's top functions by cumulative and by own time. The diary's views have
``profile_diary.py``, which knows their query strings.
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
from datetime import date  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("database", help="the kept clinic's database URL")
    parser.add_argument("name", help="the page's URL name, e.g. treatment_report")
    parser.add_argument("--role", default="admin")
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    parser.add_argument("--requests", type=int, default=10)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--sql", action="store_true", help="print one request's statements")
    parser.add_argument("--no-profile", action="store_true", help="only time the requests")
    parser.add_argument("--save", type=Path, help="write the response to this file (to diff)")
    args = parser.parse_args()

    from bench._common import child_env

    os.environ.update(child_env(args.database, tempfile.mkdtemp(prefix="acuclinic-profile-")))
    import django

    django.setup()
    import logging

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import get_resolver, reverse

    from acuclinic.people.models import User
    from bench.pages import samples

    logging.getLogger("django.request").setLevel(logging.ERROR)
    client = Client()
    client.force_login(User.objects.get(username=args.role))
    table = samples(args.today)
    needs_id = any(
        params for _, _, _, params in get_resolver().reverse_dict.getlist(args.name)
    )  # fmt: skip
    url = reverse(args.name, kwargs=table[args.name]() if needs_id else None)
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    print(f"GET {url} as {args.role}: {len(response.content):,} bytes")
    if args.save:
        args.save.write_bytes(response.content)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    print(f"{len(queries)} statements")
    if args.sql:
        for query in queries:
            print(f"  {query['time']}s  {query['sql'][:400]}")

    cpu, wall = [], []
    for _ in range(args.requests):
        c, w = time.process_time(), time.perf_counter()
        client.get(url)
        cpu.append((time.process_time() - c) * 1000)
        wall.append((time.perf_counter() - w) * 1000)
    cpu.sort(), wall.sort()
    print(
        f"CPU ms median {cpu[len(cpu) // 2]:.1f} (min {cpu[0]:.1f}); "
        f"wall ms median {wall[len(wall) // 2]:.1f} (min {wall[0]:.1f}); "
        f"load average {os.getloadavg()[0]:.2f}"
    )
    if args.no_profile:
        return 0
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(args.requests):
        client.get(url)
    profile.disable()
    stats = pstats.Stats(profile)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())

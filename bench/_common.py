"""What the benchmarks share: a throwaway database per engine, each measured in a child
process of its own, figures as median and 95th percentile, and the table they print.

A benchmark script puts the repository root first on ``sys.path`` (``bench/`` would
shadow the standard library's ``platform``), imports this as ``bench._common``, and
calls ``measure_each_database``, which starts the script again with ``--measure <url>``
once per database and collects the JSON that child prints on its last line.
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_ENV = "ACUCLINIC_BENCH_DATABASE_URL"


def add_database_options(parser, database_name: str) -> None:
    """``--postgres`` (also from $ACUCLINIC_BENCH_DATABASE_URL) and the child's hidden
    ``--measure``."""
    parser.add_argument(
        "--postgres",
        default=os.environ.get(BENCH_ENV),
        help="also run on PostgreSQL, given a URL of a server to create the "
        f"`{database_name}` database on (default: ${BENCH_ENV})",
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # the child's database URL


def measure_each_database(
    script: str, child_argv: Sequence[str], *, postgres: str | None, database_name: str
) -> tuple[dict[str, dict], dict[str, str]]:
    """Run ``script`` once on a temporary SQLite file and, when ``postgres`` is given,
    once on a fresh ``database_name`` database there. Returns the children's figures by
    engine name, and why an engine could not be measured."""
    results: dict[str, dict] = {}
    failures: dict[str, str] = {}
    with tempfile.TemporaryDirectory(prefix="acuclinic-bench-") as var_dir:
        sqlite_url = f"sqlite:///{Path(var_dir) / 'bench.sqlite3'}"
        results["SQLite"] = run_child(script, sqlite_url, var_dir, child_argv)
        if postgres:
            try:
                with bench_database(postgres, database_name) as pg_url:
                    results["PostgreSQL"] = run_child(script, pg_url, var_dir, child_argv)
            except Exception as exc:  # report it beside the SQLite figures, not instead
                failures["PostgreSQL"] = str(exc).strip().splitlines()[-1]
    return results, failures


def child_env(database_url: str, var_dir: str) -> dict[str, str]:
    """The settings a child runs with: its own database, var/ and secret key."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "acuclinic.settings",
        "DATABASE_URL": database_url,
        "ACUCLINIC_VAR_DIR": var_dir,
        "SECRET_KEY": "bench-" + secrets.token_urlsafe(40),
        "DEBUG": "0",
        "HTTPS": "0",
        # The test Client's host name, and a real server on the loopback address.
        "ALLOWED_HOSTS": "testserver,127.0.0.1",
        "LOG_LEVEL": "WARNING",
    }


def run_child(script: str, database_url: str, var_dir: str, argv: Sequence[str]) -> dict:
    import json

    command = [sys.executable, script, "--measure", database_url, *argv]
    env = child_env(database_url, var_dir)
    done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"The benchmark on {database_url} failed (exit {done.returncode}).")
    return json.loads(done.stdout.strip().splitlines()[-1])


@contextmanager
def bench_database(server_url: str, name: str):
    """A fresh database called ``name`` on the server ``server_url`` points at, dropped
    afterwards (any database of that name is replaced)."""
    import psycopg

    parts = urlsplit(server_url)
    if parts.path.strip("/") == name:
        parts = parts._replace(path="/postgres")  # cannot drop the database we are in
    admin_url = urlunsplit(parts)

    def admin(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(sql)

    admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin(f"CREATE DATABASE {name}")
    try:
        yield urlunsplit(parts._replace(path=f"/{name}"))
    finally:
        admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def engine_version(connection) -> str:
    """The database engine's version, e.g. ``3.46.1`` or ``15.2``."""
    if connection.vendor == "sqlite":
        import sqlite3

        return sqlite3.sqlite_version
    return ".".join(str(part) for part in divmod(connection.pg_version, 10000))


def median_p95(values: Sequence[float]) -> tuple[float, float]:
    middle = statistics.median(values)
    if len(values) < 2:
        return middle, middle
    return middle, statistics.quantiles(values, n=20, method="inclusive")[18]


def print_table(rows: Sequence[tuple[str, Callable[[dict], str]]], results: dict[str, dict]):
    """One line per row: its label, then its figure for each engine, right-aligned."""
    engines = list(results)
    label_width = max(len(label) for label, _ in rows) + 2
    cells = [[fmt(results[e]) for e in engines] for _, fmt in rows]
    widths = [max(len(e), *(len(row[i]) for row in cells)) + 2 for i, e in enumerate(engines)]
    print(" " * label_width + "".join(e.rjust(w) for e, w in zip(engines, widths, strict=True)))
    for (label, _), row in zip(rows, cells, strict=True):
        print(
            label.ljust(label_width) + "".join(c.rjust(w) for c, w in zip(row, widths, strict=True))
        )

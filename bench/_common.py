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
    script: str,
    child_argv: Sequence[str],
    *,
    postgres: str | None,
    database_name: str,
    keep: Path | None = None,
    sqlite: bool = True,
) -> tuple[dict[str, dict], dict[str, str]]:
    """Run ``script`` once on a temporary SQLite file and, when ``postgres`` is given,
    once on a fresh ``database_name`` database there. Returns the children's figures by
    engine name, and why an engine could not be measured.

    With ``keep``, a folder, both databases are kept instead (the SQLite file in that
    folder, the PostgreSQL database left on the server) and a later run with the same
    ``keep`` and ``database_name`` is given them as they were, so a clinic that takes
    minutes to build is built once while a page is being made faster; the child decides
    whether what it finds is already built. ``sqlite=False`` leaves SQLite out, so the two
    databases' clinics can be built side by side by two runs on a machine with CPUs to
    spare."""
    results: dict[str, dict] = {}
    failures: dict[str, str] = {}
    with _var_dir(keep) as var_dir:
        sqlite_url = f"sqlite:///{Path(var_dir) / f'{database_name}.sqlite3'}"
        if sqlite:
            results["SQLite"] = run_child(script, sqlite_url, var_dir, child_argv)
        if postgres:
            try:
                with bench_database(postgres, database_name, keep=keep is not None) as pg_url:
                    results["PostgreSQL"] = run_child(script, pg_url, var_dir, child_argv)
            except Exception as exc:  # report it beside the SQLite figures, not instead
                failures["PostgreSQL"] = str(exc).strip().splitlines()[-1]
    return results, failures


@contextmanager
def _var_dir(keep: Path | None):
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="acuclinic-bench-") as var_dir:
            yield var_dir
    else:
        keep.mkdir(parents=True, exist_ok=True)
        yield str(keep)


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
        # A benchmark measures the app's work, not the API's per-minute limits, which a
        # quick run of a few hundred requests would otherwise reach.
        "ACUCLINIC_API_RATE_PER_TOKEN": "1000000000",
        "ACUCLINIC_API_RATE_PER_ADDRESS": "1000000000",
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
def bench_database(server_url: str, name: str, *, keep: bool = False):
    """A fresh database called ``name`` on the server ``server_url`` points at, dropped
    afterwards (any database of that name is replaced). With ``keep``, a database of that
    name is used as it is, or created, and left in place."""
    import psycopg

    parts = urlsplit(server_url)
    if parts.path.strip("/") == name:
        parts = parts._replace(path="/postgres")  # cannot drop the database we are in
    admin_url = urlunsplit(parts)

    def admin(sql: str) -> None:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(sql)

    url = urlunsplit(parts._replace(path=f"/{name}"))
    if keep:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            found = connection.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
        if not found:
            admin(f"CREATE DATABASE {name}")
        yield url
        return
    admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    admin(f"CREATE DATABASE {name}")
    try:
        yield url
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

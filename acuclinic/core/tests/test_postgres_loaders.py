"""PostgreSQL timestamps are parsed by psycopg's C parser (core/postgres_loaders.py) and
come back exactly as Django's own loader gave them: the same instant, Django's
``tzinfo``."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import connection

from acuclinic.core import postgres_loaders
from acuclinic.testing.markers import only_postgres

pytestmark = [pytest.mark.django_db, only_postgres]

WRITTEN = [
    datetime(2026, 12, 7, 9, 30, tzinfo=UTC),
    datetime(2026, 3, 29, 0, 59, 59, 999999, tzinfo=UTC),  # the hour before BST begins
    datetime(1969, 12, 31, 23, 0, 0, 1, tzinfo=UTC),
    datetime(2031, 10, 26, 1, 15, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
]


def _read_back(cursor) -> list[datetime]:
    cursor.execute(
        "SELECT v FROM unnest(%s::timestamptz[]) WITH ORDINALITY AS t (v, n) ORDER BY n",
        [WRITTEN],
    )
    return [v for (v,) in cursor.fetchall()]


def test_a_new_connection_reads_timestamps_with_the_c_parser():
    import psycopg
    from psycopg.pq import Format

    connection.ensure_connection()
    oid = psycopg.postgres.types["timestamptz"].oid
    with connection.cursor() as cursor:
        used = cursor.cursor.adapters.get_loader(oid, Format.TEXT)
    assert used.__name__ == "FastTzLoader"
    assert used.timezone is connection.timezone


def test_values_are_those_django_s_own_loader_gives():
    from django.db.backends.postgresql.psycopg_any import register_tzloader

    with connection.cursor() as cursor:
        fast = _read_back(cursor)
    with connection.cursor() as cursor:
        register_tzloader(connection.timezone, cursor.cursor)  # Django's, on this cursor
        djangos = _read_back(cursor)
    assert fast == djangos == WRITTEN
    assert [v.tzinfo for v in fast] == [v.tzinfo for v in djangos] == [UTC] * len(WRITTEN)
    assert [v.isoformat() for v in fast] == [v.isoformat() for v in djangos]


def test_without_a_time_zone_values_are_naive_as_django_gives_them():
    parser = postgres_loaders.c_parser()
    naive = postgres_loaders.loader_for(None, parser)
    with connection.cursor() as cursor:
        cursor.cursor.adapters.register_loader("timestamptz", naive)
        read = _read_back(cursor)
    assert [v.tzinfo for v in read] == [None] * len(WRITTEN)
    assert read == [v.astimezone(UTC).replace(tzinfo=None) for v in WRITTEN]

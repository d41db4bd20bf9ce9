"""Migration tests against the migrations that squashed ones replace.

A fresh database, the test database too, is built from the squashed migrations: Django
then has no node for the old steps in between, so a test cannot migrate "back" to one.
An existing clinic's database may still stand part-way along the old steps, and it is
there that their data migrations run. So a test starts from an empty database, migrates
it along the old steps (``start_at_old_migrations``), fills it as the clinic had it, and
migrates it to today; from a part-way state Django itself takes the old steps of those
apps and the squashed migrations of the others, as it would for that clinic.

The empty database is one of the test's own (the ``migration_database`` fixture), made
for the test and dropped after it, and the test database is left as it was. Emptying the
test database instead meant migrating it back to today's schema after every such test
for the tests that follow: 14–16 s each on SQLite, as long as the test itself, and
nothing was checked.
"""

from contextlib import contextmanager
from pathlib import Path

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder


class OldMigrationsLoader(MigrationLoader):
    """The migration graph as it was before acuclinic's apps squashed their migrations
    (other packages' squashed migrations are used as usual)."""

    def load_disk(self):
        super().load_disk()
        for key, migration in list(self.disk_migrations.items()):
            if migration.replaces and type(migration).__module__.startswith("acuclinic."):
                del self.disk_migrations[key]


class OldMigrationsExecutor(MigrationExecutor):
    def __init__(self, connection, progress_callback=None):
        super().__init__(connection, progress_callback)
        self.loader = OldMigrationsLoader(self.connection)


def start_at_old_migrations(targets) -> OldMigrationsExecutor:
    """The test's own empty database migrated along the old migrations to ``targets``
    (and what they depend on, nothing more)."""
    assert not connection.introspection.django_table_names(only_existing=True), (
        "a migration test starts from an empty database: use the migration_database fixture"
    )
    executor = OldMigrationsExecutor(connection)
    executor.migrate(targets)
    return executor


def old_leaf_nodes() -> list[tuple[str, str]]:
    """Today's schema as the old migrations reach it."""
    return OldMigrationsLoader(connection).graph.leaf_nodes()


def migrate_to_latest() -> MigrationExecutor:
    """From wherever the database stands to today's schema, as `acuclinic migrate` would."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    return executor


@contextmanager
def own_database(directory: Path):
    """Until the block ends, the default connection is one to an empty database of its
    own (on SQLite a file in ``directory``, on PostgreSQL a database beside the test
    database, dropped afterwards). The test database's connection is set aside as it
    stands, inside the test's transaction: a test marked ``django_db`` writes nothing to
    it, and nothing needs emptying after it (a ``transaction=True`` test's flush took
    1–3 s on PostgreSQL)."""
    test_database = connections[DEFAULT_DB_ALIAS]
    settings = dict(test_database.settings_dict)
    if test_database.vendor == "sqlite":
        settings["NAME"] = str(directory / "migrations.sqlite3")
    else:
        settings["NAME"] = f"{settings['NAME']}_migrations"
        _drop_and_create(test_database, settings["NAME"], create=True)
    own = type(test_database)(settings, DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = own
    try:
        # django_test_migrations' Migrator empties the table before it migrates.
        MigrationRecorder(own).ensure_schema()
        yield
    finally:
        own.close()
        connections[DEFAULT_DB_ALIAS] = test_database
        # Content types the migrations made have ids of the other database.
        ContentType.objects.clear_cache()
        if test_database.vendor != "sqlite":
            _drop_and_create(test_database, settings["NAME"], create=False)


def _drop_and_create(test_database, name: str, *, create: bool) -> None:
    quoted = test_database.ops.quote_name(name)
    with test_database._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quoted}")
        if create:
            cursor.execute(f"CREATE DATABASE {quoted}")


@pytest.fixture
def migration_database(db, tmp_path):
    """The default connection on an empty database of the test's own for the test (see
    own_database)."""
    with own_database(tmp_path):
        yield

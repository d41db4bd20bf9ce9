"""Migration tests against the migrations that squashed ones replace.

A fresh database, the test database too, is built from the squashed migrations: Django
then has no node for the old steps in between, so a test cannot migrate "back" to one.
An existing clinic's database may still stand part-way along the old steps, and it is
there that their data migrations run. So a test empties the database and migrates it
along the old steps (``start_at_old_migrations``), fills it as the clinic had it, and
migrates it to today; from a part-way state Django itself takes the old steps of those
apps and the squashed migrations of the others, as it would for that clinic.
"""

from django.core.management.color import no_style
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django_test_migrations import sql


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


def empty_database() -> None:
    style = no_style()
    sql.drop_models_tables(connection.alias, style)
    sql.flush_django_migrations_table(connection.alias, style)


def start_at_old_migrations(targets) -> OldMigrationsExecutor:
    """An empty database migrated along the old migrations to ``targets`` (and what they
    depend on, nothing more)."""
    empty_database()
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

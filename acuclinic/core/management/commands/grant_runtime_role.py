"""`acuclinic grant_runtime_role ROLE`: on PostgreSQL, let ROLE read and write the rows
of every table, and nothing more (no TRUNCATE, no ALTER, no ownership). Run it as the
database's owner after each `acuclinic migrate`; the app itself connects as ROLE."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from acuclinic.core.runtime_role import grant_statements


class Command(BaseCommand):
    help = "PostgreSQL: grant a runtime role row access to every table, nothing more."

    def add_arguments(self, parser):
        parser.add_argument("role")

    def handle(self, *args, role, **options):
        if connection.vendor != "postgresql":
            raise CommandError("Runtime roles are for PostgreSQL; SQLite has no roles.")
        with transaction.atomic(), connection.cursor() as cursor:
            for statement in grant_statements(role, connection.settings_dict["NAME"]):
                cursor.execute(statement)
        self.stdout.write(f"{role} may now read and write rows, and nothing more.")

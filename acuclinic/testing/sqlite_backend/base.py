"""SQLite for the test suite: Django's backend, except that emptying the database
between browser tests (the flush) lifts the audit table's DELETE trigger for that one
transaction. The application's own backend never does: there, DELETE is refused."""

from django.db.backends.sqlite3 import base, operations

from acuclinic.audit.sql import SQLITE_DROP_NO_DELETE, SQLITE_NO_DELETE


class DatabaseOperations(operations.DatabaseOperations):
    def sql_flush(self, style, tables, *, reset_sequences=False, allow_cascade=False):
        statements = super().sql_flush(
            style, tables, reset_sequences=reset_sequences, allow_cascade=allow_cascade
        )
        if "audit_auditentry" not in tables:
            return statements
        return [SQLITE_DROP_NO_DELETE, *statements, SQLITE_NO_DELETE]


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

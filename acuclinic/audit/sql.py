"""The SQLite triggers that make the audit table append-only in the database itself.

PostgreSQL has its row trigger (migration 0003). On SQLite, UPDATE and DELETE are both
refused; the test suite, which must empty the table between browser tests, drops the
DELETE trigger around its flush and puts it back (acuclinic.testing.sqlite_backend).
A table rebuild (SQLite's way to alter a column) drops a table's triggers, so a
migration that rebuilds the audit table creates them again.
"""

SQLITE_NO_UPDATE = """
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""
SQLITE_NO_DELETE = """
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;
"""
SQLITE_DROP_NO_DELETE = "DROP TRIGGER IF EXISTS audit_no_delete;"

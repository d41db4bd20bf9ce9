"""PostgreSQL: connected as the runtime role (README recipe), the app can write rows but
cannot switch off the audit trail's triggers, empty it, or delete from it."""

import os

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from acuclinic.audit import services as audit
from acuclinic.testing.markers import only_postgres

# Roles belong to the whole server: one per test database, like the database itself.
ROLE = "acuclinic_runtime_test" + os.environ.get("ACUCLINIC_TEST_DB_SUFFIX", "").lower()


@pytest.fixture
def runtime_connection(transactional_db, reception_user):
    audit.record("view", reception_user, user=reception_user)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP ROLE IF EXISTS {ROLE}")
        cursor.execute(f"CREATE ROLE {ROLE} LOGIN")
    call_command("grant_runtime_role", ROLE)
    settings = connection.settings_dict
    conn = psycopg.connect(
        host=settings["HOST"] or "127.0.0.1",
        port=settings["PORT"] or 5432,
        dbname=settings["NAME"],
        user=ROLE,
        autocommit=True,
    )
    yield conn
    conn.close()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {ROLE}")
        cursor.execute(f"DROP ROLE {ROLE}")


@only_postgres
def test_the_runtime_role_writes_rows_but_cannot_touch_the_audit_trails_guards(
    runtime_connection,
):
    conn = runtime_connection
    # Ordinary work: reading and writing rows.
    conn.execute("SELECT count(*) FROM people_patient").fetchone()
    conn.execute("UPDATE people_user SET first_name = first_name WHERE id > 0")
    for statement in (
        "ALTER TABLE audit_auditentry DISABLE TRIGGER ALL",
        "DROP TRIGGER audit_no_update ON audit_auditentry",
        "TRUNCATE audit_auditentry",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
    with pytest.raises(psycopg.errors.RaiseException, match="append-only"):
        conn.execute("DELETE FROM audit_auditentry")
    assert conn.execute("SELECT count(*) FROM audit_auditentry").fetchone()[0] >= 1

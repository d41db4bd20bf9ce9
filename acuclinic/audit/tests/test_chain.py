"""The audit trail is a hash chain: `acuclinic audit verify` reports it intact, and
names the first entry changed, removed or inserted behind the application's back. The
database refuses UPDATE and DELETE on every engine."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditEntry
from acuclinic.audit.sql import SQLITE_NO_DELETE, SQLITE_NO_UPDATE


@pytest.fixture
def entries(patient, reception_user):
    return [audit.record("view", patient, user=reception_user, detail=f"n{i}") for i in range(4)]


def verify() -> str:
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    return out.getvalue()


def _behind_the_apps_back(sql: str, params: list) -> None:
    """What someone with the database file (or the table's owner) could do: lift the
    triggers, change the rows, put the triggers back."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser's way past every trigger, for this transaction only.
            cursor.execute("SET LOCAL session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        else:
            cursor.execute("DROP TRIGGER audit_no_update")
            cursor.execute("DROP TRIGGER audit_no_delete")
            cursor.execute(sql, params)
            cursor.execute(SQLITE_NO_UPDATE)
            cursor.execute(SQLITE_NO_DELETE)


def test_each_entry_chains_onto_the_one_before(entries):
    rows = list(AuditEntry.objects.order_by("id"))
    assert all(len(row.entry_hash) == 64 for row in rows)
    assert [row.prev_hash for row in rows[1:]] == [row.entry_hash for row in rows[:-1]]
    assert "intact: 4 entries checked" in verify()


def test_a_changed_entry_is_named(entries):
    target = entries[2]
    _behind_the_apps_back(
        "UPDATE audit_auditentry SET detail = %s WHERE id = %s", ["nothing to see", target.pk]
    )
    with pytest.raises(CommandError, match=f"broken at entry {target.pk} .*was changed"):
        verify()


def test_a_removed_entry_breaks_the_link_after_it(entries):
    _behind_the_apps_back("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError, match=f"broken at entry {entries[2].pk} .*removed"):
        verify()


def test_the_database_refuses_a_raw_delete_on_every_engine(entries):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entries[0].pk])
    assert AuditEntry.objects.count() == 4


def test_entries_written_together_chain_in_order(patient, reception_user, practitioner):
    audit.record_many("view", [patient, practitioner], user=reception_user)
    audit.record("view", patient, user=reception_user)
    assert "intact: 3 entries checked" in verify()

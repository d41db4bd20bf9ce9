"""Audit history cannot be changed or deleted: not by the application, not by raw SQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from acuclinic.audit import services as audit
from acuclinic.audit.models import AppendOnlyError, AuditEntry
from acuclinic.testing.markers import only_postgres


@pytest.fixture
def entry(patient, reception_user):
    return audit.record("view", patient, user=reception_user)


def test_saving_an_existing_entry_again_is_refused(entry):
    entry.detail = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    entry.refresh_from_db()
    assert entry.detail == ""


def test_deleting_an_entry_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_updating_entries_in_bulk_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(actor_username="someone else")
    assert AuditEntry.objects.get(pk=entry.pk).actor_username == "reception"


def test_deleting_entries_in_bulk_is_refused(entry):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.count() == 1


def _raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_the_database_refuses_a_raw_sql_update(entry):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("UPDATE audit_auditentry SET actor_username = %s WHERE id = %s", ["x", entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).actor_username == "reception"


@only_postgres
def test_postgresql_refuses_a_raw_sql_delete(entry):
    with pytest.raises(DatabaseError, match="append-only"):
        _raw("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_new_entries_can_still_be_added_after_a_refusal(entry, patient, reception_user):
    with pytest.raises(AppendOnlyError):
        entry.delete()
    audit.record("view", patient, user=reception_user)
    assert AuditEntry.objects.count() == 2

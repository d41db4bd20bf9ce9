"""Backup → wipe → restore gives back every row of every table, on whichever database the
suite runs on (SQLite, or PostgreSQL with ACUCLINIC_TEST_DATABASE_URL); damaged, tampered,
wrongly keyed files and non-empty databases are refused before anything changes."""

import tarfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.interop import backup
from acuclinic.people import roles
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db(transaction=True)


def every_row() -> dict[str, list]:
    tables = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            rows = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in cursor.fetchall()
            ]
            tables[table] = sorted(rows, key=repr)
    return tables


def wipe() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f'DROP TABLE "{table}"')
            cursor.execute("PRAGMA foreign_keys = ON")


@pytest.fixture
def clinic_data():
    yield _clinic_data()
    # Had a wiped database not been restored, the rest of the run would find no tables.
    if "clinic_clinic" not in connection.introspection.table_names():
        call_command("migrate", verbosity=0)


def _clinic_data():
    clinic = factories.build_clinic()
    admin = factories.staff_user("backup-admin", role=roles.ADMIN)
    prac = factories.practitioner("backup-prac")
    patient = factories.patient(given_name="Ada", family_name="Lovelace")
    factories.appointment(patient=patient, practitioner=prac)
    audit.record(AuditAction.VIEW, patient, user=admin, detail="before the backup")
    return clinic


def test_backup_wipe_restore_gives_back_every_row(clinic_data, tmp_path, monkeypatch):
    monkeypatch.delenv(backup.KEY_VARIABLE, raising=False)
    before = every_row()
    assert before["people_patient"] and before["audit_auditentry"]
    call_command("backup", "--output-dir", str(tmp_path))
    [made] = tmp_path.glob("*.backup")

    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(made))
    assert every_row() == before

    wipe()
    assert connection.introspection.table_names() == []
    call_command("restore", str(made))
    assert every_row() == before


def test_encrypted_backup_needs_its_key(clinic_data, tmp_path, monkeypatch):
    monkeypatch.setenv(backup.KEY_VARIABLE, backup.new_key())
    path, manifest = backup.create(tmp_path)
    assert manifest.encrypted
    with tarfile.open(path) as tar:
        assert b"Lovelace" not in tar.extractfile("payload").read()
    backup.read(path)  # the right key reads it
    monkeypatch.setenv(backup.KEY_VARIABLE, backup.new_key())
    with pytest.raises(backup.BackupError, match="cannot be decrypted"):
        backup.read(path)
    monkeypatch.delenv(backup.KEY_VARIABLE)
    with pytest.raises(backup.BackupError, match="set ACUCLINIC_BACKUP_KEY"):
        backup.read(path)
    monkeypatch.setenv(backup.KEY_VARIABLE, "not-a-key")
    with pytest.raises(backup.BackupError, match="not a valid key"):
        backup.create(tmp_path)


def test_tampered_and_truncated_files_are_refused_and_nothing_changes(
    clinic_data, tmp_path, monkeypatch
):
    monkeypatch.delenv(backup.KEY_VARIABLE, raising=False)
    path, _ = backup.create(tmp_path)
    before = every_row()
    data = path.read_bytes()

    truncated = tmp_path / "truncated.backup"
    truncated.write_bytes(data[: len(data) // 3])
    with pytest.raises(CommandError, match="not a complete acuclinic backup"):
        call_command("restore", str(truncated), "--force")

    # Change one byte inside the payload (after the two 512-byte tar headers and the
    # manifest), keeping the tar structure intact.
    tampered = tmp_path / "tampered.backup"
    raw = bytearray(data)
    at = data.index(b"SQLite format 3") + 200 if b"SQLite format 3" in data else len(data) // 2
    raw[at] ^= 0xFF
    tampered.write_bytes(bytes(raw))
    with pytest.raises(CommandError, match="checksum does not match"):
        call_command("restore", str(tampered), "--force")

    garbage = tmp_path / "garbage.backup"
    garbage.write_bytes(b"\x00garbage" * 1000)
    with pytest.raises(CommandError, match="not a complete acuclinic backup"):
        call_command("restore", str(garbage), "--check")
    assert every_row() == before

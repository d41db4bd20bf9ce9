"""Backups the clinic can trust: a consistent copy taken while it works, a manifest, a
checksum, optional encryption, and a restore that refuses to overwrite data by accident.

A backup is one tar file holding ``manifest.json`` and ``payload``: on SQLite the database
file copied with SQLite's online backup API (consistent while others write), on PostgreSQL
a ``pg_dump`` custom-format archive. The manifest records the engine, when, the rows of
every table and the payload's SHA-256. With ``ACUCLINIC_BACKUP_KEY`` (a Fernet key:
``acuclinic backup --new-key`` prints one) the payload is encrypted, and authenticated, so a
changed byte is refused on restore.
"""

import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.db import connection, transaction
from django.db.backends.sqlite3._functions import register as register_django_functions

FORMAT = 1
KEY_VARIABLE = "ACUCLINIC_BACKUP_KEY"
# Tables the migrations fill on their own: a database holding rows only in these is
# still empty for a restore.
STRUCTURE_TABLES = {
    "django_migrations",
    "django_content_type",
    "auth_permission",
    "auth_group",
    "auth_group_permissions",
}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    engine: str
    created_at: str
    tables: dict[str, int]
    sha256: str
    encrypted: bool
    format: int = FORMAT

    def as_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=2, sort_keys=True).encode()


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def _key(required: bool) -> Fernet | None:
    raw = os.environ.get(KEY_VARIABLE, "")
    if not raw:
        if required:
            raise BackupError(
                f"This backup is encrypted: set {KEY_VARIABLE} to the key it was made with."
            )
        return None
    try:
        return Fernet(raw.encode())
    except ValueError as exc:
        raise BackupError(
            f"{KEY_VARIABLE} is not a valid key (44 URL-safe base64 characters); make one "
            "with `acuclinic backup --new-key`."
        ) from exc


def new_key() -> str:
    return Fernet.generate_key().decode()


def _table_names() -> list[str]:
    with connection.cursor() as cursor:
        return sorted(connection.introspection.table_names(cursor))


def row_counts() -> dict[str, int]:
    counts = {}
    with connection.cursor() as cursor:
        for table in _table_names():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def _pg_env() -> tuple[list[str], dict]:
    s = connection.settings_dict
    env = dict(os.environ)
    for var, key in (("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER")):
        if s.get(key):
            env[var] = str(s[key])
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    return ["--dbname", s["NAME"]], env


def _run(command: list[str], env: dict) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{command[0]} is not installed: install the PostgreSQL client.") from exc
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed: {done.stderr.strip()[:500]}")


def _sqlite_counts(path: Path) -> dict[str, int]:
    copy = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in copy.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: copy.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0] for n in sorted(names)}
    finally:
        copy.close()


def _dump(target: Path) -> dict[str, int]:
    """Write the copy to ``target``; return the rows of every table *in the copy*, so the
    manifest matches it even while the clinic keeps writing."""
    if _engine() == "sqlite":
        connection.ensure_connection()
        dest = sqlite3.connect(target)
        try:
            # The online backup API: a consistent copy while the clinic keeps writing.
            connection.connection.backup(dest)
        finally:
            dest.close()
        return _sqlite_counts(target)
    db, env = _pg_env()
    # Count and dump from one snapshot: pg_dump joins this transaction's snapshot.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = row_counts()
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "--file",
                str(target),
                *db,
            ],
            env,
        )
    return counts


def create(directory: Path, *, now: datetime | None = None) -> tuple[Path, Manifest]:
    """Write a backup file into ``directory``; return its path and manifest."""
    engine = _engine()
    now = now or datetime.now(UTC)
    fernet = _key(required=False)
    directory.mkdir(parents=True, exist_ok=True)
    name = f"acuclinic-{now:%Y%m%dT%H%M%SZ}-{engine}.backup"
    with tempfile.TemporaryDirectory(dir=directory) as work:
        raw = Path(work) / "payload"
        counts = _dump(raw)
        payload = raw.read_bytes()
        if fernet is not None:
            payload = fernet.encrypt(payload)
        manifest = Manifest(
            engine=engine,
            created_at=now.isoformat(),
            tables=counts,
            sha256=hashlib.sha256(payload).hexdigest(),
            encrypted=fernet is not None,
        )
        partial = Path(work) / name
        with tarfile.open(partial, "w") as tar:
            for member, data in (("manifest.json", manifest.as_json()), ("payload", payload)):
                info = tarfile.TarInfo(member)
                info.size = len(data)
                info.mtime = int(now.timestamp())
                tar.addfile(info, io.BytesIO(data))
        final = directory / name
        # Written whole, then renamed: a crash never leaves a half backup under the name.
        os.replace(partial, final)
    return final, manifest


def read(path: Path) -> tuple[Manifest, bytes]:
    """The manifest and the (decrypted) payload, checked; BackupError if anything is off."""
    try:
        with tarfile.open(path, "r") as tar:
            manifest_raw = tar.extractfile("manifest.json").read()
            payload = tar.extractfile("payload").read()
    except FileNotFoundError as exc:
        raise BackupError(f"There is no backup file at {path}.") from exc
    except (tarfile.TarError, KeyError, AttributeError, EOFError, OSError) as exc:
        raise BackupError(
            f"{path} is not a complete acuclinic backup (truncated or not a backup): {exc}"
        ) from exc
    try:
        fields = json.loads(manifest_raw)
        manifest = Manifest(**fields)
    except (ValueError, TypeError) as exc:
        raise BackupError(f"{path}: the manifest is damaged.") from exc
    if manifest.format != FORMAT:
        raise BackupError(f"{path}: backup format {manifest.format} is not one this version reads.")
    if hashlib.sha256(payload).hexdigest() != manifest.sha256:
        raise BackupError(
            f"{path}: the checksum does not match the manifest: the file was changed or "
            "damaged after it was written. Nothing was restored."
        )
    if manifest.encrypted:
        try:
            payload = _key(required=True).decrypt(payload)
        except InvalidToken as exc:
            raise BackupError(
                f"{path}: it cannot be decrypted with {KEY_VARIABLE}: wrong key or changed data."
            ) from exc
    return manifest, payload


def holds_data() -> list[str]:
    """The tables with rows beyond what the migrations put there."""
    return [t for t, n in row_counts().items() if n and t not in STRUCTURE_TABLES]


def restore(path: Path, *, force: bool = False) -> Manifest:
    """Replace the database with the backup at ``path``.

    Refuses a database that holds data unless ``force``; checks the checksum (and the
    key) before touching anything; afterwards checks every table's row count against the
    manifest.
    """
    manifest, payload = read(path)
    engine = _engine()
    if manifest.engine != engine:
        raise BackupError(
            f"This is a {manifest.engine} backup; the database configured is {engine}."
        )
    if not force:
        busy = holds_data()
        if busy:
            raise BackupError(
                "The database is not empty (rows in "
                + ", ".join(busy[:5])
                + (" …" if len(busy) > 5 else "")
                + "). Restore into an empty database, or pass --force to replace everything."
            )
    with tempfile.TemporaryDirectory() as work:
        raw = Path(work) / "payload"
        raw.write_bytes(payload)
        if engine == "sqlite":
            _restore_sqlite(raw)
        else:
            _restore_postgres(raw)
    counts = row_counts()
    wrong = {t: (n, counts.get(t)) for t, n in manifest.tables.items() if counts.get(t) != n}
    if wrong:
        raise BackupError(f"Restored, but row counts differ from the manifest: {wrong}")
    return manifest


def _restore_sqlite(raw: Path) -> None:
    source = sqlite3.connect(raw)
    # The functions Django's CHECK constraints call (date arithmetic), for the check below.
    register_django_functions(source)
    try:
        check = source.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"The backed-up database fails SQLite's integrity check: {check}")
        connection.ensure_connection()
        # Page by page into the live database, in one step: triggers (the audit trail's
        # refusal of UPDATE and DELETE) do not fire, and a failure leaves it as it was.
        source.backup(connection.connection)
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"The backed-up database cannot be read: {exc}") from exc
    finally:
        source.close()


def _restore_postgres(raw: Path) -> None:
    db, env = _pg_env()
    _run(["pg_restore", "--list", str(raw)], env)  # a readable archive, before any change
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    _run(
        ["pg_restore", "--no-owner", "--single-transaction", "--exit-on-error", *db, str(raw)],
        env,
    )

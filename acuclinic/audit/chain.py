"""The audit trail as a hash chain: each entry's hash covers its fields and the hash of
the entry before it (in id order), so changing, removing or inserting an entry breaks
every link after it, and ``acuclinic audit verify`` names the first broken one.

Entries are chained as they are written. Writers take turns: on SQLite a writing
transaction already holds the database's single write lock; on PostgreSQL a transaction
takes an advisory lock before its first entry, held until it commits, so two
transactions never chain onto the same previous entry. The lock is taken where the
entry is written (usually the end of a request's work), so it is held briefly.
"""

import hashlib
import json
from dataclasses import dataclass

from django.db import connection

# Any constant: the advisory lock's number for "the audit chain".
CHAIN_LOCK = 0x0A0D17


def _content(entry) -> str:
    return json.dumps(
        [
            entry.at.isoformat(),
            entry.actor_id,
            entry.actor_username,
            entry.actor_role,
            entry.action,
            entry.object_type,
            entry.object_id,
            entry.object_repr,
            entry.patient_id,
            list(entry.changed_fields or []),
            entry.detail,
            entry.client_address,
            entry.via,
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )


def entry_hash(prev_hash: str, entry) -> str:
    return hashlib.sha256(f"{prev_hash}\n{_content(entry)}".encode()).hexdigest()


def link(entries) -> None:
    """Chain ``entries`` (not yet saved, in order) onto the trail's last entry."""
    from acuclinic.audit.models import AuditEntry

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])
    # Plain SQL: every audited request sends this, and building it with the ORM cost
    # more than the database spent answering it.
    with connection.cursor() as cursor:
        cursor.execute(
            f'SELECT "entry_hash" FROM "{AuditEntry._meta.db_table}" '
            """WHERE "entry_hash" <> '' ORDER BY "id" DESC LIMIT 1"""
        )
        last = cursor.fetchone()
    prev = last[0] if last else ""
    for entry in entries:
        entry.prev_hash = prev
        entry.entry_hash = prev = entry_hash(prev, entry)


@dataclass(frozen=True)
class Verdict:
    checked: int
    unchained: int  # entries from before the chain began
    broken_at: int | None = None  # the id of the first entry that does not fit
    problem: str = ""

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify(batch: int = 2000) -> Verdict:
    """Walk the trail in id order and report the first broken link."""
    from acuclinic.audit.models import AuditEntry

    checked = unchained = 0
    prev = None  # the previous chained entry's hash; None before the chain starts
    last_id = 0
    while True:
        rows = list(AuditEntry.objects.filter(id__gt=last_id).order_by("id")[:batch])
        if not rows:
            return Verdict(checked, unchained)
        for entry in rows:
            last_id = entry.id
            if not entry.entry_hash:
                if prev is not None:
                    return Verdict(
                        checked, unchained, entry.id, "has no hash, after the chain began"
                    )
                unchained += 1
                continue
            expected_prev = prev if prev is not None else entry.prev_hash
            if entry.prev_hash != expected_prev:
                return Verdict(
                    checked,
                    unchained,
                    entry.id,
                    "does not follow the entry before it: an entry was removed or inserted",
                )
            if entry_hash(entry.prev_hash, entry) != entry.entry_hash:
                return Verdict(checked, unchained, entry.id, "was changed after it was written")
            prev = entry.entry_hash
            checked += 1

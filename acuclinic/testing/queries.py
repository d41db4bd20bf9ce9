"""What query-count tests allow for beyond their own reads."""

from django.db import connection


def audit_chain_lock() -> int:
    """On PostgreSQL, a transaction that writes audit entries first takes the audit
    chain's advisory lock (audit/chain.py): one more statement than on SQLite, where the
    database's single writer already keeps the chain in order."""
    return 1 if connection.vendor == "postgresql" else 0

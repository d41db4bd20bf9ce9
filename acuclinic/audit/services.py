"""Writing to the audit trail. Every service that touches personal data calls record()."""

import time
from contextlib import contextmanager, nullcontext
from contextvars import ContextVar

from django.conf import settings
from django.core.cache import cache
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.functional import LazyObject, empty

from acuclinic.audit import chain
from acuclinic.audit.context import current_actor
from acuclinic.audit.models import AuditAction, AuditEntry
from acuclinic.core import fixed_sql


def _resolve_user(actor):
    if actor is None:
        return None
    user = actor.user
    return user.resolve() if hasattr(user, "resolve") else user


# The patient model, named rather than imported: people sits above the audit trail.
PATIENT_MODEL = "people.patient"


def _unwrapped(user):
    """``request.user`` itself rather than its lazy wrapper: every attribute read through
    the wrapper costs a call, and an entry per patient on a page reads several."""
    # type(), not isinstance(): a lazy object passes itself off as what it wraps. Two
    # middlewares each wrap the user (sign-in, then two-factor), so there may be several.
    while issubclass(type(user), LazyObject):
        if user._wrapped is empty:
            user._setup()
        user = user._wrapped
    return user


def _role(user, actor) -> str:
    # No request at all is the system (a command or a task); a request nobody is signed in
    # for (a failed sign-in) is "anonymous", so the trail never blames the system for it.
    if user is None:
        return "system" if actor is None else "anonymous"
    if not getattr(user, "is_authenticated", False):
        return "anonymous"
    # A staff user knows their role (people.User.role).
    return getattr(user, "role", "none")


def _patient_id_for(obj) -> int | None:
    """The patient an entry is about: a patient's record is about them; anything else
    about its ``patient_id``, if it has one."""
    if obj._meta.label_lower == PATIENT_MODEL:
        return obj.pk
    return getattr(obj, "patient_id", None)


def _chain_turn():
    """A transaction for reading the chain's last hash and writing after it: the caller's,
    if there is one (no savepoint needed), or a new one."""
    return nullcontext() if connection.in_atomic_block else transaction.atomic()


# While ``gathered()`` is collecting: the reads recorded so far, and how many
# transactions were open when it began (a read inside one opened since is not held back).
_gathering: ContextVar[tuple[list[AuditEntry], int] | None] = ContextVar(
    "audit_gathering", default=None
)


@contextmanager
def gathered():
    """Write the reads recorded inside this block together, when it ends.

    A patient's record shows several parts that are each audited as they are read
    (the record, its safety answers, its treatment history, its course). Each entry was
    a transaction of its own, waiting for the chain's lock and for PostgreSQL to flush
    its commit to disk: four entries took 15 statements and four commits. Here
    each read keeps the moment it happened and they are chained and written in one
    statement as the block ends, whether it ends well or not (what was read was read),
    and before the page is sent: a failure to write them fails the page.

    Only reads (``VIEW``) wait, and only those not inside a transaction the block
    opened: a change's entry is written with the change, in its transaction, as always,
    and a read inside a transaction that might yet roll back is written in it."""
    pending: list[AuditEntry] = []
    token = _gathering.set((pending, len(connection.atomic_blocks)))
    try:
        yield
    finally:
        _gathering.reset(token)
        if pending:
            _append(pending)


def record(
    action: str,
    obj: models.Model | None = None,
    *,
    object_type: str | None = None,
    changed_fields: list[str] | None = None,
    detail: str = "",
    user=None,
) -> AuditEntry:
    """Append one entry for ``action`` on ``obj`` by the current actor."""
    entry = _Writer(user).entry(action, obj, object_type, changed_fields, detail)
    gathering = _gathering.get()
    if (
        gathering is not None
        and action == AuditAction.VIEW
        and len(connection.atomic_blocks) == gathering[1]
    ):
        gathering[0].append(entry)
        return entry
    with _chain_turn():
        chain.link([entry])
        # Fixed SQL: every audited request writes one. AuditEntry.save only refuses an
        # entry that has been saved already, and this one is new.
        fixed_sql.insert(entry)
    return entry


def record_many(action: str, objs, *, detail: str = "", user=None) -> list[AuditEntry]:
    """One entry per object in one INSERT: a page that shows many patients' records at
    once (the diary's safety flags) logs a read of each without a query per patient.
    They were read at one moment, so they share its time."""
    writer = _Writer(user)
    at = timezone.now()
    return _append([writer.entry(action, obj, None, None, detail, at=at) for obj in objs])


def _append(entries: list[AuditEntry]) -> list[AuditEntry]:
    """Chain ``entries`` (new, in order) onto the trail and write them in one statement."""
    with _chain_turn():
        chain.link(entries)
        return fixed_sql.insert_many(entries)


class _Writer:
    """Who is acting, worked out once for any number of entries."""

    def __init__(self, user) -> None:
        self.actor = current_actor()
        self.user = _unwrapped(user) if user is not None else _resolve_user(self.actor)
        self.role = _role(self.user, self.actor)

    def entry(self, action, obj, object_type, changed_fields, detail, at=None) -> AuditEntry:
        actor, user = self.actor, self.user
        if obj is not None and object_type is None:
            object_type = obj._meta.label_lower
        return AuditEntry(
            at=at or timezone.now(),
            actor=user if user is not None and user.pk else None,
            actor_username=getattr(user, "username", "") or "",
            actor_role=self.role,
            action=action,
            object_type=object_type or "",
            object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
            object_repr=str(obj)[:200] if obj is not None else "",
            patient_id=_patient_id_for(obj) if obj is not None else None,
            changed_fields=sorted(changed_fields or []),
            detail=detail[:200],
            client_address=actor.client_address if actor else None,
            via=actor.via if actor else "command",
        )


def patient_records_read(count: int) -> AuditEntry | None:
    """Count ``count`` patients' records shown to the current actor. Once they have seen
    ``ACUCLINIC_BULK_READ_THRESHOLD`` within ``ACUCLINIC_BULK_READ_MINUTES`` (and at each
    further multiple of it), that is recorded as what it is: a bulk read, which the
    audit page puts in front of clinic admins. Counted in the cache, per window."""
    threshold = getattr(settings, "ACUCLINIC_BULK_READ_THRESHOLD", 100)
    minutes = getattr(settings, "ACUCLINIC_BULK_READ_MINUTES", 10)
    if count <= 0:
        return None
    writer = _Writer(None)
    who = writer.user.pk if writer.user is not None else getattr(writer.actor, "client_address", "")
    key = f"bulk-read:{who}:{int(time.time() // (minutes * 60))}"
    cache.add(key, 0, timeout=minutes * 120)
    try:
        total = cache.incr(key, count)
    except ValueError:
        cache.set(key, total := count, timeout=minutes * 120)
    if total // threshold <= (total - count) // threshold:
        return None
    return record(
        AuditAction.BULK_READ,
        object_type=PATIENT_MODEL,
        detail=f"{total} patient records read within {minutes} minutes",
    )


def changed_field_names(before: dict, after: models.Model, fields) -> list[str]:
    """Fields of ``after`` whose values differ from the ``before`` snapshot."""
    return [name for name in fields if before.get(name) != getattr(after, name)]


def snapshot(obj: models.Model, fields) -> dict:
    return {name: getattr(obj, name) for name in fields}


__all__ = [
    "AuditAction",
    "changed_field_names",
    "patient_records_read",
    "record",
    "record_many",
    "snapshot",
]

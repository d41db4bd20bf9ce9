"""SQLite triggers that refuse overlapping appointments in the database itself.

PostgreSQL has exclusion constraints (migrations 0002 and 0004): an active appointment
holds its practitioner and its room from ``start`` to ``held_until``. SQLite has no
such constraint, so these triggers refuse an INSERT or UPDATE that would overlap
another active appointment of the same practitioner or room, whatever wrote it (the ORM,
raw SQL, a missed check). A refusal is an IntegrityError, which the booking services
already turn into "that time has just been taken".

SQLite drops a table's triggers when a migration rebuilds the table, so they are made
again after every migrate (scheduling.apps), with IF NOT EXISTS.
"""

ACTIVE = "('booked', 'arrived', 'completed')"


def _trigger(name: str, event: str, column: str, message: str, same_row: str) -> str:
    return f"""
CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON scheduling_appointment
WHEN NEW.status IN {ACTIVE}
BEGIN
    SELECT RAISE(ABORT, '{message}')
    WHERE EXISTS (
        SELECT 1 FROM scheduling_appointment AS other
        WHERE other.{column} = NEW.{column}
          AND other.status IN {ACTIVE}
          AND julianday(other.start) < julianday(NEW.held_until)
          AND julianday(NEW.start) < julianday(other.held_until)
          {same_row}
    );
END;
"""


SQLITE_NO_OVERLAP = [
    _trigger(
        f"appt_no_{what}_overlap_{event.split()[0].lower()}",
        event,
        f"{what}_id",
        f"appt_no_{what}_overlap: the {what} is already booked at that time",
        same_row if event.startswith("UPDATE") else "",
    )
    for what in ("practitioner", "room")
    for event, same_row in (
        ("INSERT", ""),
        (
            "UPDATE OF start, held_until, status, practitioner_id, room_id",
            "AND other.id != NEW.id",
        ),
    )
]


def ensure_sqlite_triggers(using="default", **kwargs) -> None:
    """After each migrate: (re)create the triggers on SQLite; nothing elsewhere."""
    from django.db import connections

    connection = connections[using]
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        for sql in SQLITE_NO_OVERLAP:
            cursor.execute(sql)

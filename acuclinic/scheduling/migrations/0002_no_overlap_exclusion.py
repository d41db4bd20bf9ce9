"""On PostgreSQL the database itself refuses two active appointments that overlap for
the same practitioner or the same room (exclusion constraints over time ranges).

SQLite has no such constraint; there the booking services hold the database write lock
(IMMEDIATE transactions) while they check and insert, which serialises all writers.
"""

from django.db import migrations

ACTIVE = "status IN ('booked', 'arrived', 'completed')"

PG_FORWARD = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE scheduling_appointment ADD CONSTRAINT appt_no_practitioner_overlap
    EXCLUDE USING gist (practitioner_id WITH =, tstzrange(start, "end", '[)') WITH &&)
    WHERE ({ACTIVE});
ALTER TABLE scheduling_appointment ADD CONSTRAINT appt_no_room_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(start, "end", '[)') WITH &&)
    WHERE ({ACTIVE});
"""
PG_BACKWARD = """
ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appt_no_practitioner_overlap;
ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appt_no_room_overlap;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]

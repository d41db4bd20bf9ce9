"""On PostgreSQL the overlap constraints now cover the turnover after each visit: an
appointment holds its practitioner and room from ``start`` to ``held_until``."""

from django.db import migrations

ACTIVE = "status IN ('booked', 'arrived', 'completed')"


def _constraints(end_column: str) -> str:
    return f"""
ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appt_no_practitioner_overlap;
ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appt_no_room_overlap;
ALTER TABLE scheduling_appointment ADD CONSTRAINT appt_no_practitioner_overlap
    EXCLUDE USING gist (practitioner_id WITH =, tstzrange(start, {end_column}, '[)') WITH &&)
    WHERE ({ACTIVE});
ALTER TABLE scheduling_appointment ADD CONSTRAINT appt_no_room_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(start, {end_column}, '[)') WITH &&)
    WHERE ({ACTIVE});
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_constraints("held_until"))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_constraints('"end"'))


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0003_working_time_series_turnover")]
    operations = [migrations.RunPython(forward, backward)]

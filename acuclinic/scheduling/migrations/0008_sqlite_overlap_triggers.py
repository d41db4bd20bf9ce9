"""On SQLite too, the database refuses overlapping appointments (scheduling/sql.py)."""

from django.db import migrations

from acuclinic.scheduling.sql import SQLITE_NO_OVERLAP


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_NO_OVERLAP:
            schema_editor.execute(sql)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for what in ("practitioner", "room"):
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS appt_no_{what}_overlap_{event}")


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0007_front_desk_apps_take_their_models")]
    operations = [migrations.RunPython(forward, backward)]

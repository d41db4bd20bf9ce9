"""Audit entries carry a hash chain (audit.chain); on SQLite the database refuses DELETE
as well as UPDATE. Adding the columns rebuilds the table on SQLite, which drops its
triggers, so both are created (again) here."""

import django.utils.timezone
from django.db import migrations, models

from acuclinic.audit.sql import SQLITE_DROP_NO_DELETE, SQLITE_NO_DELETE, SQLITE_NO_UPDATE


def sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_NO_UPDATE)
        schema_editor.execute(SQLITE_NO_DELETE)


def drop_sqlite_delete_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(SQLITE_DROP_NO_DELETE)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_lockout_and_bulk_read_actions")]

    operations = [
        migrations.AddField(
            model_name="auditentry",
            name="entry_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now),
        ),
        migrations.RunPython(sqlite_triggers, drop_sqlite_delete_trigger),
    ]

"""The audit app's migrations 0001-0005 as one, for a fresh database.

Squashed (`squashmigrations`, then every later change of a model folded into its
CreateModel by hand, which the optimizer will not do across other models): a first
migrate renders Django's model state once per operation, so fewer operations make
it faster. A database that applied the old migrations keeps them (``replaces``).
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models

from acuclinic.audit.sql import SQLITE_DROP_NO_DELETE, SQLITE_NO_DELETE, SQLITE_NO_UPDATE


# Hand-written, not by squashmigrations: the triggers of 0003 and 0005 as a fresh database
# needs them. On SQLite, 0003's UPDATE trigger was dropped by 0005's table rebuild and made
# again (with the DELETE one) from audit.sql; here the table is created in its final shape,
# so the triggers are made once, after it.
PG_APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit entries are append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_no_update BEFORE UPDATE OR DELETE ON audit_auditentry
    FOR EACH ROW EXECUTE FUNCTION audit_append_only();
"""
PG_DROP = """
DROP TRIGGER IF EXISTS audit_no_update ON audit_auditentry;
DROP FUNCTION IF EXISTS audit_append_only();
"""


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_APPEND_ONLY)
    else:
        schema_editor.execute(SQLITE_NO_UPDATE)
        schema_editor.execute(SQLITE_NO_DELETE)


def drop_append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP)
    else:
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update;")
        schema_editor.execute(SQLITE_DROP_NO_DELETE)


class Migration(migrations.Migration):
    replaces = [
        ("audit", "0001_initial"),
        ("audit", "0002_initial"),
        ("audit", "0003_append_only_triggers"),
        ("audit", "0004_lockout_and_bulk_read_actions"),
        ("audit", "0005_hash_chain"),
    ]

    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(db_index=True, default=django.utils.timezone.now)),
                ("actor_username", models.CharField(blank=True, max_length=150)),
                ("actor_role", models.CharField(blank=True, max_length=60)),
                (
                    "action",
                    models.CharField(
                        choices=[
                            ("view", "Viewed"),
                            ("search", "Searched"),
                            ("create", "Created"),
                            ("change", "Changed"),
                            ("delete", "Deleted"),
                            ("login", "Logged in"),
                            ("logout", "Logged out"),
                            ("login_failed", "Failed login"),
                            ("denied", "Access refused"),
                            ("lockout", "Sign-in locked"),
                            ("unlock", "Sign-in unlocked"),
                            ("bulk_read", "Bulk read"),
                        ],
                        max_length=20,
                    ),
                ),
                ("object_type", models.CharField(max_length=60)),
                ("object_id", models.CharField(blank=True, max_length=40)),
                ("object_repr", models.CharField(blank=True, max_length=200)),
                ("patient_id", models.BigIntegerField(blank=True, db_index=True, null=True)),
                ("changed_fields", models.JSONField(blank=True, default=list)),
                ("detail", models.CharField(blank=True, max_length=200)),
                ("client_address", models.GenericIPAddressField(blank=True, null=True)),
                ("via", models.CharField(blank=True, max_length=10)),
                (
                    "actor",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("entry_hash", models.CharField(blank=True, editable=False, max_length=64)),
                ("prev_hash", models.CharField(blank=True, editable=False, max_length=64)),
            ],
            options={
                "verbose_name_plural": "audit entries",
                "ordering": ["-at", "-id"],
                "indexes": [models.Index(fields=["object_type", "object_id"], name="audit_object")],
            },
        ),
        migrations.RunPython(append_only, drop_append_only),
    ]

"""The database itself refuses to rewrite a clinical safety record.

Questionnaire versions, "no changes" confirmations, consents, risk discussions and
specialist agreements are written once. UPDATE is refused on both engines. DELETE is
left to the application (and to PROTECT foreign keys), as for the audit trail, because
the test runner's flush needs it on SQLite.
"""

from django.db import migrations

TABLES = (
    "safety_questionnaire",
    "safety_changecheck",
    "safety_consent",
    "safety_precautionacknowledgement",
    "safety_specialistagreement",
)

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION safety_write_once() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'safety records are written once and never changed';
END;
$$ LANGUAGE plpgsql;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION safety_write_once();"
            )
    else:
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'safety records are written once'); END;"
            )


def backward(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table in TABLES:
        on = f" ON {table}" if postgres else ""
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update{on};")
    if postgres:
        schema_editor.execute("DROP FUNCTION IF EXISTS safety_write_once();")


class Migration(migrations.Migration):
    dependencies = [("safety", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]

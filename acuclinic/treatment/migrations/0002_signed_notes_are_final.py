"""The database itself keeps signed notes final, on both engines.

- A signed session note refuses every UPDATE (signing is the last change it takes).
- A point or needle use cannot be added to, or changed on, a signed note.
- Addenda and adverse events are written once: UPDATE is refused.
- A closed follow-up cannot be reopened or rewritten.

DELETE is refused by the application, not here: the demo's --reset (and SQLite's test
flush) empties these tables row by row, children before parents, as the audit trail's
migration explains for its own table.
"""

from django.db import migrations

SIGNED = "signed session notes are final: add an addendum instead"
WRITE_ONCE = "this record is written once and never changed"
CLOSED = "a closed follow-up is final"

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION treatment_note_final() RETURNS trigger AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL THEN
        RAISE EXCEPTION '{SIGNED}';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER treatment_note_final BEFORE UPDATE ON treatment_sessionnote
    FOR EACH ROW EXECUTE FUNCTION treatment_note_final();

CREATE OR REPLACE FUNCTION treatment_part_of_signed_note() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM treatment_sessionnote
               WHERE id = NEW.note_id AND signed_at IS NOT NULL) THEN
        RAISE EXCEPTION '{SIGNED}';
    END IF;
    IF TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM treatment_sessionnote
               WHERE id = OLD.note_id AND signed_at IS NOT NULL) THEN
        RAISE EXCEPTION '{SIGNED}';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER treatment_point_final BEFORE INSERT OR UPDATE ON treatment_needledpoint
    FOR EACH ROW EXECUTE FUNCTION treatment_part_of_signed_note();
CREATE TRIGGER treatment_needleuse_final BEFORE INSERT OR UPDATE ON treatment_needleuse
    FOR EACH ROW EXECUTE FUNCTION treatment_part_of_signed_note();

CREATE OR REPLACE FUNCTION treatment_write_once() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{WRITE_ONCE}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER treatment_addendum_final BEFORE UPDATE ON treatment_noteaddendum
    FOR EACH ROW EXECUTE FUNCTION treatment_write_once();
CREATE TRIGGER treatment_event_final BEFORE UPDATE ON treatment_adverseevent
    FOR EACH ROW EXECUTE FUNCTION treatment_write_once();

CREATE OR REPLACE FUNCTION treatment_followup_final() RETURNS trigger AS $$
BEGIN
    IF OLD.closed_at IS NOT NULL THEN
        RAISE EXCEPTION '{CLOSED}';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER treatment_followup_final BEFORE UPDATE ON treatment_followup
    FOR EACH ROW EXECUTE FUNCTION treatment_followup_final();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS treatment_note_final ON treatment_sessionnote;
DROP TRIGGER IF EXISTS treatment_point_final ON treatment_needledpoint;
DROP TRIGGER IF EXISTS treatment_needleuse_final ON treatment_needleuse;
DROP TRIGGER IF EXISTS treatment_addendum_final ON treatment_noteaddendum;
DROP TRIGGER IF EXISTS treatment_event_final ON treatment_adverseevent;
DROP TRIGGER IF EXISTS treatment_followup_final ON treatment_followup;
DROP FUNCTION IF EXISTS treatment_note_final();
DROP FUNCTION IF EXISTS treatment_part_of_signed_note();
DROP FUNCTION IF EXISTS treatment_write_once();
DROP FUNCTION IF EXISTS treatment_followup_final();
"""


def _sqlite_part_of_signed(table: str, name: str) -> list[str]:
    signed = "(SELECT signed_at FROM treatment_sessionnote WHERE id = {}.note_id) IS NOT NULL"
    return [
        f"CREATE TRIGGER {name}_insert BEFORE INSERT ON {table} "
        f"WHEN {signed.format('NEW')} BEGIN SELECT RAISE(ABORT, '{SIGNED}'); END;",
        f"CREATE TRIGGER {name}_update BEFORE UPDATE ON {table} "
        f"WHEN {signed.format('NEW')} OR {signed.format('OLD')} "
        f"BEGIN SELECT RAISE(ABORT, '{SIGNED}'); END;",
    ]


SQLITE_FORWARD = [
    "CREATE TRIGGER treatment_note_final BEFORE UPDATE ON treatment_sessionnote "
    f"WHEN OLD.signed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{SIGNED}'); END;",
    *_sqlite_part_of_signed("treatment_needledpoint", "treatment_point_final"),
    *_sqlite_part_of_signed("treatment_needleuse", "treatment_needleuse_final"),
    "CREATE TRIGGER treatment_addendum_final BEFORE UPDATE ON treatment_noteaddendum "
    f"BEGIN SELECT RAISE(ABORT, '{WRITE_ONCE}'); END;",
    "CREATE TRIGGER treatment_event_final BEFORE UPDATE ON treatment_adverseevent "
    f"BEGIN SELECT RAISE(ABORT, '{WRITE_ONCE}'); END;",
    "CREATE TRIGGER treatment_followup_final BEFORE UPDATE ON treatment_followup "
    f"WHEN OLD.closed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{CLOSED}'); END;",
]
SQLITE_TRIGGERS = [
    "treatment_note_final",
    "treatment_point_final_insert",
    "treatment_point_final_update",
    "treatment_needleuse_final_insert",
    "treatment_needleuse_final_update",
    "treatment_addendum_final",
    "treatment_event_final",
    "treatment_followup_final",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    else:
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    else:
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("treatment", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]

"""What the database's schema is, as one comparable value: every table with its columns
and constraints, every index and trigger (and, on PostgreSQL, every function and
extension). Two databases built different ways (squashed migrations, old ones) compare
equal when a clinic would see no difference between them. Column order is left out:
a column added later sits last, one created with its table anywhere, and nothing reads
columns by position."""

import re


def _normal(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


_VARCHAR = r"'((?:[^']|'')*)'::character varying"


def _same_array(sql: str) -> str:
    """One spelling of "is one of these words" on PostgreSQL. The server keeps a CHECK
    (or a partial index's WHERE) as it parsed it, and the same condition comes back as
    ``ANY ((ARRAY['a'::character varying])::text[])`` or as
    ``ANY (ARRAY[('a'::character varying)::text])`` depending on how the constraint came
    to be (created with its column, or kept while the column was altered). CI found both
    for the same constraint on databases built the two ways: a clinic could not tell
    them apart."""
    sql = re.sub(rf"\({_VARCHAR}\)::text", r"'\1'::text", sql)
    return re.sub(
        r"\(ARRAY\[([^\]]*)\]\)::text\[\]",
        lambda found: "ARRAY[" + re.sub(_VARCHAR, r"'\1'::text", found.group(1)) + "]",
        sql,
    )


def _top_level_parts(body: str) -> list[str]:
    """A CREATE TABLE's definitions, split on the commas between them."""
    parts, depth, current, quote = [], 0, [], None
    for char in body:
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    return sorted(_normal(part) for part in parts)


def _sqlite(cursor) -> dict:
    cursor.execute(
        "SELECT type, name, tbl_name, sql FROM sqlite_master "
        "WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name"
    )
    schema = {}
    for kind, name, table, sql in cursor.fetchall():
        if kind == "table":
            body = sql[sql.index("(") + 1 : sql.rindex(")")]
            schema[f"table {name}"] = _top_level_parts(body)
        else:
            schema[f"{kind} {name} on {table}"] = _normal(sql or "")
    return schema


def _postgresql(cursor) -> dict:
    queries = {
        "column": """
            SELECT table_name || '.' || column_name,
                   concat_ws(' ', data_type, character_maximum_length, numeric_precision,
                             is_nullable, column_default, is_identity)
            FROM information_schema.columns WHERE table_schema = current_schema()""",
        "constraint": """
            SELECT c.conrelid::regclass || ' ' || c.conname, pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = current_schema()""",
        "index": """
            SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()""",
        "trigger": """
            SELECT t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t
            JOIN pg_class r ON r.oid = t.tgrelid JOIN pg_namespace n ON n.oid = r.relnamespace
            WHERE NOT t.tgisinternal AND n.nspname = current_schema()""",
        "function": """
            SELECT p.proname, p.prosrc FROM pg_proc p
            JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname = current_schema() AND p.prolang = (
                SELECT oid FROM pg_language WHERE lanname = 'plpgsql')""",
        "extension": "SELECT extname, extname FROM pg_extension",
    }
    schema = {}
    for kind, query in queries.items():
        cursor.execute(query)
        for name, definition in cursor.fetchall():
            schema[f"{kind} {name}"] = _same_array(_normal(str(definition)))
    return schema


def schema_of(connection) -> dict:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return _postgresql(cursor)
        return _sqlite(cursor)

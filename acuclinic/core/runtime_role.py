"""PostgreSQL: the application runs as a role that can read and write rows but owns
nothing, so it can neither disable the audit table's triggers (ALTER TABLE) nor empty a
table wholesale (TRUNCATE), nor drop anything. Migrations run as the owner role.

``grant_statements(role)`` is what `acuclinic grant_runtime_role ROLE` runs as the owner
after each migrate (a new table needs its grants); the README's production recipe shows
the whole set-up.
"""


def grant_statements(role: str, database: str) -> list:
    from django.db.backends.postgresql.psycopg_any import sql

    who = sql.Identifier(role)
    return [
        sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(sql.Identifier(database), who),
        sql.SQL("GRANT USAGE ON SCHEMA public TO {}").format(who),
        sql.SQL("GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}").format(
            who
        ),
        sql.SQL("GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {}").format(who),
    ]

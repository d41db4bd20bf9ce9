"""A new clinic's database (built from the squashed migrations) is the database an
existing clinic has after upgrading along the old migrations: the same tables, columns,
constraints and indexes, and the same triggers by which the database itself refuses to
rewrite audit history, safety records and signed notes, or to double-book."""

import pytest
from django.db import connection

from acuclinic.testing.old_migrations import OldMigrationsExecutor, old_leaf_nodes, own_database
from acuclinic.testing.schema import schema_of


@pytest.mark.django_db
def test_the_squashed_migrations_build_the_schema_the_old_ones_do(tmp_path):
    # The test database was built from the squashed migrations.
    squashed = schema_of(connection)
    assert any(name.startswith("trigger ") for name in squashed)

    # An empty database, as a clinic's was before its first migrate.
    with own_database(tmp_path):
        OldMigrationsExecutor(connection).migrate(old_leaf_nodes())
        assert schema_of(connection) == squashed


def test_one_condition_spelt_two_ways_by_postgresql_compares_equal():
    # Both as pg_get_constraintdef gave them for outcomes' measurement_source, one from
    # each way of building the database.
    from acuclinic.testing.schema import _same_array

    created = (
        "CHECK (((source)::text = ANY ((ARRAY['clinician'::character varying,"
        " 'patient'::character varying])::text[])))"
    )
    altered = (
        "CHECK (((source)::text = ANY (ARRAY[('clinician'::character varying)::text,"
        " ('patient'::character varying)::text])))"
    )
    assert _same_array(created) == _same_array(altered)
    assert _same_array(created) != _same_array(created.replace("patient", "reception"))

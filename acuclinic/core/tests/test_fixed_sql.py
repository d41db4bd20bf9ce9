"""Rows read and inserted with fixed SQL (core.fixed_sql) are the rows the ORM would
read and insert: the same values, aware datetimes, booleans as booleans."""

from acuclinic.core import fixed_sql
from acuclinic.people.models import ApiToken
from acuclinic.people.services import api_token_create
from acuclinic.scheduling.models import IdempotentRequest


def _values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in type(obj)._meta.concrete_fields}


def test_a_row_inserted_with_fixed_sql_reads_back_as_the_orm_reads_it(reception_user):
    kept = fixed_sql.insert(
        IdempotentRequest(
            user=reception_user,
            key="retry-1",
            request_digest="d" * 64,
            status_code=201,
            response_body='{"id": 1}',
        )
    )

    assert kept.pk is not None and not kept._state.adding
    assert kept.created_at is not None  # auto_now_add, as a save sets it
    via_orm = IdempotentRequest.objects.get(pk=kept.pk)
    read = fixed_sql.select_one(IdempotentRequest, 't."id" = %s', [kept.pk])
    assert _values(read) == _values(via_orm) == _values(kept)
    assert read.created_at.tzinfo is not None
    assert not read._state.adding


def test_booleans_and_empty_reads_come_back_as_the_orm_gives_them(reception_user):
    token, _ = api_token_create(user=reception_user, name="Tablet", read_only=True)

    read = fixed_sql.select_one(ApiToken, 't."id" = %s', [token.pk])

    assert read.read_only is True and read.clinical is True
    assert _values(read) == _values(ApiToken.objects.get(pk=token.pk))
    assert fixed_sql.select_one(ApiToken, 't."id" = %s', [token.pk + 1000]) is None


def test_many_rows_inserted_at_once_read_back_as_the_orm_reads_them(reception_user, patient):
    from datetime import UTC, datetime

    from acuclinic.audit.models import AuditEntry

    # More rows than one INSERT takes, with every kind of value an audit entry holds: a
    # time, a foreign key and its absence, JSON, an address and its absence, text.
    rows = [
        AuditEntry(
            at=datetime(2026, 3, 3, 10, i % 60, tzinfo=UTC),
            actor=reception_user if i % 2 else None,
            actor_username="reception" if i % 2 else "",
            actor_role="reception",
            action="view",
            object_type="people.patient",
            object_id=str(patient.pk),
            object_repr=f"Patient “{i}” <&>",
            patient_id=patient.pk if i % 3 else None,
            changed_fields=["first_name", "phone"] if i % 5 == 0 else [],
            detail="read in the diary",
            client_address="192.0.2.7" if i % 4 else None,
            via="web",
        )
        for i in range(fixed_sql.MANY_ROWS + 7)
    ]

    kept = fixed_sql.insert_many(rows)

    assert kept is rows
    assert [r.pk for r in rows] == sorted(r.pk for r in rows)  # keys given in order
    assert all(not r._state.adding for r in rows)
    stored = AuditEntry.objects.in_bulk([r.pk for r in rows])
    assert len(stored) == len(rows)
    for row in rows:
        assert _values(stored[row.pk]) == _values(row)


def test_a_value_not_of_its_fields_type_is_prepared_as_the_orm_would(reception_user):
    kept = fixed_sql.insert_many(
        [
            IdempotentRequest(
                user_id=str(reception_user.pk),  # a key given as text, as a form might
                key="retry-2",
                request_digest="d" * 64,
                status_code="201",
                response_body='{"id": 2}',
            )
        ]
    )

    read = IdempotentRequest.objects.get(pk=kept[0].pk)
    assert read.user_id == reception_user.pk and read.status_code == 201


def test_nothing_to_insert_sends_nothing(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert fixed_sql.insert_many([]) == []

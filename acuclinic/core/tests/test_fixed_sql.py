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

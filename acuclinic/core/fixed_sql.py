"""Reading and inserting model rows with fixed SQL, for requests every client sends.

A booking through the API reads a handful of rows by id and inserts three. Built with
the ORM, each statement's compiling (the query's joins, columns, lookups and
converters) cost more CPU than the database spent on it. Here the column list, the
INSERT and the converters are worked out once per model and connection vendor; each
call only binds values and runs the statement through Django's connection (the same
transaction, execute wrappers, query logging and error wrapping as the ORM's).

What comes back is what the ORM would give: rows become instances through
``Model.from_db`` with the same database converters applied (aware datetimes,
booleans and decimals on SQLite, JSON), and an insert stores the values the ORM would
(``pre_save``, so ``auto_now``/``auto_now_add`` are set; ``get_db_prep_save``), then
sets the new primary key. An insert sends no ``pre_save``/``post_save`` signals, so a
model that has receivers for them is saved through the ORM instead (checked each time).
Custom ``save()`` methods are not called: a caller inserting a model whose ``save()``
does something must do it itself.
"""

from functools import cache

from django.db import connection
from django.db.models import Field, Model
from django.db.models.signals import post_save, pre_save


def _quote(name: str) -> str:
    return connection.ops.quote_name(name)


@cache
def _columns(model: type[Model], alias: str, vendor: str) -> str:
    return ", ".join(f"{_quote(alias)}.{_quote(f.column)}" for f in model._meta.concrete_fields)


def columns(model: type[Model], alias: str) -> str:
    """The model's concrete columns, as ``Model.from_db`` wants them, from ``alias``."""
    return _columns(model, alias, connection.vendor)


def table(model: type[Model]) -> str:
    return _quote(model._meta.db_table)


@cache
def _converters(model: type[Model], vendor: str) -> tuple:
    """(position, converters, expression) for each column that needs converting, as the
    ORM's compiler finds them (``SQLCompiler.get_converters``)."""
    found = []
    for i, field in enumerate(model._meta.concrete_fields):
        column = field.get_col(model._meta.db_table)
        convs = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if convs:
            found.append((i, tuple(convs), column))
    return tuple(found)


def width(model: type[Model]) -> int:
    return len(model._meta.concrete_fields)


def load(model: type[Model], row, start: int = 0) -> Model | None:
    """The instance in ``row[start:start + width(model)]`` (None if its primary key is
    NULL: an outer join found nothing)."""
    values = list(row[start : start + width(model)])
    if values[model._meta.concrete_fields.index(model._meta.pk)] is None:
        return None
    for i, convs, expression in _converters(model, connection.vendor):
        value = values[i]
        for convert in convs:
            value = convert(value, expression, connection)
        values[i] = value
    return model.from_db(connection.alias, None, values)


def select_one(model: type[Model], where: str, params, order_by: str = "") -> Model | None:
    """The first row of ``model`` matching ``where`` (SQL on the table aliased ``t``)."""
    sql = f"SELECT {columns(model, 't')} FROM {table(model)} t WHERE {where}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    with connection.cursor() as cursor:
        cursor.execute(sql + " LIMIT 1", params)
        row = cursor.fetchone()
    return load(model, row) if row is not None else None


def relate(obj: Model, name: str, related: Model | None) -> None:
    """Cache ``related`` as ``obj.<name>`` (a foreign key), as ``select_related`` does."""
    field = obj._meta.get_field(name)
    field.set_cached_value(obj, related)
    if related is not None and field.one_to_one:
        field.remote_field.set_cached_value(related, obj)


@cache
def _insert_sql(model: type[Model], vendor: str) -> tuple[str, tuple]:
    meta = model._meta
    fields = tuple(f for f in meta.local_concrete_fields if f is not meta.auto_field)
    for field in fields:
        # Values the database computes, or that need their own SQL: the ORM's job.
        if field.generated or field.has_db_default() or hasattr(field, "get_placeholder"):
            raise TypeError(f"{model.__name__}.{field.name} needs the ORM to be inserted.")
    names = ", ".join(_quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = (
        f"INSERT INTO {table(model)} ({names}) VALUES ({marks}) RETURNING {_quote(meta.pk.column)}"
    )
    return sql, fields


def insert(obj: Model) -> Model:
    """INSERT ``obj`` (not yet saved, its primary key left to the database), as
    ``obj.save(force_insert=True)`` would, and set its primary key."""
    model = type(obj)
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        obj.save(force_insert=True)
        return obj
    sql, fields = _insert_sql(model, connection.vendor)
    values = [f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        (pk,) = cursor.fetchone()
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias
    return obj


_FIELD_PRE_SAVE = Field.pre_save

# Rows per INSERT: well inside SQLite's limit of 32,766 bound values for any model here.
MANY_ROWS = 500


def insert_many(objs: list[Model]) -> list[Model]:
    """INSERT ``objs`` (new instances of one model) in as few statements as there are
    hundreds of them, as ``bulk_create`` would, and set their primary keys in order.
    A page that shows many patients' records logs a read of each: built by the ORM, the
    one INSERT cost more than everything else the page did with them."""
    if not objs:
        return objs
    model = type(objs[0])
    if pre_save.has_listeners(model) or post_save.has_listeners(model):
        return model.objects.bulk_create(objs)
    sql, fields = _insert_sql(model, connection.vendor)
    prepare = _preparers(model, connection.vendor)
    if connection.vendor == "postgresql":
        return _copy_many(model, objs, fields, prepare)
    head, _, returning = sql.partition(" VALUES ")
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    returning = returning.partition(" RETURNING ")[2]
    with connection.cursor() as cursor:
        for begin in range(0, len(objs), MANY_ROWS):
            batch = objs[begin : begin + MANY_ROWS]
            values = [p(obj) for obj in batch for p in prepare]
            cursor.execute(
                f"{head} VALUES {', '.join([row] * len(batch))} RETURNING {returning}", values
            )
            # Both databases return the new keys in the order the rows were given, as
            # bulk_create relies on.
            for obj, (pk,) in zip(batch, cursor.fetchall(), strict=True):
                _saved(obj, pk)
    return objs


def _copy_many(model: type[Model], objs: list[Model], fields: tuple, prepare: tuple):
    """PostgreSQL: the rows through COPY, their keys taken from the table's sequence
    first (in order, as an INSERT would number them). A multi-row INSERT of a diary
    week's 430 audit entries took the server 22 ms to parse, plan and run; COPY takes
    it 4. COPY returns no keys, hence the sequence; it is not a statement Django's
    query log sees, but runs in the same transaction and its errors are Django's."""
    meta = model._meta
    columns = ", ".join(_quote(c) for c in (meta.pk.column, *(f.column for f in fields)))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, meta.pk.column, len(objs)],
        )
        keys = sorted(pk for (pk,) in cursor.fetchall())
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {table(model)} ({columns}) FROM STDIN") as copy,
        ):
            for pk, obj in zip(keys, objs, strict=True):
                copy.write_row((pk, *(p(obj) for p in prepare)))
    for pk, obj in zip(keys, objs, strict=True):
        _saved(obj, pk)
    return objs


def _saved(obj: Model, pk) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = connection.alias


# Fields whose value goes to the database as it is when it already has the field's own
# Python type: their preparation only checks or converts that type.
_PLAIN = {
    "CharField": str,
    "TextField": str,
    "SlugField": str,
    "EmailField": str,
    "AutoField": int,
    "BigAutoField": int,
    "IntegerField": int,
    "BigIntegerField": int,
    "SmallIntegerField": int,
    "PositiveIntegerField": int,
    "PositiveSmallIntegerField": int,
    "PositiveBigIntegerField": int,
}


@cache
def _preparers(model: type[Model], vendor: str) -> tuple:
    """For each field ``_insert_sql`` inserts, a function of an instance giving the value
    to bind: ``get_db_prep_save(pre_save(…))``, or, for a plain field holding a value of
    its own type (or None), the value itself, which is what that would give. Hundreds of
    rows times a dozen fields made the ORM's preparation most of an insert's cost."""
    _sql, fields = _insert_sql(model, vendor)
    return tuple(_preparer(field) for field in fields)


def _preparer(field):
    # A foreign key holds its target's key: plain when that is.
    stored = field.target_field if field.is_relation else field
    kind = _PLAIN.get(stored.get_internal_type())
    if kind is None or type(field).pre_save is not _FIELD_PRE_SAVE:
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    attname = field.attname

    def prepare(obj):
        value = getattr(obj, attname)
        if value is None or type(value) is kind:
            return value
        return field.get_db_prep_save(field.pre_save(obj, True), connection)

    return prepare

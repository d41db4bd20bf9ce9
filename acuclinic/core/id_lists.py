"""``field__among=ids``: ``__in`` for a long list of ids, bound as one parameter.

The diary's week asks about 400 patients' visits, questionnaires, courses and credit
several times over. Django compiles ``patient_id__in=[...]`` one placeholder per id,
passing each id through the field's preparation and its own parameter: for a week that
was about 3,500 ids a request, 15–20 ms of CPU before the database saw anything. Here
the ids are one value — a PostgreSQL array (``= ANY``), a JSON array that SQLite's
``json_each`` reads back as rows (``IN (SELECT …)``) — and each statement reads them
with the same index it used for the list. The PostgreSQL array goes as its text,
``{1,2,3}``: psycopg turns a Python list into one element by element, testing each
with a regular expression for quoting that whole numbers never need (a week's 3,000
ids, about 5 ms).

Only whole numbers (primary and foreign keys) belong here; anything else is refused
when the query is built, rather than sent to the database as text. Pass a set (or any
iterable but a list or tuple): Django walks a list or tuple given to a lookup value by
value, looking for expressions, which for a week's ids cost more than the lookup.
"""

import json
from collections.abc import Iterable

from django.db import models
from django.db.models import Lookup


def _ids(values: Iterable) -> tuple[int, ...]:
    # A tuple of ints hashes in one go when Django compares lookups (a list is walked).
    found = tuple(values)
    for value in found:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"__among takes whole-number ids, not {value!r}")
    return found


class Among(Lookup):
    lookup_name = "among"
    prepare_rhs = False

    def get_prep_lookup(self):
        return _ids(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        condition, params = among(self.rhs, connection)
        return f"{lhs} {condition}", (*lhs_params, *params)


def among(ids: Iterable, connection) -> tuple[str, list]:
    """The condition a column meets when it is one of ``ids`` (``= ANY(%s)`` or
    ``IN (…)``, to follow the column's name in SQL written by hand) and its parameters."""
    ids = _ids(ids)
    if connection.vendor == "postgresql":
        return "= ANY(%s::bigint[])", [array_text(ids)]
    if connection.vendor == "sqlite":
        return "IN (SELECT value FROM json_each(%s))", [json.dumps(ids)]
    return f"IN ({', '.join(['%s'] * len(ids)) or 'NULL'})", list(ids)


def array_text(values: Iterable) -> str:
    """A PostgreSQL array's text for values whose own text needs no quoting inside one
    (whole numbers, dates, ISO date-times): ``{1,2,3}``, read back with a cast such as
    ``%s::bigint[]``."""
    return "{" + ",".join(map(str, values)) + "}"


def register() -> None:
    """Make ``__among`` known to key fields (CoreConfig.ready)."""
    for field in (models.IntegerField, models.BigIntegerField, models.ForeignKey):
        field.register_lookup(Among)

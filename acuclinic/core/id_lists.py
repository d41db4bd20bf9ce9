"""``field__among=ids``: ``__in`` for a long list of ids, bound as one parameter.

The diary's week asks about 400 patients' visits, questionnaires, courses and credit
several times over. Django compiles ``patient_id__in=[...]`` one placeholder per id,
passing each id through the field's preparation and its own parameter: for a week that
was about 3,500 ids a request, 15–20 ms of CPU before the database saw anything. Here
the ids are one value — a PostgreSQL array (``= ANY``), a JSON array that SQLite's
``json_each`` reads back as rows (``IN (SELECT …)``) — and each statement reads them
with the same index it used for the list.

Only whole numbers (primary and foreign keys) belong here; anything else is refused
when the query is built, rather than sent to the database as text.
"""

import json
from collections.abc import Iterable

from django.db import models
from django.db.models import Lookup


def _ids(values: Iterable) -> list[int]:
    found = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"__among takes whole-number ids, not {value!r}")
        found.append(value)
    return found


class Among(Lookup):
    lookup_name = "among"
    prepare_rhs = False

    def get_prep_lookup(self):
        return _ids(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} = ANY(%s::bigint[])", (*lhs_params, self.rhs)
        if connection.vendor == "sqlite":
            return f"{lhs} IN (SELECT value FROM json_each(%s))", (
                *lhs_params,
                json.dumps(self.rhs),
            )
        placeholders = ", ".join(["%s"] * len(self.rhs)) or "NULL"
        return f"{lhs} IN ({placeholders})", (*lhs_params, *self.rhs)


def register() -> None:
    """Make ``__among`` known to key fields (CoreConfig.ready)."""
    for field in (models.IntegerField, models.BigIntegerField, models.ForeignKey):
        field.register_lookup(Among)

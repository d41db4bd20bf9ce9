"""Model instances made from database rows without Django's ``__init__``.

A diary week reads about 1,500 rows into instances (visits, their patients, the patients'
questionnaires), and Django's ``Model.from_db`` was a tenth of the week's CPU:
``__init__`` sends ``pre_init`` and ``post_init``, and sets each loaded column through
``setattr``, which for a foreign key's id goes through a descriptor that checks a
cache a new instance cannot have yet; for a query that leaves columns out
(``only()``/``defer()``), ``from_db`` first looks up every field in the list of
loaded ones. ``FastRows.from_db`` puts the loaded values straight into the instance's
``__dict__``, where ``__init__`` would have put them, and leaves the columns not read
out, so that reading one loads it as before.

It does so only when that is all ``__init__`` would have done: no receiver of
``pre_init`` or ``post_init`` (an ``ImageField`` with dimension fields, say, listens to
``post_init``), and each loaded column kept by Django's plain descriptor for a column
or a foreign key's id (a ``FileField``'s descriptor wraps the value). Otherwise, and
for a model with a constructor of its own, or a caller that passes no field names, it
is Django's own ``from_db``.
"""

from django.db.models import Model
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_init, pre_init
from django.dispatch.dispatcher import NO_RECEIVERS

# What Django's __init__ does for these descriptors, given a new instance, is to write
# the value into the instance's __dict__ (ForeignKeyDeferredAttribute.__set__ would
# first drop a cached related object, which a new instance has not got).
_PLAIN = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _plain_columns(model: type[Model]) -> bool:
    """Whether Django's ``__init__`` would only write each column into ``__dict__``: the
    model has not a constructor of its own, and each column's descriptor is plain."""
    return model.__init__ is Model.__init__ and all(
        type(model.__dict__.get(f.attname)) in _PLAIN for f in model._meta.concrete_fields
    )


class FastRows:
    """Mixin for a model read by the hundred on busy pages (list it before
    ``models.Model``)."""

    @classmethod
    def from_db(cls, db, field_names, values):
        plain = cls.__dict__.get("_fast_rows_plain")
        if plain is None:
            # Worked out once per class, when its descriptors are all in place.
            plain = _plain_columns(cls)
            cls._fast_rows_plain = plain
        if not plain or field_names is None or _listened(cls):
            return super().from_db(db, field_names, values)
        new = cls.__new__(cls)
        state = ModelState()
        state.adding = False
        state.db = db
        attributes = new.__dict__
        attributes["_state"] = state
        attributes.update(zip(field_names, values, strict=True))
        return new


def _listened(model: type[Model]) -> bool:
    """Whether anything listens to this model's ``pre_init`` or ``post_init`` (the test
    Django's ``Signal.send`` makes before calling anyone)."""
    return any(
        signal.receivers and signal.sender_receivers_cache.get(model) is not NO_RECEIVERS
        for signal in (pre_init, post_init)
    )

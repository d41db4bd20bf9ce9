"""Data built once for a whole test module and rolled back after it.

Building the demo clinic takes seconds; a module of tests that only read it builds it
once inside an outer transaction, each test runs in a savepoint inside that (as
pytest-django's ``db`` fixture does when a transaction is already open), and the outer
transaction is rolled back when the module is done, so nothing leaks into other modules.
"""

from contextlib import contextmanager

import pytest
from django.db import transaction

from acuclinic.demo.builder import build_demo
from acuclinic.demo.spec import DemoSpec


@contextmanager
def module_transaction(django_db_blocker):
    """Open a transaction for the module's data; roll it back on leaving."""
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


def module_demo(spec: DemoSpec):
    """A module-scoped ``demo`` fixture: the demo clinic built from ``spec`` (its
    summary is the fixture's value). Use as ``demo = module_demo(SPEC)``."""

    @pytest.fixture(scope="module")
    def demo(django_db_setup, django_db_blocker):
        with module_transaction(django_db_blocker):
            with django_db_blocker.unblock():
                summary = build_demo(spec)
            yield summary

    return demo

"""Data built once for a whole test module and rolled back after it.

Building the demo clinic takes seconds; a module of tests that only read it builds it
once inside an outer transaction, each test runs in a savepoint inside that (as
pytest-django's ``db`` fixture does when a transaction is already open), and the outer
transaction is rolled back when the module is done, so nothing leaks into other modules.
"""

from contextlib import contextmanager

import factory.random
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


def module_rows(build):
    """A module-scoped fixture holding what ``build()`` returns, built once for the module
    in the module's transaction (each test's savepoint rolls back what the test changed,
    so every test starts from the same rows). Faker is seeded from the module's name, so
    the rows are the same on every run. Return primary keys, not model instances: a
    test that changes an instance in memory would hand the change to the next test."""

    @pytest.fixture(scope="module")
    def rows(request, django_db_setup, django_db_blocker):
        with module_transaction(django_db_blocker), django_db_blocker.unblock():
            factory.random.reseed_random(request.module.__name__)
            yield build()

    return rows

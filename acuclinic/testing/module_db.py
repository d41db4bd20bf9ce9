"""Data built once for a whole test module and rolled back after it.

Building the demo clinic takes seconds; a module of tests that only read it builds it
once inside an outer transaction, each test runs in a savepoint inside that (as
pytest-django's ``db`` fixture does when a transaction is already open), and the outer
transaction is rolled back when the module is done, so nothing leaks into other modules.

Several modules read the same demo clinic (the same ``DemoSpec``). When they run one
after another in a process (the root conftest puts them next to each other, and keeps
them on one xdist worker), the clinic is built once for all of them: it stays in its
outer transaction from one module to the next, and each module works in a savepoint of
its own inside it, rolled back at the module's end like the outer transaction was. The
clinic is rolled back before any other test starts (``before_test``), so every test sees
the database it would have seen with one clinic built per module.
"""

from contextlib import contextmanager

import factory.random
import pytest
from django.db import transaction

from acuclinic.demo.builder import DemoSummary, build_demo
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


class _SharedDemo:
    """The demo clinic this process has built and not yet rolled back, if any."""

    def __init__(self) -> None:
        self._forget()

    def _forget(self) -> None:
        self.spec: DemoSpec | None = None
        self.summary: DemoSummary | None = None
        self.outer = None
        self.blocker = None
        # The module working in a savepoint inside it, while its tests run.
        self.module = None

    def open(self, spec: DemoSpec, django_db_blocker) -> DemoSummary:
        if self.spec != spec:
            self.close()
            with django_db_blocker.unblock():
                outer = transaction.atomic()
                outer.__enter__()
                try:
                    self.summary = build_demo(spec)
                except BaseException:
                    transaction.set_rollback(True)
                    outer.__exit__(None, None, None)
                    raise
            self.spec, self.outer, self.blocker = spec, outer, django_db_blocker
        return self.summary

    def close(self) -> None:
        if self.outer is None:
            return
        with self.blocker.unblock():
            transaction.set_rollback(True)
            self.outer.__exit__(None, None, None)
        self._forget()

    def shared_with(self, item) -> bool:
        """Whether ``item`` runs with the clinic that is open: it is a test of the module
        working in it, or of a module that asks for the same clinic."""
        module = getattr(item, "module", None)
        if module is not None and module is self.module:
            return True
        return demo_spec(module) == self.spec and "demo" in item.fixturenames


_shared = _SharedDemo()


def before_test(item) -> None:
    """Roll back the shared demo clinic before a test that does not read it (called by
    the root conftest's ``pytest_runtest_setup``, before the test's fixtures are set up)."""
    if _shared.outer is not None and not _shared.shared_with(item):
        _shared.close()


def demo_spec(module) -> DemoSpec | None:
    """The spec of the demo clinic a test module builds with ``module_demo``, if any."""
    return getattr(getattr(module, "demo", None), "demo_spec", None)


@pytest.fixture(scope="session")
def _shared_demo(django_db_setup):
    """Rolls back the clinic left open when the session ends (before the test database
    is dropped)."""
    yield _shared
    _shared.close()


def module_demo(spec: DemoSpec):
    """A module-scoped ``demo`` fixture: the demo clinic built from ``spec`` (its
    summary is the fixture's value). Use as ``demo = module_demo(SPEC)``."""

    def demo(request, _shared_demo, django_db_blocker):
        summary = _shared_demo.open(spec, django_db_blocker)
        # What the module's tests and fixtures write stays in the module's savepoint.
        with module_transaction(django_db_blocker):
            _shared_demo.module = request.module
            try:
                yield summary
            finally:
                _shared_demo.module = None

    demo.demo_spec = spec
    return pytest.fixture(scope="module", name="demo")(demo)


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

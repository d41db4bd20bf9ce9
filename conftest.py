"""Shared fixtures: a small clinic and one user per role (admin, practitioner,
reception), plus an outsider with no role, so every screen gets its refusal tests cheaply.
"""

import os
from datetime import time

import factory.random
import pytest
from hypothesis import settings

from acuclinic.testing import factories, html_check

pytest_plugins = [
    "acuclinic.testing.front_desk_fixtures",
    # The demo clinic that modules asking for the same one share.
    "acuclinic.testing.module_db",
    # migration_database: an empty database of a migration test's own.
    "acuclinic.testing.old_migrations",
]

# Tests never depend on the machine's speed: no property test has a time limit (a full run
# once failed on a loaded machine when one overran hypothesis' default 200 ms deadline).
settings.register_profile("acuclinic", deadline=None)
settings.load_profile("acuclinic")


@pytest.fixture(autouse=True)
def _same_test_data_on_every_run(request):
    # Factories draw names from Faker; seeding from the test's id gives each test the same
    # people on every run, so a failure (an "O'Brien" escaped in HTML, say) repeats.
    factory.random.reseed_random(request.node.nodeid)


@pytest.fixture
def clinic(db):
    return factories.build_clinic()


@pytest.fixture
def admin_user(clinic):
    return factories.staff_user("admin", role="Clinic admin")


@pytest.fixture
def practitioner(clinic):
    return factories.practitioner("prac", qualified_medical=True)


@pytest.fixture
def practitioner_user(practitioner):
    return practitioner.user


@pytest.fixture
def reception_user(clinic):
    return factories.staff_user("reception", role="Reception")


@pytest.fixture
def outsider(clinic):
    return factories.staff_user("outsider", role=None)


@pytest.fixture
def patient(clinic):
    return factories.patient()


@pytest.fixture
def users(admin_user, practitioner_user, reception_user, outsider):
    return {
        "admin": admin_user,
        "practitioner": practitioner_user,
        "reception": reception_user,
        "outsider": outsider,
    }


@pytest.fixture
def opening_time():
    return time(9, 0)


# Every HTML page a test fetches is checked for duplicate ids (issue 15).
html_check.enable()


# What a test needs of the database, as pytest-django spells it: a test that asks for
# none of these never opens a connection, so it runs the same on every database.
_DATABASE_FIXTURES = frozenset(
    {
        "db",
        "transactional_db",
        "django_db_reset_sequences",
        "django_db_serialized_rollback",
        "live_server",
        "django_db_setup",
    }
)


def uses_the_database(item) -> bool:
    if item.get_closest_marker("django_db"):
        return True
    return bool(_DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())))


def pytest_collection_modifyitems(config, items):
    """CI runs the suite twice, on SQLite and then on PostgreSQL. With
    ACUCLINIC_TEST_ONLY_DATABASE_TESTS=1 (the second pass in .ci/run) the tests that never
    touch a database are left out: the rules, scoring, planner and their property tests
    give the same answer whichever database is configured, and already ran in the first
    pass. Anyone running one pass alone runs everything."""
    _modules_sharing_a_demo_run_together(items)
    if os.environ.get("ACUCLINIC_TEST_ONLY_DATABASE_TESTS") != "1":
        return
    kept = [item for item in items if uses_the_database(item)]
    left_out = [item for item in items if not uses_the_database(item)]
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


def _modules_sharing_a_demo_run_together(items):
    """Modules that read the same demo clinic (module_db.module_demo with equal specs)
    are moved up to follow the first of them, so the clinic is built once for all of
    them (acuclinic/testing/module_db.py); every other test keeps its place."""
    from acuclinic.testing import module_db  # a plugin (above): pytest imports it first

    first_with = {}
    place = {}
    for index, item in enumerate(items):
        spec = module_db.demo_spec(getattr(item, "module", None))
        place[item] = (first_with.setdefault(spec, index) if spec else index, index)
    items.sort(key=place.__getitem__)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    # Before the test's fixtures: the demo clinic left open by the modules before it is
    # rolled back unless this test reads it too.
    from acuclinic.testing import module_db

    module_db.before_test(item)


# Files whose tests share nothing a worker cannot cheaply make for itself (a small world
# built once per module, each test in its own savepoint), so under `--dist loadfile` their
# tests may go to any worker one by one. They hold nearly half the suite's tests; kept
# whole, one worker ran a role matrix for minutes while the other finished early.
SPREAD_TEST_BY_TEST = frozenset(
    {
        "tests/test_role_matrix_html.py",
        "tests/test_role_matrix_api.py",
        "acuclinic/safety/tests/test_role_matrix.py",
    }
)


# Files that read one demo clinic (module_db.module_demo with the same DemoSpec): dealt
# out as one, so the worker that runs them builds the clinic once for all of them
# (module_db keeps it from one file to the next) rather than once per file, 5–10 s each.
# tests/test_suite_layout.py checks that they do read the same clinic.
SHARE_ONE_DEMO = frozenset(
    {
        "acuclinic/billing/tests/test_demo.py",
        "acuclinic/demo/tests/test_demo_safety.py",
        "acuclinic/outcomes/tests/test_demo.py",
        "acuclinic/scheduling/tests/test_demo_front_desk.py",
        "acuclinic/treatment/tests/test_demo.py",
    }
)


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """`--dist loadfile`, except that the files in SPREAD_TEST_BY_TEST are dealt out
    test by test and those in SHARE_ONE_DEMO together. xdist hands out the files with the
    most tests first, so the single tests come last and fill in whichever worker is free
    at the end."""
    if config.getoption("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class LoadFileSpreadingRoleMatrices(LoadFileScheduling):
        def _split_scope(self, nodeid):
            scope = super()._split_scope(nodeid)
            if scope in SPREAD_TEST_BY_TEST:
                return nodeid
            if scope in SHARE_ONE_DEMO:
                return "SHARE_ONE_DEMO"
            return scope

    return LoadFileSpreadingRoleMatrices(config, log)

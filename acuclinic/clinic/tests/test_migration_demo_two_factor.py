"""A demo clinic built before two-factor sign-in existed keeps signing in without it;
a real clinic gets the default: required."""

import pytest
from django.db import connection

from acuclinic.testing.old_migrations import OldMigrationsExecutor, start_at_old_migrations

# Every clinic migration but the one tested: the arrival window and first-visit services
# came on branches of their own, merged after it, and their columns must be in the state
# the old clinic is created with.
BEFORE = [
    ("clinic", "0006_require_two_factor"),
    ("clinic", "0005_clinic_arrival_window"),
    ("clinic", "0005_service_first_visit"),
    ("audit", "0005_hash_chain"),
]
AFTER = [("clinic", "0007_demo_clinic_two_factor_off")]


def _migrate(targets) -> OldMigrationsExecutor:
    executor = OldMigrationsExecutor(connection)
    executor.migrate(targets)
    return executor


@pytest.mark.parametrize("demo", [True, False])
def test_only_the_demo_clinic_turns_two_factor_off(demo, migration_database):
    old = start_at_old_migrations(BEFORE).loader.project_state(BEFORE).apps
    old.get_model("clinic", "Clinic").objects.create(name="Riverside", require_two_factor=True)
    if demo:
        old.get_model("audit", "AuditEntry").objects.create(
            action="create", object_type="demo", detail="Demo clinic built"
        )
    new = _migrate(AFTER).loader.project_state(AFTER).apps
    clinic = new.get_model("clinic", "Clinic").objects.get()
    assert clinic.require_two_factor is (not demo)

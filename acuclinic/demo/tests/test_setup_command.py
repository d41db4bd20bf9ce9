"""`acuclinic setup` (what `make run` runs first) in an empty database: it migrates,
builds the demo clinic and prints where to sign in; running it again changes nothing.

The first run happens once for the module, inside a transaction rolled back at the end.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import OutputWrapper

from acuclinic.audit.models import AuditEntry
from acuclinic.demo.reset import clinic_rows
from acuclinic.people.models import Patient, User
from acuclinic.testing.module_db import module_transaction

pytestmark = pytest.mark.django_db

LOGIN_TABLE = [
    ["username", "role", "password"],
    ["admin", "Clinic admin", "acuclinic-demo"],
    ["practitioner", "Practitioner", "acuclinic-demo"],
    ["reception", "Reception", "acuclinic-demo"],
]


def setup() -> str:
    out = StringIO()
    call_command("setup", stdout=out)
    return out.getvalue()


def login_rows(said: str) -> list[list[str]]:
    lines = said.split("Demo logins, one per role:")[1].strip().splitlines()
    return [re.split(r"\s{2,}", line.strip()) for line in lines if line.strip()]


@pytest.fixture(scope="module")
def first_run(django_db_setup, django_db_blocker):
    """What the first `acuclinic setup` printed, with HOST and PORT left to their defaults."""
    with module_transaction(django_db_blocker):
        with pytest.MonkeyPatch.context() as env, django_db_blocker.unblock():
            env.delenv("HOST", raising=False)
            env.delenv("PORT", raising=False)
            said = setup()
        yield said


@pytest.fixture(autouse=True)
def default_address(monkeypatch):
    monkeypatch.delenv("HOST", raising=False)
    monkeypatch.delenv("PORT", raising=False)


def test_in_an_empty_database_it_builds_the_demo_and_prints_the_url_and_one_login_per_role(
    first_run,
):
    built = "Built the demo clinic “Riverside Physiotherapy”: 6 practitioners, 300 patients"
    assert built in first_run
    assert Patient.objects.count() == 300
    assert "acuclinic is ready: open http://127.0.0.1:8000/" in first_run
    assert login_rows(first_run) == LOGIN_TABLE


def test_a_second_run_changes_nothing_and_still_prints_the_logins(first_run):
    rows, trail = clinic_rows(), AuditEntry.objects.count()
    said = setup()
    assert "The database already has a clinic; it is left as it is." in said
    assert "Built" not in said
    assert (clinic_rows(), AuditEntry.objects.count()) == (rows, trail)
    assert login_rows(said) == LOGIN_TABLE


def test_a_changed_demo_password_is_not_printed(first_run):
    reception = User.objects.get(username="reception")
    reception.set_password("a-new-password-for-the-desk")
    reception.save()
    rows = login_rows(setup())
    assert ["reception", "Reception", "(changed)"] in rows
    assert "a-new-password-for-the-desk" not in str(rows)


def test_the_first_run_says_what_it_builds_as_it_goes(first_run):
    parts = re.findall(r"Building the demo clinic: (.+?)… \(\d+ s\)", first_run)
    assert parts == [
        "the clinic, its staff and their working hours",
        "300 patients",
        "the diary of appointments",
        "safety questionnaires and flags",
        "session notes",
        "enquiries",
        "courses and outcome measures",
    ]
    assert first_run.index("Building the demo clinic") < first_run.index("Built the demo")


def test_migrating_is_reported_a_quarter_at_a_time_not_a_line_per_migration():
    from acuclinic.demo.progress import MigrationProgress

    out = StringIO()
    progress = MigrationProgress(OutputWrapper(out), steps=8)
    for n in range(8):
        progress.write(f"  Applying app.{n:04}_step...")
        progress.write(" OK\n")
    lines = out.getvalue().splitlines()
    assert [line.split(" (")[0] for line in lines] == [
        f"Preparing the database: {done} of 8 steps" for done in (2, 4, 6, 8)
    ]

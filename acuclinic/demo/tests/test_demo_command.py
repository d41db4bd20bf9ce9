"""`acuclinic demo`: options, what it says, and what it refuses."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Clinic
from acuclinic.demo.management.commands import demo as demo_command
from acuclinic.people.models import Patient, Practitioner

pytestmark = pytest.mark.django_db


def demo(*args) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


def test_it_builds_the_clinic_at_a_scale_and_says_what_it_built():
    said = demo("--scale=2", "--today=2026-04-15", "--months-back=1", "--seed=7")
    assert Patient.objects.count() == 600
    assert Practitioner.objects.count() == 12
    assert "4 locations, 10 rooms, 12 practitioners, 600 patients" in said
    assert "from Sun 15 Mar 2026 to Fri 15 May 2026" in said
    assert "Sign in as admin, practitioner, reception; the password is acuclinic-demo." in said


def test_it_refuses_a_database_with_clinic_data_and_names_the_way_out(clinic, patient):
    with pytest.raises(CommandError) as refused:
        demo("--today=2026-04-15")
    assert "already holds 1 clinic and 1 patient" in str(refused.value)
    assert "acuclinic demo --reset" in str(refused.value)
    assert list(Patient.objects.all()) == [patient]


def test_with_reset_it_replaces_the_data(clinic, patient):
    demo("--reset", "--today=2026-04-15", "--months-back=1")
    assert list(Clinic.objects.values_list("name", flat=True)) == ["Riverside Physiotherapy"]
    assert not Patient.objects.filter(pk=patient.pk).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scale=0"], "argument --scale: must be 1 or more, not 0"),
        (["--scale=ten"], "argument --scale: “ten” is not a whole number"),
        (["--scale=201"], "scale must be between 1 and 200"),
        (["--today=15/04/2026"], "“15/04/2026” is not a date like 2026-03-03"),
        (["--months-back=-1"], "argument --months-back: must be 0 or more, not -1"),
        (["--months-back=0", "--months-ahead=0"], "at least one month of appointments"),
        (["--months-ahead=36"], "months ahead must be between 0 and 24"),
    ],
)
def test_bad_options_get_a_clear_message_and_write_nothing(args, message):
    with pytest.raises(CommandError, match=message):
        demo(*args)
    assert not Clinic.objects.exists()
    assert not AuditEntry.objects.exists()


def test_it_asks_for_migrations_first_when_the_database_is_behind(monkeypatch):
    monkeypatch.setattr(demo_command, "unapplied_migrations", lambda: ["people.0009_new"])
    with pytest.raises(CommandError, match="run `acuclinic migrate`"):
        demo("--today=2026-04-15")
    assert not Clinic.objects.exists()


def test_a_migrated_database_has_nothing_left_to_apply():
    assert demo_command.unapplied_migrations() == []

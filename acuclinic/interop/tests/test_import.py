"""Moving in from Cliniko and Jane: the dry run says what would happen, a real run is all
or nothing and creates nobody twice, bad files get a clear message and write nothing."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from acuclinic.audit.models import AuditEntry
from acuclinic.interop.importing import csvrows, patients
from acuclinic.people.models import Patient
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"
CLINIKO = (DATA / "cliniko_patients.csv").read_bytes()
JANE = (DATA / "jane_patients.csv").read_bytes()


def test_dry_run_shows_creates_and_matches_and_writes_nothing():
    factories.patient(
        given_name="Priya", family_name="Hollowmere", date_of_birth="1990-07-29", nhs_number=""
    )
    before = Patient.objects.count()
    plan = patients.import_patients(CLINIKO, "cliniko", dry_run=True)
    assert [o.action for o in plan.outcomes] == ["create", "create", "match", "create", "create"]
    assert plan.outcomes[2].detail == "same name and date of birth"
    assert Patient.objects.count() == before
    assert not plan.written


def test_real_run_imports_and_a_second_run_creates_nothing():
    plan = patients.import_patients(CLINIKO, "cliniko", dry_run=False)
    assert plan.count("create") == 5 and plan.written
    imogen = Patient.objects.get(family_name="Thistlewood")
    assert imogen.preferred_name == "Immy"
    assert imogen.nhs_number == "4000000012"
    assert imogen.phone_digits  # normalised as the patient form does
    assert str(imogen.date_of_birth) == "1979-02-14"
    assert Patient.objects.get(given_name="Oluwaseun").sex == "unknown"
    assert AuditEntry.objects.filter(detail="imported from cliniko").count() == 5

    again = patients.import_patients(CLINIKO, "cliniko", dry_run=False)
    assert again.count("create") == 0 and again.count("match") == 5
    assert Patient.objects.filter(family_name="Thistlewood").count() == 1


def test_jane_mapping_reads_its_own_columns_and_codes():
    plan = patients.import_patients(JANE, "jane", dry_run=False)
    assert plan.count("create") == 3
    assert Patient.objects.get(family_name="Ashcombe").sex == "other"
    assert Patient.objects.get(family_name="Wolverton").gp_practice == "Riverside Medical"


def test_one_bad_row_means_nothing_is_written_and_every_error_is_named():
    bad = CLINIKO.replace(b"03/11/1962", b"1962-11-03").replace(b",Male,", b",Bloke,")
    bad += b"Zed,,,01/01/2001,Male,,,,,,,,,\n"
    bad += b"Twin,Dup,,01/01/1980,Male,,,,,,,4000000071,,\n"
    bad += b"Other,Person,,02/02/1970,Male,,,,,,,4000000071,,\n"
    dry = patients.import_patients(bad, "cliniko", dry_run=True)
    errors = {o.line: o.detail for o in dry.errors}
    assert "is not a date like 01/03/1980" in errors[3]
    assert "Last Name is empty" in errors[7]
    assert "also on line 8, for a different person" in errors[9]
    with pytest.raises(patients.ImportRefused, match="Nothing was imported: 3 rows"):
        patients.import_patients(bad, "cliniko", dry_run=False)
    assert Patient.objects.count() == 0


def test_a_repeated_row_is_imported_once():
    lines = CLINIKO.splitlines(keepends=True)
    doubled = b"".join([*lines, lines[1], lines[3]])
    plan = patients.import_patients(doubled, "cliniko", dry_run=False)
    assert plan.count("create") == 5
    assert [o.detail for o in plan.outcomes[-2:]] == [
        "the same person as line 2",
        "the same person as line 4",
    ]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        ("Prénom,Nom\n".encode("latin-1") + b"\xe9t\xe9,x\n", "not UTF-8"),
        (b"\x00\x01garbage" * 1000, "binary data"),
        (b"", "empty"),
        (b"Name,DOB\nA,B\n", "lacks the columns 'First Name', 'Last Name', 'Date of Birth'"),
        (b'First Name,Last Name,Date of Birth\n"unclosed,x,y\n' + b"z" * 200_000, "CSV"),
    ],
)
def test_unreadable_files_get_a_clear_message(data, says):
    with pytest.raises(csvrows.ImportFileError, match=says):
        patients.import_patients(data, "cliniko", dry_run=True)


def test_the_command_dry_runs_and_imports(tmp_path, capsys):
    path = tmp_path / "export.csv"
    path.write_bytes(CLINIKO)
    call_command("import", "cliniko", "patients", str(path), "--dry-run")
    out = capsys.readouterr()
    assert "Dry run, nothing written. 5 rows: Would create 5" in out.out
    assert "5/5 rows" in out.err  # the progress bar
    assert Patient.objects.count() == 0
    call_command("import", "cliniko", "patients", str(path))
    assert Patient.objects.count() == 5
    path.write_bytes(b"junk\xff")
    with pytest.raises(CommandError, match="not UTF-8"):
        call_command("import", "cliniko", "patients", str(path))

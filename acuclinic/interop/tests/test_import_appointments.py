"""Moving in future appointments: matched to the patients, practitioners, services and
locations already here, booked by the diary's rules; dry run first, then all or nothing,
and a second run books nothing twice."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from acuclinic.interop.importing import appointments, patients
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db
HEADING = (
    "Patient First Name,Patient Last Name,Patient Date of Birth,Practitioner,"
    "Appointment Type,Business,Appointment Start,Notes\n"
)


@pytest.fixture
def clinic():
    factories.build_clinic()
    prac = factories.practitioner("ap-prac", qualified_medical=True)
    prac.user.first_name, prac.user.last_name = "Sam", "Needleman"
    prac.user.save()
    factories.patient(given_name="Imogen", family_name="Thistlewood", date_of_birth="1979-02-14")
    factories.patient(given_name="Barnaby", family_name="Quillfeather", date_of_birth="1962-11-03")
    return prac


def visit(given, family, born, when, practitioner="Sam Needleman", service="Follow-up"):
    return f"{given},{family},{born},{practitioner},{service},Riverside,{when:%d/%m/%Y %H:%M},\n"


def csv(*lines) -> bytes:
    return (HEADING + "".join(lines)).encode()


def test_dry_run_then_import_then_nothing_twice(clinic):
    monday = timezone.localtime(factories.next_weekday_at(10, days_ahead=14))
    past = timezone.localtime(timezone.now() - timedelta(days=30)).replace(hour=10, minute=0)
    data = csv(
        visit("Imogen", "Thistlewood", "14/02/1979", monday),
        visit("Barnaby", "Quillfeather", "03/11/1962", monday),
        visit("Imogen", "Thistlewood", "14/02/1979", past),
    )
    # Two patients with one practitioner at the same time: the second is an error.
    dry = appointments.import_appointments(data, "cliniko", dry_run=True)
    assert [o.action for o in dry.outcomes] == ["create", "error", "skip"]
    assert Appointment.objects.count() == 0
    with pytest.raises(patients.ImportRefused):
        appointments.import_appointments(data, "cliniko", dry_run=False)
    assert Appointment.objects.count() == 0

    later = monday + timedelta(hours=2)
    data = csv(
        visit("Imogen", "Thistlewood", "14/02/1979", monday),
        visit("Barnaby", "Quillfeather", "03/11/1962", later),
    )
    plan = appointments.import_appointments(data, "cliniko", dry_run=False)
    assert plan.count("create") == 2 and Appointment.objects.count() == 2
    booked = Appointment.objects.get(patient__family_name="Quillfeather")
    assert timezone.localtime(booked.start).hour == 12 and booked.notes == "Imported from cliniko."
    again = appointments.import_appointments(data, "cliniko", dry_run=False)
    assert again.count("match") == 2 and Appointment.objects.count() == 2


def test_rows_naming_what_is_not_here_are_errors(clinic):
    monday = timezone.localtime(factories.next_weekday_at(10, days_ahead=14))
    data = csv(
        visit("Nobody", "Known", "01/01/1990", monday),
        visit("Imogen", "Thistlewood", "14/02/1979", monday, practitioner="Dr Who"),
        visit("Imogen", "Thistlewood", "14/02/1979", monday, service="Reiki"),
        "Imogen,Thistlewood,14/02/1979,Sam Needleman,Follow-up,Riverside,2026-03-03 10:00,\n",
    )
    errors = [
        o.detail for o in appointments.import_appointments(data, "cliniko", dry_run=True).errors
    ]
    assert "import patients first" in errors[0]
    assert "No practitioner here called “Dr Who”" in errors[1]
    assert "No service here called “Reiki”" in errors[2]
    assert "is not a date and time like 03/03/2026 10:00" in errors[3]


def test_the_command_imports_appointments(clinic, tmp_path, capsys):
    monday = timezone.localtime(factories.next_weekday_at(10, days_ahead=14))
    path = tmp_path / "appointments.csv"
    path.write_bytes(csv(visit("Imogen", "Thistlewood", "14/02/1979", monday)))
    call_command("import", "cliniko", "appointments", str(path))
    assert "Created 1" in capsys.readouterr().out
    assert Appointment.objects.count() == 1

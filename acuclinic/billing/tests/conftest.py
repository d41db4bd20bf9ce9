import pytest

from acuclinic.billing import services
from acuclinic.clinic.models import Service
from acuclinic.people.choices import Profession
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.testing import factories


@pytest.fixture
def medical(clinic):
    return Service.objects.get(name="Medical acupuncture")


@pytest.fixture
def visit(patient, practitioner, medical):
    """A visit yesterday, attended, not yet invoiced."""
    start = factories.next_weekday_at(10, days_ahead=-8)
    return factories.appointment(
        patient=patient,
        practitioner=practitioner,
        service=medical,
        start=start,
        status=AppointmentStatus.ARRIVED,
    )


@pytest.fixture
def invoice(visit):
    return services.invoice_visit(visit)


@pytest.fixture
def acupuncturist(clinic):
    """A BAcC-only acupuncturist: on no statutory register."""
    return factories.practitioner(
        "acu", profession=Profession.ACUPUNCTURIST, qualified_traditional=True
    )


@pytest.fixture
def vat_registered(clinic):
    found = services.settings_for(clinic)
    found.vat_number = "GB123456789"
    found.save()
    return found

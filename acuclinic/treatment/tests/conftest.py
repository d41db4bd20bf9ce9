import pytest

from acuclinic.testing import treatment as testing


@pytest.fixture
def lot(clinic):
    return testing.needle_lot(clinic)


@pytest.fixture
def visit(patient, practitioner):
    return testing.ready_visit(patient, practitioner)


@pytest.fixture
def note(visit):
    return testing.session_note(visit)


@pytest.fixture
def prac_user(practitioner):
    return practitioner.user

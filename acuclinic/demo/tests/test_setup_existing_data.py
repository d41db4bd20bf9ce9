"""`acuclinic setup` in a database that already holds data: the data is left alone."""

from io import StringIO

import pytest
from django.core.management import call_command

from acuclinic.people.models import Patient
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db


def setup() -> str:
    out = StringIO()
    call_command("setup", stdout=out)
    return out.getvalue()


def test_it_leaves_a_real_clinic_alone_and_prints_the_address_it_serves_on(
    monkeypatch, clinic, admin_user
):
    monkeypatch.setenv("HOST", "0.0.0.0")
    monkeypatch.setenv("PORT", "8080")
    said = setup()
    assert "The database already has a clinic; it is left as it is." in said
    assert "open http://0.0.0.0:8080/" in said
    # The fixture's "admin" is not a demo login: no password is printed for it.
    assert "Sign in with your own account (no demo logins in this database)." in said
    assert "acuclinic-demo" not in said


def test_a_database_with_accounts_but_no_clinic_is_not_given_the_demo():
    factories.staff_user("manager", role="Clinic admin")
    said = setup()
    assert "already holds 1 staff account" in said
    assert "`acuclinic demo --reset` would replace that data" in said
    assert not Patient.objects.exists()

"""The database itself keeps patient records sound, even when validation is bypassed."""

from datetime import date

import pytest
from django.db import IntegrityError, transaction

from acuclinic.people.models import Patient
from acuclinic.testing import factories


def insert(**fields):
    with transaction.atomic():
        return factories.patient(**fields)


def test_the_database_refuses_an_unknown_sex(clinic):
    with pytest.raises(IntegrityError):
        insert(sex="robot")


def test_the_database_refuses_a_birth_date_before_1900(clinic):
    with pytest.raises(IntegrityError):
        insert(date_of_birth=date(1899, 12, 31))
    insert(date_of_birth=date(1900, 1, 1))


def test_the_database_refuses_a_second_patient_with_the_same_nhs_number(clinic):
    insert(nhs_number="9990000018")
    with pytest.raises(IntegrityError):
        insert(nhs_number="999 000 0018")
    assert Patient.objects.count() == 1


def test_many_patients_can_have_no_nhs_number(clinic):
    insert(nhs_number="")
    insert(nhs_number="")
    assert Patient.objects.filter(nhs_number="").count() == 2


def test_saving_keeps_only_the_digits_of_phone_and_nhs_numbers(clinic):
    patient = insert(phone="+44 (0)7700 900123", nhs_number="999-000-0018")
    assert patient.phone_digits == "07700900123"
    assert patient.nhs_number == "9990000018"

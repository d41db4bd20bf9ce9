"""``__among``: the same rows as ``__in``, for keys and foreign keys, bound as one value."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from acuclinic.people.models import Patient
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def patients():
    return [factories.patient(given_name=name) for name in ("Ann", "Bea", "Cat", "Dot")]


def test_among_finds_the_same_rows_as_in(patients):
    wanted = [patients[0].pk, patients[2].pk, 10**9]
    among = set(Patient.objects.filter(pk__among=wanted).values_list("given_name", flat=True))
    assert among == {"Ann", "Cat"}
    assert among == set(Patient.objects.filter(pk__in=wanted).values_list("given_name", flat=True))


def test_among_an_empty_list_finds_nothing(patients):
    assert not Patient.objects.filter(pk__among=[]).exists()
    assert Patient.objects.exclude(pk__among=[]).count() == 4


def test_among_works_through_a_foreign_key_and_in_an_exclude(patients):
    factories.build_clinic()
    sarah = factories.practitioner("sarah")
    visits = [
        factories.appointment(patient=p, practitioner=sarah, start=factories.next_weekday_at(h))
        for p, h in zip(patients[:2], (10, 11), strict=True)
    ]

    found = Appointment.objects.filter(patient_id__among=[patients[1].pk, patients[3].pk])
    assert [a.pk for a in found] == [visits[1].pk]
    rest = Appointment.objects.exclude(patient_id__among=[patients[1].pk])
    assert [a.pk for a in rest] == [visits[0].pk]


def test_a_long_list_is_one_parameter(patients):
    ids = [p.pk for p in patients] + list(range(10**8, 10**8 + 2000))
    with CaptureQueriesContext(connection) as queries:
        assert Patient.objects.filter(pk__among=ids).count() == 4
    (query,) = queries.captured_queries
    assert query["sql"].count(str(10**8 + 1999)) <= 1  # not spelled out id by id as IN (…)


def test_anything_but_whole_numbers_is_refused_before_the_database(patients):
    for bad in (["1"], [1.5], [True], [None]):
        with pytest.raises(TypeError, match="whole-number ids"):
            list(Patient.objects.filter(pk__among=bad))

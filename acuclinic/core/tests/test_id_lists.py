"""``__among``: the same rows as ``__in``, for keys and foreign keys, bound as one value."""

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from acuclinic.core.id_lists import array_text
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


def test_an_array_goes_to_postgresql_as_its_text():
    # Whole numbers, dates and ISO date-times need no quoting inside an array's text.
    assert array_text([3, -1, 10**12]) == "{3,-1,1000000000000}"
    assert array_text([date(2026, 12, 7), date.min]) == "{2026-12-07,0001-01-01}"
    assert array_text(d.isoformat() for d in [datetime(2026, 3, 29, 1, tzinfo=UTC)]) == (
        "{2026-03-29T01:00:00+00:00}"
    )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT %s::bigint[], %s::date[]", [array_text([3, -1]), array_text([date.min])]
            )
            assert cursor.fetchone() == ([3, -1], [date.min])

"""Rows read into models marked ``FastRows`` (core/fast_rows.py) are the instances
Django's own ``from_db`` would have made: the same values, columns left out still
loaded when read, saved as the row they came from, and every ``pre_init``/``post_init``
receiver still called when there is one."""

import pytest
from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_init, pre_init
from django.test.utils import CaptureQueriesContext

from acuclinic.clinic.models import Service
from acuclinic.core import fast_rows
from acuclinic.core.fast_rows import FastRows
from acuclinic.outcomes.models import Course, Measurement
from acuclinic.people.models import Patient, Practitioner, User
from acuclinic.safety.models import PrecautionAcknowledgement, Questionnaire
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories
from acuclinic.treatment.models import SessionNote

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit(clinic, practitioner, patient):
    return factories.appointment(patient=patient, practitioner=practitioner, notes="Left knee")


def _as_django_makes_it(model, pk) -> Model:
    """The row read by Django's own ``Model.from_db``, for comparison."""
    fields = [f.attname for f in model._meta.concrete_fields]
    values = model.objects.filter(pk=pk).values_list(*fields).get()
    return Model.from_db.__func__(model, "default", fields, values)


def _loaded(instance: Model) -> dict:
    return {k: v for k, v in vars(instance).items() if k != "_state"}


@pytest.mark.parametrize(
    "model",
    [
        Appointment,
        Patient,
        Questionnaire,
        PrecautionAcknowledgement,
        SessionNote,
        Course,
        Measurement,
        Practitioner,
        User,
        Service,
    ],
)
def test_the_models_read_by_the_hundred_are_made_the_fast_way(model):
    """The diary week's and the patient record's most numerous rows; each has only
    plain columns, so the fast way is the one taken."""
    assert issubclass(model, FastRows)
    assert fast_rows._plain_columns(model)


def test_a_row_is_read_into_the_same_instance_as_djangos(visit):
    read = Appointment.objects.get(pk=visit.pk)
    expected = _as_django_makes_it(Appointment, visit.pk)

    assert type(read) is Appointment
    assert _loaded(read) == _loaded(expected)
    assert (read._state.adding, read._state.db) == (False, "default")
    assert read == visit and read.notes == "Left knee"


def test_columns_left_out_are_read_when_asked_for(visit):
    read = Appointment.objects.only("start").get(pk=visit.pk)

    assert "notes" in read.get_deferred_fields()
    assert "notes" not in vars(read)
    with CaptureQueriesContext(connection) as queries:
        assert read.notes == "Left knee"
    assert len(queries) == 1


def test_a_joined_patient_comes_with_the_visit(visit, patient):
    with CaptureQueriesContext(connection) as queries:
        read = Appointment.objects.select_related("patient").get(pk=visit.pk)
        assert read.patient.full_name == patient.full_name
        assert read.patient_id == patient.pk
    assert len(queries) == 1


def test_a_row_read_and_saved_is_changed_not_copied(visit):
    read = Appointment.objects.get(pk=visit.pk)
    read.notes = "Right knee"
    read.save()

    assert Appointment.objects.count() == 1
    assert Appointment.objects.get(pk=visit.pk).notes == "Right knee"


def test_setting_a_read_visits_patient_id_forgets_the_old_patient(visit, clinic):
    other = factories.patient(given_name="Other")
    read = Appointment.objects.select_related("patient").get(pk=visit.pk)
    read.patient_id = other.pk

    assert read.patient == other


@pytest.mark.parametrize("signal", [pre_init, post_init])
def test_a_receiver_of_the_init_signals_is_still_called(visit, patient, signal):
    heard = []

    def listen(sender, **kwargs):
        heard.append(sender)

    signal.connect(listen, sender=Patient)
    try:
        read = Patient.objects.get(pk=patient.pk)
    finally:
        signal.disconnect(listen, sender=Patient)

    assert heard == [Patient]
    assert read.full_name == patient.full_name
    # Once nobody listens any more, rows are made the fast way again.
    assert Patient.objects.get(pk=patient.pk) == patient and heard == [Patient]

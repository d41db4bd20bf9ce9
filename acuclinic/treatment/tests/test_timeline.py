"""A visit's timeline follows the clock: arrival from the clinic's window before the
start, the note signed only once the visit has started, and signing completes the visit.
The session-note link on the visit always says what must come first."""

from datetime import timedelta

import pytest
from django.urls import reverse

from acuclinic.core.errors import Conflict
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.services import appointment_set_status
from acuclinic.testing import factories
from acuclinic.testing import treatment as testing
from acuclinic.treatment import services


@pytest.fixture
def booked(patient, practitioner):
    return testing.ready_visit(patient, practitioner, status=AppointmentStatus.BOOKED)


@pytest.mark.parametrize(
    ("minutes_before", "allowed"), [(31, False), (30, True), (0, True), (-20, True)]
)
def test_arrival_is_marked_from_the_clinic_s_window_before_the_start(
    booked, minutes_before, allowed
):
    now = booked.start - timedelta(minutes=minutes_before)
    if allowed:
        appointment_set_status(booked, status=AppointmentStatus.ARRIVED, now=now)
        booked.refresh_from_db()
        assert booked.status == AppointmentStatus.ARRIVED
    else:
        with pytest.raises(Conflict) as refused:
            appointment_set_status(booked, status=AppointmentStatus.ARRIVED, now=now)
        assert refused.value.code == "too_early_to_arrive"
        assert "can be marked arrived from" in refused.value.message
        assert "(30 minutes before)" in refused.value.message


def test_the_arrival_window_is_a_clinic_setting(booked, clinic):
    clinic.arrival_window_minutes = 60
    clinic.save()
    now = booked.start - timedelta(minutes=45)
    appointment_set_status(booked, status=AppointmentStatus.ARRIVED, now=now)
    booked.refresh_from_db()
    assert booked.status == AppointmentStatus.ARRIVED


@pytest.mark.parametrize(("minutes_after", "allowed"), [(-1, False), (0, True), (50, True)])
def test_the_note_is_signed_only_once_the_visit_has_started_and_signing_completes_it(
    visit, lot, minutes_after, allowed
):
    note = testing.charted_note(visit, lot)
    now = visit.start + timedelta(minutes=minutes_after)
    user = visit.practitioner.user
    if not allowed:
        with pytest.raises(Conflict) as refused:
            services.session_note_sign(note, user=user, now=now)
        assert refused.value.code == "visit_not_started"
        assert "signed once the visit has started" in refused.value.message
        note.refresh_from_db()
        visit.refresh_from_db()
        assert not note.is_signed and visit.status == AppointmentStatus.ARRIVED
        return
    services.session_note_sign(note, user=user, now=now)
    visit.refresh_from_db()
    assert visit.status == AppointmentStatus.COMPLETED


def _visit_page(client, user, appointment) -> str:
    client.force_login(user)
    return client.get(reverse("appointment_detail", args=[appointment.pk])).content.decode()


def test_the_note_link_is_always_on_the_visit_saying_what_comes_first(
    client, booked, practitioner, patient
):
    page = _visit_page(client, practitioner.user, booked)
    assert "Session note: mark the patient as arrived first (from" in page
    appointment_set_status(booked, status=AppointmentStatus.ARRIVED, now=booked.start)
    page = _visit_page(client, practitioner.user, booked)
    assert "Write the session note" in page
    colleague = factories.practitioner("colleague")
    page = _visit_page(client, colleague.user, booked)
    assert f"only {practitioner.name}, who sees the patient at this visit, writes it" in page

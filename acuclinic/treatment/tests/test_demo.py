"""The demo clinic's treatment record: valid notes for the needling visits that took
place, stock that adds up, a lot expiring soon and one recalled, and adverse events at
about the published rates.

The scale-1 demo is built once for the module inside a transaction that is rolled back
at the end; each test runs in a savepoint inside it.
"""

from datetime import date, timedelta

import pytest
from django.db import transaction
from django.db.models import Sum

from acuclinic.demo.builder import build_demo
from acuclinic.demo.spec import DemoSpec
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing.module_db import module_demo
from acuclinic.treatment import queries, services
from acuclinic.treatment.models import (
    AdverseEvent,
    FollowUp,
    NeedledPoint,
    NeedleLot,
    NeedleUse,
    PointPrescription,
    SessionNote,
)

TODAY = date(2026, 4, 15)
SPEC = DemoSpec.at_scale(1, today=TODAY)

pytestmark = pytest.mark.django_db


demo = module_demo(SPEC)


def test_most_completed_needling_visits_have_a_signed_note(demo):
    visits = Appointment.objects.filter(
        status=AppointmentStatus.COMPLETED,
        start__date__lt=TODAY,
        service__needling__in=["medical", "traditional"],
    )
    signed = SessionNote.objects.filter(signed_at__isnull=False)
    assert signed.count() >= 0.8 * visits.count()
    # Only attended needling visits have notes, one each.
    assert not SessionNote.objects.exclude(appointment__in=visits).exists()
    # The last few days' notes include drafts still to finish.
    assert SessionNote.objects.filter(signed_at__isnull=True).exists()
    assert not SessionNote.objects.filter(
        signed_at__isnull=True, session_date__lt=TODAY - timedelta(days=3)
    ).exists()


def test_every_signed_demo_note_passes_the_checks_a_signature_needs(demo):
    for note in SessionNote.objects.filter(signed_at__isnull=False).select_related(
        "patient", "clinic"
    ):
        assert services.sign_problems(note) == [], note.pk


def test_demo_points_are_real_catalogue_entries_on_the_right_sides(demo):
    from acuclinic.treatment import catalogue

    cat = catalogue.current()
    for code, side in NeedledPoint.objects.values_list("code", "side").distinct():
        entry = cat.entry(code)
        assert entry is not None, code
        assert (side == "midline") is entry.is_midline, (code, side)


def test_stock_adds_up_and_a_lot_is_expiring_soon_and_another_recalled(demo):
    for lot in NeedleLot.objects.all():
        used = NeedleUse.objects.filter(lot=lot).aggregate(n=Sum("count"))["n"] or 0
        assert lot.quantity_received - used == lot.quantity_in_stock, lot.lot_number
    soon = queries.lots_expiring(None, today=TODAY)
    assert [lot.lot_number for lot in soon] == ["NG23-0862"]
    recalled = NeedleLot.objects.get(recalled_at__isnull=False)
    found = queries.sessions_using_lot(recalled)
    assert found.sessions, "the recall search lists sessions"
    recall_day = recalled.recalled_at.date()
    assert all(use.note.session_date < recall_day for use in found.uses)
    # Nothing was drawn from a lot after it expired or before it arrived.
    for use in NeedleUse.objects.select_related("lot", "note"):
        assert use.lot.received_on <= use.note.session_date <= use.lot.expires_on


def test_adverse_events_come_at_about_the_published_rates(demo):
    sessions = SessionNote.objects.filter(signed_at__isnull=False).count()
    events = AdverseEvent.objects.filter(note__signed_at__isnull=False)
    significant = events.filter(queries.significant_q())
    passing = events.exclude(pk__in=significant)
    # Usual passing reactions a practitioner notes: a few per hundred sessions, each one
    # answered (not severe, unusual or lasting), so none waits on the question.
    assert 0.02 * sessions <= passing.count() <= 0.1 * sessions
    assert not passing.filter(severe_or_lasting__isnull=True).exists()
    # Significant ones rare, as in the surveys (about 1.4 per 1,000): at most a handful,
    # and the serious one among them.
    assert 1 <= significant.count() <= 5
    assert all(event.is_significant for event in significant)
    (follow_up,) = FollowUp.objects.all()
    assert follow_up.is_open and follow_up.event.severity == "serious"


def test_each_practitioner_has_saved_prescriptions(demo):
    assert PointPrescription.objects.values("practitioner").distinct().count() == SPEC.practitioners


SMALL = DemoSpec(today=TODAY, patients=40, practitioners=3, rooms=3, months_back=2)


def test_the_same_spec_builds_the_same_treatment_record_and_a_reset_clears_it():
    # Inside a savepoint, so the module's demo is back for any test that follows.
    with transaction.atomic():
        sid = transaction.savepoint()
        try:
            build_demo(SMALL, reset_first=True)
            first = _fingerprint()
            assert first[0], "signed notes were written"
            # A reset deletes signed notes and their parts despite the triggers (they
            # refuse changes, not the operator's deletion), and builds the same again.
            build_demo(SMALL, reset_first=True)
            assert _fingerprint() == first
        finally:
            transaction.savepoint_rollback(sid)


PATIENT = ("given_name", "family_name", "date_of_birth")


def _rows(queryset, *fields) -> list:
    """Rows by natural keys, sorted: ids and the order ties come back in vary by run."""
    return sorted(queryset.values_list(*fields), key=repr)


def _fingerprint():
    note = [f"note__patient__{name}" for name in PATIENT] + ["note__session_date"]
    return (
        _rows(
            SessionNote.objects.filter(signed_at__isnull=False),
            *(f"patient__{name}" for name in PATIENT),
            "session_date",
            "pain_before",
            "findings",
            "needles_out",
            "signed_at",
        ),
        _rows(NeedledPoint.objects, *note, "position", "code", "side", "depth_mm", "stimulation"),
        _rows(AdverseEvent.objects, *note, "event_type", "severity", "recorded_at"),
        _rows(NeedleLot.objects, "lot_number", "quantity_received", "quantity_in_stock"),
    )

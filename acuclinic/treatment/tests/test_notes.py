"""Opening a session note: only for a visit that took place and passed the safety gate."""

import pytest
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Service
from acuclinic.core.errors import Conflict, Forbidden, InvalidRequest
from acuclinic.safety.services import GateClosed
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.testing import factories
from acuclinic.testing import treatment as testing
from acuclinic.treatment import services
from acuclinic.treatment.models import SessionNote


def test_a_visit_that_took_place_and_passed_the_gate_gets_a_draft_note(visit, prac_user):
    note = services.session_note_start(visit, user=prac_user)
    assert note.appointment == visit
    assert (note.patient, note.practitioner) == (visit.patient, visit.practitioner)
    assert note.session_date == timezone.localdate()
    assert note.modality == "medical"
    assert note.gate_checked_at is not None
    assert not note.is_signed
    entry = AuditEntry.objects.get(object_type="treatment.sessionnote", action="create")
    assert entry.patient_id == visit.patient_id


def test_a_completed_visit_gets_a_note_too(patient, practitioner, prac_user):
    visit = testing.ready_visit(patient, practitioner, status=AppointmentStatus.COMPLETED)
    assert services.session_note_start(visit, user=prac_user).pk


@pytest.mark.parametrize(
    "status",
    [
        AppointmentStatus.BOOKED,
        AppointmentStatus.CANCELLED,
        AppointmentStatus.LATE_CANCELLED,
        AppointmentStatus.DID_NOT_ATTEND,
    ],
)
def test_no_note_is_written_for_a_visit_that_did_not_take_place(
    patient, practitioner, prac_user, status
):
    visit = testing.ready_visit(patient, practitioner)
    visit.status = status
    visit.cancelled_at = timezone.now() if "cancel" in status else None
    visit.save()
    with pytest.raises(Conflict) as refused:
        services.session_note_start(visit, user=prac_user)
    assert refused.value.code == "visit_not_attended"
    assert visit.get_status_display().lower() in refused.value.message
    assert not SessionNote.objects.exists()


def test_no_note_is_written_when_the_safety_gate_is_closed_and_each_reason_is_given(
    patient, practitioner, prac_user
):
    visit = factories.appointment(
        patient=patient,
        practitioner=practitioner,
        start=testing.today_at(11),
        status=AppointmentStatus.ARRIVED,
    )
    with pytest.raises(GateClosed) as refused:
        services.session_note_start(visit, user=prac_user)
    assert refused.value.code == "needling_not_allowed"
    codes = [f["code"] for f in refused.value.extra["failures"]]
    assert codes == ["questionnaire_missing", "consent_missing"]
    assert not SessionNote.objects.exists()


def test_a_contraindication_closes_the_gate_to_charting(patient, practitioner, prac_user):
    visit = testing.ready_visit(patient, practitioner, bleeding_disorder=True)
    with pytest.raises(GateClosed) as refused:
        services.session_note_start(visit, user=prac_user)
    assert "contraindicated" in [f["code"] for f in refused.value.extra["failures"]]


def test_a_visit_without_acupuncture_has_no_needling_note(patient, practitioner, prac_user):
    follow_up = Service.objects.get(name="Follow-up")
    visit = factories.appointment(
        patient=patient,
        practitioner=practitioner,
        service=follow_up,
        start=testing.today_at(12),
        status=AppointmentStatus.ARRIVED,
    )
    with pytest.raises(InvalidRequest) as refused:
        services.session_note_start(visit, user=prac_user)
    assert refused.value.code == "no_needling_in_visit"


def test_only_the_practitioner_who_saw_the_patient_opens_the_note(visit, admin_user):
    other = factories.practitioner("colleague", qualified_medical=True)
    for user in (admin_user, other.user):
        with pytest.raises(Forbidden) as refused:
            services.session_note_start(visit, user=user)
        assert refused.value.code == "not_treating_practitioner"
    assert not SessionNote.objects.exists()


def test_a_visit_has_one_note(visit, prac_user):
    first = services.session_note_start(visit, user=prac_user)
    with pytest.raises(Conflict) as refused:
        services.session_note_start(visit, user=prac_user)
    assert refused.value.code == "note_exists"
    assert refused.value.extra == {"note": first.pk}


def test_the_draft_takes_pain_findings_counts_aftercare_and_plan(note, prac_user):
    services.session_note_update(
        note,
        user=prac_user,
        pain_before=7,
        findings="  Tender QL, left.  ",
        needles_out=6,
        needles_in=5,
        aftercare=["drowsiness", "keep-clean"],
        aftercare_notes="Heat at home.",
        plan="Weekly for four weeks.",
    )
    note.refresh_from_db()
    assert (note.pain_before, note.findings, note.needles_out, note.needles_in) == (
        7,
        "Tender QL, left.",
        6,
        5,
    )
    # Kept in the clinic's order of advice, whatever order they were ticked in.
    assert note.aftercare == ["keep-clean", "drowsiness"]
    change = AuditEntry.objects.get(object_type="treatment.sessionnote", action="change")
    assert "findings" in change.changed_fields and "pain_before" in change.changed_fields


@pytest.mark.parametrize(
    ("fields", "code", "field"),
    [
        ({"pain_before": 11}, "invalid_pain_score", "pain_before"),
        ({"pain_before": -1}, "invalid_pain_score", "pain_before"),
        ({"pain_before": "7"}, "invalid_pain_score", "pain_before"),
        ({"pain_before": 6.5}, "invalid_pain_score", "pain_before"),
        ({"needles_out": -3}, "negative_count", "needles_out"),
        ({"needles_in": -1}, "negative_count", "needles_in"),
        ({"needles_out": 501}, "invalid_count", "needles_out"),
        ({"needles_out": True}, "invalid_count", "needles_out"),
        ({"aftercare": ["hot-bath"]}, "unknown_aftercare", "aftercare"),
        ({"aftercare": "keep-clean"}, "invalid_aftercare", "aftercare"),
        ({"findings": "x" * 10_001}, "text_too_long", "findings"),
        ({"findings": None}, "invalid_text", "findings"),
    ],
)
def test_bad_values_are_refused_with_a_clear_error_and_nothing_is_written(
    note, prac_user, fields, code, field
):
    with pytest.raises(InvalidRequest) as refused:
        services.session_note_update(note, user=prac_user, **{"plan": "Changed", **fields})
    assert (refused.value.code, refused.value.field) == (code, field)
    note.refresh_from_db()
    assert note.plan == ""
    assert not AuditEntry.objects.filter(action="change").exists()


def test_an_unknown_field_is_refused(note, prac_user):
    with pytest.raises(InvalidRequest) as refused:
        services.session_note_update(note, user=prac_user, signed_at=timezone.now())
    assert refused.value.code == "unknown_field"


def test_only_the_treating_practitioner_changes_the_draft(note, admin_user):
    with pytest.raises(Forbidden):
        services.session_note_update(note, user=admin_user, plan="Admin's plan")

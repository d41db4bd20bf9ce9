"""Signing: only a complete note whose needles are all accounted for; after that the
note is final through every path, down to the database; corrections are addenda."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.core.errors import Conflict, Forbidden, InvalidRequest
from acuclinic.testing import factories
from acuclinic.testing import treatment as testing
from acuclinic.treatment import services
from acuclinic.treatment.errors import NoteNotReady
from acuclinic.treatment.models import (
    FinalRecord,
    NeedledPoint,
    NeedleUse,
    NoteAddendum,
    SessionNote,
)
from acuclinic.treatment.services import PointSpec


@pytest.fixture
def ready(visit, lot):
    return testing.charted_note(visit, lot)


@pytest.fixture
def signed(ready, prac_user):
    return services.session_note_sign(ready, user=prac_user)


def test_a_complete_note_is_signed_by_its_practitioner_and_audited(ready, prac_user):
    note = services.session_note_sign(ready, user=prac_user)
    assert note.is_signed
    assert note.signed_by == prac_user
    entry = AuditEntry.objects.get(object_type="treatment.sessionnote", detail="signed")
    assert entry.actor == prac_user and entry.patient_id == note.patient_id


def _problem_codes(note, user):
    with pytest.raises(NoteNotReady) as refused:
        services.session_note_sign(note, user=user)
    assert refused.value.code == "note_not_ready"
    return [p["code"] for p in refused.value.extra["problems"]]


def test_an_empty_draft_lists_everything_missing(note, prac_user):
    assert _problem_codes(note, prac_user) == ["pain_not_recorded", "needles_not_counted"]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        ({"needles_in": 6}, "needle_count_mismatch"),
        ({"needles_out": 8, "needles_in": 8}, "lot_count_mismatch"),
        ({"pain_before": None}, "pain_not_recorded"),
        ({"needles_in": None}, "needles_not_counted"),
        ({"aftercare": [], "aftercare_notes": ""}, "aftercare_not_recorded"),
    ],
)
def test_a_note_is_not_signed_until_it_is_complete_and_the_counts_match(
    ready, prac_user, change, problem
):
    services.session_note_update(ready, user=prac_user, **change)
    assert problem in _problem_codes(ready, prac_user)
    ready.refresh_from_db()
    assert not ready.is_signed


def test_the_count_mismatch_says_how_many_are_missing(ready, prac_user):
    services.session_note_update(ready, user=prac_user, needles_in=6)
    with pytest.raises(NoteNotReady) as refused:
        services.session_note_sign(ready, user=prac_user)
    assert "7 needles counted out but 6 counted back in" in refused.value.message


def test_needles_without_points_or_points_without_needles_are_not_signed(
    patient, practitioner, prac_user, lot
):
    note = testing.session_note(testing.ready_visit(patient, practitioner))
    services.needle_use_record(note, lot=lot, count=2, user=prac_user)
    services.session_note_update(
        note, user=prac_user, pain_before=3, needles_out=2, needles_in=2, aftercare=["keep-clean"]
    )
    assert _problem_codes(note, prac_user) == ["no_points_charted"]


def test_a_session_where_nothing_was_needled_can_be_signed_with_zero_counts(note, prac_user):
    services.session_note_update(
        note,
        user=prac_user,
        pain_before=8,
        findings="Felt faint on the couch before needling; not needled today.",
        needles_out=0,
        needles_in=0,
    )
    assert services.session_note_sign(note, user=prac_user).is_signed


def test_a_flag_raised_after_charting_stops_the_signature_until_resolved(
    ready, patient, practitioner, prac_user
):
    # The patient now says she is trying to conceive; BL60 was charted before.
    services.needled_points_add(ready, [PointSpec("BL60", "left", 10, 20)], user=prac_user)
    factories.safety_questionnaire(patient, by=prac_user, pregnant="trying")
    services.needle_use_record(ready, lot=ready.needle_uses.get().lot, count=1, user=prac_user)
    services.session_note_update(ready, user=prac_user, needles_out=8, needles_in=8)
    assert _problem_codes(ready, prac_user) == ["unresolved_safety_flag"]


def test_only_the_treating_practitioner_signs(ready, admin_user):
    with pytest.raises(Forbidden):
        services.session_note_sign(ready, user=admin_user)


# ── Final ────────────────────────────────────────────────────────────────────────────

EDITS = {
    "update": lambda n, u, lot: services.session_note_update(n, user=u, plan="Rewritten"),
    "add point": lambda n, u, lot: services.needled_points_add(
        n, [PointSpec("ST36", "left", 20, 20)], user=u
    ),
    "remove point": lambda n, u, lot: services.needled_point_remove(n, n.points.first().pk, user=u),
    "record needles": lambda n, u, lot: services.needle_use_record(n, lot=lot, count=1, user=u),
    "remove needles": lambda n, u, lot: services.needle_use_remove(
        n, n.needle_uses.first().pk, user=u
    ),
    "same as last time": lambda n, u, lot: services.note_prefill(n, user=u),
    "sign again": lambda n, u, lot: services.session_note_sign(n, user=u),
}


@pytest.mark.parametrize("edit", EDITS, ids=list(EDITS))
def test_every_change_to_a_signed_note_is_refused_and_nothing_changes(signed, prac_user, lot, edit):
    before = (
        SessionNote.objects.filter(pk=signed.pk).values().get(),
        list(NeedledPoint.objects.values()),
        list(NeedleUse.objects.values()),
    )
    with pytest.raises(Conflict) as refused:
        EDITS[edit](signed, prac_user, lot)
    assert refused.value.code == "note_signed"
    assert "Add a dated addendum" in refused.value.message
    after = (
        SessionNote.objects.filter(pk=signed.pk).values().get(),
        list(NeedledPoint.objects.values()),
        list(NeedleUse.objects.values()),
    )
    assert after == before


DATABASE_EDITS = {
    "update the note": lambda n: SessionNote.objects.filter(pk=n.pk).update(plan="Rewritten"),
    "update the note in raw SQL": lambda n: _raw(
        "UPDATE treatment_sessionnote SET pain_before = 1 WHERE id = %s", [n.pk]
    ),
    "unsign the note": lambda n: SessionNote.objects.filter(pk=n.pk).update(
        signed_at=None, signed_by=None
    ),
    "change a point": lambda n: NeedledPoint.objects.filter(note=n).update(depth_mm=99),
    "add a point": lambda n: NeedledPoint.objects.create(
        note=n,
        position=99,
        code="ST36",
        side="left",
        depth_mm=20,
        retention_minutes=20,
        stimulation="manual",
    ),
    "change the needles used": lambda n: NeedleUse.objects.filter(note=n).update(count=1),
}


def _raw(sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.mark.parametrize("edit", DATABASE_EDITS, ids=list(DATABASE_EDITS))
def test_the_database_itself_refuses_to_change_a_signed_note(signed, edit):
    refused = pytest.raises(DatabaseError, match="signed session notes are final")
    with refused, transaction.atomic():
        DATABASE_EDITS[edit](signed)
    signed.refresh_from_db()
    assert signed.is_signed and signed.plan == "Review in one week."


def test_the_database_still_lets_a_draft_change(ready):
    assert SessionNote.objects.filter(pk=ready.pk).update(plan="Rewritten") == 1
    assert NeedledPoint.objects.filter(note=ready).update(depth_mm=30) == 4


def test_the_database_refuses_a_signed_note_whose_needles_do_not_match(ready):
    with pytest.raises(DatabaseError), transaction.atomic():
        SessionNote.objects.filter(pk=ready.pk).update(
            needles_in=1, signed_at=timezone.now(), signed_by=ready.created_by
        )


def test_a_signed_note_is_never_deleted(signed):
    with pytest.raises(FinalRecord):
        signed.delete()
    assert SessionNote.objects.filter(pk=signed.pk).exists()


# ── Addenda ──────────────────────────────────────────────────────────────────────────


def test_a_correction_is_a_dated_addendum_by_a_named_clinician_and_is_audited(signed, prac_user):
    colleague = factories.practitioner("colleague", qualified_medical=True).user
    first = services.addendum_add(signed, text="Depth at BL40 was 10 mm, not 15.", user=prac_user)
    second = services.addendum_add(signed, text="Phoned: no soreness next day.", user=colleague)
    assert [a.written_by for a in signed.addenda.all()] == [prac_user, colleague]
    assert first.written_at <= second.written_at
    signed.refresh_from_db()
    assert signed.plan == "Review in one week."
    entries = AuditEntry.objects.filter(object_type="treatment.noteaddendum", action="create")
    assert entries.count() == 2
    assert {e.patient_id for e in entries} == {signed.patient_id}


def test_an_addendum_is_for_a_signed_note_only(ready, prac_user):
    with pytest.raises(Conflict) as refused:
        services.addendum_add(ready, text="Something", user=prac_user)
    assert refused.value.code == "note_not_signed"


def test_an_addendum_needs_text_and_a_clinician(signed, prac_user, admin_user, reception_user):
    with pytest.raises(InvalidRequest) as refused:
        services.addendum_add(signed, text="   ", user=prac_user)
    assert refused.value.code == "addendum_empty"
    for user in (admin_user, reception_user):
        with pytest.raises(Forbidden) as refused:
            services.addendum_add(signed, text="Note", user=user)
        assert refused.value.code == "not_a_clinician"
    assert not NoteAddendum.objects.exists()


def test_an_addendum_is_never_changed(signed, prac_user):
    addendum = services.addendum_add(signed, text="First thought", user=prac_user)
    addendum.text = "Second thought"
    with pytest.raises(FinalRecord):
        addendum.save()
    with pytest.raises(DatabaseError, match="written once"), transaction.atomic():
        NoteAddendum.objects.filter(pk=addendum.pk).update(text="Second thought")

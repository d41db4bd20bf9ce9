"""Adverse events: typed and graded, serious ones followed up until an admin closes them,
and the clinic's rates beside the published ones."""

from datetime import timedelta

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.core.errors import Conflict, Forbidden, InvalidRequest
from acuclinic.testing import factories
from acuclinic.treatment import catalogue, queries, services, testing
from acuclinic.treatment.choices import EventType, Severity
from acuclinic.treatment.models import AdverseEvent, FinalRecord, FollowUp


def record(note, user, **fields):
    values = {
        "event_type": "bruising",
        "severity": "mild",
        "action_taken": "Pressure applied; advice given.",
    }
    values.update(fields)
    return services.adverse_event_record(note, user=user, **values)


def test_the_issues_types_and_severities_are_the_ones_recorded():
    assert EventType.values == [
        "bleeding",
        "bruising",
        "soreness",
        "needle_pain",
        "drowsiness",
        "fainting",
        "nausea",
        "worsened_symptoms",
        "retained_needle",
        "infection",
        "pneumothorax",
        "other",
    ]
    assert Severity.values == ["mild", "moderate", "serious"]
    described = catalogue.current()
    assert [k.id for k in described.event_kinds] == EventType.values
    assert all(k.description for k in described.event_kinds)


def test_an_event_is_recorded_with_its_action_and_audited(note, prac_user):
    event = record(
        note,
        prac_user,
        event_type="fainting",
        severity="moderate",
        action_taken="Laid flat, legs raised; recovered in 5 minutes.",
    )
    assert (event.event_type, event.severity, event.recorded_by) == (
        "fainting",
        "moderate",
        prac_user,
    )
    assert not FollowUp.objects.exists()
    entry = AuditEntry.objects.get(object_type="treatment.adverseevent")
    assert entry.detail == "moderate fainting" and entry.patient_id == note.patient_id


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"event_type": "sneezing"}, "invalid_event_type"),
        ({"severity": "awful"}, "invalid_severity"),
        ({"event_type": "other", "description": ""}, "description_required"),
        ({"action_taken": "  "}, "action_required"),
        ({"event_type": "pneumothorax", "severity": "moderate"}, "severity_too_low"),
    ],
)
def test_a_bad_event_is_refused_and_nothing_is_written(note, prac_user, fields, code):
    with pytest.raises(InvalidRequest) as refused:
        record(note, prac_user, **fields)
    assert refused.value.code == code
    assert not AdverseEvent.objects.exists()


def test_events_are_recorded_by_clinicians(note, admin_user, reception_user):
    for user in (admin_user, reception_user):
        with pytest.raises(Forbidden):
            record(note, user)


def test_an_event_noticed_after_signing_is_still_recorded(visit, lot, prac_user):
    signed = testing.signed_note(visit, lot)
    event = record(
        signed,
        prac_user,
        event_type="infection",
        severity="moderate",
        description="Red, warm site at BL40 two days later.",
        action_taken="Referred to GP; antibiotics.",
    )
    assert event.note == signed


def test_a_serious_event_opens_a_follow_up_that_an_admin_closes(note, prac_user, admin_user):
    event = record(
        note,
        prac_user,
        event_type="pneumothorax",
        severity="serious",
        action_taken="999 called; admitted for observation.",
    )
    follow_up = event.follow_up
    assert follow_up.is_open
    assert queries.open_follow_ups() == [follow_up]
    with pytest.raises(InvalidRequest) as refused:
        services.follow_up_close(follow_up, outcome=" ", user=admin_user)
    assert refused.value.code == "outcome_required"
    services.follow_up_close(
        follow_up, outcome="Discharged next day; reviewed technique.", user=admin_user
    )
    follow_up.refresh_from_db()
    assert not follow_up.is_open and follow_up.closed_by == admin_user
    assert queries.open_follow_ups() == []
    with pytest.raises(Conflict) as refused:
        services.follow_up_close(follow_up, outcome="Again", user=admin_user)
    assert refused.value.code == "follow_up_closed"
    assert AuditEntry.objects.filter(object_type="treatment.followup", action="change").exists()


def test_a_closed_follow_up_cannot_be_reopened_even_in_the_database(note, prac_user, admin_user):
    event = record(
        note, prac_user, event_type="fainting", severity="serious", action_taken="Ambulance called."
    )
    services.follow_up_close(event.follow_up, outcome="Well at home.", user=admin_user)
    refused = pytest.raises(DatabaseError, match="closed follow-up is final")
    with refused, transaction.atomic():
        FollowUp.objects.filter(pk=event.follow_up.pk).update(
            closed_at=None, closed_by=None, outcome=""
        )


def test_an_event_is_never_changed(note, prac_user):
    event = record(note, prac_user)
    event.severity = "serious"
    with pytest.raises(FinalRecord):
        event.save()
    refused = pytest.raises(DatabaseError, match="written once")
    with refused, transaction.atomic():
        AdverseEvent.objects.filter(pk=event.pk).update(severity="serious")


# ── The clinic's report ──────────────────────────────────────────────────────────────


def test_the_report_gives_events_per_1000_sessions_beside_the_published_rates(
    clinic, practitioner, prac_user, lot
):
    notes = []
    for hour in (8, 9, 10, 11):
        visit = testing.ready_visit(factories.patient(), practitioner, hour=hour)
        notes.append(testing.signed_note(visit, lot))
    record(notes[0], prac_user, event_type="bruising")
    record(notes[0], prac_user, event_type="drowsiness")
    record(notes[1], prac_user, event_type="bruising", severity="moderate")
    record(
        notes[2],
        prac_user,
        event_type="fainting",
        severity="serious",
        action_taken="Ambulance called.",
    )
    # A draft does not count: the session is not on the record yet.
    draft = testing.session_note(testing.ready_visit(factories.patient(), practitioner, hour=12))
    record(draft, prac_user, event_type="nausea")

    today = timezone.localdate()
    report = queries.adverse_event_report(clinic, start=today - timedelta(days=30), end=today)
    rows = {row.key: row for row in report.rows}
    assert report.sessions == 4
    assert (rows["bruising"].count, rows["bruising"].per_1000) == (2, 500.0)
    assert rows["bruising"].by_severity == {"mild": 1, "moderate": 1, "serious": 0}
    assert rows["nausea"].count == 0
    assert (rows["any"].count, rows["any"].per_1000) == (3, 750.0)
    assert (rows["serious"].count, rows["serious"].per_1000) == (1, 250.0)
    # Beside them: the surveys' figures, with their definitions and sources.
    white = [fig for study, fig in rows["any"].published if study.id == "white-2001"]
    assert white[0].value == 1.4 and white[0].per_session
    bruising = rows["bruising"].published[0]
    assert bruising[0].id == "macpherson-thomas-2005"
    assert "29.7%" in bruising[1].text
    assert all(study.citation and study.definition for study in report.studies)


def test_an_empty_period_reports_no_rate_rather_than_dividing_by_zero(clinic):
    today = timezone.localdate()
    report = queries.adverse_event_report(clinic, start=today, end=today)
    assert report.sessions == 0
    assert all(row.per_1000 is None for row in report.rows)

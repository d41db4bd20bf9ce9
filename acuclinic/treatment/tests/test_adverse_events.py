"""Adverse events: typed and graded, serious ones followed up until an admin closes them,
and the clinic's rates beside the published ones."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import DatabaseError, transaction
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Clinic
from acuclinic.core.errors import Conflict, Forbidden, InvalidRequest
from acuclinic.testing import factories
from acuclinic.testing import treatment as testing
from acuclinic.treatment import catalogue, queries, services
from acuclinic.treatment.choices import EventType, Severity
from acuclinic.treatment.models import AdverseEvent, FinalRecord, FollowUp


def record(note, user, **fields):
    values = {
        "event_type": "bruising",
        "severity": "mild",
        "severe_or_lasting": False,
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
    assert entry.detail == "moderate fainting, significant"
    assert entry.patient_id == note.patient_id


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


# ── Significant events ───────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("event_type", "severity", "answer", "why"),
    [
        # Significant by nature, whatever the answer: the surveys' fainting and forgotten
        # needles, and infection (White's cellulitis).
        ("fainting", "mild", False, "type"),
        ("retained_needle", "mild", None, "type"),
        ("infection", "mild", False, "type"),
        # Moderate or worse needed action or treatment: significant.
        ("nausea", "moderate", False, "severity"),
        ("bruising", "serious", None, "severity"),
        # Otherwise the practitioner's answer decides.
        ("worsened_symptoms", "mild", True, "judged"),
        ("bruising", "mild", False, ""),
        ("drowsiness", "mild", None, ""),
    ],
)
def test_whether_an_event_is_significant_follows_the_surveys_rule(
    note, prac_user, event_type, severity, answer, why
):
    event = AdverseEvent.objects.create(
        note=note,
        event_type=event_type,
        severity=severity,
        severe_or_lasting=answer,
        action_taken="Advice given.",
        recorded_by=prac_user,
        recorded_at=timezone.now(),
    )
    assert event.significance_reason == why
    assert event.is_significant is bool(why)
    # The database filter the report counts with says the same.
    assert AdverseEvent.objects.filter(queries.significant_q(), pk=event.pk).exists() is bool(why)


def test_the_rule_and_the_report_filter_agree_on_every_combination(note, prac_user):
    # Every type × severity × answer the database accepts, written as rows directly
    # (including unanswered ones, as events recorded before the question exist).
    rows = [
        AdverseEvent(
            note=note,
            event_type=kind,
            severity=severity,
            severe_or_lasting=answer,
            description="Something else.",
            action_taken="Advice given.",
            recorded_by=prac_user,
            recorded_at=timezone.now(),
        )
        for kind in EventType.values
        for severity in Severity.values
        for answer in (True, False, None)
        if kind != EventType.PNEUMOTHORAX or severity == Severity.SERIOUS
    ]
    AdverseEvent.objects.bulk_create(rows)
    by_rule = {e.pk for e in AdverseEvent.objects.all() if e.is_significant}
    by_filter = set(
        AdverseEvent.objects.filter(queries.significant_q()).values_list("pk", flat=True)
    )
    assert by_rule == by_filter
    assert 0 < len(by_rule) < len(rows)


def test_the_form_question_is_required_only_when_it_decides(note, prac_user):
    with pytest.raises(InvalidRequest) as refused:
        record(note, prac_user, severe_or_lasting=None)
    assert refused.value.code == "severe_or_lasting_required"
    assert refused.value.field == "severe_or_lasting"
    assert not AdverseEvent.objects.exists()
    # A faint is significant whatever the answer, so it need not be given.
    fainted = record(
        note, prac_user, event_type="fainting", severe_or_lasting=None, action_taken="Laid flat."
    )
    assert fainted.is_significant and fainted.significance_reason == "type"
    assert fainted.significance_text == "Significant: fainting is always counted as significant."
    lasting = record(note, prac_user, event_type="worsened_symptoms", severe_or_lasting=True)
    assert lasting.significance_text == "Significant: judged severe, unusual or lasting."
    passing = record(note, prac_user, severe_or_lasting=False)
    assert not passing.is_significant
    assert passing.significance_text == "Not significant: a usual, passing reaction."
    audit = AuditEntry.objects.filter(object_type="treatment.adverseevent")
    assert sorted(audit.values_list("detail", flat=True)) == [
        "mild bruising",
        "mild fainting, significant",
        "mild worsened_symptoms, significant",
    ]


def test_events_recorded_before_the_question_are_marked_by_type_and_severity(note, prac_user):
    # Rows as they stood before the question existed: no answer, and never updated.
    old = {
        kind: AdverseEvent.objects.create(
            note=note,
            event_type=kind,
            severity=severity,
            action_taken="Advice given.",
            recorded_by=prac_user,
            recorded_at=timezone.now(),
        )
        for kind, severity in [
            ("bruising", "mild"),
            ("retained_needle", "mild"),
            ("nausea", "moderate"),
        ]
    }
    assert all(event.severe_or_lasting is None for event in old.values())
    assert not old["bruising"].is_significant
    assert "recorded before the clinic asked" in old["bruising"].significance_text
    assert old["retained_needle"].significance_reason == "type"
    assert old["nausea"].significance_reason == "severity"


def test_the_list_shows_the_clinics_latest_events_newest_first(
    clinic, practitioner, prac_user, lot
):
    recorded = []
    for hour in (8, 9, 10):
        note = testing.signed_note(
            testing.ready_visit(factories.patient(), practitioner, hour=hour), lot
        )
        recorded.append(record(note, prac_user))
    assert queries.recent_events(clinic, limit=2) == recorded[:0:-1]
    assert queries.recent_events(clinic) == recorded[::-1]
    assert queries.recent_events(Clinic.objects.create(name="Hillside Physio")) == []


# ── The clinic's report ──────────────────────────────────────────────────────────────


def _period():
    today = timezone.localdate()
    return {"start": today - timedelta(days=30), "end": today}


def test_the_report_compares_significant_events_only_with_the_2001_surveys(clinic):
    report = queries.adverse_event_report(clinic, **_period())
    surveys_2001 = {"white-2001", "macpherson-2001"}
    every_reaction = {"macpherson-2004", "macpherson-thomas-2005", "witt-2009"}

    def studies(row):
        return {study.id for study, _ in row.published}

    significant = {row.comparison.id: studies(row) for row in report.significant}
    every = {row.comparison.id: studies(row) for row in report.every}
    assert significant == {"significant": surveys_2001, "serious": surveys_2001}
    # The any-event rows meet only the studies that counted every reaction.
    assert every["any-patient"] == {"macpherson-2004", "witt-2009"}
    assert every["any-session"] == set()
    assert every["needle-site"] == every["tiredness"] == {"macpherson-thomas-2005"}
    assert set().union(*every.values()) == every_reaction
    for row in report.significant + report.every:
        assert all(study.counted == row.comparison.counts for study, _ in row.published)


def test_the_report_counts_and_rates_with_their_denominators(clinic, practitioner, prac_user, lot):
    ann, ben, cal = (factories.patient() for _ in range(3))
    ann_first, ann_second, ben_only, _cal_no_event = (
        testing.signed_note(testing.ready_visit(who, practitioner, hour=hour), lot)
        for who, hour in [(ann, 8), (ann, 9), (ben, 10), (cal, 11)]
    )
    record(ann_first, prac_user, event_type="bruising")
    record(ann_first, prac_user, event_type="drowsiness")
    record(ann_second, prac_user, event_type="worsened_symptoms", severe_or_lasting=True)
    record(ben_only, prac_user, event_type="fainting", action_taken="Laid flat.")
    # A draft does not count: the session is not on the record yet.
    draft = testing.session_note(testing.ready_visit(factories.patient(), practitioner, hour=12))
    record(draft, prac_user, event_type="nausea", severity="moderate")

    report = queries.adverse_event_report(clinic, **_period())
    assert (report.sessions, report.patients) == (4, 3)
    assert report.sessions_per_patient == Decimal("1.3")
    rows = {row.comparison.id: row for row in report.significant + report.every}

    def seen(key):
        row = rows[key]
        return (row.count, row.denominator, row.per_1000, row.rate_text)

    # Significant: the judged-lasting worse pain and the faint; the mild bruise and the
    # drowsiness are passing reactions. Counted as events, per session, as the surveys did.
    assert seen("significant") == (2, 4, Decimal("500.0"), "500.0 per 1,000 sessions")
    assert rows["significant"].count_text == "2 events in 4 sessions"
    assert seen("serious") == (0, 4, Decimal("0.0"), "0.0 per 1,000 sessions")
    # Every event: sessions with one, and patients with one.
    assert seen("any-session") == (3, 4, Decimal("750.0"), "750.0 per 1,000 sessions")
    assert seen("needle-site")[:3] == (1, 4, Decimal("250.0"))
    assert seen("tiredness")[:3] == (1, 4, Decimal("250.0"))
    assert seen("any-patient") == (2, 3, Decimal("666.7"), "666.7 per 1,000 patients")
    assert rows["any-patient"].count_text == "2 of 3 patients"
    assert seen("bleeding-patient")[:3] == (1, 3, Decimal("333.3"))
    assert seen("treated-patient")[:3] == (0, 3, Decimal("0.0"))
    # By type, with the significant ones; they add up to the significant row.
    types = {row.key: row for row in report.types}
    assert (types["bruising"].count, types["bruising"].significant) == (1, 0)
    assert types["bruising"].by_severity == {"mild": 1, "moderate": 0, "serious": 0}
    assert (types["worsened_symptoms"].count, types["worsened_symptoms"].significant) == (1, 1)
    assert (types["fainting"].count, types["fainting"].per_1000) == (1, Decimal("250.0"))
    assert types["nausea"].count == 0
    assert sum(row.significant for row in report.types) == rows["significant"].count
    assert report.unanswered == 0
    assert report.one_event == Decimal("250.0")


def test_the_report_reads_the_period_in_two_statements_however_many_events_it_holds(
    clinic, practitioner, prac_user, lot, django_assert_num_queries
):
    # One count of the sessions and one read of their events; each comparison used to
    # count its own events again, a scan of the period's notes per row of the report.
    def report_statements():
        with django_assert_num_queries(2) as counted:
            queries.adverse_event_report(clinic, **_period())
        return len(counted.captured_queries)

    assert report_statements() == 2
    for hour, kind in [(8, "bruising"), (9, "fainting"), (10, "drowsiness"), (11, "nausea")]:
        note = testing.signed_note(
            testing.ready_visit(factories.patient(), practitioner, hour=hour), lot
        )
        record(note, prac_user, event_type=kind, action_taken="Advice.")
    assert report_statements() == 2


def test_the_report_says_how_many_events_were_never_asked_about(clinic, visit, lot, prac_user):
    signed = testing.signed_note(visit, lot)
    AdverseEvent.objects.create(
        note=signed,
        event_type="soreness",
        severity="mild",
        action_taken="Advice.",
        recorded_by=prac_user,
        recorded_at=timezone.now(),
    )
    report = queries.adverse_event_report(clinic, **_period())
    assert report.unanswered == 1
    assert {row.comparison.id: row.count for row in report.significant}["significant"] == 0


def test_an_empty_period_reports_no_rate_rather_than_dividing_by_zero(clinic):
    today = timezone.localdate()
    report = queries.adverse_event_report(clinic, start=today, end=today)
    assert (report.sessions, report.patients) == (0, 0)
    assert all(row.per_1000 is None for row in report.significant + report.every)
    assert all(row.per_1000 is None for row in report.types)
    assert report.significant[0].rate_text == "no sessions in the period"
    assert report.sessions_per_patient is None and report.one_event is None


def test_rates_per_1000_round_half_up_to_one_place():
    assert queries.per_1000(1, 3) == Decimal("333.3")
    assert queries.per_1000(2, 3) == Decimal("666.7")
    assert queries.per_1000(1, 16) == Decimal("62.5")
    assert queries.per_1000(1, 160) == Decimal("6.3")  # 6.25 rounds up
    assert queries.per_1000(0, 5) == Decimal("0.0")
    assert queries.per_1000(3, 0) is None

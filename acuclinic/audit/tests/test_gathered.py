"""A page that audits several reads (the patient record: the record, its safety answers,
its treatment history, its course) writes them together when it is done, each with the
moment of its read; a change's entry is still written with the change."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from acuclinic.audit import chain
from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction, AuditEntry
from acuclinic.outcomes import services as outcomes
from acuclinic.testing import treatment as testing


def _chain_turns(queries) -> int:
    """How many times the chain's last hash was read: once for each write to the trail."""
    return sum('SELECT "entry_hash" FROM' in q["sql"] for q in queries.captured_queries)


def test_reads_in_the_block_are_written_together_when_it_ends(
    patient, practitioner, reception_user
):
    before = AuditEntry.objects.count()
    with CaptureQueriesContext(connection) as queries, audit.gathered():
        first = audit.record(AuditAction.VIEW, patient, user=reception_user, detail="one")
        second = audit.record(AuditAction.VIEW, practitioner, user=reception_user)
        third = audit.record(AuditAction.VIEW, patient, user=reception_user, detail="three")
        assert AuditEntry.objects.count() == before  # nothing written yet
    assert _chain_turns(queries) == 1
    written = list(AuditEntry.objects.order_by("-id")[:3])[::-1]
    assert [(e.object_type, e.detail) for e in written] == [
        ("people.patient", "one"),
        ("people.practitioner", ""),
        ("people.patient", "three"),
    ]
    # Each keeps the moment of its own read, not the moment the block ended.
    assert [e.at for e in written] == [first.at, second.at, third.at]
    assert [e.pk for e in written] == [first.pk, second.pk, third.pk]
    assert chain.verify().ok


def test_a_change_or_a_read_in_a_transaction_is_written_in_it_at_once(patient, reception_user):
    before = AuditEntry.objects.count()
    with audit.gathered():
        with transaction.atomic():
            audit.record(AuditAction.CHANGE, patient, user=reception_user)
            audit.record(AuditAction.VIEW, patient, user=reception_user, detail="inside")
        assert AuditEntry.objects.count() == before + 2
        audit.record(AuditAction.CHANGE, patient, user=reception_user, detail="no transaction")
        assert AuditEntry.objects.count() == before + 3
        audit.record(AuditAction.VIEW, patient, user=reception_user, detail="outside")
        assert AuditEntry.objects.count() == before + 3
    assert AuditEntry.objects.count() == before + 4
    assert chain.verify().ok


def test_what_was_read_is_written_even_when_the_page_fails(patient, reception_user):
    with pytest.raises(RuntimeError), audit.gathered():
        audit.record(AuditAction.VIEW, patient, user=reception_user, detail="read, then failed")
        raise RuntimeError("the template broke")
    assert AuditEntry.objects.filter(detail="read, then failed").count() == 1


def test_the_patient_record_writes_its_reads_in_one_turn_of_the_chain(
    client, patient, practitioner, clinic
):
    visit = testing.ready_visit(patient, practitioner, hour=0)
    testing.signed_note(visit, testing.needle_lot(clinic))
    outcomes.course_refresh(patient)  # the course is open already: the page only reads
    client.force_login(practitioner.user)
    last = AuditEntry.objects.order_by("id").last()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("patient_detail", args=[patient.pk]))
    assert response.status_code == 200
    read = list(AuditEntry.objects.filter(pk__gt=last.pk if last else 0))
    assert {(e.action, e.object_type) for e in read} >= {
        ("view", "people.patient"),
        ("view", "safety.questionnaire"),
        ("view", "treatment.sessionnote"),
        ("view", "outcomes.course"),
    }
    assert all(e.actor == practitioner.user and e.patient_id == patient.pk for e in read)
    assert _chain_turns(queries) == 1
    assert chain.verify().ok

"""notifications.services.send: what every part of acuclinic calls to message someone."""

from datetime import datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from acuclinic.audit.models import AuditEntry
from acuclinic.core.errors import InvalidRequest
from acuclinic.notifications.choices import MessageChannel, MessageStatus
from acuclinic.notifications.models import Message


def test_a_message_is_queued_with_its_content_linked_to_the_appointment_and_patient(
    queue_note, soon
):
    message = queue_note(html="<p>See you soon.</p>")
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED
    assert (message.recipient, message.subject, message.body) == (
        "mira.okafor@example.test",
        "Your visit",
        "See you soon.",
    )
    assert message.html == "<p>See you soon.</p>"
    assert message.appointment == soon
    assert message.patient == soon.patient
    assert message.attempts == 0
    assert message.sent_at is None
    assert message.next_attempt_at <= timezone.now()


def test_queueing_a_message_is_audited_against_the_patient(queue_note, soon):
    message = queue_note()
    entry = AuditEntry.objects.get(object_type="notifications.message", object_id=str(message.pk))
    assert entry.action == "create"
    assert entry.patient_id == soon.patient_id
    assert entry.actor_role == "system"


def test_the_same_dedupe_key_on_the_same_channel_returns_the_message_already_queued(queue_note):
    first = queue_note(dedupe_key="reminder:1:2026")
    again = queue_note(dedupe_key="reminder:1:2026", body="A different text")
    assert again.pk == first.pk
    assert Message.objects.count() == 1
    assert Message.objects.get().body == "See you soon."


def test_the_same_dedupe_key_by_text_is_a_second_message(queue_note):
    queue_note(dedupe_key="reminder:1:2026")
    queue_note(dedupe_key="reminder:1:2026", channel=MessageChannel.SMS, to="07700 900123")
    assert Message.objects.filter(dedupe_key="reminder:1:2026").count() == 2


def test_a_cancelled_message_does_not_block_its_replacement(queue_note):
    first = queue_note(dedupe_key="reminder:1:2026")
    Message.objects.filter(pk=first.pk).update(status=MessageStatus.CANCELLED)
    second = queue_note(dedupe_key="reminder:1:2026")
    assert second.pk != first.pk


def test_the_database_refuses_two_live_messages_with_one_dedupe_key(queue_note):
    first = queue_note(dedupe_key="reminder:1:2026")
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(
            kind="note", channel="email", recipient="x@example.test", body="x",
            dedupe_key=first.dedupe_key,
        )  # fmt: skip


def test_a_text_message_goes_to_the_international_form_of_a_uk_mobile(queue_note):
    message = queue_note(channel=MessageChannel.SMS, to="07700 900123", subject="")
    assert message.recipient == "+447700900123"


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"kind": "birthday_card"}, "unknown_message_kind"),
        ({"channel": "pigeon"}, "unknown_channel"),
        ({"to": "not-an-address"}, "invalid_email"),
        ({"channel": "sms", "to": "0161 496 0000", "subject": ""}, "not_a_mobile_number"),
        ({"body": "   "}, "body_required"),
        ({"subject": ""}, "subject_required"),
        ({"subject": "Hello\nBcc: everyone@example.test"}, "invalid_subject"),
        ({"channel": "sms", "to": "07700 900123", "body": "x" * 613}, "sms_too_long"),
        ({"channel": "sms", "to": "07700 900123", "html": "<p>x</p>"}, "sms_is_text_only"),
        ({"not_before": datetime(2030, 1, 1, 9, 0)}, "naive_datetime"),
    ],
)
def test_bad_input_is_refused_with_a_code_and_writes_nothing(queue_note, overrides, code):
    with pytest.raises(InvalidRequest) as refused:
        queue_note(**overrides)
    assert refused.value.code == code
    assert not Message.objects.exists()
    assert not AuditEntry.objects.filter(object_type="notifications.message").exists()


def test_delivery_is_queued_only_once_the_callers_transaction_commits(
    queue_note, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        queue_note()
    assert not DBTaskResult.objects.exists()
    for callback in callbacks:
        callback()
    task = DBTaskResult.objects.get()
    assert task.task_path == "acuclinic.notifications.delivery.deliver_message"
    assert task.args_kwargs == {"args": [Message.objects.get().pk], "kwargs": {}}


def test_a_message_rolled_back_with_its_transaction_is_never_queued(
    queue_note, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                queue_note()
                raise RuntimeError("the booking failed")
        except RuntimeError:
            pass
    assert not Message.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_not_before_holds_the_message_back_and_its_task_waits_too(
    queue_note, django_capture_on_commit_callbacks
):
    later = timezone.now() + timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_note(not_before=later)
    assert message.next_attempt_at == later
    assert DBTaskResult.objects.get().run_after == later

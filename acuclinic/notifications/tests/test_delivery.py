"""Delivering messages through a real SMTP server started by the test: sent once, only
marked sent when the server accepted it, failures recorded with the server's reason and
retried with back-off, and a send interrupted by a dying worker never repeated."""

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone

from acuclinic.notifications import delivery
from acuclinic.notifications.choices import AttemptOutcome, MessageStatus
from acuclinic.notifications.models import DeliveryAttempt, Message
from acuclinic.notifications.services import File
from acuclinic.testing.smtp import free_port

REFUSAL = "550 5.1.1 Mailbox unavailable"


def _reload(message: Message) -> Message:
    return Message.objects.get(pk=message.pk)


def test_a_message_goes_through_the_smtp_server_and_is_then_marked_sent(smtp, queue_note):
    message = queue_note(html="<p>See you soon.</p>", reply_to="clinic@riverside.test")

    assert delivery.deliver(message.pk) == "sent"

    [received] = smtp.received
    assert received.recipients == ["mira.okafor@example.test"]
    assert received.message["Subject"] == "Your visit"
    assert received.message["Reply-To"] == "clinic@riverside.test"
    assert received.message["Auto-Submitted"] == "auto-generated"
    assert received.text.strip() == "See you soon."
    assert received.html.strip() == "<p>See you soon.</p>"
    message = _reload(message)
    assert message.status == MessageStatus.SENT
    assert message.sent_at is not None
    assert message.attempts == 1
    assert message.provider_reference == received.message["Message-ID"]
    [attempt] = message.attempt_log.all()
    assert attempt.outcome == AttemptOutcome.SENT
    assert attempt.finished_at is not None


def test_an_attachment_arrives_with_the_email(smtp, queue_note):
    ics = b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"
    message = queue_note(attachments=[File("appointment.ics", ics, "text/calendar")])
    delivery.deliver(message.pk)
    [part] = list(smtp.received[0].message.iter_attachments())
    assert part.get_filename() == "appointment.ics"
    assert part.get_content_type() == "text/calendar"
    assert part.get_content().replace("\r\n", "\n") == ics.decode().replace("\r\n", "\n")


def test_a_sent_message_is_not_sent_again_when_its_task_runs_a_second_time(smtp, queue_note):
    message = queue_note()
    assert delivery.deliver(message.pk) == "sent"
    assert delivery.deliver(message.pk) == "not sendable (sent)"
    assert len(smtp.received) == 1


def test_a_refusal_is_recorded_as_failed_with_the_servers_reason_and_a_retry(smtp, queue_note):
    smtp.refuse = REFUSAL
    message = queue_note()

    assert delivery.deliver(message.pk) == "failed"

    message = _reload(message)
    assert message.status == MessageStatus.FAILED
    assert message.sent_at is None
    assert message.reason == f"The mail server refused the message: {REFUSAL}"
    assert message.attempts == 1
    # First retry after the base delay (60 s by default).
    assert timedelta(seconds=55) < message.next_attempt_at - timezone.now() <= timedelta(seconds=60)
    [attempt] = message.attempt_log.all()
    assert (attempt.outcome, attempt.detail) == (AttemptOutcome.FAILED, message.reason)
    assert smtp.received == []


def test_a_failed_message_is_not_tried_again_before_its_back_off_has_passed(smtp, queue_note):
    smtp.refuse = REFUSAL
    message = queue_note()
    delivery.deliver(message.pk)
    assert delivery.deliver(message.pk) == "not due"
    assert smtp.attempts == 1


@override_settings(ACUCLINIC_MESSAGE_MAX_ATTEMPTS=4)
def test_retries_back_off_exponentially_then_stop_with_the_message_failed(smtp, queue_note):
    smtp.refuse = REFUSAL
    message = queue_note()
    waits = []
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(4):
            assert delivery.deliver(message.pk) == "failed"
            message = _reload(message)
            if message.next_attempt_at is None:
                break
            waits.append(message.next_attempt_at - timezone.now())
            clock.move_to(message.next_attempt_at)
    assert waits == [timedelta(minutes=1), timedelta(minutes=4), timedelta(minutes=16)]
    assert message.status == MessageStatus.FAILED
    assert message.next_attempt_at is None
    assert message.attempts == 4
    assert smtp.attempts == 4
    assert delivery.deliver(message.pk) == "not sendable (failed)"


def test_a_retry_after_the_server_recovers_sends_it_once(smtp, queue_note):
    smtp.refuse = REFUSAL
    message = queue_note()
    delivery.deliver(message.pk)
    smtp.refuse = ""
    with time_machine.travel(_reload(message).next_attempt_at, tick=False):
        assert delivery.deliver(message.pk) == "sent"
    message = _reload(message)
    assert message.status == MessageStatus.SENT
    assert message.reason == ""
    assert [a.outcome for a in message.attempt_log.all()] == ["failed", "sent"]
    assert len(smtp.received) == 1


def test_an_unreachable_mail_server_is_a_failure_with_the_reason(queue_note, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nothing listens
    settings.EMAIL_USE_TLS = False
    message = queue_note()
    assert delivery.deliver(message.pk) == "failed"
    message = _reload(message)
    assert message.status == MessageStatus.FAILED
    assert message.reason.startswith(
        f"Could not reach the mail server 127.0.0.1:{settings.EMAIL_PORT}:"
    )
    assert "refused" in message.reason.lower()


def test_a_second_worker_cannot_claim_a_message_another_is_sending(smtp, queue_note):
    message = queue_note()
    claimed = delivery._claim(message.pk)  # worker A has it and is talking to the server
    assert not isinstance(claimed, str)
    assert delivery.deliver(message.pk) == "not sendable (sending)"  # worker B
    assert smtp.received == []


def test_a_worker_that_died_mid_send_leaves_it_failed_with_an_unknown_outcome_not_resent(
    smtp, queue_note
):
    message = queue_note()
    delivery._claim(message.pk)  # the worker claimed it, then died before recording

    with time_machine.travel(timezone.now() + delivery.SENDING_LEASE + timedelta(seconds=1)):
        assert delivery.give_up_on_stalled() == 1
        assert delivery.deliver(message.pk) == "not sendable (failed)"

    message = _reload(message)
    assert message.status == MessageStatus.FAILED
    assert message.next_attempt_at is None
    assert message.reason == delivery.UNKNOWN_OUTCOME
    assert DeliveryAttempt.objects.get(message=message).outcome == AttemptOutcome.UNKNOWN
    assert smtp.received == []


def test_a_send_still_within_its_lease_is_left_alone(queue_note):
    message = queue_note()
    delivery._claim(message.pk)
    assert delivery.give_up_on_stalled() == 0
    assert _reload(message).status == MessageStatus.SENDING


def test_a_slow_worker_whose_send_did_go_through_records_it_as_sent(smtp, queue_note):
    # Written off as "unknown" while still talking to the server, it then hears "250":
    # the truth wins.
    message = queue_note()
    claimed_message, attempt = delivery._claim(message.pk)
    with time_machine.travel(timezone.now() + delivery.SENDING_LEASE + timedelta(seconds=1)):
        delivery.give_up_on_stalled()
    delivery._record_sent(claimed_message, attempt, "<id@test>")
    message = _reload(message)
    assert message.status == MessageStatus.SENT
    assert DeliveryAttempt.objects.get(message=message).outcome == AttemptOutcome.SENT


def test_an_overdue_message_whose_task_was_lost_gets_a_new_one(
    queue_note, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    message = queue_note()  # its task was never written (no commit in this test)
    assert delivery.requeue_lost() == 0  # not overdue yet
    later = timezone.now() + delivery.LOST_AFTER + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.requeue_lost(later) == 1
        assert delivery.requeue_lost(later) == 0  # once per LOST_AFTER, not every minute
    assert DBTaskResult.objects.get().args_kwargs["args"] == [message.pk]


def test_deliver_due_sends_everything_due_now(smtp, queue_note):
    queue_note()
    queue_note(to="second@example.test")
    queue_note(to="later@example.test", not_before=timezone.now() + timedelta(hours=1))
    assert sorted(delivery.deliver_due()) == ["sent", "sent"]
    assert sorted(r.recipients[0] for r in smtp.received) == [
        "mira.okafor@example.test",
        "second@example.test",
    ]


@pytest.mark.parametrize("status", [MessageStatus.SENT, MessageStatus.CANCELLED])
def test_the_database_refuses_a_sent_message_without_a_sent_time_and_vice_versa(queue_note, status):
    from django.db import IntegrityError, transaction

    message = queue_note()
    sent_at = None if status == MessageStatus.SENT else timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.filter(pk=message.pk).update(status=status, sent_at=sent_at)


def test_with_the_immediate_backend_a_message_goes_as_soon_as_its_transaction_commits(
    smtp, queue_note, django_capture_on_commit_callbacks
):
    immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    with override_settings(TASKS=immediate), django_capture_on_commit_callbacks(execute=True):
        message = queue_note()
    assert _reload(message).status == MessageStatus.SENT
    assert len(smtp.received) == 1

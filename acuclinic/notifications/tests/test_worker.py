"""`acuclinic worker` on the real database queue: reminders swept, queued and sent through
a real SMTP server, exactly once across restarts, and never twice after a worker is
killed in the middle of a send."""

import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from acuclinic.notifications import delivery
from acuclinic.notifications.choices import MessageStatus
from acuclinic.notifications.delivery import enqueue_delivery
from acuclinic.notifications.models import Message
from acuclinic.notifications.worker import PERIODIC_JOBS, PeriodicJob, Worker
from acuclinic.scheduling import reminders
from acuclinic.settings import BASE_DIR


def test_the_worker_takes_a_message_from_the_database_queue_and_sends_it(
    smtp, queue_note, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_note()
    assert DBTaskResult.objects.get().status == "READY"

    Worker(jobs=[], interval=0).run(batch=True)

    assert len(smtp.received) == 1
    assert Message.objects.get(pk=message.pk).status == MessageStatus.SENT
    task = DBTaskResult.objects.get()
    assert (task.status, task.return_value) == ("SUCCESSFUL", "sent")


def test_a_deferred_retry_waits_in_the_queue_until_its_time(
    smtp, queue_note, django_capture_on_commit_callbacks
):
    smtp.refuse = "451 4.3.0 Try again later"
    with django_capture_on_commit_callbacks(execute=True):
        message = queue_note()
    with django_capture_on_commit_callbacks(execute=True):
        Worker(jobs=[], interval=0).run(batch=True)
    retry = DBTaskResult.objects.get(status="READY")
    assert retry.run_after == Message.objects.get(pk=message.pk).next_attempt_at

    smtp.refuse = ""
    Worker(jobs=[], interval=0).run(batch=True)  # not due yet: nothing happens
    assert smtp.received == []


def test_a_failing_periodic_job_is_logged_and_does_not_stop_the_others(caplog):
    ran = []
    jobs = [
        PeriodicJob("broken", "acuclinic.notifications.tests.test_worker.explode"),
        PeriodicJob("fine", "acuclinic.notifications.tests.test_worker.note_run"),
    ]
    worker = Worker(jobs=jobs, interval=0, report=ran.append)
    assert worker.run_due_jobs() == 2
    assert ran == ["fine: done"]
    assert "Periodic job 'broken' failed" in caplog.text


def test_periodic_jobs_run_again_only_when_their_interval_has_passed():
    now = [1000.0]
    worker = Worker(
        jobs=[PeriodicJob("fine", f"{__name__}.note_run", every_seconds=60)],
        clock=lambda: now[0],
    )
    assert worker.run_due_jobs() == 1
    now[0] += 59
    assert worker.run_due_jobs() == 0
    now[0] += 1
    assert worker.run_due_jobs() == 1


def explode():
    raise RuntimeError("boom")


def note_run():
    return "done"


def test_the_worker_refuses_to_start_without_a_database_queue(db):
    with (
        override_settings(
            TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
        ),
        pytest.raises(CommandError, match="not the database backend"),
    ):
        call_command("worker", "--batch")


# The worker as its own process, as it runs in production.


def _database_url() -> str:
    params = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{params['NAME']}"
    auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    host = f"{params['HOST'] or '127.0.0.1'}:{params['PORT'] or 5432}"
    return f"postgres://{auth}@{host}/{params['NAME']}"


def _start_worker(smtp_port: int, *args: str) -> subprocess.Popen:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "acuclinic.settings",
        "DATABASE_URL": _database_url(),
        "CONN_MAX_AGE": "0",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "0",
        "SECRET_KEY": "test-only-secret-for-the-worker-process-0123456789",
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "acuclinic", "worker", "--interval", "0.1", *args],
        cwd=BASE_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _smtp_port() -> int:
    from django.conf import settings

    return settings.EMAIL_PORT


def _wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_reminder_is_sent_once_even_when_the_worker_restarts(smtp, soon):
    first = _start_worker(_smtp_port(), "--batch")
    output, _ = first.communicate(timeout=120)
    assert first.returncode == 0, output
    # The reminder by email; the text went to the console SMS backend.
    assert [r.recipients for r in smtp.received] == [["mira.okafor@example.test"]], output
    assert "SMS to +447700900123" in output

    again = _start_worker(_smtp_port(), "--batch")  # restarted: sweeps and runs again
    output, _ = again.communicate(timeout=120)
    assert again.returncode == 0, output

    assert len(smtp.received) == 1
    statuses = list(Message.objects.filter(appointment=soon).values_list("channel", "status"))
    assert sorted(statuses) == [("email", "sent"), ("sms", "sent")]


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_send_does_not_cause_a_second_send(smtp, soon):
    soon.patient.contact_by_sms = False
    soon.patient.save()
    assert reminders.queue_due_reminders() == 1
    message = Message.objects.get(appointment=soon)
    smtp.hold = threading.Event()  # the server takes the email but does not answer yet

    worker = _start_worker(_smtp_port())
    try:
        assert smtp.arrived.wait(60), "the worker never sent the email"
        assert Message.objects.get(pk=message.pk).status == MessageStatus.SENDING
        worker.send_signal(signal.SIGKILL)  # dies before hearing the server's answer
        worker.wait(30)
    finally:
        if worker.poll() is None:
            worker.kill()
    smtp.hold.set()

    # Picked up again: a fresh task for the same message, and a restarted worker.
    enqueue_delivery(message.pk)
    restarted = _start_worker(_smtp_port(), "--batch")
    output, _ = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, output

    assert len(smtp.received) == 1
    assert Message.objects.get(pk=message.pk).status == MessageStatus.SENDING
    assert DBTaskResult.objects.filter(return_value="not sendable (sending)").exists()

    # Once the lease has run out, it is shown as failed, outcome unknown, for a person.
    from datetime import timedelta

    from django.utils import timezone

    delivery.give_up_on_stalled(timezone.now() + delivery.SENDING_LEASE + timedelta(seconds=1))
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert message.reason == delivery.UNKNOWN_OUTCOME
    assert message.sent_at is None
    assert len(smtp.received) == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_stops_cleanly_on_sigterm(smtp):
    worker = _start_worker(_smtp_port())
    try:
        line = worker.stdout.readline()
        assert "started" in line, line
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(10) == 0
    finally:
        if worker.poll() is None:
            worker.kill()
    assert "stopped" in worker.stdout.read()


def test_every_periodic_job_can_be_found():
    from django.utils.module_loading import import_string

    for job in PERIODIC_JOBS:
        assert callable(import_string(job.path)), job.name


def test_old_task_rows_are_pruned_and_recent_ones_kept(db):
    from datetime import timedelta

    from django.utils import timezone

    from acuclinic.notifications.worker import prune_task_results

    now = timezone.now()

    def task_row(status, **times):
        return DBTaskResult.objects.create(
            args_kwargs={"args": [1], "kwargs": {}},
            task_path="acuclinic.notifications.delivery.deliver_message",
            backend_name="default",
            status=status,
            **times,
        )

    old_done = task_row("SUCCESSFUL", finished_at=now - timedelta(days=15))
    old_abandoned = task_row("RUNNING", started_at=now - timedelta(days=15))
    recent = task_row("SUCCESSFUL", finished_at=now - timedelta(days=13))
    waiting = task_row("READY")

    assert prune_task_results(now) == 2
    assert set(DBTaskResult.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not DBTaskResult.objects.filter(pk__in=[old_done.pk, old_abandoned.pk]).exists()

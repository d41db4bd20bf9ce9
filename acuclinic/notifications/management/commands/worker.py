"""`acuclinic worker`: run background tasks and the periodic jobs (see notifications/worker.py)."""

import argparse
import logging

from django.core.management.base import BaseCommand, CommandError
from django_tasks import task_backends
from django_tasks.exceptions import InvalidTaskBackendError
from django_tasks_db.backend import DatabaseBackend

from acuclinic.notifications.worker import PERIODIC_JOBS, Worker


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}” is not a number of seconds") from None
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"must be between 0 and 3600 seconds, not {text}")
    return value


class Command(BaseCommand):
    help = (
        "Run the background worker: sends queued emails and text messages (retrying "
        "failures with back-off) and, every minute, queues due appointment reminders. "
        "Uses the database as its queue, so it needs no other server. Run one or more; "
        "stop with Ctrl+C or SIGTERM (the message in hand is finished first)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--interval",
            type=seconds,
            default=1.0,
            help="seconds to wait when there is nothing to do (default 1)",
        )
        parser.add_argument(
            "--batch",
            action="store_true",
            help="run the periodic jobs once and every task that is ready, then exit (cron)",
        )
        parser.add_argument("--queue-name", default="default", help="the queue to work on")
        parser.add_argument("--backend", default="default", help="the TASKS backend alias")
        parser.add_argument("--worker-id", default=None, help="a name for this worker's log")

    def handle(self, *args, interval, batch, queue_name, backend, worker_id, verbosity, **opts):
        try:
            chosen = task_backends[backend]
        except InvalidTaskBackendError as exc:
            raise CommandError(str(exc)) from exc
        if not isinstance(chosen, DatabaseBackend):
            raise CommandError(
                f"The task backend “{backend}” is {type(chosen).__name__}, not the database "
                "backend: there is no queue for a worker to take tasks from. Check TASKS."
            )
        if verbosity > 0:
            for name in ("acuclinic", "django_tasks", "django_tasks_db"):
                logging.getLogger(name).setLevel(logging.INFO if verbosity == 1 else logging.DEBUG)

        def report(line: str) -> None:
            if verbosity > 0:
                self.stdout.write(line)

        worker = Worker(
            backend_name=backend,
            queue_names=[queue_name],
            interval=interval,
            jobs=PERIODIC_JOBS,
            worker_id=worker_id,
            report=report,
        )
        worker.install_signal_handlers()
        worker.run(batch=batch)

"""The background worker: runs queued tasks and, every minute, the periodic jobs.

Tasks come from django-tasks' database queue (django_tasks_db): this loop claims the
next ready task exactly as ``db_worker`` does (a locked row, marked running) and runs it
with ``db_worker``'s own runner, so task results, errors and signals behave the same.
Between tasks it runs the jobs in ``PERIODIC_JOBS`` when they are due. Several workers
may run at once: every job is safe to run twice (the outbox's dedupe key and claim).
"""

import logging
import signal
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import close_old_connections, connections
from django.db.models import Q
from django.db.utils import OperationalError
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.module_loading import import_string
from django_tasks_db.management.commands.db_worker import Worker as TaskRunner
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PeriodicJob:
    name: str
    # "module.function", called with no arguments; it returns a short summary for the
    # log, or something false (0, "") when it had nothing to do.
    path: str
    every_seconds: float = 60


# The jobs every worker runs, registered by the apps that own them from their
# AppConfig.ready (``register_job``): each must be safe to run twice and quick (it runs
# between tasks).
PERIODIC_JOBS: list[PeriodicJob] = []


def register_job(name: str, path: str, every_seconds: float = 60) -> None:
    """Add a periodic job; registering the same name again replaces it."""
    PERIODIC_JOBS[:] = [job for job in PERIODIC_JOBS if job.name != name]
    PERIODIC_JOBS.append(PeriodicJob(name, path, every_seconds))


# The queue's rows are plumbing: what was sent, and how, is kept on the messages.
TASK_RESULTS_KEPT_FOR = timedelta(days=14)


def prune_task_results(now: datetime | None = None) -> int:
    """Delete task rows finished (or abandoned by a worker that died) over two weeks ago."""
    cutoff = (now or timezone.now()) - TASK_RESULTS_KEPT_FOR
    old = DBTaskResult.objects.filter(
        Q(status__in=["SUCCESSFUL", "FAILED"], finished_at__lt=cutoff)
        | Q(status="RUNNING", started_at__lt=cutoff)
    )
    return old.delete()[0]


def tidy_connections() -> None:
    """Drop database connections that broke or outlived CONN_MAX_AGE, as Django does
    between requests. Never inside a transaction: that belongs to whoever opened it (a
    test driving the loop), not to the worker."""
    if not any(c.in_atomic_block for c in connections.all(initialized_only=True)):
        close_old_connections()


class Worker:
    def __init__(
        self,
        *,
        backend_name: str = "default",
        queue_names: Sequence[str] = ("default",),
        interval: float = 1.0,
        jobs: Sequence[PeriodicJob] = PERIODIC_JOBS,
        worker_id: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        report: Callable[[str], None] = logger.info,
    ):
        self.backend_name = backend_name
        self.queue_names = list(queue_names)
        self.interval = interval
        self.jobs = list(jobs)
        self.worker_id = worker_id or get_random_string(32)
        self.clock = clock
        self.report = report
        self.running = True
        self._next_run = {job.name: 0.0 for job in self.jobs}
        self._runner = TaskRunner(
            queue_names=self.queue_names,
            interval=interval,
            batch=True,
            backend_name=backend_name,
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )

    # One step at a time, so tests (and --batch) can drive the loop.

    def run_due_jobs(self) -> int:
        """Run each periodic job whose time has come. Returns how many ran."""
        ran = 0
        for job in self.jobs:
            now = self.clock()
            if now < self._next_run[job.name]:
                continue
            self._next_run[job.name] = now + job.every_seconds
            ran += 1
            try:
                summary = import_string(job.path)()
            except Exception:
                # A failing job is logged and tried again next time; it must not stop
                # the worker, or every other message would stop with it.
                logger.exception("Periodic job %r failed", job.name)
            else:
                if summary:
                    self.report(f"{job.name}: {summary}")
        return ran

    def run_one_task(self) -> bool:
        """Claim and run the next ready task. Returns whether there was one."""
        tasks = DBTaskResult.objects.ready().filter(
            backend_name=self.backend_name, queue_name__in=self.queue_names
        )
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
        except OperationalError as exc:
            if is_locked_database_exception(exc):
                return False  # another worker holds the queue; try again shortly
            raise
        if task_result is None:
            return False
        self._runner.run_task(task_result)
        return True

    def run(self, *, batch: bool = False) -> None:
        """Work until stopped. With ``batch``, run the jobs once and every ready task,
        then return (for cron, and for tests)."""
        self.report(f"Worker {self.worker_id} started (queues: {', '.join(self.queue_names)})")
        while self.running:
            tidy_connections()
            self.run_due_jobs()
            ran = self.run_one_task()
            if batch and not ran:
                break
            if not ran:
                self._sleep(self.interval)
        tidy_connections()
        self.report(f"Worker {self.worker_id} stopped")

    def _sleep(self, seconds: float) -> None:
        # In small steps, so a stop request is answered within a fraction of a second.
        deadline = self.clock() + seconds
        while self.running and self.clock() < deadline:
            time.sleep(min(0.2, max(0.0, deadline - self.clock())))

    def stop(self, signum=None, frame=None) -> None:
        """Finish the task in hand, then stop. A second request stops at once."""
        if not self.running:
            raise SystemExit(1)
        self.running = False

    def install_signal_handlers(self) -> None:
        for name in ("SIGINT", "SIGTERM", "SIGQUIT"):
            if hasattr(signal, name):
                signal.signal(getattr(signal, name), self.stop)

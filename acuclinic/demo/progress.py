"""What the demo's commands say while they work: a first run takes tens of seconds and a
scaled demo minutes, so each says which part it is on rather than sitting silent."""

import time
from collections.abc import Callable

from django.core.management.base import OutputWrapper
from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def unapplied_migrations() -> list[str]:
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def demo_progress(stdout: OutputWrapper) -> Callable[[str], None]:
    """A ``progress`` for ``build_demo``: one line per part, with the time so far."""
    started = time.perf_counter()

    def say(part: str) -> None:
        elapsed = time.perf_counter() - started
        stdout.write(f"Building the demo clinic: {part}… ({elapsed:.0f} s)")

    return say


class MigrationProgress:
    """A stream for the migrate command that turns its line per migration into a line
    each quarter of the way: "Preparing the database: 34 of 68 steps (12 s)"."""

    def __init__(self, stdout: OutputWrapper, steps: int):
        self.stdout, self.steps, self.done = stdout, steps, 0
        self.started = time.perf_counter()
        self.next_report = 1

    def write(self, text: str) -> None:
        # The migrate command writes "  Applying app.0001_name..." as each one starts
        # and " OK" as it finishes; a failure stops the run with its own error.
        self.done += text.count(" OK")
        while self.next_report <= 4 and self.done * 4 >= self.next_report * self.steps:
            self.next_report += 1
            shown = min(self.done, self.steps)
            elapsed = time.perf_counter() - self.started
            self.stdout.write(
                f"Preparing the database: {shown} of {self.steps} steps ({elapsed:.0f} s)"
            )

    def flush(self) -> None:
        pass

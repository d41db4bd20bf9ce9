"""`acuclinic setup`: what `make run` does before serving.

Migrates the database, builds the demo clinic if the database has no clinic yet, and
prints where to open acuclinic and how to sign in. Running it again changes nothing.
A first run takes tens of seconds, so it says what it is doing as it goes: a few
progress lines, not silence (nor the migrate command's hundred lines).
"""

import os

from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils import timezone

from acuclinic.audit.models import AuditAction, AuditEntry
from acuclinic.clinic.models import Clinic
from acuclinic.core.errors import ServiceError
from acuclinic.demo.builder import build_demo
from acuclinic.demo.progress import MigrationProgress, demo_progress, unapplied_migrations
from acuclinic.demo.spec import DemoSpec
from acuclinic.demo.staff import DEMO_LOGINS, DEMO_PASSWORD
from acuclinic.people.models import User


def site_url() -> str:
    """Where `make run` serves, from the same HOST and PORT it passes to runserver."""
    host = os.environ.get("HOST") or "127.0.0.1"
    port = os.environ.get("PORT") or "8000"
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    return f"http://{host}:{port}/"


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, password) for each demo login still present and able to sign in.

    Only where the demo clinic was built (the audit trail says so): an "admin" in a real
    clinic is nobody's demo login.
    """
    if not AuditEntry.objects.filter(object_type="demo", action=AuditAction.CREATE).exists():
        return []
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=[name for name, _ in DEMO_LOGINS], is_active=True
        ).prefetch_related("groups")
    }
    rows = []
    works: dict[str, bool] = {}  # by stored hash: the demo accounts share one
    for username, role in DEMO_LOGINS:
        user = users.get(username)
        if user is None or role not in {g.name for g in user.groups.all()}:
            continue
        # Someone may have changed it since; never print a password that will not work.
        # (hashers.check_password, unlike User.check_password, never rewrites the hash.)
        if user.password not in works:
            works[user.password] = check_password(DEMO_PASSWORD, user.password)
        rows.append((username, role, DEMO_PASSWORD if works[user.password] else "(changed)"))
    return rows


class Command(BaseCommand):
    help = "Migrate, load the demo clinic into an empty database, and print how to sign in."
    # `make run` starts runserver next, which runs every system check; running them here
    # too imported every URL module once more before migrating (seconds of a first run).
    requires_system_checks = []

    def handle(self, *args, **options):
        self._migrate()
        if Clinic.objects.exists():
            self.stdout.write("The database already has a clinic; it is left as it is.")
        else:
            self._build_demo()
        self._print_welcome()

    def _migrate(self) -> None:
        steps = len(unapplied_migrations())
        if not steps:
            call_command("migrate", interactive=False, verbosity=0)  # post-migrate hooks
            return
        self.stdout.write(f"Preparing the database ({steps} migration steps)…")
        call_command(
            "migrate", interactive=False, verbosity=1, stdout=MigrationProgress(self.stdout, steps)
        )

    def _build_demo(self) -> None:
        try:
            now = timezone.localtime()
            spec = DemoSpec.at_scale(
                1, today=now.date(), clock=now.time().replace(second=0, microsecond=0)
            )
            summary = build_demo(spec, progress=demo_progress(self.stdout))
        except ServiceError as exc:
            self.stdout.write(
                f"{exc.message} So the demo clinic was not loaded "
                "(`acuclinic demo --reset` would replace that data with it)."
            )
            return
        self.stdout.write(
            f"Built the demo clinic “{summary.clinic}”: {summary.practitioners} practitioners, "
            f"{summary.patients:,} patients, {summary.appointments:,} appointments "
            f"({summary.seconds:.1f} s)."
        )

    def _print_welcome(self) -> None:
        lines = ["", f"  acuclinic is ready: open {site_url()}", ""]
        logins = demo_logins()
        if logins:
            header = ("username", "role", "password")
            widths = [max(len(row[i]) for row in [header, *logins]) for i in range(3)]
            lines.append("  Demo logins, one per role:")
            for row in [header, *logins]:
                cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=True)]
                lines.append("    " + "   ".join(cells).rstrip())
        else:
            lines.append("  Sign in with your own account (no demo logins in this database).")
        lines.append("")
        self.stdout.write("\n".join(lines))

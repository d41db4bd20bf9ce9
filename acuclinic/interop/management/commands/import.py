"""`acuclinic import SYSTEM KIND FILE`: move patients, practitioners or future appointments
in from another system's CSV."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from acuclinic.interop.importing import appointments, csvrows, patients, practitioners

RUN = {
    "patients": patients.import_patients,
    "practitioners": practitioners.import_practitioners,
    "appointments": appointments.import_appointments,
}


class Command(BaseCommand):
    help = (
        "Import patients, practitioners (as staff accounts without a password, to invite "
        "from the staff accounts page) or future appointments from a CSV export of another clinic "
        "system (cliniko, jane; the column mappings are in "
        "acuclinic/interop/data/import_mappings.toml). With "
        "--dry-run, list what would be created, matched and refused, and write nothing; "
        "without it, import everything or, if any row has an error, nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("system", choices=sorted(csvrows.mappings()))
        parser.add_argument("kind", choices=list(RUN))
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument(
            "--quiet-rows", action="store_true", help="Print only the totals and the errors."
        )

    def handle(self, *args, system, kind, file, dry_run=False, quiet_rows=False, **options):
        try:
            data = Path(file).read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {file}: {exc.strerror}.") from exc
        last = {"percent": -1}

        def progress(stage: str, done: int, total: int) -> None:
            percent = done * 100 // total if total else 100
            if percent // 5 != last["percent"] // 5 or done == total:
                last["percent"] = percent
                bar = "#" * (percent // 5)
                sys.stderr.write(f"\r{stage:>8} [{bar:<20}] {done:,}/{total:,} rows")
                if done == total:
                    sys.stderr.write("\n")
                sys.stderr.flush()

        try:
            plan = RUN[kind](data, system, dry_run=dry_run, progress=progress)
        except csvrows.ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        except patients.ImportRefused as exc:
            self._rows(exc.plan, errors_only=True)
            raise CommandError(f"{exc} {exc.plan.summary()}") from exc
        self._rows(plan, errors_only=quiet_rows)
        prefix = "Dry run, nothing written. " if dry_run else ""
        self.stdout.write(prefix + plan.summary())

    def _rows(self, plan, *, errors_only: bool) -> None:
        for o in plan.outcomes:
            if errors_only and o.action != "error":
                continue
            self.stdout.write(f"line {o.line}: {o.action} {o.name} {o.detail}".rstrip())

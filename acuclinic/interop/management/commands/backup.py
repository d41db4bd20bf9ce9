"""`acuclinic backup`: a consistent copy of the database, with a manifest and a checksum."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from acuclinic.interop import backup


class Command(BaseCommand):
    help = (
        "Write a backup of the whole database while the clinic keeps working (SQLite's "
        "online backup API, or pg_dump's custom format), with a manifest and a SHA-256 "
        f"checksum; encrypted when {backup.KEY_VARIABLE} is set."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=None,
            help="Where to write it (default: var/backups/).",
        )
        parser.add_argument(
            "--new-key",
            action="store_true",
            help=f"Print a new key for {backup.KEY_VARIABLE} and stop.",
        )

    def handle(self, *args, output_dir=None, new_key=False, **options):
        if new_key:
            self.stdout.write(backup.new_key())
            return
        directory = Path(output_dir) if output_dir else Path(settings.VAR_DIR) / "backups"
        try:
            path, manifest = backup.create(directory)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest.tables.values())
        state = "encrypted" if manifest.encrypted else "not encrypted"
        self.stdout.write(
            f"Backed up {len(manifest.tables)} tables ({rows} rows) to {path} "
            f"({state}, SHA-256 {manifest.sha256[:16]}…)."
        )

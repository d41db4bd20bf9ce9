"""`acuclinic restore FILE`: put a backup back, checked, into an empty database."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from acuclinic.interop import backup


class Command(BaseCommand):
    help = (
        "Restore a backup made by `acuclinic backup`. The checksum (and the key, for an "
        "encrypted one) is checked before anything changes; a database that holds data is "
        "refused unless --force is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .backup file.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace a database that already holds data (everything in it is lost).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only check the file (manifest, checksum, key); change nothing.",
        )

    def handle(self, *args, file, force=False, check=False, **options):
        path = Path(file)
        try:
            if check:
                manifest, _ = backup.read(path)
                self.stdout.write(
                    f"{path} is a sound {manifest.engine} backup of {manifest.created_at} "
                    f"({sum(manifest.tables.values())} rows)."
                )
                return
            manifest = backup.restore(path, force=force)
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored {path} ({manifest.engine}, made {manifest.created_at}): "
            f"{len(manifest.tables)} tables, {sum(manifest.tables.values())} rows, as in the "
            "manifest."
        )

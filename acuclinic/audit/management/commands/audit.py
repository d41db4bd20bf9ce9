"""`acuclinic audit verify`: check the audit trail's hash chain, naming the first broken
link. Exits 1 if the chain is broken, so a scheduled check can alert someone."""

from django.core.management.base import BaseCommand, CommandError

from acuclinic.audit import chain
from acuclinic.audit.models import AuditEntry
from acuclinic.core.formats import format_datetime


class Command(BaseCommand):
    help = "Check the audit trail: `acuclinic audit verify`."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        actions.add_parser("verify", help="check the hash chain, report the first broken link")

    def handle(self, *args, action, **options):
        verdict = chain.verify()
        if verdict.ok:
            before = (
                f" ({verdict.unchained} older entries from before the chain began)"
                if verdict.unchained
                else ""
            )
            self.stdout.write(
                f"The audit trail is intact: {verdict.checked} entries checked{before}."
            )
            return
        entry = AuditEntry.objects.filter(pk=verdict.broken_at).first()
        when = f" of {format_datetime(entry.at)}" if entry is not None else ""
        raise CommandError(
            f"The audit trail is broken at entry {verdict.broken_at}{when}: it "
            f"{verdict.problem}. {verdict.checked} entries before it are intact."
        )

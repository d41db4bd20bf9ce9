"""`acuclinic apitoken create|revoke|list`: API tokens from the command line.

For setting up an integration on a server where nobody signs in to the web pages. The
secret is printed once; only its digest is stored. Each create and revoke is audited.
"""

from django.core.management.base import BaseCommand, CommandError

from acuclinic.core.errors import ServiceError
from acuclinic.core.formats import format_datetime
from acuclinic.people import services
from acuclinic.people.models import ApiToken, User


class Command(BaseCommand):
    help = "Make, revoke or list API tokens."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        create = actions.add_parser("create", help="make a token for a user")
        create.add_argument("username")
        create.add_argument("--name", required=True, help="what will use it")
        create.add_argument(
            "--days", type=int, default=services.TOKEN_DEFAULT_DAYS, help="expires after (90)"
        )
        create.add_argument("--read-only", action="store_true", help="may only read")
        create.add_argument(
            "--no-clinical", action="store_true", help="without the clinical records"
        )
        revoke = actions.add_parser("revoke", help="stop a token working")
        revoke.add_argument("id", type=int)
        listing = actions.add_parser("list", help="list tokens")
        listing.add_argument("--user", help="only this user's tokens")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except ServiceError as exc:
            raise CommandError(exc.message) from exc

    def _create(self, *, username, name, days, read_only, no_clinical, **_):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"There is no user called {username}.")
        token, secret = services.api_token_create(
            user=user,
            name=name,
            expires_in_days=days,
            read_only=read_only,
            clinical=not no_clinical,
        )
        self.stdout.write(
            f"Made token {token.pk} “{token.name}” for {user.username}: "
            f"{token.scope_display}, until {format_datetime(token.expires_at)}."
        )
        self.stdout.write("Store it now: it cannot be shown again.")
        self.stdout.write(secret)

    def _revoke(self, *, id, **_):
        token = ApiToken.objects.filter(pk=id).first()
        if token is None:
            raise CommandError(f"There is no token with id {id}.")
        services.api_token_revoke(token)
        self.stdout.write(f"Revoked token {token.pk} “{token.name}”.")

    def _list(self, *, user=None, **_):
        tokens = ApiToken.objects.select_related("user").order_by("pk")
        if user:
            tokens = tokens.filter(user__username=user)
        for token in tokens:
            used = format_datetime(token.last_used_at) if token.last_used_at else "never used"
            state = (
                f"revoked {format_datetime(token.revoked_at)}"
                if token.revoked_at
                else "expired"
                if token.is_expired
                else f"active until {format_datetime(token.expires_at)}"
            )
            self.stdout.write(
                f"{token.pk}\t{token.user.username}\t{token.name}\t{token.prefix}…\t"
                f"made {format_datetime(token.created_at)}\t{used}\t{state}"
            )
        if not tokens:
            self.stdout.write("No tokens.")

"""Sign-in throttling: failed attempts counted per account name and per client address.

Keyed by the username typed (whether or not such an account exists, so the lock tells
nobody who works here) and by the address the attempt came from.
"""

from django.db import models


class SignInThrottle(models.Model):
    ACCOUNT = "account"
    ADDRESS = "address"
    KINDS = [(ACCOUNT, "Account"), (ADDRESS, "Address")]

    kind = models.CharField(max_length=10, choices=KINDS)
    # A username (lower-cased) or an IP address.
    key = models.CharField(max_length=150)
    failures = models.PositiveIntegerField(default=0)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-locked_until", "-last_failure_at"]
        verbose_name = "sign-in lock"
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="signinthrottle_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key}"

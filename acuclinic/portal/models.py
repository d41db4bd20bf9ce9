"""Signing patients in by emailed link: the links, and the requests the rate limits count."""

from django.db import models
from django.db.models import F, Q

from acuclinic.people.models import Patient


class SignInLink(models.Model):
    """A single-use link, valid for a few minutes, that signs one patient in.

    Only a SHA-256 digest of the token is stored, and the outbox keeps the email with the
    link withheld (the token is made again from ``nonce`` and the SECRET_KEY as it is
    sent), so a copy of the database signs nobody in. ``used_at`` is set by a
    conditional UPDATE that only one request can win, so a link cannot be used twice
    even by two requests at the same moment.
    """

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="portal_links")
    token_digest = models.CharField(max_length=64, unique=True)
    # The token is an HMAC of this under the SECRET_KEY, made again when the email goes
    # out: neither the outbox's copy of the email nor this row holds the link itself.
    nonce = models.CharField(max_length=32, blank=True, editable=False)
    # The address it went to: if the clinic changes the patient's email, links sent to
    # the old address stop working.
    sent_to = models.EmailField()
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=F("created_at")), name="portal_link_expires_after"
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(used_at__gte=F("created_at")),
                name="portal_link_used_after_made",
            ),
        ]

    def __str__(self) -> str:
        return f"Portal sign-in link for {self.patient}"


class LinkRequest(models.Model):
    """One request for a sign-in link, kept for an hour so the rate limits can count.

    The email address typed is kept only as a keyed digest: someone else's address,
    typed by mistake or by an attacker, is not stored in readable form.
    """

    at = models.DateTimeField(db_index=True)
    email_digest = models.CharField(max_length=64)
    client_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["email_digest", "at"], name="portal_request_email"),
            models.Index(fields=["client_address", "at"], name="portal_request_address"),
        ]

    def __str__(self) -> str:
        return f"Sign-in link request at {self.at:%Y-%m-%d %H:%M}"

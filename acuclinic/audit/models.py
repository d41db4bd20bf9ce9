"""The append-only audit trail: who saw or changed what, when, from where."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class AuditAction(models.TextChoices):
    VIEW = "view", "Viewed"
    SEARCH = "search", "Searched"
    CREATE = "create", "Created"
    CHANGE = "change", "Changed"
    DELETE = "delete", "Deleted"
    LOGIN = "login", "Logged in"
    LOGOUT = "logout", "Logged out"
    LOGIN_FAILED = "login_failed", "Failed login"
    DENIED = "denied", "Access refused"
    LOCKOUT = "lockout", "Sign-in locked"
    UNLOCK = "unlock", "Sign-in unlocked"
    BULK_READ = "bulk_read", "Bulk read"


class AppendOnlyError(Exception):
    """Raised on any attempt to alter or remove audit history."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries cannot be changed.")

    def delete(self):
        raise AppendOnlyError("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    """One thing a person did to personal data. Written once; never updated or deleted.

    The database refuses UPDATE too (a trigger, see the migration), so not even raw SQL
    from the application rewrites history.
    """

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Copies, so the entry still says who it was if the account is renamed.
    actor_username = models.CharField(max_length=150, blank=True)
    actor_role = models.CharField(max_length=60, blank=True)
    action = models.CharField(max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(max_length=60)
    object_id = models.CharField(max_length=40, blank=True)
    object_repr = models.CharField(max_length=200, blank=True)
    # The patient the entry concerns, for "who has seen this patient's record?".
    patient_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # Names of changed fields only: the values are personal data and stay in their table.
    changed_fields = models.JSONField(default=list, blank=True)
    detail = models.CharField(max_length=200, blank=True)
    client_address = models.GenericIPAddressField(null=True, blank=True)
    via = models.CharField(max_length=10, blank=True)  # web, api, command
    # The hash chain (audit.chain): each entry's hash covers its own fields and the hash
    # of the entry before it, so a changed, removed or inserted entry breaks the chain
    # from there on (`acuclinic audit verify`). Empty on entries from before the chain.
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    entry_hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_type}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit entries cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted.")

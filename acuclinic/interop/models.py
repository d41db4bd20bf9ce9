"""The register of subject access requests: when each came in and when it is due."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from acuclinic.people.models import Patient


class SubjectAccessRequest(models.Model):
    """A patient's (or their representative's) request for a copy of their record.

    UK GDPR art. 12(3): answered without undue delay and within one month of receipt.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    received_on = models.DateField()
    due_on = models.DateField()
    requested_by = models.CharField(
        max_length=160, blank=True, help_text="Who asked, if not the patient themselves"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    produced_at = models.DateTimeField(null=True, blank=True)
    produced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["produced_at", "due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__gte=F("received_on")), name="sar_due_after_received"
            )
        ]

    def __str__(self) -> str:
        return f"Subject access request from {self.patient} received {self.received_on}"

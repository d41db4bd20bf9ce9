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


class RetentionPolicy(models.Model):
    """How long records are kept; defaults from the NHS Records Management Code of Practice
    (retention_rules.SOURCE). One row, for the whole clinic."""

    adult_years = models.PositiveSmallIntegerField(
        "adults: years after the last contact", default=8
    )
    child_until_age = models.PositiveSmallIntegerField("children: until their birthday", default=25)
    child_until_age_if_17 = models.PositiveSmallIntegerField(
        "children 17 at the end of care: until their birthday", default=26
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(adult_years__gte=8), name="retention_adult_min_8"),
            models.CheckConstraint(
                condition=Q(child_until_age__gte=25), name="retention_child_min_25"
            ),
            models.CheckConstraint(
                condition=Q(child_until_age_if_17__gte=26), name="retention_child17_min_26"
            ),
        ]

    def __str__(self) -> str:
        return f"Retention: adults {self.adult_years} years"


class Anonymisation(models.Model):
    """A patient whose personal data was removed: when, by whom, why. Their clinical
    counts (visits, sessions, measures) stay for the clinic's reports."""

    patient = models.OneToOneField(Patient, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(auto_now_add=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=200)

    def __str__(self) -> str:
        return f"Anonymisation of patient {self.patient_id}"


class ExportJob(models.Model):
    """A FHIR Bulk Data export: asked for by one user, run by the worker, its NDJSON files
    kept until ``expires_at`` and then deleted."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.CharField(primary_key=True, max_length=40)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    level = models.CharField(max_length=10)  # "system" or "patient"
    types = models.JSONField()
    since = models.DateTimeField(null=True, blank=True)
    request_url = models.CharField(max_length=500)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.CharField(max_length=100, blank=True)
    output = models.JSONField(default=list, blank=True)  # [{"type", "count"}]
    error = models.CharField(max_length=500, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"FHIR export {self.id} ({self.status})"


class ImportJob(models.Model):
    """An uploaded file from another system: checked (dry run) and then imported by the
    worker, its progress shown on the page."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for the worker"
        RUNNING = "running", "Running"
        CHECKED = "checked", "Checked (dry run)"
        IMPORTED = "imported", "Imported"
        REFUSED = "refused", "Refused: rows have errors"
        FAILED = "failed", "The file cannot be read"

    id = models.CharField(primary_key=True, max_length=40)
    system = models.CharField(max_length=20)
    file_name = models.CharField(max_length=200)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    dry_run = models.BooleanField(default=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    summary = models.CharField(max_length=300, blank=True)
    creates = models.PositiveIntegerField(default=0)
    matches = models.PositiveIntegerField(default=0)
    # [{"line", "name", "detail"}], the first few hundred rows in error.
    errors = models.JSONField(default=list, blank=True)
    error_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Import of {self.file_name} ({self.status})"

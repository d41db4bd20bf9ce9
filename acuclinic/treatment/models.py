"""The treatment record: session notes, the points needled, the needles used by lot,
adverse events and their follow-up, addenda, needle stock, and saved prescriptions.

A signed note is final. Signing sets ``signed_at``; from then on the database itself
refuses any UPDATE of the note and any new or changed point or needle use on it (the
triggers of migration 0002), so not even a bug rewrites what a practitioner signed.
Corrections are addenda: new rows, dated and named. Addenda and adverse events are
written once; a follow-up can be closed once.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from acuclinic.clinic.models import Clinic
from acuclinic.core.fast_rows import FastRows
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling.models import Appointment
from acuclinic.treatment import catalogue, significance
from acuclinic.treatment.choices import (
    NEEDLING_MODALITIES,
    EventType,
    Severity,
    Side,
    Stimulation,
)

# Plausible limits, so a typo (250 mm deep, 900 needles) is refused rather than stored.
MAX_DEPTH_MM = 120
MAX_RETENTION_MINUTES = 120
MAX_NEEDLES = 500
MIN_DIAMETER_UM, MAX_DIAMETER_UM = 100, 500
MIN_LENGTH_MM, MAX_LENGTH_MM = 5, 150
MAX_LOT_QUANTITY = 100_000


class FinalRecord(Exception):
    """Raised on any attempt to change or remove a record that is final."""


class TreatmentPolicy(models.Model):
    """A clinic's charting settings. Without a row, the defaults apply."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="treatment_policy")
    # Typical retention is 20–30 minutes; 40 leaves room for a longer traditional
    # session while catching a typo (400) or a forgotten patient.
    max_retention_minutes = models.PositiveSmallIntegerField(
        "longest needle retention (minutes)",
        default=40,
        validators=[MinValueValidator(5), MaxValueValidator(MAX_RETENTION_MINUTES)],
    )
    lot_expiry_warning_days = models.PositiveSmallIntegerField(
        "warn of needle lots expiring within (days)",
        default=60,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "treatment policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(max_retention_minutes__gte=5)
                & Q(max_retention_minutes__lte=MAX_RETENTION_MINUTES),
                name="treatmentpolicy_retention_range",
            ),
            models.CheckConstraint(
                condition=Q(lot_expiry_warning_days__gte=1, lot_expiry_warning_days__lte=365),
                name="treatmentpolicy_warning_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Treatment policy of {self.clinic}"


class NeedleLot(models.Model):
    """A delivery of sterile single-use needles of one size from one manufacturer's lot."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="needle_lots")
    manufacturer = models.CharField(max_length=80)
    # Diameter in micrometres (0.25 mm is 250): whole numbers, no rounding.
    diameter_um = models.PositiveSmallIntegerField(
        "diameter (µm)",
        validators=[MinValueValidator(MIN_DIAMETER_UM), MaxValueValidator(MAX_DIAMETER_UM)],
    )
    length_mm = models.PositiveSmallIntegerField(
        "length (mm)",
        validators=[MinValueValidator(MIN_LENGTH_MM), MaxValueValidator(MAX_LENGTH_MM)],
    )
    lot_number = models.CharField(max_length=40)
    expires_on = models.DateField()
    received_on = models.DateField()
    quantity_received = models.PositiveIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_LOT_QUANTITY)]
    )
    quantity_in_stock = models.PositiveIntegerField()
    recalled_at = models.DateTimeField(null=True, blank=True)
    recall_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["expires_on", "manufacturer", "lot_number"]
        permissions = [("view_lot_recall", "Can list the sessions and patients that used a lot")]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "manufacturer", "lot_number", "diameter_um", "length_mm"],
                name="needlelot_unique",
            ),
            # Stock never goes below zero, nor above what was delivered.
            models.CheckConstraint(
                condition=Q(quantity_in_stock__gte=0)
                & Q(quantity_in_stock__lte=F("quantity_received")),
                name="needlelot_stock_range",
            ),
            models.CheckConstraint(
                condition=Q(quantity_received__gte=1, quantity_received__lte=MAX_LOT_QUANTITY),
                name="needlelot_received_range",
            ),
            models.CheckConstraint(
                condition=Q(diameter_um__gte=MIN_DIAMETER_UM, diameter_um__lte=MAX_DIAMETER_UM),
                name="needlelot_diameter_range",
            ),
            models.CheckConstraint(
                condition=Q(length_mm__gte=MIN_LENGTH_MM, length_mm__lte=MAX_LENGTH_MM),
                name="needlelot_length_range",
            ),
            models.CheckConstraint(
                condition=Q(expires_on__gt=F("received_on")), name="needlelot_expires_after"
            ),
            # A recall always says why.
            models.CheckConstraint(
                condition=Q(recalled_at__isnull=True) | ~Q(recall_reason=""),
                name="needlelot_recall_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.manufacturer} {self.size_display}, lot {self.lot_number}"

    @property
    def size_display(self) -> str:
        """0.25 × 30 mm: diameter by length, as printed on the box."""
        return f"{self.diameter_um / 1000:.2f} × {self.length_mm} mm"

    def is_expired(self, day) -> bool:
        return self.expires_on < day

    def usable_on(self, day) -> bool:
        return self.recalled_at is None and not self.is_expired(day)


class SessionNote(FastRows, models.Model):
    """What happened at one acupuncture visit, written and signed by its practitioner."""

    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="session_note"
    )
    # Copied from the appointment, for the audit trail, the recall search and reports.
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="session_notes")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="session_notes"
    )
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="session_notes")
    session_date = models.DateField()
    modality = models.CharField(max_length=20, choices=NEEDLING_MODALITIES)
    pain_before = models.PositiveSmallIntegerField(
        "pain before (0–10)",
        null=True,
        blank=True,
        validators=[MaxValueValidator(10)],
    )
    findings = models.TextField(blank=True)
    # Ids from data/aftercare.toml, plus anything else said.
    aftercare = models.JSONField(default=list, blank=True)
    aftercare_notes = models.TextField("other aftercare advice", blank=True)
    plan = models.TextField(blank=True)
    needles_out = models.PositiveSmallIntegerField(
        "needles counted out", null=True, blank=True, validators=[MaxValueValidator(MAX_NEEDLES)]
    )
    needles_in = models.PositiveSmallIntegerField(
        "needles counted back in",
        null=True,
        blank=True,
        validators=[MaxValueValidator(MAX_NEEDLES)],
    )
    # When the safety gate was found open for this visit; empty only for history entered
    # without it (the demo clinic's past sessions).
    gate_checked_at = models.DateTimeField(null=True, blank=True)
    # Goes up by one each time the note's text is saved: a save that started from an
    # older revision (another tab, another device) is told the draft changed. Empty
    # means 0 (never saved): a plain ADD COLUMN on SQLite, which keeps its triggers.
    revision = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    signed_at = models.DateTimeField(null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-session_date", "-id"]
        indexes = [
            models.Index(fields=["patient", "session_date"], name="note_patient_date"),
            models.Index(fields=["clinic", "session_date"], name="note_clinic_date"),
            # The outcomes catch-up reads the notes signed since its last run.
            models.Index(fields=["clinic", "signed_at"], name="note_clinic_signed"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(modality__in=[m for m, _ in NEEDLING_MODALITIES]),
                name="note_needling_modality",
            ),
            models.CheckConstraint(
                condition=Q(pain_before__isnull=True) | Q(pain_before__lte=10),
                name="note_pain_range",
            ),
            models.CheckConstraint(
                condition=(Q(needles_out__isnull=True) | Q(needles_out__lte=MAX_NEEDLES))
                & (Q(needles_in__isnull=True) | Q(needles_in__lte=MAX_NEEDLES)),
                name="note_needle_counts_range",
            ),
            # Signed and signer go together.
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True, signed_by__isnull=True)
                | Q(signed_at__isnull=False, signed_by__isnull=False),
                name="note_signed_by_someone",
            ),
            # The database refuses a signed note whose needles were not all counted back.
            models.CheckConstraint(
                condition=Q(signed_at__isnull=True)
                | Q(
                    pain_before__isnull=False,
                    needles_out__isnull=False,
                    needles_in=F("needles_out"),
                ),
                name="note_signed_counts_match",
            ),
        ]

    def __str__(self) -> str:
        return f"Session note for {self.patient} on {self.session_date:%Y-%m-%d}"

    @property
    def is_signed(self) -> bool:
        return self.signed_at is not None

    def delete(self, *args, **kwargs):
        if self.is_signed:
            raise FinalRecord("A signed session note is kept; it is never deleted.")
        return super().delete(*args, **kwargs)


class NoteChild(models.Model):
    """Part of a note: belongs to its note's patient for the audit trail."""

    class Meta:
        abstract = True

    @property
    def patient_id(self) -> int:
        return self.note.patient_id


class NeedledPoint(NoteChild):
    """One point or trigger point needled in a session, in the order charted."""

    note = models.ForeignKey(SessionNote, on_delete=models.CASCADE, related_name="points")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=20)
    side = models.CharField(max_length=10, choices=Side.choices)
    depth_mm = models.PositiveSmallIntegerField(
        "depth (mm)", validators=[MinValueValidator(1), MaxValueValidator(MAX_DEPTH_MM)]
    )
    retention_minutes = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(MAX_RETENTION_MINUTES)]
    )
    stimulation = models.CharField(max_length=10, choices=Stimulation.choices)
    # The safety checks this point was needled despite (checks.py codes, space
    # separated), and the practitioner's reason.
    overridden = models.CharField(max_length=100, blank=True)
    override_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["note", "position"]
        constraints = [
            models.UniqueConstraint(fields=["note", "position"], name="point_position_unique"),
            models.CheckConstraint(condition=Q(side__in=Side.values), name="point_side_valid"),
            models.CheckConstraint(
                condition=Q(stimulation__in=Stimulation.values), name="point_stimulation_valid"
            ),
            models.CheckConstraint(
                condition=Q(depth_mm__gte=1, depth_mm__lte=MAX_DEPTH_MM),
                name="point_depth_range",
            ),
            models.CheckConstraint(
                condition=Q(retention_minutes__lte=MAX_RETENTION_MINUTES),
                name="point_retention_range",
            ),
            # An override without a reason is refused by the database too.
            models.CheckConstraint(
                condition=Q(overridden="") | ~Q(override_reason=""),
                name="point_override_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.get_side_display().lower()})"

    @property
    def overridden_codes(self) -> list[str]:
        return self.overridden.split()


class NeedleUse(NoteChild):
    """How many needles of one lot a session used."""

    note = models.ForeignKey(SessionNote, on_delete=models.CASCADE, related_name="needle_uses")
    lot = models.ForeignKey(NeedleLot, on_delete=models.PROTECT, related_name="uses")
    count = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_NEEDLES)]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["note", "recorded_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["note", "lot"], name="needleuse_once_per_lot"),
            models.CheckConstraint(
                condition=Q(count__gte=1, count__lte=MAX_NEEDLES), name="needleuse_count_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.count} × {self.lot}"


class NoteAddendum(NoteChild):
    """A dated correction or addition to a signed note, by a named clinician."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="addenda")
    text = models.TextField()
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField()

    class Meta:
        ordering = ["note", "written_at", "id"]
        verbose_name_plural = "note addenda"
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="addendum_has_text"),
        ]

    def __str__(self) -> str:
        return f"Addendum to {self.note}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FinalRecord("An addendum is never changed; add another one.")
        super().save(*args, **kwargs)


class AdverseEvent(NoteChild):
    """Something that went wrong at or after a session, how bad, and what was done."""

    note = models.ForeignKey(SessionNote, on_delete=models.PROTECT, related_name="adverse_events")
    event_type = models.CharField(max_length=20, choices=EventType.choices)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    description = models.TextField(blank=True)
    action_taken = models.TextField()
    # The practitioner's answer to "was it severe, unusual or lasting?" (significance.py).
    # Empty when nobody was asked: recorded before the question existed, or an event
    # whose type or severity already makes it significant.
    severe_or_lasting = models.BooleanField("severe, unusual or lasting", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at", "-id"]
        # The adverse-events page lists the latest hundred: read in this order from the
        # index, not by sorting every event the clinic ever recorded.
        indexes = [models.Index(fields=["recorded_at", "id"], name="event_recorded")]
        constraints = [
            models.CheckConstraint(
                condition=Q(event_type__in=EventType.values), name="event_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="event_severity_valid"
            ),
            models.CheckConstraint(condition=~Q(action_taken=""), name="event_has_action"),
            models.CheckConstraint(
                condition=~Q(event_type=EventType.OTHER) | ~Q(description=""),
                name="event_other_described",
            ),
            models.CheckConstraint(
                condition=~Q(event_type=EventType.PNEUMOTHORAX) | Q(severity=Severity.SERIOUS),
                name="event_pneumothorax_serious",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} {self.get_event_type_display().lower()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise FinalRecord("An adverse event is never changed; add an addendum.")
        super().save(*args, **kwargs)

    @property
    def significance_reason(self) -> str:
        """Why the event counts as significant ("type", "severity", "judged") or ""."""
        return significance.reason(
            catalogue.current().significance,
            self.event_type,
            self.severity,
            self.severe_or_lasting,
        )

    @property
    def is_significant(self) -> bool:
        return bool(self.significance_reason)

    @property
    def significance_text(self) -> str:
        return significance.explain(
            self.significance_reason,
            type_label=self.get_event_type_display(),
            severity_label=self.get_severity_display(),
            asked=self.severe_or_lasting is not None,
        )


class FollowUp(models.Model):
    """Opened by a serious adverse event; stays open until a clinic admin closes it."""

    event = models.OneToOneField(AdverseEvent, on_delete=models.PROTECT, related_name="follow_up")
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    outcome = models.TextField(blank=True)

    class Meta:
        ordering = ["closed_at", "-opened_at"]
        # The open follow-ups (a handful) are found here, not by walking every note.
        indexes = [models.Index(fields=["closed_at", "opened_at"], name="follow_up_open")]
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, closed_by__isnull=True, outcome="")
                | (Q(closed_at__isnull=False, closed_by__isnull=False) & ~Q(outcome="")),
                name="followup_closed_with_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Follow-up of {self.event}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def patient_id(self) -> int:
        return self.event.note.patient_id


class PointPrescription(models.Model):
    """A practitioner's saved combination, e.g. their usual low-back points."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="prescriptions"
    )
    name = models.CharField(max_length=80)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["practitioner", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner", "name"], name="prescription_unique_name"
            ),
            models.CheckConstraint(condition=~Q(name=""), name="prescription_has_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PrescriptionItem(models.Model):
    prescription = models.ForeignKey(
        PointPrescription, on_delete=models.CASCADE, related_name="items"
    )
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=20)
    side = models.CharField(max_length=10, choices=Side.choices)
    depth_mm = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1), MaxValueValidator(MAX_DEPTH_MM)]
    )
    retention_minutes = models.PositiveSmallIntegerField(
        validators=[MaxValueValidator(MAX_RETENTION_MINUTES)]
    )
    stimulation = models.CharField(max_length=10, choices=Stimulation.choices)

    class Meta:
        ordering = ["prescription", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["prescription", "position"], name="prescriptionitem_position_unique"
            ),
            models.CheckConstraint(
                condition=Q(side__in=Side.values), name="prescriptionitem_side_valid"
            ),
            models.CheckConstraint(
                condition=Q(stimulation__in=Stimulation.values),
                name="prescriptionitem_stimulation_valid",
            ),
            models.CheckConstraint(
                condition=Q(depth_mm__gte=1, depth_mm__lte=MAX_DEPTH_MM),
                name="prescriptionitem_depth_range",
            ),
            models.CheckConstraint(
                condition=Q(retention_minutes__lte=MAX_RETENTION_MINUTES),
                name="prescriptionitem_retention_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.side})"

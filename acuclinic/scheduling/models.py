"""Appointments: who is seen, by whom, where, when, and what happened."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from acuclinic.clinic.models import Room, Service
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling.choices import AppointmentStatus, Channel


class AppointmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=AppointmentStatus.active())

    def overlapping(self, start, end):
        """Appointments whose time range intersects [start, end)."""
        return self.filter(start__lt=end, end__gt=start)

    def for_diary(self):
        return self.select_related("patient", "practitioner__user", "room__location", "service")


class Appointment(models.Model):
    """One booked visit. Times are aware datetimes stored in UTC."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="appointments"
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PHONE)
    # Administrative notes for the front desk ("prefers mornings"); never clinical content.
    notes = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["practitioner", "start"], name="appt_practitioner_start"),
            models.Index(fields=["room", "start"], name="appt_room_start"),
            models.Index(fields=["patient", "start"], name="appt_patient_start"),
            models.Index(fields=["start"], name="appt_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appt_end_after_start"),
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values), name="appt_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="appt_channel_valid"
            ),
            # A cancelled appointment always says when it was cancelled.
            models.CheckConstraint(
                condition=~Q(status__in=["cancelled", "late_cancelled"])
                | Q(cancelled_at__isnull=False),
                name="appt_cancel_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} with {self.practitioner} at {self.start:%Y-%m-%d %H:%M}"

    @property
    def is_active(self) -> bool:
        return self.status in AppointmentStatus.active()

    @property
    def location(self):
        return self.room.location

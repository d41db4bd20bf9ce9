"""The enquiry inbox's records: every way someone got in touch, and what became of it."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from acuclinic.enquiries.choices import EnquiryChannel, EnquiryStatus, Topic
from acuclinic.people.models import Patient
from acuclinic.scheduling.models import Appointment


class Enquiry(models.Model):
    """Someone getting in touch: by phone or email (entered by staff) or through the web
    form (lands directly). Reception replies, books or closes it."""

    channel = models.CharField(max_length=10, choices=EnquiryChannel.choices)
    status = models.CharField(
        max_length=10, choices=EnquiryStatus.choices, default=EnquiryStatus.NEW
    )
    name = models.CharField(max_length=120)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    message = models.TextField()
    condition = models.CharField(
        "what it is about", max_length=20, choices=Topic.choices, blank=True
    )
    received_at = models.DateTimeField()
    # The patient it led to, and the appointment booked from it (status "booked").
    patient = models.ForeignKey(
        Patient, null=True, blank=True, on_delete=models.PROTECT, related_name="enquiries"
    )
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="enquiries"
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Reception's notes on what was said and done; administrative, never clinical.
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        # The table keeps the name it had when scheduling owned it (no rows moved).
        db_table = "scheduling_enquiry"
        ordering = ["-received_at", "-id"]
        verbose_name_plural = "enquiries"
        indexes = [models.Index(fields=["status", "received_at"], name="enquiry_status_received")]
        constraints = [
            models.CheckConstraint(
                condition=Q(channel__in=EnquiryChannel.values), name="enquiry_channel_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=EnquiryStatus.values), name="enquiry_status_valid"
            ),
            # The clinic must be able to answer.
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone=""), name="enquiry_has_contact"
            ),
            models.CheckConstraint(
                condition=~Q(status=EnquiryStatus.BOOKED) | Q(appointment__isnull=False),
                name="enquiry_booked_has_appointment",
            ),
        ]

    def __str__(self) -> str:
        return f"Enquiry from {self.name}"

"""What online self-booking keeps: the bookings people made on the public pages, with what
they typed, and the counts behind the public forms' rate limits."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from acuclinic.enquiries.choices import Topic
from acuclinic.online_booking.choices import PatientMatch
from acuclinic.people.models import Patient
from acuclinic.scheduling.models import Appointment


class OnlineBooking(models.Model):
    """An appointment a person booked on the public pages, with what they typed.

    The record the booking went to is on the appointment. ``match`` says how it was
    found: a confident match to an existing patient, a new patient, or a new record
    that may be someone already on file (``possible_matches``), which reception checks.
    What was typed is kept as typed: an unverified web form never changes a record.
    """

    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="online_booking"
    )
    given_name = models.CharField(max_length=80)
    family_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    email = models.EmailField()
    phone = models.CharField("mobile phone", max_length=30, blank=True)
    # "What is it about", in the clinic's own non-clinical words; blank: not said.
    condition = models.CharField(max_length=20, choices=Topic.choices, blank=True)
    wants_contact = models.BooleanField(
        "happy to be reminded and contacted by email and text", default=False
    )
    match = models.CharField(max_length=20, choices=PatientMatch.choices)
    possible_matches = models.ManyToManyField(Patient, blank=True, related_name="+")
    checked_at = models.DateTimeField(null=True, blank=True)
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    check_note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table keeps the name it had when scheduling owned it (no rows moved).
        db_table = "scheduling_onlinebooking"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["match", "checked_at"], name="online_booking_to_check")]
        constraints = [
            models.CheckConstraint(
                condition=Q(match__in=PatientMatch.values), name="online_booking_match_valid"
            ),
            models.CheckConstraint(
                condition=Q(checked_at__isnull=True) | ~Q(match=PatientMatch.MATCHED),
                name="online_booking_only_new_records_checked",
            ),
        ]

    def __str__(self) -> str:
        return f"Online booking by {self.given_name} {self.family_name}"

    @property
    def needs_check(self) -> bool:
        return self.match != PatientMatch.MATCHED and self.checked_at is None


class RateLimitCount(models.Model):
    """How often one key (an address, an email's digest) used a public form in one
    window of time. In the database, so every web worker process counts together."""

    key = models.CharField(max_length=100)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        # The table keeps the name it had when scheduling owned it (no rows moved).
        db_table = "scheduling_ratelimitcount"
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="ratelimit_unique_window")
        ]
        indexes = [models.Index(fields=["window_start"], name="ratelimit_window")]

    def __str__(self) -> str:
        return f"{self.key} × {self.count}"

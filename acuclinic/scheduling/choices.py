from django.db import models


class AppointmentStatus(models.TextChoices):
    BOOKED = "booked", "Booked"
    ARRIVED = "arrived", "Arrived"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    LATE_CANCELLED = "late_cancelled", "Cancelled late"
    DID_NOT_ATTEND = "dna", "Did not attend"

    @classmethod
    def active(cls) -> list[str]:
        """Statuses that hold the practitioner's and the room's time."""
        return [cls.BOOKED.value, cls.ARRIVED.value, cls.COMPLETED.value]


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    WEB = "web", "Online"
    WALK_IN = "walk_in", "Walk-in"


class CancelledBy(models.TextChoices):
    """Who called it off: only a patient's own cancellation can count against them."""

    PATIENT = "patient", "The patient"
    CLINIC = "clinic", "The clinic"


class ExceptionKind(models.TextChoices):
    LEAVE = "leave", "Leave"
    TRAINING = "training", "Training"
    BANK_HOLIDAY = "bank_holiday", "Bank holiday"
    EXTRA = "extra", "Extra session"

    @classmethod
    def absences(cls) -> list[str]:
        """Kinds that take time away from the usual pattern (the rest add time)."""
        return [cls.LEAVE.value, cls.TRAINING.value, cls.BANK_HOLIDAY.value]

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

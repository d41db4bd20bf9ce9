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


class EnquiryChannel(models.TextChoices):
    """How a person got in touch: the web form lands directly, the rest staff enter."""

    PHONE = "phone", "Phone"
    EMAIL = "email", "Email"
    WEB = "web", "Web form"


class EnquiryStatus(models.TextChoices):
    NEW = "new", "New"
    REPLIED = "replied", "Replied"
    BOOKED = "booked", "Booked"
    CLOSED = "closed", "Closed"


class PatientMatch(models.TextChoices):
    """What an online booking found when it looked for the patient's record."""

    MATCHED = "matched", "Returning patient"
    NEW = "new", "New patient"
    POSSIBLE_DUPLICATE = "possible_duplicate", "New record, may be a returning patient"


class WaitlistStatus(models.TextChoices):
    WAITING = "waiting", "Waiting"
    BOOKED = "booked", "Booked from an offer"
    REMOVED = "removed", "Removed"


class OfferStatus(models.TextChoices):
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    GONE = "gone", "Taken by someone else"


class Topic(models.TextChoices):
    """What a person says they would like help with, in their words: not a diagnosis.
    The values are those of people.ConditionChoice, so a clinician can take it from there.
    """

    LOW_BACK = "low_back", "Back pain"
    HEADACHE = "headache", "Headaches or migraine"
    FIBROMYALGIA = "fibromyalgia", "Fibromyalgia"
    MSK = "msk", "Muscle or joint pain"
    POST_SURGERY = "post_surgery", "Pain after an operation"
    SCIATICA = "sciatica", "Sciatica"
    WHIPLASH = "whiplash", "Whiplash"
    OTHER = "other", "Something else"

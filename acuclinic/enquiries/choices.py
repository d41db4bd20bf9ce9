from django.db import models


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


# The "what is it about" question on forms, where saying nothing is a choice.
TOPIC_CHOICES = [("", "Prefer not to say"), *Topic.choices]

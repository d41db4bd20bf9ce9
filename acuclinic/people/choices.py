from django.db import models


class Profession(models.TextChoices):
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"
    ACUPUNCTURIST = "acupuncturist", "Acupuncturist"
    DOCTOR = "doctor", "Doctor"
    NURSE = "nurse", "Nurse"


class CredentialKind(models.TextChoices):
    REGISTRATION = "registration", "Professional registration"
    MEMBERSHIP = "membership", "Acupuncture body membership"
    INSURANCE = "insurance", "Professional indemnity insurance"
    # The body is the council; a s.14 registration has no end date.
    LOCAL_AUTHORITY = "local_authority", "Local authority acupuncture registration or licence"


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other"
    UNKNOWN = "unknown", "Not stated"


class ConditionChoice(models.TextChoices):
    LOW_BACK_PAIN = "low_back", "Chronic low back pain"
    HEADACHE = "headache", "Headaches"
    FIBROMYALGIA = "fibromyalgia", "Fibromyalgia"
    MUSCULOSKELETAL = "msk", "Musculoskeletal pain"
    POST_SURGERY = "post_surgery", "Post-surgery pain"
    SCIATICA = "sciatica", "Sciatica"
    WHIPLASH = "whiplash", "Whiplash"
    OTHER = "other", "Other chronic pain"

from django.db import models


class Modality(models.TextChoices):
    ASSESSMENT = "assessment", "Assessment"
    TRADITIONAL = "traditional", "Traditional acupuncture"
    MEDICAL = "medical", "Medical (western) acupuncture"
    FOLLOW_UP = "follow_up", "Follow-up"

    @classmethod
    def needling(cls) -> set[str]:
        """Modalities that put needles in, so need a qualified practitioner."""
        return {cls.TRADITIONAL.value, cls.MEDICAL.value}


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"

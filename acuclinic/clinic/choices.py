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


class LicensingRegime(models.TextChoices):
    """How the location's council licenses acupuncture (people/data/licensing.toml has
    what each asks, of whom, with the provisions)."""

    NONE = "none", "No local authority licensing of acupuncture"
    LGMPA_1982_S14 = "lgmpa_1982_s14", "Registration with the council (LG(MP)A 1982 s.14)"
    LLAA_1991 = "llaa_1991", "London special treatment licence (LLAA 1991)"

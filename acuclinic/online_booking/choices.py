from django.db import models


class PatientMatch(models.TextChoices):
    """What an online booking found when it looked for the patient's record."""

    MATCHED = "matched", "Returning patient"
    NEW = "new", "New patient"
    POSSIBLE_DUPLICATE = "possible_duplicate", "New record, may be a returning patient"

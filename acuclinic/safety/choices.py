from django.db import models

from acuclinic.clinic.choices import Modality


class FilledBy(models.TextChoices):
    PATIENT = "patient", "The patient, online"
    STAFF = "staff", "A clinician"


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Verbal"
    WRITTEN = "written", "Written (signed form)"


class Risk(models.TextChoices):
    """What the patient must have been told before consenting to needling."""

    SORENESS = "soreness", "Soreness or aching where the needles went in"
    BRUISING = "bruising", "Bruising"
    MINOR_BLEEDING = "minor_bleeding", "Minor bleeding when a needle is removed"
    FAINTING = "fainting", "Feeling faint or fainting"
    INFECTION = "infection", "Infection at a needle site (rare with single-use needles)"
    RARE_SERIOUS = (
        "rare_serious",
        ("Rare serious events, such as a punctured lung (pneumothorax) or nerve injury"),
    )


NEEDLING_MODALITIES = [(m.value, m.label) for m in Modality if m.value in Modality.needling()]

"""The fixed vocabularies a session note stores (the database checks each one)."""

from django.db import models

from acuclinic.clinic.choices import Modality


class Side(models.TextChoices):
    """Where on the body: the patient's left or right, both, or the midline."""

    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BILATERAL = "bilateral", "Both sides"
    MIDLINE = "midline", "Midline"


PAIRED_SIDES = (Side.LEFT, Side.RIGHT, Side.BILATERAL)


class Stimulation(models.TextChoices):
    MANUAL = "manual", "Manual"
    ELECTRO = "electro", "Electro-acupuncture"
    HEAT = "heat", "Heat (moxa or heat lamp)"


class EventType(models.TextChoices):
    BLEEDING = "bleeding", "Bleeding"
    BRUISING = "bruising", "Bruising"
    SORENESS = "soreness", "Soreness"
    NEEDLE_PAIN = "needle_pain", "Needle pain"
    DROWSINESS = "drowsiness", "Drowsiness"
    FAINTING = "fainting", "Fainting"
    NAUSEA = "nausea", "Nausea"
    WORSENED_SYMPTOMS = "worsened_symptoms", "Worsened symptoms"
    RETAINED_NEEDLE = "retained_needle", "Retained needle"
    INFECTION = "infection", "Infection"
    PNEUMOTHORAX = "pneumothorax", "Pneumothorax"
    OTHER = "other", "Other"


class Severity(models.TextChoices):
    MILD = "mild", "Mild"
    MODERATE = "moderate", "Moderate"
    SERIOUS = "serious", "Serious"

    @property
    def rank(self) -> int:
        return list(Severity).index(self)


EVENT_TYPES = tuple(EventType.values)
SEVERITIES = tuple(Severity.values)
NEEDLING_MODALITIES = [(m.value, m.label) for m in Modality if m.value in Modality.needling()]

from django.db import models


class PainRuleKind(models.TextChoices):
    POINTS = "points", "A fall of a number of points"
    PERCENT = "percent", "A fall of a percentage of the baseline"


class Entry(models.TextChoices):
    """How a measure's score arrived: from its answers, or as a total from a licensed copy."""

    ITEMS = "items", "Scored from the answers"
    TOTAL = "total", "Total entered from a licensed copy"


class Source(models.TextChoices):
    CLINICIAN = "clinician", "Entered by a clinician"
    PATIENT = "patient", "Completed by the patient"


class Timepoint(models.TextChoices):
    BASELINE = "baseline", "Baseline"
    AFTER_INITIAL = "after_initial", "After the first weekly series"
    DISCHARGE = "discharge", "Discharge"
    DIARY = "diary", "Pain diary"
    OTHER = "other", "Other"


class CoursePhase(models.TextChoices):
    INITIAL = "initial", "Weekly"
    TAPER = "taper", "Every other week"
    MAINTENANCE = "maintenance", "Monthly maintenance"
    REVIEW = "review", "Review due"


class EndReason(models.TextChoices):
    DISCHARGED = "discharged", "Discharged"
    AFTER_REVIEW = "after_review", "Stopped after a review"
    STOPPED_ATTENDING = "stopped_attending", "Stopped attending"


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", "Continue: a further trial of weekly sessions"
    DISCHARGE = "discharge", "Stop: close the course"

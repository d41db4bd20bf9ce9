"""Outcomes: the clinic's planner settings, each patient's courses of treatment (with the
planner's latest reading of them, for the clinic's report), the reviews that decide
whether a course goes on, and the measures taken along the way.

Pain at a session is never stored here: it is the session note's pain-before score
(treatment.SessionNote), read where it is needed. A course's summary columns are the
planner's output, kept so that the clinic report is one aggregate query; they are
rewritten whenever the course's facts change (services.course_refresh).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q

from acuclinic.clinic.choices import Modality
from acuclinic.clinic.models import Clinic
from acuclinic.core.fast_rows import FastRows
from acuclinic.outcomes import planner
from acuclinic.outcomes.choices import (
    CoursePhase,
    EndReason,
    Entry,
    PainRuleKind,
    ReviewDecision,
    Source,
    Timepoint,
)
from acuclinic.outcomes.scoring import PainRule
from acuclinic.people.choices import ConditionChoice
from acuclinic.people.models import Patient, Practitioner

# The bounds of each setting: wide enough for any clinic's policy, narrow enough to catch
# a typo (a 60-week taper, a 0-session trial).
LIMITS = {
    "pain_mcid_points": (1, 5),
    "pain_mcid_percent": (10, 60),
    "improving_sessions": (1, 4),
    "taper_sessions": (1, 6),
    "relapse_measures": (1, 4),
    "trial_sessions": (3, 12),
    "initial_interval_days": (5, 10),
    "taper_interval_days": (10, 21),
    "maintenance_interval_days": (21, 56),
    "contact_cap_minutes": (60, 1200),
    "diary_every_days": (3, 28),
}


def _bounded(name: str, default, verbose: str, **extra):
    low, high = LIMITS[name]
    return models.PositiveSmallIntegerField(
        verbose,
        default=default,
        validators=[MinValueValidator(low), MaxValueValidator(high)],
        **extra,
    )


class OutcomesPolicy(models.Model):
    """A clinic's course-planner thresholds. Without a row, the defaults apply."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="outcomes_policy")
    pain_mcid_kind = models.CharField(
        "improvement in pain means",
        max_length=10,
        choices=PainRuleKind.choices,
        default=PainRuleKind.POINTS,
    )
    # Farrar et al. 2001: 2 points or 30% on the 0–10 scale (shared/clinical §4).
    pain_mcid_points = _bounded("pain_mcid_points", 2, "points of improvement")
    pain_mcid_percent = _bounded("pain_mcid_percent", 30, "percentage of baseline")
    improving_sessions = _bounded(
        "improving_sessions", 2, "improved sessions in a row before every other week"
    )
    taper_sessions = _bounded(
        "taper_sessions", 2, "improved fortnightly sessions before monthly maintenance"
    )
    relapse_measures = _bounded(
        "relapse_measures", 2, "measures in a row above the lowest that make a relapse"
    )
    trial_sessions = _bounded("trial_sessions", 6, "sessions without improvement before a review")
    initial_interval_days = _bounded("initial_interval_days", 7, "weekly phase: days apart")
    taper_interval_days = _bounded("taper_interval_days", 14, "taper: days apart")
    maintenance_interval_days = _bounded("maintenance_interval_days", 28, "maintenance: days apart")
    # The clinic's own cap on clinician contact time for every course, whatever the
    # condition. Empty (the default): none. NICE's limits depend on the condition (NG193's
    # 5 hours for chronic primary pain, CG150's 10 sessions for headaches, none for low
    # back pain) and come from data/guidance.toml, not from this setting.
    contact_cap_minutes = _bounded(
        "contact_cap_minutes",
        None,
        "the clinic's own cap on clinician contact time per course (minutes)",
        null=True,
        blank=True,
    )
    diary_every_days = _bounded("diary_every_days", 7, "ask for a pain diary entry every (days)")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "outcomes policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(pain_mcid_kind__in=PainRuleKind.values), name="outcomespolicy_kind"
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{name}__gte": low, f"{name}__lte": high})
                    | (Q(**{f"{name}__isnull": True}) if name == "contact_cap_minutes" else Q()),
                    name=f"outcomespolicy_{name}_range",
                )
                for name, (low, high) in LIMITS.items()
            ),
        ]

    def __str__(self) -> str:
        return f"Outcomes policy of {self.clinic}"

    def rules(self) -> planner.Rules:
        return planner.Rules(
            pain=PainRule(self.pain_mcid_kind, self.pain_mcid_points, self.pain_mcid_percent),
            improving_sessions=self.improving_sessions,
            taper_sessions=self.taper_sessions,
            relapse_measures=self.relapse_measures,
            trial_sessions=self.trial_sessions,
            initial_days=self.initial_interval_days,
            taper_days=self.taper_interval_days,
            maintenance_days=self.maintenance_interval_days,
            contact_cap_minutes=self.contact_cap_minutes,
        )


class SummaryMark(models.Model):
    """How far the course summaries are known to be up to date: every session note signed
    before ``notes_signed_before`` has been read into its course (services.courses_catch_up).
    """

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="+")
    notes_signed_before = models.DateTimeField()

    def __str__(self) -> str:
        return f"Course summaries of {self.clinic} to {self.notes_signed_before:%Y-%m-%d %H:%M}"


class Course(FastRows, models.Model):
    """A patient's course of acupuncture: from the first signed session until it is closed.

    It opens by itself when a session is signed for a patient with no open course, and is
    closed by a person (a discharge, a review that stops it). Relapses are new weekly
    series within the same course. The columns after ``end_reason`` are the planner's
    latest reading of it, rewritten by services.course_refresh.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="courses")
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="courses")
    # Who gave the first session, and how: the report's "by practitioner" and "by modality".
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="courses")
    modality = models.CharField(max_length=20, choices=Modality.choices)
    # The presenting condition when the course opened ("" when none was recorded).
    condition = models.CharField(max_length=20, choices=ConditionChoice.choices, blank=True)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=20, choices=EndReason.choices, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    phase = models.CharField(max_length=20, choices=CoursePhase.choices, blank=True)
    series = models.PositiveSmallIntegerField(default=1)
    sessions = models.PositiveIntegerField(default=0)
    contact_minutes = models.PositiveIntegerField(default=0)
    baseline_pain = models.PositiveSmallIntegerField(null=True, blank=True)
    latest_pain = models.PositiveSmallIntegerField(null=True, blank=True)
    # The session (1 = the first) at which pain first fell from baseline by the MCID.
    first_mcid_session = models.PositiveSmallIntegerField(null=True, blank=True)
    relapses = models.PositiveSmallIntegerField(default=0)
    non_responder = models.BooleanField(default=False)
    left_initial_on = models.DateField(null=True, blank=True)
    last_session_on = models.DateField(null=True, blank=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        ordering = ["-started_on", "-id"]
        indexes = [
            models.Index(fields=["clinic", "started_on"], name="course_clinic_started"),
            models.Index(fields=["patient", "started_on"], name="course_patient_started"),
        ]
        constraints = [
            # At most one open course per patient: a new one opens only after the last closed.
            models.UniqueConstraint(
                fields=["patient"], condition=Q(ended_on__isnull=True), name="course_one_open"
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="course_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True, end_reason="")
                | (Q(ended_on__isnull=False) & ~Q(end_reason="")),
                name="course_closed_with_reason",
            ),
            models.CheckConstraint(
                condition=(Q(baseline_pain__isnull=True) | Q(baseline_pain__lte=10))
                & (Q(latest_pain__isnull=True) | Q(latest_pain__lte=10)),
                name="course_pain_range",
            ),
            models.CheckConstraint(
                condition=Q(phase__in=["", *CoursePhase.values]), name="course_phase_valid"
            ),
            models.CheckConstraint(condition=Q(series__gte=1), name="course_series_from_one"),
        ]

    def __str__(self) -> str:
        return f"Course for {self.patient} from {self.started_on:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return self.ended_on is None


class CourseReview(models.Model):
    """A practitioner's review of a course: go on with a further trial, or stop."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="reviews")
    reviewed_on = models.DateField()
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["course", "reviewed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(decision__in=ReviewDecision.values), name="review_decision_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Review of {self.course} on {self.reviewed_on:%Y-%m-%d}"

    @property
    def patient_id(self) -> int:
        return self.course.patient_id


class Measurement(FastRows, models.Model):
    """One outcome measure taken: a questionnaire scored, a total entered from a licensed
    copy, or a pain diary entry. Written once; never changed."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="measurements")
    measure = models.CharField(max_length=20)
    taken_on = models.DateField()
    score = models.DecimalField(max_digits=4, decimal_places=1)
    # Item answers in order (null for one left unanswered), or PSFS [activity, rating]
    # pairs; [] when a total was entered.
    answers = models.JSONField(default=list, blank=True)
    missing = models.PositiveSmallIntegerField(default=0)
    entry = models.CharField(max_length=10, choices=Entry.choices)
    source = models.CharField(max_length=10, choices=Source.choices)
    timepoint = models.CharField(max_length=20, choices=Timepoint.choices)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["patient", "taken_on", "id"]
        indexes = [
            models.Index(fields=["patient", "taken_on"], name="measurement_patient_day"),
        ]
        constraints = [
            # Every scale here lies within 0–100; each measure's own range is checked by
            # the service (scoring.py) before a row is written.
            models.CheckConstraint(
                condition=Q(score__gte=0, score__lte=100), name="measurement_score_range"
            ),
            models.CheckConstraint(condition=Q(entry__in=Entry.values), name="measurement_entry"),
            models.CheckConstraint(
                condition=Q(source__in=Source.values), name="measurement_source"
            ),
            models.CheckConstraint(
                condition=Q(timepoint__in=Timepoint.values), name="measurement_timepoint"
            ),
            # A patient's own entries have no staff author; a clinician's always do.
            models.CheckConstraint(
                condition=Q(source=Source.PATIENT, recorded_by__isnull=True)
                | Q(source=Source.CLINICIAN, recorded_by__isnull=False),
                name="measurement_author",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} {self.score} for {self.patient} on {self.taken_on:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("A measurement is written once and never changed.")
        super().save(*args, **kwargs)

"""The outcomes app's migrations 0001-0002 as one, for a fresh database.

Squashed (`squashmigrations`, then every later change of a model folded into its
CreateModel by hand, which the optimizer will not do across other models): a first
migrate renders Django's model state once per operation, so fewer operations make
it faster. A database that applied the old migrations keeps them (``replaces``).
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("outcomes", "0001_initial"), ("outcomes", "0002_clinic_cap_optional")]

    initial = True

    dependencies = [
        ("clinic", "0003_booking_rules_turnover_couch"),
        ("people", "0003_calendarfeedtoken"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Course",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "modality",
                    models.CharField(
                        choices=[
                            ("assessment", "Assessment"),
                            ("traditional", "Traditional acupuncture"),
                            ("medical", "Medical (western) acupuncture"),
                            ("follow_up", "Follow-up"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "condition",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("low_back", "Chronic low back pain"),
                            ("headache", "Headaches"),
                            ("fibromyalgia", "Fibromyalgia"),
                            ("msk", "Musculoskeletal pain"),
                            ("post_surgery", "Post-surgery pain"),
                            ("sciatica", "Sciatica"),
                            ("whiplash", "Whiplash"),
                            ("other", "Other chronic pain"),
                        ],
                        max_length=20,
                    ),
                ),
                ("started_on", models.DateField()),
                ("ended_on", models.DateField(blank=True, null=True)),
                (
                    "end_reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("discharged", "Discharged"),
                            ("after_review", "Stopped after a review"),
                            ("stopped_attending", "Stopped attending"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "phase",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("initial", "Weekly"),
                            ("taper", "Every other week"),
                            ("maintenance", "Monthly maintenance"),
                            ("review", "Review due"),
                        ],
                        max_length=20,
                    ),
                ),
                ("series", models.PositiveSmallIntegerField(default=1)),
                ("sessions", models.PositiveIntegerField(default=0)),
                ("contact_minutes", models.PositiveIntegerField(default=0)),
                ("baseline_pain", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("latest_pain", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("first_mcid_session", models.PositiveSmallIntegerField(blank=True, null=True)),
                ("relapses", models.PositiveSmallIntegerField(default=0)),
                ("non_responder", models.BooleanField(default=False)),
                ("left_initial_on", models.DateField(blank=True, null=True)),
                ("last_session_on", models.DateField(blank=True, null=True)),
                ("refreshed_at", models.DateTimeField()),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="courses",
                        to="clinic.clinic",
                    ),
                ),
                (
                    "ended_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="courses",
                        to="people.patient",
                    ),
                ),
                (
                    "practitioner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="courses",
                        to="people.practitioner",
                    ),
                ),
            ],
            options={
                "ordering": ["-started_on", "-id"],
                "indexes": [
                    models.Index(fields=["clinic", "started_on"], name="course_clinic_started"),
                    models.Index(fields=["patient", "started_on"], name="course_patient_started"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("ended_on__isnull", True)),
                        fields=("patient",),
                        name="course_one_open",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("ended_on__isnull", True),
                            ("ended_on__gte", models.F("started_on")),
                            _connector="OR",
                        ),
                        name="course_ends_after_start",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("end_reason", ""), ("ended_on__isnull", True)),
                            models.Q(
                                ("ended_on__isnull", False),
                                models.Q(("end_reason", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="course_closed_with_reason",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("baseline_pain__isnull", True),
                                ("baseline_pain__lte", 10),
                                _connector="OR",
                            ),
                            models.Q(
                                ("latest_pain__isnull", True),
                                ("latest_pain__lte", 10),
                                _connector="OR",
                            ),
                        ),
                        name="course_pain_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("phase__in", ["", "initial", "taper", "maintenance", "review"])
                        ),
                        name="course_phase_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("series__gte", 1)), name="course_series_from_one"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="CourseReview",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("reviewed_on", models.DateField()),
                (
                    "decision",
                    models.CharField(
                        choices=[
                            ("continue", "Continue: a further trial of weekly sessions"),
                            ("discharge", "Stop: close the course"),
                        ],
                        max_length=20,
                    ),
                ),
                ("note", models.TextField(blank=True)),
                ("created_at", models.DateTimeField()),
                (
                    "course",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="reviews",
                        to="outcomes.course",
                    ),
                ),
                (
                    "reviewed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["course", "reviewed_on", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("decision__in", ["continue", "discharge"])),
                        name="review_decision_valid",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Measurement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("measure", models.CharField(max_length=20)),
                ("taken_on", models.DateField()),
                ("score", models.DecimalField(decimal_places=1, max_digits=4)),
                ("answers", models.JSONField(blank=True, default=list)),
                ("missing", models.PositiveSmallIntegerField(default=0)),
                (
                    "entry",
                    models.CharField(
                        choices=[
                            ("items", "Scored from the answers"),
                            ("total", "Total entered from a licensed copy"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("clinician", "Entered by a clinician"),
                            ("patient", "Completed by the patient"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "timepoint",
                    models.CharField(
                        choices=[
                            ("baseline", "Baseline"),
                            ("after_initial", "After the first weekly series"),
                            ("discharge", "Discharge"),
                            ("diary", "Pain diary"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                    ),
                ),
                ("note", models.TextField(blank=True)),
                ("recorded_at", models.DateTimeField()),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="measurements",
                        to="people.patient",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["patient", "taken_on", "id"],
                "indexes": [
                    models.Index(fields=["patient", "taken_on"], name="measurement_patient_day")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("score__gte", 0), ("score__lte", 100)),
                        name="measurement_score_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("entry__in", ["items", "total"])),
                        name="measurement_entry",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("source__in", ["clinician", "patient"])),
                        name="measurement_source",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "timepoint__in",
                                ["baseline", "after_initial", "discharge", "diary", "other"],
                            )
                        ),
                        name="measurement_timepoint",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("recorded_by__isnull", True), ("source", "patient")),
                            models.Q(("recorded_by__isnull", False), ("source", "clinician")),
                            _connector="OR",
                        ),
                        name="measurement_author",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="OutcomesPolicy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "pain_mcid_kind",
                    models.CharField(
                        choices=[
                            ("points", "A fall of a number of points"),
                            ("percent", "A fall of a percentage of the baseline"),
                        ],
                        default="points",
                        max_length=10,
                        verbose_name="improvement in pain means",
                    ),
                ),
                (
                    "pain_mcid_points",
                    models.PositiveSmallIntegerField(
                        default=2,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(5),
                        ],
                        verbose_name="points of improvement",
                    ),
                ),
                (
                    "pain_mcid_percent",
                    models.PositiveSmallIntegerField(
                        default=30,
                        validators=[
                            django.core.validators.MinValueValidator(10),
                            django.core.validators.MaxValueValidator(60),
                        ],
                        verbose_name="percentage of baseline",
                    ),
                ),
                (
                    "improving_sessions",
                    models.PositiveSmallIntegerField(
                        default=2,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(4),
                        ],
                        verbose_name="improved sessions in a row before every other week",
                    ),
                ),
                (
                    "taper_sessions",
                    models.PositiveSmallIntegerField(
                        default=2,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(6),
                        ],
                        verbose_name="improved fortnightly sessions before monthly maintenance",
                    ),
                ),
                (
                    "relapse_measures",
                    models.PositiveSmallIntegerField(
                        default=2,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(4),
                        ],
                        verbose_name="measures in a row above the lowest that make a relapse",
                    ),
                ),
                (
                    "trial_sessions",
                    models.PositiveSmallIntegerField(
                        default=6,
                        validators=[
                            django.core.validators.MinValueValidator(3),
                            django.core.validators.MaxValueValidator(12),
                        ],
                        verbose_name="sessions without improvement before a review",
                    ),
                ),
                (
                    "initial_interval_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(10),
                        ],
                        verbose_name="weekly phase: days apart",
                    ),
                ),
                (
                    "taper_interval_days",
                    models.PositiveSmallIntegerField(
                        default=14,
                        validators=[
                            django.core.validators.MinValueValidator(10),
                            django.core.validators.MaxValueValidator(21),
                        ],
                        verbose_name="taper: days apart",
                    ),
                ),
                (
                    "maintenance_interval_days",
                    models.PositiveSmallIntegerField(
                        default=28,
                        validators=[
                            django.core.validators.MinValueValidator(21),
                            django.core.validators.MaxValueValidator(56),
                        ],
                        verbose_name="maintenance: days apart",
                    ),
                ),
                (
                    "contact_cap_minutes",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        default=None,
                        null=True,
                        validators=[
                            django.core.validators.MinValueValidator(60),
                            django.core.validators.MaxValueValidator(1200),
                        ],
                        verbose_name="the clinic's own cap on clinician contact time per course (minutes)",
                    ),
                ),
                (
                    "diary_every_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        validators=[
                            django.core.validators.MinValueValidator(3),
                            django.core.validators.MaxValueValidator(28),
                        ],
                        verbose_name="ask for a pain diary entry every (days)",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "clinic",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="outcomes_policy",
                        to="clinic.clinic",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "outcomes policies",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("pain_mcid_kind__in", ["points", "percent"])),
                        name="outcomespolicy_kind",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("pain_mcid_points__gte", 1), ("pain_mcid_points__lte", 5)
                        ),
                        name="outcomespolicy_pain_mcid_points_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("pain_mcid_percent__gte", 10), ("pain_mcid_percent__lte", 60)
                        ),
                        name="outcomespolicy_pain_mcid_percent_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("improving_sessions__gte", 1), ("improving_sessions__lte", 4)
                        ),
                        name="outcomespolicy_improving_sessions_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("taper_sessions__gte", 1), ("taper_sessions__lte", 6)),
                        name="outcomespolicy_taper_sessions_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("relapse_measures__gte", 1), ("relapse_measures__lte", 4)
                        ),
                        name="outcomespolicy_relapse_measures_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("trial_sessions__gte", 3), ("trial_sessions__lte", 12)),
                        name="outcomespolicy_trial_sessions_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("initial_interval_days__gte", 5), ("initial_interval_days__lte", 10)
                        ),
                        name="outcomespolicy_initial_interval_days_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("taper_interval_days__gte", 10), ("taper_interval_days__lte", 21)
                        ),
                        name="outcomespolicy_taper_interval_days_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("maintenance_interval_days__gte", 21),
                            ("maintenance_interval_days__lte", 56),
                        ),
                        name="outcomespolicy_maintenance_interval_days_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("contact_cap_minutes__gte", 60), ("contact_cap_minutes__lte", 1200)
                            ),
                            ("contact_cap_minutes__isnull", True),
                            _connector="OR",
                        ),
                        name="outcomespolicy_contact_cap_minutes_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("diary_every_days__gte", 3), ("diary_every_days__lte", 28)
                        ),
                        name="outcomespolicy_diary_every_days_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="SummaryMark",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("notes_signed_before", models.DateTimeField()),
                (
                    "clinic",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="clinic.clinic",
                    ),
                ),
            ],
        ),
    ]

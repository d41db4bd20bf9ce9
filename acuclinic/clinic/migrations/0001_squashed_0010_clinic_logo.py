"""The clinic app's migrations 0001-0010 (with their merges) as one, for a fresh database.
Their data migrations are left out, each only changes existing rows and a new table has
none: 0002 (needling from modality), 0005 (first-visit services), 0007 (the demo clinic's
two-factor off; so the dependency on audit that it needed goes too).

Squashed (`squashmigrations`, then every later change of a model folded into its
CreateModel by hand, which the optimizer will not do across other models): a first
migrate renders Django's model state once per operation, so fewer operations make
it faster. A database that applied the old migrations keeps them (``replaces``).
"""

import acuclinic.clinic.models
import django.core.validators
import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("clinic", "0001_initial"),
        ("clinic", "0002_service_needling"),
        ("clinic", "0003_booking_rules_turnover_couch"),
        ("clinic", "0004_location_licensing"),
        ("clinic", "0005_calendar_feed_patient_names"),
        ("clinic", "0006_require_two_factor"),
        ("clinic", "0007_demo_clinic_two_factor_off"),
        ("clinic", "0005_clinic_arrival_window"),
        ("clinic", "0006_merge_arrival_window_and_calendar_feed_names"),
        ("clinic", "0008_merge_two_factor_and_arrival_window"),
        ("clinic", "0005_service_first_visit"),
        ("clinic", "0009_merge_service_first_visit"),
        ("clinic", "0010_clinic_logo"),
    ]

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Clinic",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=120, unique=True)),
                ("email", models.EmailField(blank=True, max_length=254)),
                ("phone", models.CharField(blank=True, max_length=30)),
                ("website", models.URLField(blank=True)),
                (
                    "cancellation_notice_hours",
                    models.PositiveSmallIntegerField(
                        default=24, validators=[django.core.validators.MaxValueValidator(168)]
                    ),
                ),
                (
                    "booking_horizon_days",
                    models.PositiveSmallIntegerField(
                        default=90,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(730),
                        ],
                        verbose_name="online booking opens this many days ahead",
                    ),
                ),
                (
                    "min_booking_notice_hours",
                    models.PositiveSmallIntegerField(
                        default=12,
                        validators=[django.core.validators.MaxValueValidator(336)],
                        verbose_name="minimum notice for online bookings (hours)",
                    ),
                ),
                (
                    "calendar_feed_patient_names",
                    models.BooleanField(
                        default=False, verbose_name="show patients' names in calendar feeds"
                    ),
                ),
                (
                    "require_two_factor",
                    models.BooleanField(
                        default=True,
                        verbose_name="require two-factor sign-in for every member of staff",
                    ),
                ),
                (
                    "arrival_window_minutes",
                    models.PositiveSmallIntegerField(
                        default=30,
                        validators=[django.core.validators.MaxValueValidator(240)],
                        verbose_name="a visit can be marked arrived this many minutes before its start",
                    ),
                ),
                ("logo", models.BinaryField(blank=True, default=b"")),
                ("logo_digest", models.CharField(blank=True, editable=False, max_length=16)),
                ("logo_type", models.CharField(blank=True, editable=False, max_length=20)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("cancellation_notice_hours__lte", 168)),
                        name="clinic_notice_le_week",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("min_booking_notice_hours__lte", 336)),
                        name="clinic_min_notice_le_2_weeks",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("booking_horizon_days__gte", 1), ("booking_horizon_days__lte", 730)
                        ),
                        name="clinic_horizon_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("arrival_window_minutes__lte", 240)),
                        name="clinic_arrival_window_le_4h",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Location",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=120)),
                ("address_line1", models.CharField(max_length=120)),
                ("address_line2", models.CharField(blank=True, max_length=120)),
                ("town", models.CharField(max_length=80)),
                ("postcode", models.CharField(max_length=10)),
                ("phone", models.CharField(blank=True, max_length=30)),
                (
                    "time_zone",
                    models.CharField(
                        default="Europe/London",
                        max_length=60,
                        validators=[acuclinic.clinic.models.validate_time_zone],
                    ),
                ),
                ("is_active", models.BooleanField(default=True)),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="locations",
                        to="clinic.clinic",
                    ),
                ),
                (
                    "licensing_authority",
                    models.CharField(
                        blank=True,
                        help_text="The council or London borough, e.g. “Leeds City Council”.",
                        max_length=80,
                        verbose_name="licensing council",
                    ),
                ),
                (
                    "licensing_regime",
                    models.CharField(
                        choices=[
                            ("none", "No local authority licensing of acupuncture"),
                            ("lgmpa_1982_s14", "Registration with the council (LG(MP)A 1982 s.14)"),
                            ("llaa_1991", "London special treatment licence (LLAA 1991)"),
                        ],
                        default="none",
                        max_length=20,
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(fields=("clinic", "name"), name="location_unique_name"),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("licensing_regime__in", ["none", "lgmpa_1982_s14", "llaa_1991"])
                        ),
                        name="location_licensing_regime_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("licensing_authority", ""), ("licensing_regime", "none")),
                            models.Q(
                                models.Q(("licensing_regime", "none"), _negated=True),
                                models.Q(("licensing_authority", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="location_licensing_authority_named",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="OpeningHours",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "weekday",
                    models.PositiveSmallIntegerField(
                        choices=[
                            (0, "Monday"),
                            (1, "Tuesday"),
                            (2, "Wednesday"),
                            (3, "Thursday"),
                            (4, "Friday"),
                            (5, "Saturday"),
                            (6, "Sunday"),
                        ]
                    ),
                ),
                ("opens", models.TimeField()),
                ("closes", models.TimeField()),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="opening_hours",
                        to="clinic.location",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "opening hours",
                "ordering": ["weekday", "opens"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("closes__gt", models.F("opens"))),
                        name="hours_close_after_open",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("weekday__lte", 6)), name="hours_weekday_range"
                    ),
                    models.UniqueConstraint(
                        fields=("location", "weekday", "opens"), name="hours_unique"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Room",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=60)),
                ("is_active", models.BooleanField(default=True)),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="rooms",
                        to="clinic.location",
                    ),
                ),
                (
                    "has_couch",
                    models.BooleanField(default=True, verbose_name="has a treatment couch"),
                ),
            ],
            options={
                "ordering": ["location__name", "name"],
                "constraints": [
                    models.UniqueConstraint(fields=("location", "name"), name="room_unique_name")
                ],
            },
        ),
        migrations.CreateModel(
            name="Service",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=120)),
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
                    "duration_minutes",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(240),
                        ]
                    ),
                ),
                (
                    "price_pence",
                    models.PositiveIntegerField(
                        validators=[django.core.validators.MaxValueValidator(1000000)]
                    ),
                ),
                ("description", models.TextField(blank=True)),
                ("is_active", models.BooleanField(default=True)),
                ("bookable_online", models.BooleanField(default=True)),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="services",
                        to="clinic.clinic",
                    ),
                ),
                (
                    "needling",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("traditional", "Traditional acupuncture"),
                            ("medical", "Medical (western) acupuncture"),
                        ],
                        help_text="The acupuncture this visit may include; blank for none.",
                        max_length=20,
                    ),
                ),
                (
                    "turnover_minutes",
                    models.PositiveSmallIntegerField(
                        default=0,
                        validators=[django.core.validators.MaxValueValidator(60)],
                        verbose_name="turnover after each visit (minutes)",
                    ),
                ),
                (
                    "first_visit",
                    models.BooleanField(
                        default=False,
                        help_text="An assessment is always a first visit.",
                        verbose_name="for new patients (a first visit)",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
                "constraints": [
                    models.UniqueConstraint(fields=("clinic", "name"), name="service_unique_name"),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("duration_minutes__gte", 5), ("duration_minutes__lte", 240)
                        ),
                        name="service_duration_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("price_pence__gte", 0), ("price_pence__lte", 1000000)),
                        name="service_price_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("modality__in", ["assessment", "traditional", "medical", "follow_up"])
                        ),
                        name="service_modality_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("modality__in", ["medical", "traditional"]),
                                ("needling", models.F("modality")),
                            ),
                            models.Q(
                                models.Q(
                                    ("modality__in", ["medical", "traditional"]), _negated=True
                                ),
                                ("needling__in", ["", "medical", "traditional"]),
                            ),
                            _connector="OR",
                        ),
                        name="service_needling_matches_modality",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("turnover_minutes__lte", 60)),
                        name="service_turnover_le_hour",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="PremisesRegistration",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("authority", models.CharField(max_length=80, verbose_name="council")),
                ("number", models.CharField(max_length=40)),
                ("valid_from", models.DateField()),
                ("valid_until", models.DateField(blank=True, null=True)),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="premises_registrations",
                        to="clinic.location",
                    ),
                ),
            ],
            options={
                "ordering": ["location__name", "valid_from", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("valid_until__isnull", True),
                            ("valid_until__gte", models.F("valid_from")),
                            _connector="OR",
                        ),
                        name="premises_registration_dates_ordered",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("authority", ""), _negated=True),
                            models.Q(("number", ""), _negated=True),
                        ),
                        name="premises_registration_named",
                    ),
                    models.UniqueConstraint(
                        fields=("location", "authority", "number", "valid_from"),
                        name="premises_registration_unique",
                    ),
                ],
            },
        ),
    ]

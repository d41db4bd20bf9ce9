"""The scheduling app's migrations 0001-0008 as one, for a fresh database. 0003's data
migration (held_until and cancelled_by on existing appointments) is left out: a new
table has none. The tables of the models that 0007 gave to enquiries, online_booking
and waitlist are still made here (those apps' 0001 take them over, state only).

Squashed (`squashmigrations`, then every later change of a model folded into its
CreateModel by hand, which the optimizer will not do across other models): a first
migrate renders Django's model state once per operation, so fewer operations make
it faster. A database that applied the old migrations keeps them (``replaces``).
"""

import datetime
import django.db.models.deletion
import django.db.models.expressions
from django.conf import settings
from django.db import migrations, models

from acuclinic.scheduling.sql import SQLITE_NO_OVERLAP


# Hand-written, not by squashmigrations: the database's own refusal of overlapping
# appointments. On PostgreSQL, exclusion constraints (0002 made them up to "end", 0004
# remade them up to held_until: here they are made once, as 0004 left them). On SQLite,
# the triggers of 0008. Both come after every table change of scheduling_appointment.
ACTIVE = "status IN ('booked', 'arrived', 'completed')"

PG_NO_OVERLAP = f"""
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE scheduling_appointment ADD CONSTRAINT appt_no_practitioner_overlap
    EXCLUDE USING gist (practitioner_id WITH =, tstzrange(start, held_until, '[)') WITH &&)
    WHERE ({ACTIVE});
ALTER TABLE scheduling_appointment ADD CONSTRAINT appt_no_room_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(start, held_until, '[)') WITH &&)
    WHERE ({ACTIVE});
"""
PG_DROP = """
ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appt_no_practitioner_overlap;
ALTER TABLE scheduling_appointment DROP CONSTRAINT IF EXISTS appt_no_room_overlap;
"""


def no_overlap(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_NO_OVERLAP)
    else:
        for sql in SQLITE_NO_OVERLAP:
            schema_editor.execute(sql)


def drop_no_overlap(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP)
    else:
        for what in ("practitioner", "room"):
            for event in ("insert", "update"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS appt_no_{what}_overlap_{event}")


class Migration(migrations.Migration):
    replaces = [
        ("scheduling", "0001_initial"),
        ("scheduling", "0002_no_overlap_exclusion"),
        ("scheduling", "0003_working_time_series_turnover"),
        ("scheduling", "0004_overlap_includes_turnover"),
        ("scheduling", "0005_held_at_most_nine_hours"),
        ("scheduling", "0006_online_booking_enquiries_waitlist"),
        ("scheduling", "0007_front_desk_apps_take_their_models"),
        ("scheduling", "0008_sqlite_overlap_triggers"),
    ]

    initial = True

    dependencies = [
        ("clinic", "0001_initial"),
        ("clinic", "0003_booking_rules_turnover_couch"),
        ("people", "0001_initial"),
        ("people", "0002_apitoken"),
        ("people", "0003_calendarfeedtoken"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="WorkingException",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("leave", "Leave"),
                            ("training", "Training"),
                            ("bank_holiday", "Bank holiday"),
                            ("extra", "Extra session"),
                        ],
                        max_length=20,
                    ),
                ),
                ("first_day", models.DateField()),
                ("last_day", models.DateField()),
                ("starts", models.TimeField(blank=True, null=True)),
                ("ends", models.TimeField(blank=True, null=True)),
                ("note", models.CharField(blank=True, max_length=200)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for every location.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="working_exceptions",
                        to="clinic.location",
                    ),
                ),
                (
                    "practitioner",
                    models.ForeignKey(
                        blank=True,
                        help_text="Empty for everyone.",
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="working_exceptions",
                        to="people.practitioner",
                    ),
                ),
            ],
            options={
                "ordering": ["first_day", "starts"],
                "indexes": [
                    models.Index(
                        fields=["practitioner", "first_day"], name="exception_practitioner_day"
                    ),
                    models.Index(fields=["last_day"], name="exception_last_day"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("kind__in", ["leave", "training", "bank_holiday", "extra"])
                        ),
                        name="exception_kind_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("last_day__gte", models.F("first_day"))),
                        name="exception_days_ordered",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("ends__isnull", True), ("starts__isnull", True)),
                            models.Q(
                                ("ends__gt", models.F("starts")),
                                ("ends__isnull", False),
                                ("starts__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="exception_times_whole_or_ordered",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "extra"), _negated=True),
                            models.Q(("location__isnull", False), ("practitioner__isnull", False)),
                            _connector="OR",
                        ),
                        name="exception_extra_has_who_and_where",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="WorkingPattern",
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
                ("starts", models.TimeField()),
                ("ends", models.TimeField()),
                ("valid_from", models.DateField()),
                (
                    "valid_until",
                    models.DateField(
                        blank=True,
                        help_text="The last day it applies; empty while it runs on.",
                        null=True,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="working_patterns",
                        to="clinic.location",
                    ),
                ),
                (
                    "practitioner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="working_patterns",
                        to="people.practitioner",
                    ),
                ),
            ],
            options={
                "ordering": ["weekday", "starts", "valid_from"],
                "indexes": [
                    models.Index(
                        fields=["practitioner", "weekday"], name="pattern_practitioner_day"
                    ),
                    models.Index(fields=["location", "weekday"], name="pattern_location_day"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends__gt", models.F("starts"))),
                        name="pattern_ends_after",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("weekday__lte", 6)), name="pattern_weekday_range"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("valid_until__isnull", True),
                            ("valid_until__gte", models.F("valid_from")),
                            _connector="OR",
                        ),
                        name="pattern_dates_ordered",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="IdempotentRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=200)),
                ("request_digest", models.CharField(max_length=64)),
                ("status_code", models.PositiveSmallIntegerField()),
                ("response_body", models.TextField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("user", "key"), name="idempotency_unique_key")
                ],
            },
        ),
        migrations.CreateModel(
            name="RoomClosure",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("starts", models.DateTimeField()),
                ("ends", models.DateTimeField()),
                ("reason", models.CharField(blank=True, max_length=200)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "room",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="closures",
                        to="clinic.room",
                    ),
                ),
            ],
            options={
                "ordering": ["starts"],
                "indexes": [models.Index(fields=["room", "ends"], name="closure_room_ends")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("ends__gt", models.F("starts"))),
                        name="closure_ends_after",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Series",
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
                ("local_time", models.TimeField()),
                ("interval_weeks", models.PositiveSmallIntegerField(default=1)),
                ("sessions", models.PositiveSmallIntegerField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="series",
                        to="clinic.location",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="series",
                        to="people.patient",
                    ),
                ),
                (
                    "practitioner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="series",
                        to="people.practitioner",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="series",
                        to="clinic.service",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "series",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("sessions__gte", 1), ("sessions__lte", 52)),
                        name="series_sessions_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("interval_weeks__gte", 1), ("interval_weeks__lte", 4)),
                        name="series_interval_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("weekday__lte", 6)), name="series_weekday_range"
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Appointment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start", models.DateTimeField()),
                ("end", models.DateTimeField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("booked", "Booked"),
                            ("arrived", "Arrived"),
                            ("completed", "Completed"),
                            ("cancelled", "Cancelled"),
                            ("late_cancelled", "Cancelled late"),
                            ("dna", "Did not attend"),
                        ],
                        default="booked",
                        max_length=20,
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("phone", "Phone"),
                            ("email", "Email"),
                            ("web", "Online"),
                            ("walk_in", "Walk-in"),
                        ],
                        default="phone",
                        max_length=10,
                    ),
                ),
                ("notes", models.TextField(blank=True)),
                ("cancelled_at", models.DateTimeField(blank=True, null=True)),
                ("cancellation_reason", models.CharField(blank=True, max_length=200)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "created_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="people.patient",
                    ),
                ),
                (
                    "practitioner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="people.practitioner",
                    ),
                ),
                (
                    "room",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="clinic.room",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="clinic.service",
                    ),
                ),
                (
                    "cancelled_by",
                    models.CharField(
                        blank=True,
                        choices=[("patient", "The patient"), ("clinic", "The clinic")],
                        max_length=10,
                    ),
                ),
                ("extra_session", models.BooleanField(default=False)),
                ("held_until", models.DateTimeField()),
                ("series_index", models.PositiveSmallIntegerField(blank=True, null=True)),
                (
                    "series",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="scheduling.series",
                    ),
                ),
            ],
            options={
                "ordering": ["start"],
                "indexes": [
                    models.Index(fields=["practitioner", "start"], name="appt_practitioner_start"),
                    models.Index(fields=["room", "start"], name="appt_room_start"),
                    models.Index(fields=["patient", "start"], name="appt_patient_start"),
                    models.Index(fields=["start"], name="appt_start"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("end__gt", models.F("start"))),
                        name="appt_end_after_start",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "status__in",
                                [
                                    "booked",
                                    "arrived",
                                    "completed",
                                    "cancelled",
                                    "late_cancelled",
                                    "dna",
                                ],
                            )
                        ),
                        name="appt_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("channel__in", ["phone", "email", "web", "walk_in"])),
                        name="appt_channel_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("status__in", ["cancelled", "late_cancelled"]), _negated=True
                            ),
                            ("cancelled_at__isnull", False),
                            _connector="OR",
                        ),
                        name="appt_cancel_has_time",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("held_until__gte", models.F("end"))),
                        name="appt_held_until_after_end",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("series__isnull", True), ("series_index__isnull", True)),
                            models.Q(("series__isnull", False), ("series_index__gte", 1)),
                            _connector="OR",
                        ),
                        name="appt_series_has_index",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("series__isnull", False)),
                        fields=("series", "series_index"),
                        name="appt_series_index_unique",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "held_until__lte",
                                django.db.models.expressions.CombinedExpression(
                                    models.F("start"),
                                    "+",
                                    models.Value(datetime.timedelta(seconds=32400)),
                                ),
                            )
                        ),
                        name="appt_held_at_most_9h",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="FreedTime",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("start", models.DateTimeField()),
                ("end", models.DateTimeField()),
                ("taken_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="clinic.location",
                    ),
                ),
                (
                    "practitioner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="people.practitioner",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("end__gt", models.F("start"))),
                        name="freed_end_after_start",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="OnlineBooking",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("given_name", models.CharField(max_length=80)),
                ("family_name", models.CharField(max_length=80)),
                ("date_of_birth", models.DateField()),
                ("email", models.EmailField(max_length=254)),
                ("phone", models.CharField(blank=True, max_length=30, verbose_name="mobile phone")),
                (
                    "condition",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("low_back", "Back pain"),
                            ("headache", "Headaches or migraine"),
                            ("fibromyalgia", "Fibromyalgia"),
                            ("msk", "Muscle or joint pain"),
                            ("post_surgery", "Pain after an operation"),
                            ("sciatica", "Sciatica"),
                            ("whiplash", "Whiplash"),
                            ("other", "Something else"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "wants_contact",
                    models.BooleanField(
                        default=False,
                        verbose_name="happy to be reminded and contacted by email and text",
                    ),
                ),
                (
                    "match",
                    models.CharField(
                        choices=[
                            ("matched", "Returning patient"),
                            ("new", "New patient"),
                            ("possible_duplicate", "New record, may be a returning patient"),
                        ],
                        max_length=20,
                    ),
                ),
                ("checked_at", models.DateTimeField(blank=True, null=True)),
                ("check_note", models.CharField(blank=True, max_length=200)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "appointment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="online_booking",
                        to="scheduling.appointment",
                    ),
                ),
                (
                    "checked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "possible_matches",
                    models.ManyToManyField(blank=True, related_name="+", to="people.patient"),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["match", "checked_at"], name="online_booking_to_check")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("match__in", ["matched", "new", "possible_duplicate"])),
                        name="online_booking_match_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("checked_at__isnull", True),
                            models.Q(("match", "matched"), _negated=True),
                            _connector="OR",
                        ),
                        name="online_booking_only_new_records_checked",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="RateLimitCount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("key", models.CharField(max_length=100)),
                ("window_start", models.DateTimeField()),
                ("count", models.PositiveIntegerField(default=0)),
            ],
            options={
                "indexes": [models.Index(fields=["window_start"], name="ratelimit_window")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("key", "window_start"), name="ratelimit_unique_window"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="WaitlistEntry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("weekdays", models.PositiveSmallIntegerField()),
                ("earliest", models.TimeField(verbose_name="from (time of day)")),
                ("latest", models.TimeField(verbose_name="until (time of day)")),
                ("until", models.DateField(verbose_name="waiting until")),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("waiting", "Waiting"),
                            ("booked", "Booked from an offer"),
                            ("removed", "Removed"),
                        ],
                        default="waiting",
                        max_length=10,
                    ),
                ),
                ("notes", models.CharField(blank=True, max_length=200)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("ended_at", models.DateTimeField(blank=True, null=True)),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        help_text="The later visit an offer would bring forward.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="scheduling.appointment",
                    ),
                ),
                (
                    "booked",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="scheduling.appointment",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "location",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clinic.location",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="waitlist",
                        to="people.patient",
                    ),
                ),
                (
                    "practitioners",
                    models.ManyToManyField(
                        blank=True,
                        help_text="None chosen means anyone.",
                        related_name="+",
                        to="people.practitioner",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clinic.service",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "waitlist entries",
                "ordering": ["created_at", "id"],
                "indexes": [
                    models.Index(fields=["status", "location", "until"], name="waitlist_waiting")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("weekdays__gte", 1), ("weekdays__lte", 127)),
                        name="waitlist_weekdays_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("latest__gt", models.F("earliest"))),
                        name="waitlist_window_ordered",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["waiting", "booked", "removed"])),
                        name="waitlist_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status", "waiting"), ("ended_at__isnull", False), _connector="OR"
                        ),
                        name="waitlist_ended_has_time",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="WaitlistOffer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField()),
                ("start", models.DateTimeField()),
                ("end", models.DateTimeField()),
                ("token_digest", models.CharField(editable=False, max_length=64, unique=True)),
                ("expires_at", models.DateTimeField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("offered", "Offered"),
                            ("accepted", "Accepted"),
                            ("declined", "Declined"),
                            ("gone", "Taken by someone else"),
                        ],
                        default="offered",
                        max_length=10,
                    ),
                ),
                ("responded_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="scheduling.appointment",
                    ),
                ),
                (
                    "entry",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="offers",
                        to="scheduling.waitlistentry",
                    ),
                ),
                (
                    "freed",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="offers",
                        to="scheduling.freedtime",
                    ),
                ),
                (
                    "practitioner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="people.practitioner",
                    ),
                ),
                (
                    "room",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="clinic.room",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="clinic.service",
                    ),
                ),
            ],
            options={
                "ordering": ["freed", "position"],
                "constraints": [
                    models.UniqueConstraint(fields=("freed", "entry"), name="offer_once_per_entry"),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["offered", "accepted", "declined", "gone"])
                        ),
                        name="offer_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status", "offered"), ("responded_at__isnull", False), _connector="OR"
                        ),
                        name="offer_answered_has_time",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("status", "accepted")),
                        fields=("freed",),
                        name="offer_one_accepted_per_freed_time",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Enquiry",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "channel",
                    models.CharField(
                        choices=[("phone", "Phone"), ("email", "Email"), ("web", "Web form")],
                        max_length=10,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("new", "New"),
                            ("replied", "Replied"),
                            ("booked", "Booked"),
                            ("closed", "Closed"),
                        ],
                        default="new",
                        max_length=10,
                    ),
                ),
                ("name", models.CharField(max_length=120)),
                ("email", models.EmailField(blank=True, max_length=254)),
                ("phone", models.CharField(blank=True, max_length=30)),
                ("message", models.TextField()),
                (
                    "condition",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("low_back", "Back pain"),
                            ("headache", "Headaches or migraine"),
                            ("fibromyalgia", "Fibromyalgia"),
                            ("msk", "Muscle or joint pain"),
                            ("post_surgery", "Pain after an operation"),
                            ("sciatica", "Sciatica"),
                            ("whiplash", "Whiplash"),
                            ("other", "Something else"),
                        ],
                        max_length=20,
                        verbose_name="what it is about",
                    ),
                ),
                ("received_at", models.DateTimeField()),
                ("notes", models.TextField(blank=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="enquiries",
                        to="scheduling.appointment",
                    ),
                ),
                (
                    "created_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "handled_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="enquiries",
                        to="people.patient",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "enquiries",
                "ordering": ["-received_at", "-id"],
                "indexes": [
                    models.Index(fields=["status", "received_at"], name="enquiry_status_received")
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("channel__in", ["phone", "email", "web"])),
                        name="enquiry_channel_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("status__in", ["new", "replied", "booked", "closed"])),
                        name="enquiry_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("email", ""), _negated=True),
                            models.Q(("phone", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="enquiry_has_contact",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "booked"), _negated=True),
                            ("appointment__isnull", False),
                            _connector="OR",
                        ),
                        name="enquiry_booked_has_appointment",
                    ),
                ],
            },
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name="WaitlistOffer",
                ),
                migrations.DeleteModel(
                    name="FreedTime",
                ),
                migrations.DeleteModel(
                    name="WaitlistEntry",
                ),
                migrations.DeleteModel(
                    name="Enquiry",
                ),
                migrations.DeleteModel(
                    name="OnlineBooking",
                ),
                migrations.DeleteModel(
                    name="RateLimitCount",
                ),
            ],
        ),
        migrations.RunPython(no_overlap, drop_no_overlap),
    ]

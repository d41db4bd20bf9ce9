"""The people app's migrations 0001-0005 as one, for a fresh database. 0006 stays
apart: it depends on clinic, whose migrations depend (through audit) on this one.
0005's data migration (an expiry for tokens made before it) is left out: a new table
has no tokens.

Squashed (`squashmigrations`, then every later change of a model folded into its
CreateModel by hand, which the optimizer will not do across other models): a first
migrate renders Django's model state once per operation, so fewer operations make
it faster. A database that applied the old migrations keeps them (``replaces``).
"""

import acuclinic.people.models
import datetime
import django.contrib.auth.models
import django.contrib.auth.validators
import django.db.models.deletion
import django.db.models.functions.text
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("people", "0001_initial"),
        ("people", "0002_apitoken"),
        ("people", "0003_calendarfeedtoken"),
        ("people", "0004_council_credentials"),
        ("people", "0005_apitoken_expiry_and_scope"),
    ]

    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.CreateModel(
            name="User",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("password", models.CharField(max_length=128, verbose_name="password")),
                (
                    "last_login",
                    models.DateTimeField(blank=True, null=True, verbose_name="last login"),
                ),
                (
                    "is_superuser",
                    models.BooleanField(
                        default=False,
                        help_text="Designates that this user has all permissions without explicitly assigning them.",
                        verbose_name="superuser status",
                    ),
                ),
                (
                    "username",
                    models.CharField(
                        error_messages={"unique": "A user with that username already exists."},
                        help_text="Required. 150 characters or fewer. Letters, digits and @/./+/-/_ only.",
                        max_length=150,
                        unique=True,
                        validators=[django.contrib.auth.validators.UnicodeUsernameValidator()],
                        verbose_name="username",
                    ),
                ),
                (
                    "first_name",
                    models.CharField(blank=True, max_length=150, verbose_name="first name"),
                ),
                (
                    "last_name",
                    models.CharField(blank=True, max_length=150, verbose_name="last name"),
                ),
                (
                    "email",
                    models.EmailField(blank=True, max_length=254, verbose_name="email address"),
                ),
                (
                    "is_staff",
                    models.BooleanField(
                        default=False,
                        help_text="Designates whether the user can log into this admin site.",
                        verbose_name="staff status",
                    ),
                ),
                (
                    "is_active",
                    models.BooleanField(
                        default=True,
                        help_text="Designates whether this user should be treated as active. Unselect this instead of deleting accounts.",
                        verbose_name="active",
                    ),
                ),
                (
                    "date_joined",
                    models.DateTimeField(
                        default=django.utils.timezone.now, verbose_name="date joined"
                    ),
                ),
                (
                    "groups",
                    models.ManyToManyField(
                        blank=True,
                        help_text="The groups this user belongs to. A user will get all permissions granted to each of their groups.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.group",
                        verbose_name="groups",
                    ),
                ),
                (
                    "user_permissions",
                    models.ManyToManyField(
                        blank=True,
                        help_text="Specific permissions for this user.",
                        related_name="user_set",
                        related_query_name="user",
                        to="auth.permission",
                        verbose_name="user permissions",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        django.db.models.functions.text.Lower("email"),
                        condition=models.Q(("email", ""), _negated=True),
                        name="user_unique_email_ci",
                    )
                ],
            },
            managers=[
                ("objects", django.contrib.auth.models.UserManager()),
            ],
        ),
        migrations.CreateModel(
            name="Patient",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("given_name", models.CharField(max_length=80)),
                ("family_name", models.CharField(max_length=80)),
                ("preferred_name", models.CharField(blank=True, max_length=80)),
                (
                    "date_of_birth",
                    models.DateField(validators=[acuclinic.people.models.validate_birth_date]),
                ),
                (
                    "sex",
                    models.CharField(
                        choices=[
                            ("female", "Female"),
                            ("male", "Male"),
                            ("other", "Other"),
                            ("unknown", "Not stated"),
                        ],
                        max_length=10,
                    ),
                ),
                ("email", models.EmailField(blank=True, max_length=254)),
                ("phone", models.CharField(blank=True, max_length=30, verbose_name="mobile phone")),
                (
                    "phone_digits",
                    models.CharField(blank=True, db_index=True, editable=False, max_length=20),
                ),
                ("address_line1", models.CharField(blank=True, max_length=120)),
                ("address_line2", models.CharField(blank=True, max_length=120)),
                ("town", models.CharField(blank=True, max_length=80)),
                ("postcode", models.CharField(blank=True, max_length=10)),
                ("contact_by_email", models.BooleanField(default=True, verbose_name="email me")),
                ("contact_by_sms", models.BooleanField(default=False, verbose_name="text me")),
                ("contact_by_phone", models.BooleanField(default=True, verbose_name="phone me")),
                ("appointment_reminders", models.BooleanField(default=True)),
                (
                    "gp_practice",
                    models.CharField(blank=True, max_length=160, verbose_name="GP practice"),
                ),
                ("emergency_contact_name", models.CharField(blank=True, max_length=120)),
                ("emergency_contact_phone", models.CharField(blank=True, max_length=30)),
                ("emergency_contact_relationship", models.CharField(blank=True, max_length=60)),
                (
                    "nhs_number",
                    models.CharField(
                        blank=True,
                        max_length=10,
                        validators=[acuclinic.people.models.validate_nhs_number],
                        verbose_name="NHS number",
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "ordering": ["family_name", "given_name"],
                "indexes": [
                    models.Index(
                        django.db.models.functions.text.Lower("family_name"),
                        django.db.models.functions.text.Lower("given_name"),
                        name="patient_name_ci",
                    ),
                    models.Index(fields=["date_of_birth"], name="patient_dob"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("nhs_number", ""), _negated=True),
                        fields=("nhs_number",),
                        name="patient_unique_nhs",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("date_of_birth__gte", datetime.date(1900, 1, 1))),
                        name="patient_dob_after_1900",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("sex__in", ["female", "male", "other", "unknown"])),
                        name="patient_sex_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ClinicalSummary",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "presenting_condition",
                    models.CharField(
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
                ("history", models.TextField(blank=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "updated_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "patient",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="clinical_summary",
                        to="people.patient",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "clinical summaries",
                "permissions": [("view_clinical", "Can open clinical content")],
            },
        ),
        migrations.CreateModel(
            name="Practitioner",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "profession",
                    models.CharField(
                        choices=[
                            ("physiotherapist", "Physiotherapist"),
                            ("acupuncturist", "Acupuncturist"),
                            ("doctor", "Doctor"),
                            ("nurse", "Nurse"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "qualified_traditional",
                    models.BooleanField(
                        default=False, verbose_name="qualified in traditional acupuncture"
                    ),
                ),
                (
                    "qualified_medical",
                    models.BooleanField(
                        default=False, verbose_name="qualified in medical acupuncture"
                    ),
                ),
                (
                    "colour",
                    models.CharField(
                        default="#2a6f97", help_text="Diary colour (#rrggbb)", max_length=7
                    ),
                ),
                ("is_active", models.BooleanField(default=True)),
                (
                    "user",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="practitioner",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["user__last_name", "user__first_name"],
            },
        ),
        migrations.CreateModel(
            name="Credential",
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
                            ("registration", "Professional registration"),
                            ("membership", "Acupuncture body membership"),
                            ("insurance", "Professional indemnity insurance"),
                            (
                                "local_authority",
                                "Local authority acupuncture registration or licence",
                            ),
                        ],
                        max_length=20,
                    ),
                ),
                ("body", models.CharField(max_length=80)),
                ("number", models.CharField(max_length=40)),
                ("valid_from", models.DateField()),
                ("valid_until", models.DateField(blank=True, null=True)),
                (
                    "practitioner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="credentials",
                        to="people.practitioner",
                    ),
                ),
            ],
            options={
                "ordering": ["kind", "valid_until"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("practitioner", "kind", "body", "number", "valid_from"),
                        name="credential_unique",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("valid_until__isnull", True),
                            ("valid_until__gte", models.F("valid_from")),
                            _connector="OR",
                        ),
                        name="credential_dates_ordered",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("valid_until__isnull", False),
                            ("kind", "local_authority"),
                            _connector="OR",
                        ),
                        name="credential_ends_unless_council",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ApiToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="What uses it, e.g. “Reception tablet”", max_length=80
                    ),
                ),
                ("digest", models.CharField(editable=False, max_length=64, unique=True)),
                ("prefix", models.CharField(editable=False, max_length=12)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("last_used_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
                (
                    "user",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="api_tokens",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("expires_at", models.DateTimeField()),
                ("read_only", models.BooleanField(default=False)),
                ("clinical", models.BooleanField(default=True, verbose_name="clinical records")),
            ],
            options={
                "verbose_name": "API token",
                "ordering": ["-created_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("revoked_at__isnull", True),
                            ("revoked_at__gte", models.F("created_at")),
                            _connector="OR",
                        ),
                        name="apitoken_revoked_after_created",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CalendarFeedToken",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(editable=False, max_length=64, unique=True)),
                ("prefix", models.CharField(editable=False, max_length=12)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("last_used_at", models.DateTimeField(blank=True, null=True)),
                ("revoked_at", models.DateTimeField(blank=True, null=True)),
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
                    "practitioner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="calendar_feed_tokens",
                        to="people.practitioner",
                    ),
                ),
                (
                    "revoked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("revoked_at__isnull", True)),
                        fields=("practitioner",),
                        name="calendarfeed_one_live_per_practitioner",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("revoked_at__isnull", True),
                            ("revoked_at__gte", models.F("created_at")),
                            _connector="OR",
                        ),
                        name="calendarfeed_revoked_after_created",
                    ),
                ],
            },
        ),
    ]

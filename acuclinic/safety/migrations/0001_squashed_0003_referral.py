"""The safety app's migrations 0001-0003 as one, for a fresh database.

Squashed (`squashmigrations`, then every later change of a model folded into its
CreateModel by hand, which the optimizer will not do across other models): a first
migrate renders Django's model state once per operation, so fewer operations make
it faster. A database that applied the old migrations keeps them (``replaces``).
"""

import acuclinic.safety.models
import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# Hand-written, not by squashmigrations: the write-once triggers of 0002 and 0003, made
# after the tables (a fresh database has them in their final shape).
TABLES = (
    "safety_questionnaire",
    "safety_changecheck",
    "safety_consent",
    "safety_precautionacknowledgement",
    "safety_specialistagreement",
    "safety_referral",
)

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION safety_write_once() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'safety records are written once and never changed';
END;
$$ LANGUAGE plpgsql;
"""


def write_once(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FUNCTION)
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION safety_write_once();"
            )
    else:
        for table in TABLES:
            schema_editor.execute(
                f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                "BEGIN SELECT RAISE(ABORT, 'safety records are written once'); END;"
            )


def drop_write_once(apps, schema_editor):
    postgres = schema_editor.connection.vendor == "postgresql"
    for table in TABLES:
        on = f" ON {table}" if postgres else ""
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update{on};")
    if postgres:
        schema_editor.execute("DROP FUNCTION IF EXISTS safety_write_once();")


class Migration(migrations.Migration):
    replaces = [
        ("safety", "0001_initial"),
        ("safety", "0002_write_once_triggers"),
        ("safety", "0003_referral"),
    ]

    initial = True

    dependencies = [
        ("clinic", "0001_initial"),
        ("people", "0001_initial"),
        ("people", "0005_apitoken_expiry_and_scope"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("scheduling", "0002_no_overlap_exclusion"),
    ]

    operations = [
        migrations.CreateModel(
            name="Questionnaire",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveIntegerField()),
                ("answers", models.JSONField()),
                ("rules_version", models.CharField(max_length=40)),
                ("submitted_at", models.DateTimeField()),
                (
                    "filled_by",
                    models.CharField(
                        choices=[("patient", "The patient, online"), ("staff", "A clinician")],
                        max_length=10,
                    ),
                ),
                (
                    "entered_by",
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
                        related_name="safety_questionnaires",
                        to="people.patient",
                    ),
                ),
            ],
            options={
                "ordering": ["patient", "-version"],
            },
        ),
        migrations.CreateModel(
            name="ChangeCheck",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("confirmed_at", models.DateTimeField()),
                (
                    "appointment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="safety_change_check",
                        to="scheduling.appointment",
                    ),
                ),
                (
                    "confirmed_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "questionnaire",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="safety.questionnaire",
                    ),
                ),
            ],
            options={
                "abstract": False,
            },
        ),
        migrations.CreateModel(
            name="QuestionnaireLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token_digest", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField()),
                ("sent_to", models.EmailField(blank=True, max_length=254)),
                ("used_at", models.DateTimeField(blank=True, null=True)),
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
                        related_name="questionnaire_links",
                        to="people.patient",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("expires_at__gt", models.F("created_at"))),
                        name="link_expires_after",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="questionnaire",
            name="link",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="questionnaire",
                to="safety.questionnairelink",
            ),
        ),
        migrations.CreateModel(
            name="SafetyPolicy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "questionnaire_valid_months",
                    models.PositiveSmallIntegerField(
                        default=6,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(24),
                        ],
                    ),
                ),
                (
                    "pregnancy_point_list",
                    models.CharField(
                        default=acuclinic.safety.models.default_pregnancy_list, max_length=60
                    ),
                ),
                (
                    "link_valid_days",
                    models.PositiveSmallIntegerField(
                        default=7,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(30),
                        ],
                        verbose_name="questionnaire links last (days)",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "clinic",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="safety_policy",
                        to="clinic.clinic",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "safety policies",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("questionnaire_valid_months__gte", 1),
                            ("questionnaire_valid_months__lte", 24),
                        ),
                        name="safetypolicy_months_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("link_valid_days__gte", 1), ("link_valid_days__lte", 30)
                        ),
                        name="safetypolicy_link_days_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="SpecialistAgreement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("rule_id", models.CharField(max_length=60)),
                ("agreed_by", models.CharField(max_length=160, verbose_name="who agreed")),
                ("agreed_on", models.DateField()),
                ("reason", models.TextField()),
                ("recorded_at", models.DateTimeField()),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="people.patient",
                    ),
                ),
                (
                    "questionnaire",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="agreements",
                        to="safety.questionnaire",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-recorded_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("questionnaire", "rule_id"), name="agreement_once_per_version"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("reason", ""), _negated=True),
                        name="agreement_has_reason",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("agreed_by", ""), _negated=True),
                        name="agreement_names_who",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Consent",
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
                            ("traditional", "Traditional acupuncture"),
                            ("medical", "Medical (western) acupuncture"),
                        ],
                        max_length=20,
                    ),
                ),
                ("risks_explained", models.JSONField()),
                (
                    "method",
                    models.CharField(
                        choices=[("verbal", "Verbal"), ("written", "Written (signed form)")],
                        max_length=10,
                    ),
                ),
                ("given_at", models.DateTimeField()),
                ("recorded_at", models.DateTimeField()),
                ("notes", models.TextField(blank=True)),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="consents",
                        to="people.patient",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "taken_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="people.practitioner",
                    ),
                ),
            ],
            options={
                "ordering": ["patient", "-given_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("modality__in", ["traditional", "medical"])),
                        name="consent_needling_modality",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("method__in", ["verbal", "written"])),
                        name="consent_method_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("given_at__lte", models.F("recorded_at"))),
                        name="consent_not_future",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="PrecautionAcknowledgement",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("rule_id", models.CharField(max_length=60)),
                ("discussion", models.TextField()),
                ("acknowledged_at", models.DateTimeField()),
                (
                    "acknowledged_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="people.patient",
                    ),
                ),
                (
                    "questionnaire",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="acknowledgements",
                        to="safety.questionnaire",
                    ),
                ),
            ],
            options={
                "ordering": ["-acknowledged_at"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("questionnaire", "rule_id"), name="acknowledgement_once_per_version"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("discussion", ""), _negated=True),
                        name="acknowledgement_has_text",
                    ),
                ],
            },
        ),
        migrations.AddConstraint(
            model_name="questionnaire",
            constraint=models.UniqueConstraint(
                fields=("patient", "version"), name="questionnaire_version"
            ),
        ),
        migrations.AddConstraint(
            model_name="questionnaire",
            constraint=models.CheckConstraint(
                condition=models.Q(("version__gte", 1)), name="questionnaire_version_gte_1"
            ),
        ),
        migrations.AddConstraint(
            model_name="questionnaire",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(
                        ("entered_by__isnull", False),
                        ("filled_by", "staff"),
                        ("link__isnull", True),
                    ),
                    models.Q(
                        ("entered_by__isnull", True),
                        ("filled_by", "patient"),
                        ("link__isnull", False),
                    ),
                    _connector="OR",
                ),
                name="questionnaire_who_filled",
            ),
        ),
        migrations.CreateModel(
            name="Referral",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("rule_ids", models.JSONField()),
                (
                    "destination",
                    models.CharField(choices=[("gp", "the GP"), ("ae", "A&E")], max_length=2),
                ),
                ("urgency", models.CharField(max_length=10)),
                ("text", models.TextField()),
                ("issued_at", models.DateTimeField()),
                (
                    "issued_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="referrals",
                        to="people.patient",
                    ),
                ),
                (
                    "questionnaire",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="referrals",
                        to="safety.questionnaire",
                    ),
                ),
            ],
            options={
                "ordering": ["-issued_at", "-pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("destination__in", ["gp", "ae"])),
                        name="referral_destination_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("urgency__in", ["emergency", "urgent"])),
                        name="referral_urgency_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("text", ""), _negated=True), name="referral_has_text"
                    ),
                ],
            },
        ),
        migrations.RunPython(write_once, drop_write_once),
    ]

"""The interop app's migrations 0001-0004 as one, for a fresh database.

Squashed (`squashmigrations`, then every later change of a model folded into its
CreateModel by hand, which the optimizer will not do across other models): a first
migrate renders Django's model state once per operation, so fewer operations make
it faster. A database that applied the old migrations keeps them (``replaces``).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("interop", "0001_initial"),
        ("interop", "0002_retention_policy_and_anonymisation"),
        ("interop", "0003_fhir_export_jobs"),
        ("interop", "0004_import_jobs"),
    ]

    initial = True

    dependencies = [
        ("people", "0004_council_credentials"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="SubjectAccessRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("received_on", models.DateField()),
                ("due_on", models.DateField()),
                (
                    "requested_by",
                    models.CharField(
                        blank=True,
                        help_text="Who asked, if not the patient themselves",
                        max_length=160,
                    ),
                ),
                ("recorded_at", models.DateTimeField(auto_now_add=True)),
                ("produced_at", models.DateTimeField(blank=True, null=True)),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="people.patient",
                    ),
                ),
                (
                    "produced_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
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
                "ordering": ["produced_at", "due_on", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("due_on__gte", models.F("received_on"))),
                        name="sar_due_after_received",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="Anonymisation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("done_at", models.DateTimeField(auto_now_add=True)),
                ("reason", models.CharField(max_length=200)),
                (
                    "done_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "patient",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="people.patient",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="RetentionPolicy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "adult_years",
                    models.PositiveSmallIntegerField(
                        default=8, verbose_name="adults: years after the last contact"
                    ),
                ),
                (
                    "child_until_age",
                    models.PositiveSmallIntegerField(
                        default=25, verbose_name="children: until their birthday"
                    ),
                ),
                (
                    "child_until_age_if_17",
                    models.PositiveSmallIntegerField(
                        default=26,
                        verbose_name="children 17 at the end of care: until their birthday",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("adult_years__gte", 8)), name="retention_adult_min_8"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("child_until_age__gte", 25)),
                        name="retention_child_min_25",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("child_until_age_if_17__gte", 26)),
                        name="retention_child17_min_26",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ExportJob",
            fields=[
                ("id", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("level", models.CharField(max_length=10)),
                ("types", models.JSONField()),
                ("since", models.DateTimeField(blank=True, null=True)),
                ("request_url", models.CharField(max_length=500)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("running", "Running"),
                            ("done", "Done"),
                            ("failed", "Failed"),
                        ],
                        default="queued",
                        max_length=10,
                    ),
                ),
                ("progress", models.CharField(blank=True, max_length=100)),
                ("output", models.JSONField(blank=True, default=list)),
                ("error", models.CharField(blank=True, max_length=500)),
                ("requested_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("expires_at", models.DateTimeField(blank=True, null=True)),
                (
                    "requested_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="ImportJob",
            fields=[
                ("id", models.CharField(max_length=40, primary_key=True, serialize=False)),
                ("system", models.CharField(max_length=20)),
                ("file_name", models.CharField(max_length=200)),
                ("dry_run", models.BooleanField(default=True)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Waiting for the worker"),
                            ("running", "Running"),
                            ("checked", "Checked (dry run)"),
                            ("imported", "Imported"),
                            ("refused", "Refused: rows have errors"),
                            ("failed", "The file cannot be read"),
                        ],
                        default="queued",
                        max_length=10,
                    ),
                ),
                ("summary", models.CharField(blank=True, max_length=300)),
                ("creates", models.PositiveIntegerField(default=0)),
                ("matches", models.PositiveIntegerField(default=0)),
                ("errors", models.JSONField(blank=True, default=list)),
                ("error_count", models.PositiveIntegerField(default=0)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "uploaded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at"],
            },
        ),
    ]

"""The portal app's migrations 0001-0002 as one, for a fresh database.

Squashed (`squashmigrations`, then every later change of a model folded into its
CreateModel by hand, which the optimizer will not do across other models): a first
migrate renders Django's model state once per operation, so fewer operations make
it faster. A database that applied the old migrations keeps them (``replaces``).
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [("portal", "0001_initial"), ("portal", "0002_sign_in_link_nonce")]

    initial = True

    dependencies = [
        ("people", "0003_calendarfeedtoken"),
    ]

    operations = [
        migrations.CreateModel(
            name="LinkRequest",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("at", models.DateTimeField(db_index=True)),
                ("email_digest", models.CharField(max_length=64)),
                ("client_address", models.GenericIPAddressField(blank=True, null=True)),
            ],
            options={
                "indexes": [
                    models.Index(fields=["email_digest", "at"], name="portal_request_email"),
                    models.Index(fields=["client_address", "at"], name="portal_request_address"),
                ],
            },
        ),
        migrations.CreateModel(
            name="SignInLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("token_digest", models.CharField(max_length=64, unique=True)),
                ("sent_to", models.EmailField(max_length=254)),
                ("created_at", models.DateTimeField()),
                ("expires_at", models.DateTimeField()),
                ("used_at", models.DateTimeField(blank=True, null=True)),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="portal_links",
                        to="people.patient",
                    ),
                ),
                ("nonce", models.CharField(blank=True, editable=False, max_length=32)),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("expires_at__gt", models.F("created_at"))),
                        name="portal_link_expires_after",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("used_at__isnull", True),
                            ("used_at__gte", models.F("created_at")),
                            _connector="OR",
                        ),
                        name="portal_link_used_after_made",
                    ),
                ],
            },
        ),
    ]

"""The notifications app's migrations 0001-0002 as one, for a fresh database. 0002's data
migration (queued deliveries pointed at the task's new module) is left out: a new
database has no queued tasks.

Squashed by hand (`squashmigrations` cannot copy the data migration's functions, made
by core.migration_helpers), every later change of a model folded into its CreateModel,
as for the other apps' squashed migrations: a first migrate renders Django's model state once per operation, so fewer operations make
it faster. A database that applied the old migrations keeps them (``replaces``).
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    replaces = [
        ("notifications", "0001_initial"),
        ("notifications", "0002_deliveries_queued_from_delivery"),
    ]

    initial = True

    dependencies = [
        ("clinic", "0002_service_needling"),
        ("people", "0002_apitoken"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("scheduling", "0002_no_overlap_exclusion"),
    ]

    operations = [
        migrations.CreateModel(
            name="Message",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("kind", models.CharField(max_length=40)),
                (
                    "channel",
                    models.CharField(
                        choices=[("email", "Email"), ("sms", "Text message")], max_length=10
                    ),
                ),
                ("recipient", models.CharField(max_length=254)),
                ("reply_to", models.EmailField(blank=True, max_length=254)),
                ("subject", models.CharField(blank=True, max_length=200)),
                ("body", models.TextField()),
                ("html", models.TextField(blank=True)),
                ("dedupe_key", models.CharField(blank=True, max_length=200)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("queued", "Queued"),
                            ("sending", "Sending"),
                            ("sent", "Sent"),
                            ("failed", "Failed"),
                            ("cancelled", "Cancelled"),
                        ],
                        default="queued",
                        max_length=10,
                    ),
                ),
                ("reason", models.CharField(blank=True, max_length=500)),
                ("attempts", models.PositiveSmallIntegerField(default=0)),
                ("next_attempt_at", models.DateTimeField(blank=True, null=True)),
                ("claimed_at", models.DateTimeField(blank=True, null=True)),
                ("enqueued_at", models.DateTimeField(blank=True, null=True)),
                ("sent_at", models.DateTimeField(blank=True, null=True)),
                ("provider_reference", models.CharField(blank=True, max_length=200)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="messages",
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
                    "patient",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="messages",
                        to="people.patient",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-id"],
                "indexes": [
                    models.Index(fields=["status", "next_attempt_at"], name="message_due"),
                    models.Index(fields=["created_at"], name="message_created"),
                    models.Index(fields=["kind", "created_at"], name="message_kind_created"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("status__in", ["queued", "sending", "sent", "failed", "cancelled"])
                        ),
                        name="message_status_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("channel__in", ["email", "sms"])),
                        name="message_channel_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("sent_at__isnull", False), ("status", "sent")),
                            models.Q(
                                models.Q(("status", "sent"), _negated=True),
                                ("sent_at__isnull", True),
                            ),
                            _connector="OR",
                        ),
                        name="message_sent_iff_sent_at",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("status", "sending"), _negated=True),
                            ("claimed_at__isnull", False),
                            _connector="OR",
                        ),
                        name="message_sending_has_claim",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(
                            models.Q(("dedupe_key", ""), _negated=True),
                            models.Q(("status", "cancelled"), _negated=True),
                        ),
                        fields=("channel", "dedupe_key"),
                        name="message_dedupe_unique",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="DeliveryAttempt",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveSmallIntegerField()),
                ("started_at", models.DateTimeField()),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                (
                    "outcome",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("sent", "Sent"),
                            ("failed", "Failed"),
                            ("unknown", "Outcome unknown"),
                        ],
                        max_length=10,
                    ),
                ),
                ("detail", models.CharField(blank=True, max_length=500)),
                (
                    "message",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attempt_log",
                        to="notifications.message",
                    ),
                ),
            ],
            options={
                "ordering": ["message", "number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("message", "number"), name="attempt_unique_number"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("outcome", ""),
                            ("outcome__in", ["sent", "failed", "unknown"]),
                            _connector="OR",
                        ),
                        name="attempt_outcome_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Attachment",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("filename", models.CharField(max_length=120)),
                ("mimetype", models.CharField(max_length=100)),
                ("content", models.BinaryField()),
                (
                    "message",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="attachments",
                        to="notifications.message",
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
            },
        ),
        migrations.CreateModel(
            name="MessagingPolicy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "reminder_lead_hours",
                    models.PositiveSmallIntegerField(
                        default=48,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(168),
                        ],
                        verbose_name="send reminders this many hours before",
                    ),
                ),
                (
                    "email_reminders",
                    models.BooleanField(default=True, verbose_name="send reminders by email"),
                ),
                (
                    "sms_reminders",
                    models.BooleanField(
                        default=True, verbose_name="send reminders by text message"
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "clinic",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="messaging_policy",
                        to="clinic.clinic",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "messaging policies",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("reminder_lead_hours__gte", 1), ("reminder_lead_hours__lte", 168)
                        ),
                        name="messagingpolicy_lead_range",
                    )
                ],
            },
        ),
    ]

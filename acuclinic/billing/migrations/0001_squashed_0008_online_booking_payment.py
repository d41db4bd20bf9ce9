"""The billing app's migrations 0001-0008 as one, for a fresh database. 0007's data
migration (filling issued_month on existing invoices) is left out: a new table has none.

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
        ("billing", "0001_initial"),
        ("billing", "0002_outstanding"),
        ("billing", "0003_prepaid_courses"),
        ("billing", "0004_insurers"),
        ("billing", "0005_online_payment"),
        ("billing", "0006_online_courses"),
        ("billing", "0007_invoice_issued_month"),
        ("billing", "0008_online_booking_payment"),
    ]

    initial = True

    dependencies = [
        ("clinic", "0004_location_licensing"),
        ("people", "0004_council_credentials"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("scheduling", "0007_front_desk_apps_take_their_models"),
        ("scheduling", "0008_sqlite_overlap_triggers"),
    ]

    operations = [
        migrations.CreateModel(
            name="Invoice",
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
                        choices=[("invoice", "Invoice"), ("credit_note", "Credit note")],
                        default="invoice",
                        max_length=12,
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[("draft", "Draft"), ("issued", "Issued")],
                        default="draft",
                        max_length=8,
                    ),
                ),
                (
                    "purpose",
                    models.CharField(
                        choices=[
                            ("visit", "Visit"),
                            ("excess", "Insurance excess"),
                            ("late_cancel_fee", "Late-cancellation fee"),
                            ("dna_fee", "Did-not-attend fee"),
                            ("other", "Other"),
                        ],
                        default="other",
                        max_length=16,
                    ),
                ),
                ("number", models.PositiveIntegerField(blank=True, null=True)),
                ("reason", models.CharField(blank=True, max_length=200)),
                ("issued_at", models.DateTimeField(blank=True, null=True)),
                ("due_date", models.DateField(blank=True, null=True)),
                ("total_pence", models.PositiveIntegerField(default=0)),
                ("vat_pence", models.PositiveIntegerField(default=0)),
                ("to_account_pence", models.PositiveIntegerField(default=0)),
                ("clinic_details", models.JSONField(blank=True, default=dict)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="invoices",
                        to="scheduling.appointment",
                    ),
                ),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clinic.clinic",
                    ),
                ),
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
                    "credits",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="credit_notes",
                        to="billing.invoice",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="invoices",
                        to="people.patient",
                    ),
                ),
            ],
            options={
                "ordering": ["-created_at", "-pk"],
                "permissions": [
                    ("credit_invoice", "Can correct an issued invoice with a credit note"),
                    ("refund_payment", "Can refund a payment"),
                    ("waive_fee", "Can waive a policy fee"),
                    ("view_reports", "Can see the clinic's money reports"),
                    ("view_own_takings", "Can see their own takings"),
                ],
                "indexes": [
                    models.Index(fields=["patient", "status"], name="invoice_patient_status"),
                    models.Index(fields=["issued_at"], name="invoice_issued_at"),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("clinic", "number"), name="invoice_number_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("issued_at__isnull", True),
                                ("number__isnull", True),
                                ("status", "draft"),
                            ),
                            models.Q(
                                ("issued_at__isnull", False),
                                ("number__isnull", False),
                                ("status", "issued"),
                            ),
                            _connector="OR",
                        ),
                        name="invoice_numbered_iff_issued",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("credits__isnull", True), ("kind", "invoice")),
                            models.Q(("credits__isnull", False), ("kind", "credit_note")),
                            _connector="OR",
                        ),
                        name="invoice_credit_note_names_invoice",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("vat_pence__lte", models.F("total_pence"))),
                        name="invoice_vat_le_total",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("appointment__isnull", False), ("kind", "invoice")),
                        fields=("appointment", "purpose"),
                        name="invoice_one_per_visit_purpose",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="InvoiceLine",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("description", models.CharField(max_length=200)),
                ("practitioner_details", models.CharField(blank=True, max_length=300)),
                ("session_date", models.DateField(blank=True, null=True)),
                ("amount_pence", models.PositiveIntegerField()),
                (
                    "vat_treatment",
                    models.CharField(
                        choices=[
                            ("exempt", "Exempt"),
                            ("standard", "VAT 20%"),
                            ("outside", "No VAT (clinic not VAT-registered)"),
                        ],
                        max_length=10,
                    ),
                ),
                ("vat_rate", models.PositiveSmallIntegerField(default=0)),
                ("vat_pence", models.PositiveIntegerField(default=0)),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="scheduling.appointment",
                    ),
                ),
                (
                    "invoice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="lines",
                        to="billing.invoice",
                    ),
                ),
                (
                    "practitioner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="people.practitioner",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clinic.service",
                    ),
                ),
            ],
            options={
                "ordering": ["position", "pk"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("amount_pence__lte", 1000000)), name="line_amount_range"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("vat_pence__lte", models.F("amount_pence"))),
                        name="line_vat_le_amount",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="InvoiceSequence",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("last_number", models.PositiveIntegerField(default=0)),
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
        migrations.CreateModel(
            name="PatientAccount",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "concession",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Standard"),
                            ("student", "Student"),
                            ("over_65", "Over 65"),
                            ("unwaged", "Unwaged"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "patient",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="account",
                        to="people.patient",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Payment",
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
                        choices=[("payment", "Payment"), ("refund", "Refund")],
                        default="payment",
                        max_length=8,
                    ),
                ),
                (
                    "method",
                    models.CharField(
                        choices=[
                            ("card", "Card (terminal)"),
                            ("cash", "Cash"),
                            ("bank_transfer", "Bank transfer"),
                            ("insurer", "Insurer remittance"),
                            ("prepaid", "Prepaid course"),
                            ("account_credit", "Account credit"),
                            ("online_card", "Card (online)"),
                        ],
                        max_length=16,
                    ),
                ),
                ("amount_pence", models.PositiveIntegerField()),
                ("reference", models.CharField(blank=True, max_length=100)),
                ("reason", models.CharField(blank=True, max_length=200)),
                ("received_at", models.DateTimeField()),
                (
                    "request_key",
                    models.CharField(blank=True, max_length=64, null=True, unique=True),
                ),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clinic.clinic",
                    ),
                ),
                (
                    "invoice",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payments",
                        to="billing.invoice",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="payments",
                        to="people.patient",
                    ),
                ),
                (
                    "practitioner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to="people.practitioner",
                    ),
                ),
                (
                    "recorded_by",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "refund_of",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="refunds",
                        to="billing.payment",
                    ),
                ),
            ],
            options={
                "ordering": ["-received_at", "-pk"],
                "indexes": [
                    models.Index(fields=["received_at"], name="payment_received_at"),
                    models.Index(fields=["patient", "received_at"], name="payment_patient"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("amount_pence__gte", 1), ("amount_pence__lte", 10000000)
                        ),
                        name="payment_amount_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("kind", "payment"), ("refund_of__isnull", True)),
                            models.Q(("kind", "refund"), ("refund_of__isnull", False)),
                            _connector="OR",
                        ),
                        name="payment_refund_names_payment",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "method__in",
                                [
                                    "card",
                                    "cash",
                                    "bank_transfer",
                                    "insurer",
                                    "prepaid",
                                    "account_credit",
                                    "online_card",
                                ],
                            )
                        ),
                        name="payment_method_valid",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Price",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "concession",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Standard"),
                            ("student", "Student"),
                            ("over_65", "Over 65"),
                            ("unwaged", "Unwaged"),
                        ],
                        max_length=10,
                    ),
                ),
                ("effective_from", models.DateField()),
                ("price_pence", models.PositiveIntegerField()),
                (
                    "practitioner",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="people.practitioner",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="prices",
                        to="clinic.service",
                    ),
                ),
            ],
            options={
                "ordering": ["service", "effective_from"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("price_pence__lte", 1000000)), name="price_range"
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("practitioner__isnull", False)),
                        fields=("service", "practitioner", "concession", "effective_from"),
                        name="price_unique_per_practitioner",
                    ),
                    models.UniqueConstraint(
                        condition=models.Q(("practitioner__isnull", True)),
                        fields=("service", "concession", "effective_from"),
                        name="price_unique_any_practitioner",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="ServiceVat",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "treatment",
                    models.CharField(
                        choices=[
                            (
                                "by_practitioner",
                                "Exempt when the practitioner is statutorily registered",
                            ),
                            ("exempt", "Exempt"),
                            ("standard", "Standard rate (20%)"),
                        ],
                        default="by_practitioner",
                        max_length=20,
                    ),
                ),
                (
                    "service",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="vat",
                        to="clinic.service",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("treatment__in", ["by_practitioner", "exempt", "standard"])
                        ),
                        name="service_vat_valid",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="BillingSettings",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "vat_number",
                    models.CharField(
                        blank=True, max_length=20, verbose_name="VAT registration number"
                    ),
                ),
                (
                    "invoice_when",
                    models.CharField(
                        choices=[
                            ("attended", "When the visit is marked attended"),
                            ("booked", "When the visit is booked"),
                        ],
                        default="attended",
                        max_length=10,
                    ),
                ),
                ("payment_terms_days", models.PositiveSmallIntegerField(default=14)),
                ("late_cancel_fee_pence", models.PositiveIntegerField(default=0)),
                ("late_cancel_fee_percent", models.PositiveSmallIntegerField(default=0)),
                (
                    "dna_fee_pence",
                    models.PositiveIntegerField(
                        default=0, verbose_name="did-not-attend fee (pence)"
                    ),
                ),
                (
                    "dna_fee_percent",
                    models.PositiveSmallIntegerField(
                        default=0, verbose_name="did-not-attend fee (%)"
                    ),
                ),
                (
                    "clinic",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="billing",
                        to="clinic.clinic",
                    ),
                ),
                ("course_draws_dna", models.BooleanField(default=True)),
                ("course_draws_late_cancel", models.BooleanField(default=True)),
                (
                    "online_booking_pays",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("", "Nothing: pay at the clinic"),
                            ("deposit", "A deposit"),
                            ("full", "The visit's full price"),
                        ],
                        default="",
                        max_length=10,
                        verbose_name="Online booking asks for",
                    ),
                ),
                (
                    "online_deposit_pence",
                    models.PositiveIntegerField(default=0, verbose_name="Online deposit (pence)"),
                ),
            ],
            options={
                "verbose_name_plural": "billing settings",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("dna_fee_percent__lte", 100), ("late_cancel_fee_percent__lte", 100)
                        ),
                        name="billing_fee_percent_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("late_cancel_fee_pence", 0),
                            ("late_cancel_fee_percent", 0),
                            _connector="OR",
                        ),
                        name="billing_late_fee_one_way",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("dna_fee_pence", 0), ("dna_fee_percent", 0), _connector="OR"
                        ),
                        name="billing_dna_fee_one_way",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="Outstanding",
            fields=[
                (
                    "invoice",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="outstanding",
                        serialize=False,
                        to="billing.invoice",
                    ),
                ),
                ("issued_at", models.DateTimeField()),
                ("owed_pence", models.PositiveIntegerField()),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="people.patient",
                    ),
                ),
            ],
            options={
                "indexes": [models.Index(fields=["issued_at"], name="outstanding_issued_at")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("owed_pence__gte", 1)), name="outstanding_positive"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="CourseBlock",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=120)),
                ("sessions", models.PositiveSmallIntegerField()),
                ("price_pence", models.PositiveIntegerField()),
                ("valid_days", models.PositiveSmallIntegerField(default=180)),
                ("bookable_online", models.BooleanField(default=False)),
                ("is_active", models.BooleanField(default=True)),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clinic.clinic",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        blank=True,
                        help_text="The service it pays for; empty for any.",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clinic.service",
                    ),
                ),
            ],
            options={
                "ordering": ["name"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("sessions__gte", 1), ("sessions__lte", 52)),
                        name="block_sessions_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("price_pence__gte", 1), ("price_pence__lte", 1000000)),
                        name="block_price_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("valid_days__gte", 1), ("valid_days__lte", 730)),
                        name="block_valid_range",
                    ),
                    models.UniqueConstraint(fields=("clinic", "name"), name="block_unique_name"),
                ],
            },
        ),
        migrations.CreateModel(
            name="PrepaidCourse",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("sessions", models.PositiveSmallIntegerField()),
                ("price_pence", models.PositiveIntegerField()),
                ("bought_at", models.DateTimeField()),
                ("expires_on", models.DateField()),
                ("used", models.PositiveSmallIntegerField(default=0)),
                ("refunded_pence", models.PositiveIntegerField(default=0)),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "block",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="sold",
                        to="billing.courseblock",
                    ),
                ),
                (
                    "invoice",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="course",
                        to="billing.invoice",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="prepaid_courses",
                        to="people.patient",
                    ),
                ),
                (
                    "service",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="clinic.service",
                    ),
                ),
            ],
            options={
                "ordering": ["-bought_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("used__lte", models.F("sessions"))),
                        name="course_used_le",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("refunded_pence__lte", models.F("price_pence"))),
                        name="course_refund_le_price",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="CourseDraw",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveSmallIntegerField()),
                ("reason", models.CharField(max_length=20)),
                ("drawn_at", models.DateTimeField()),
                (
                    "appointment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="course_draw",
                        to="scheduling.appointment",
                    ),
                ),
                (
                    "course",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="draws",
                        to="billing.prepaidcourse",
                    ),
                ),
            ],
            options={
                "ordering": ["number"],
                "constraints": [
                    models.UniqueConstraint(fields=("course", "number"), name="draw_unique_number")
                ],
            },
        ),
        migrations.CreateModel(
            name="Insurer",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=120, unique=True)),
                ("address", models.CharField(blank=True, max_length=300)),
                ("email", models.EmailField(blank=True, max_length=254)),
                (
                    "invoicing",
                    models.CharField(
                        choices=[
                            ("email", "By email (PDF)"),
                            ("portal", "Through the insurer's provider portal"),
                            ("post", "By post"),
                        ],
                        default="email",
                        max_length=10,
                        verbose_name="how they want invoices",
                    ),
                ),
                ("instructions", models.CharField(blank=True, max_length=300)),
                ("is_active", models.BooleanField(default=True)),
            ],
            options={
                "ordering": ["name"],
            },
        ),
        migrations.CreateModel(
            name="InsurancePolicy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("membership_number", models.CharField(max_length=40)),
                ("preauthorisation_code", models.CharField(blank=True, max_length=40)),
                ("sessions_authorised", models.PositiveSmallIntegerField()),
                ("sessions_used", models.PositiveSmallIntegerField(default=0)),
                ("excess_pence", models.PositiveIntegerField(default=0)),
                ("excess_used_pence", models.PositiveIntegerField(default=0)),
                ("valid_from", models.DateField()),
                ("valid_until", models.DateField()),
                (
                    "patient",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="policies",
                        to="people.patient",
                    ),
                ),
                (
                    "insurer",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="policies",
                        to="billing.insurer",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "insurance policies",
                "ordering": ["-valid_from"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("sessions_used__lte", models.F("sessions_authorised"))),
                        name="policy_used_le_authorised",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("excess_used_pence__lte", models.F("excess_pence"))),
                        name="policy_excess_used_le",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("valid_until__gte", models.F("valid_from"))),
                        name="policy_dates_ordered",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("sessions_authorised__lte", 100)),
                        name="policy_sessions_range",
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="invoice",
            name="policy",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="invoices",
                to="billing.insurancepolicy",
            ),
        ),
        migrations.CreateModel(
            name="PayLink",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("digest", models.CharField(max_length=64, unique=True)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("expires_at", models.DateTimeField()),
                (
                    "invoice",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="pay_links",
                        to="billing.invoice",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="CheckoutSession",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("provider", models.CharField(max_length=20)),
                ("session_id", models.CharField(max_length=255, unique=True)),
                ("amount_pence", models.PositiveIntegerField()),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("paid_at", models.DateTimeField(blank=True, null=True)),
                (
                    "invoice",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="checkouts",
                        to="billing.invoice",
                    ),
                ),
                (
                    "block",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="billing.courseblock",
                    ),
                ),
                (
                    "patient",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="people.patient",
                    ),
                ),
                (
                    "appointment",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to="scheduling.appointment",
                    ),
                ),
            ],
        ),
        migrations.AddField(
            model_name="invoice",
            name="issued_month",
            field=models.DateField(blank=True, null=True),
        ),
    ]

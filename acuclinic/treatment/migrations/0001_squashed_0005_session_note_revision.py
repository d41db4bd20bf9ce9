"""The treatment app's migrations 0001-0005 as one, for a fresh database.

Squashed (`squashmigrations`, then every later change of a model folded into its
CreateModel by hand, which the optimizer will not do across other models): a first
migrate renders Django's model state once per operation, so fewer operations make
it faster. A database that applied the old migrations keeps them (``replaces``).
"""

import django.core.validators
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


# Hand-written, not by squashmigrations: the triggers of 0002 that keep signed notes
# final, copied from it and made after the tables (a fresh database has them in their
# final shape; 0004 and 0005 only added nullable columns, which keeps SQLite's triggers).
SIGNED = "signed session notes are final: add an addendum instead"
WRITE_ONCE = "this record is written once and never changed"
CLOSED = "a closed follow-up is final"

PG_FORWARD = f"""
CREATE OR REPLACE FUNCTION treatment_note_final() RETURNS trigger AS $$
BEGIN
    IF OLD.signed_at IS NOT NULL THEN
        RAISE EXCEPTION '{SIGNED}';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER treatment_note_final BEFORE UPDATE ON treatment_sessionnote
    FOR EACH ROW EXECUTE FUNCTION treatment_note_final();

CREATE OR REPLACE FUNCTION treatment_part_of_signed_note() RETURNS trigger AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM treatment_sessionnote
               WHERE id = NEW.note_id AND signed_at IS NOT NULL) THEN
        RAISE EXCEPTION '{SIGNED}';
    END IF;
    IF TG_OP = 'UPDATE' AND EXISTS (SELECT 1 FROM treatment_sessionnote
               WHERE id = OLD.note_id AND signed_at IS NOT NULL) THEN
        RAISE EXCEPTION '{SIGNED}';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER treatment_point_final BEFORE INSERT OR UPDATE ON treatment_needledpoint
    FOR EACH ROW EXECUTE FUNCTION treatment_part_of_signed_note();
CREATE TRIGGER treatment_needleuse_final BEFORE INSERT OR UPDATE ON treatment_needleuse
    FOR EACH ROW EXECUTE FUNCTION treatment_part_of_signed_note();

CREATE OR REPLACE FUNCTION treatment_write_once() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{WRITE_ONCE}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER treatment_addendum_final BEFORE UPDATE ON treatment_noteaddendum
    FOR EACH ROW EXECUTE FUNCTION treatment_write_once();
CREATE TRIGGER treatment_event_final BEFORE UPDATE ON treatment_adverseevent
    FOR EACH ROW EXECUTE FUNCTION treatment_write_once();

CREATE OR REPLACE FUNCTION treatment_followup_final() RETURNS trigger AS $$
BEGIN
    IF OLD.closed_at IS NOT NULL THEN
        RAISE EXCEPTION '{CLOSED}';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER treatment_followup_final BEFORE UPDATE ON treatment_followup
    FOR EACH ROW EXECUTE FUNCTION treatment_followup_final();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS treatment_note_final ON treatment_sessionnote;
DROP TRIGGER IF EXISTS treatment_point_final ON treatment_needledpoint;
DROP TRIGGER IF EXISTS treatment_needleuse_final ON treatment_needleuse;
DROP TRIGGER IF EXISTS treatment_addendum_final ON treatment_noteaddendum;
DROP TRIGGER IF EXISTS treatment_event_final ON treatment_adverseevent;
DROP TRIGGER IF EXISTS treatment_followup_final ON treatment_followup;
DROP FUNCTION IF EXISTS treatment_note_final();
DROP FUNCTION IF EXISTS treatment_part_of_signed_note();
DROP FUNCTION IF EXISTS treatment_write_once();
DROP FUNCTION IF EXISTS treatment_followup_final();
"""


def _sqlite_part_of_signed(table: str, name: str) -> list[str]:
    signed = "(SELECT signed_at FROM treatment_sessionnote WHERE id = {}.note_id) IS NOT NULL"
    return [
        f"CREATE TRIGGER {name}_insert BEFORE INSERT ON {table} "
        f"WHEN {signed.format('NEW')} BEGIN SELECT RAISE(ABORT, '{SIGNED}'); END;",
        f"CREATE TRIGGER {name}_update BEFORE UPDATE ON {table} "
        f"WHEN {signed.format('NEW')} OR {signed.format('OLD')} "
        f"BEGIN SELECT RAISE(ABORT, '{SIGNED}'); END;",
    ]


SQLITE_FORWARD = [
    "CREATE TRIGGER treatment_note_final BEFORE UPDATE ON treatment_sessionnote "
    f"WHEN OLD.signed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{SIGNED}'); END;",
    *_sqlite_part_of_signed("treatment_needledpoint", "treatment_point_final"),
    *_sqlite_part_of_signed("treatment_needleuse", "treatment_needleuse_final"),
    "CREATE TRIGGER treatment_addendum_final BEFORE UPDATE ON treatment_noteaddendum "
    f"BEGIN SELECT RAISE(ABORT, '{WRITE_ONCE}'); END;",
    "CREATE TRIGGER treatment_event_final BEFORE UPDATE ON treatment_adverseevent "
    f"BEGIN SELECT RAISE(ABORT, '{WRITE_ONCE}'); END;",
    "CREATE TRIGGER treatment_followup_final BEFORE UPDATE ON treatment_followup "
    f"WHEN OLD.closed_at IS NOT NULL BEGIN SELECT RAISE(ABORT, '{CLOSED}'); END;",
]
SQLITE_TRIGGERS = [
    "treatment_note_final",
    "treatment_point_final_insert",
    "treatment_point_final_update",
    "treatment_needleuse_final_insert",
    "treatment_needleuse_final_update",
    "treatment_addendum_final",
    "treatment_event_final",
    "treatment_followup_final",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)
    else:
        for statement in SQLITE_FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)
    else:
        for name in SQLITE_TRIGGERS:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name};")


class Migration(migrations.Migration):
    replaces = [
        ("treatment", "0001_initial"),
        ("treatment", "0002_signed_notes_are_final"),
        ("treatment", "0003_session_note_signed_index"),
        ("treatment", "0004_adverse_event_severe_or_lasting"),
        ("treatment", "0005_session_note_revision"),
    ]

    initial = True

    dependencies = [
        ("clinic", "0002_service_needling"),
        ("clinic", "0003_booking_rules_turnover_couch"),
        ("people", "0002_apitoken"),
        ("people", "0003_calendarfeedtoken"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("scheduling", "0002_no_overlap_exclusion"),
        ("scheduling", "0006_online_booking_enquiries_waitlist"),
    ]

    operations = [
        migrations.CreateModel(
            name="NeedleLot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("manufacturer", models.CharField(max_length=80)),
                (
                    "diameter_um",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(100),
                            django.core.validators.MaxValueValidator(500),
                        ],
                        verbose_name="diameter (µm)",
                    ),
                ),
                (
                    "length_mm",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(150),
                        ],
                        verbose_name="length (mm)",
                    ),
                ),
                ("lot_number", models.CharField(max_length=40)),
                ("expires_on", models.DateField()),
                ("received_on", models.DateField()),
                (
                    "quantity_received",
                    models.PositiveIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(100000),
                        ]
                    ),
                ),
                ("quantity_in_stock", models.PositiveIntegerField()),
                ("recalled_at", models.DateTimeField(blank=True, null=True)),
                ("recall_reason", models.CharField(blank=True, max_length=200)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="needle_lots",
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
            ],
            options={
                "ordering": ["expires_on", "manufacturer", "lot_number"],
                "permissions": [
                    ("view_lot_recall", "Can list the sessions and patients that used a lot")
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("clinic", "manufacturer", "lot_number", "diameter_um", "length_mm"),
                        name="needlelot_unique",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("quantity_in_stock__gte", 0),
                            ("quantity_in_stock__lte", models.F("quantity_received")),
                        ),
                        name="needlelot_stock_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("quantity_received__gte", 1), ("quantity_received__lte", 100000)
                        ),
                        name="needlelot_received_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("diameter_um__gte", 100), ("diameter_um__lte", 500)),
                        name="needlelot_diameter_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("length_mm__gte", 5), ("length_mm__lte", 150)),
                        name="needlelot_length_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("expires_on__gt", models.F("received_on"))),
                        name="needlelot_expires_after",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("recalled_at__isnull", True),
                            models.Q(("recall_reason", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="needlelot_recall_has_reason",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="PointPrescription",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=80)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                (
                    "practitioner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="prescriptions",
                        to="people.practitioner",
                    ),
                ),
            ],
            options={
                "ordering": ["practitioner", "name"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("practitioner", "name"), name="prescription_unique_name"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("name", ""), _negated=True),
                        name="prescription_has_name",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="PrescriptionItem",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField()),
                ("code", models.CharField(max_length=20)),
                (
                    "side",
                    models.CharField(
                        choices=[
                            ("left", "Left"),
                            ("right", "Right"),
                            ("bilateral", "Both sides"),
                            ("midline", "Midline"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "depth_mm",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(120),
                        ]
                    ),
                ),
                (
                    "retention_minutes",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MaxValueValidator(120)]
                    ),
                ),
                (
                    "stimulation",
                    models.CharField(
                        choices=[
                            ("manual", "Manual"),
                            ("electro", "Electro-acupuncture"),
                            ("heat", "Heat (moxa or heat lamp)"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "prescription",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="items",
                        to="treatment.pointprescription",
                    ),
                ),
            ],
            options={
                "ordering": ["prescription", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("prescription", "position"), name="prescriptionitem_position_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("side__in", ["left", "right", "bilateral", "midline"])),
                        name="prescriptionitem_side_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("stimulation__in", ["manual", "electro", "heat"])),
                        name="prescriptionitem_stimulation_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("depth_mm__gte", 1), ("depth_mm__lte", 120)),
                        name="prescriptionitem_depth_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("retention_minutes__lte", 120)),
                        name="prescriptionitem_retention_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="SessionNote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("session_date", models.DateField()),
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
                (
                    "pain_before",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[django.core.validators.MaxValueValidator(10)],
                        verbose_name="pain before (0–10)",
                    ),
                ),
                ("findings", models.TextField(blank=True)),
                ("aftercare", models.JSONField(blank=True, default=list)),
                (
                    "aftercare_notes",
                    models.TextField(blank=True, verbose_name="other aftercare advice"),
                ),
                ("plan", models.TextField(blank=True)),
                (
                    "needles_out",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[django.core.validators.MaxValueValidator(500)],
                        verbose_name="needles counted out",
                    ),
                ),
                (
                    "needles_in",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        null=True,
                        validators=[django.core.validators.MaxValueValidator(500)],
                        verbose_name="needles counted back in",
                    ),
                ),
                ("gate_checked_at", models.DateTimeField(blank=True, null=True)),
                ("created_at", models.DateTimeField()),
                ("updated_at", models.DateTimeField()),
                ("signed_at", models.DateTimeField(blank=True, null=True)),
                (
                    "appointment",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="session_note",
                        to="scheduling.appointment",
                    ),
                ),
                (
                    "clinic",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="session_notes",
                        to="clinic.clinic",
                    ),
                ),
                (
                    "created_by",
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
                        related_name="session_notes",
                        to="people.patient",
                    ),
                ),
                (
                    "practitioner",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="session_notes",
                        to="people.practitioner",
                    ),
                ),
                (
                    "signed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                ("revision", models.PositiveIntegerField(blank=True, null=True)),
            ],
            options={
                "ordering": ["-session_date", "-id"],
                "indexes": [
                    models.Index(fields=["patient", "session_date"], name="note_patient_date"),
                    models.Index(fields=["clinic", "session_date"], name="note_clinic_date"),
                    models.Index(fields=["clinic", "signed_at"], name="note_clinic_signed"),
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("modality__in", ["traditional", "medical"])),
                        name="note_needling_modality",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("pain_before__isnull", True), ("pain_before__lte", 10), _connector="OR"
                        ),
                        name="note_pain_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("needles_out__isnull", True),
                                ("needles_out__lte", 500),
                                _connector="OR",
                            ),
                            models.Q(
                                ("needles_in__isnull", True),
                                ("needles_in__lte", 500),
                                _connector="OR",
                            ),
                        ),
                        name="note_needle_counts_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("signed_at__isnull", True), ("signed_by__isnull", True)),
                            models.Q(("signed_at__isnull", False), ("signed_by__isnull", False)),
                            _connector="OR",
                        ),
                        name="note_signed_by_someone",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("signed_at__isnull", True),
                            models.Q(
                                ("needles_in", models.F("needles_out")),
                                ("needles_out__isnull", False),
                                ("pain_before__isnull", False),
                            ),
                            _connector="OR",
                        ),
                        name="note_signed_counts_match",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="NoteAddendum",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("text", models.TextField()),
                ("written_at", models.DateTimeField()),
                (
                    "written_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "note",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="addenda",
                        to="treatment.sessionnote",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "note addenda",
                "ordering": ["note", "written_at", "id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("text", ""), _negated=True), name="addendum_has_text"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="NeedleUse",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "count",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(500),
                        ]
                    ),
                ),
                ("recorded_at", models.DateTimeField()),
                (
                    "lot",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="uses",
                        to="treatment.needlelot",
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
                    "note",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="needle_uses",
                        to="treatment.sessionnote",
                    ),
                ),
            ],
            options={
                "ordering": ["note", "recorded_at", "id"],
                "constraints": [
                    models.UniqueConstraint(fields=("note", "lot"), name="needleuse_once_per_lot"),
                    models.CheckConstraint(
                        condition=models.Q(("count__gte", 1), ("count__lte", 500)),
                        name="needleuse_count_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="NeedledPoint",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField()),
                ("code", models.CharField(max_length=20)),
                (
                    "side",
                    models.CharField(
                        choices=[
                            ("left", "Left"),
                            ("right", "Right"),
                            ("bilateral", "Both sides"),
                            ("midline", "Midline"),
                        ],
                        max_length=10,
                    ),
                ),
                (
                    "depth_mm",
                    models.PositiveSmallIntegerField(
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(120),
                        ],
                        verbose_name="depth (mm)",
                    ),
                ),
                (
                    "retention_minutes",
                    models.PositiveSmallIntegerField(
                        validators=[django.core.validators.MaxValueValidator(120)]
                    ),
                ),
                (
                    "stimulation",
                    models.CharField(
                        choices=[
                            ("manual", "Manual"),
                            ("electro", "Electro-acupuncture"),
                            ("heat", "Heat (moxa or heat lamp)"),
                        ],
                        max_length=10,
                    ),
                ),
                ("overridden", models.CharField(blank=True, max_length=100)),
                ("override_reason", models.TextField(blank=True)),
                (
                    "note",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="points",
                        to="treatment.sessionnote",
                    ),
                ),
            ],
            options={
                "ordering": ["note", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("note", "position"), name="point_position_unique"
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("side__in", ["left", "right", "bilateral", "midline"])),
                        name="point_side_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("stimulation__in", ["manual", "electro", "heat"])),
                        name="point_stimulation_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("depth_mm__gte", 1), ("depth_mm__lte", 120)),
                        name="point_depth_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("retention_minutes__lte", 120)),
                        name="point_retention_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("overridden", ""),
                            models.Q(("override_reason", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="point_override_has_reason",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="AdverseEvent",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "event_type",
                    models.CharField(
                        choices=[
                            ("bleeding", "Bleeding"),
                            ("bruising", "Bruising"),
                            ("soreness", "Soreness"),
                            ("needle_pain", "Needle pain"),
                            ("drowsiness", "Drowsiness"),
                            ("fainting", "Fainting"),
                            ("nausea", "Nausea"),
                            ("worsened_symptoms", "Worsened symptoms"),
                            ("retained_needle", "Retained needle"),
                            ("infection", "Infection"),
                            ("pneumothorax", "Pneumothorax"),
                            ("other", "Other"),
                        ],
                        max_length=20,
                    ),
                ),
                (
                    "severity",
                    models.CharField(
                        choices=[
                            ("mild", "Mild"),
                            ("moderate", "Moderate"),
                            ("serious", "Serious"),
                        ],
                        max_length=10,
                    ),
                ),
                ("description", models.TextField(blank=True)),
                ("action_taken", models.TextField()),
                ("recorded_at", models.DateTimeField()),
                (
                    "recorded_by",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "note",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="adverse_events",
                        to="treatment.sessionnote",
                    ),
                ),
                (
                    "severe_or_lasting",
                    models.BooleanField(
                        blank=True, null=True, verbose_name="severe, unusual or lasting"
                    ),
                ),
            ],
            options={
                "ordering": ["-recorded_at", "-id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            (
                                "event_type__in",
                                [
                                    "bleeding",
                                    "bruising",
                                    "soreness",
                                    "needle_pain",
                                    "drowsiness",
                                    "fainting",
                                    "nausea",
                                    "worsened_symptoms",
                                    "retained_needle",
                                    "infection",
                                    "pneumothorax",
                                    "other",
                                ],
                            )
                        ),
                        name="event_type_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("severity__in", ["mild", "moderate", "serious"])),
                        name="event_severity_valid",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("action_taken", ""), _negated=True),
                        name="event_has_action",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("event_type", "other"), _negated=True),
                            models.Q(("description", ""), _negated=True),
                            _connector="OR",
                        ),
                        name="event_other_described",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("event_type", "pneumothorax"), _negated=True),
                            ("severity", "serious"),
                            _connector="OR",
                        ),
                        name="event_pneumothorax_serious",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="TreatmentPolicy",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "max_retention_minutes",
                    models.PositiveSmallIntegerField(
                        default=40,
                        validators=[
                            django.core.validators.MinValueValidator(5),
                            django.core.validators.MaxValueValidator(120),
                        ],
                        verbose_name="longest needle retention (minutes)",
                    ),
                ),
                (
                    "lot_expiry_warning_days",
                    models.PositiveSmallIntegerField(
                        default=60,
                        validators=[
                            django.core.validators.MinValueValidator(1),
                            django.core.validators.MaxValueValidator(365),
                        ],
                        verbose_name="warn of needle lots expiring within (days)",
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "clinic",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="treatment_policy",
                        to="clinic.clinic",
                    ),
                ),
            ],
            options={
                "verbose_name_plural": "treatment policies",
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            ("max_retention_minutes__gte", 5), ("max_retention_minutes__lte", 120)
                        ),
                        name="treatmentpolicy_retention_range",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(
                            ("lot_expiry_warning_days__gte", 1),
                            ("lot_expiry_warning_days__lte", 365),
                        ),
                        name="treatmentpolicy_warning_range",
                    ),
                ],
            },
        ),
        migrations.CreateModel(
            name="FollowUp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("opened_at", models.DateTimeField()),
                ("closed_at", models.DateTimeField(blank=True, null=True)),
                ("outcome", models.TextField(blank=True)),
                (
                    "closed_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "event",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="follow_up",
                        to="treatment.adverseevent",
                    ),
                ),
            ],
            options={
                "ordering": ["closed_at", "-opened_at"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(
                                ("closed_at__isnull", True),
                                ("closed_by__isnull", True),
                                ("outcome", ""),
                            ),
                            models.Q(
                                ("closed_at__isnull", False),
                                ("closed_by__isnull", False),
                                models.Q(("outcome", ""), _negated=True),
                            ),
                            _connector="OR",
                        ),
                        name="followup_closed_with_outcome",
                    )
                ],
            },
        ),
        migrations.RunPython(forward, backward),
    ]

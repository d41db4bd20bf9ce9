"""A demo clinic built before two-factor sign-in existed keeps signing in with the
printed passwords alone, as a newly built demo does; a real clinic keeps the default
(required)."""

from django.db import migrations


def demo_clinic_two_factor_off(apps, schema_editor):
    AuditEntry = apps.get_model("audit", "AuditEntry")
    Clinic = apps.get_model("clinic", "Clinic")
    # The demo builder records its build in the audit trail (acuclinic.demo.builder).
    if AuditEntry.objects.filter(object_type="demo", action="create").exists():
        Clinic.objects.update(require_two_factor=False)


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0006_require_two_factor"),
        ("audit", "0005_hash_chain"),
    ]
    operations = [migrations.RunPython(demo_clinic_two_factor_off, migrations.RunPython.noop)]

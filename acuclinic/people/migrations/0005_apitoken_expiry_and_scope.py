from datetime import timedelta

from django.db import migrations, models


def tokens_made_before_expiry_end_in_90_days(apps, schema_editor):
    ApiToken = apps.get_model("people", "ApiToken")
    from django.utils import timezone

    ApiToken.objects.filter(expires_at__isnull=True).update(
        expires_at=timezone.now() + timedelta(days=90)
    )


class Migration(migrations.Migration):
    dependencies = [("people", "0004_council_credentials")]

    operations = [
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True),
        ),
        migrations.RunPython(tokens_made_before_expiry_end_in_90_days, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="read_only",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="clinical",
            field=models.BooleanField(default=True, verbose_name="clinical records"),
        ),
    ]

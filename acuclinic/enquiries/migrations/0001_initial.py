"""The models enquiries took over from scheduling, with their tables (the names stay
``scheduling_<model>``) and rows as they were: this migration changes Django's state and
the content types, never a table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from acuclinic.core.migration_helpers import relabel_content_types


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('people', '0003_calendarfeedtoken'),
        ('scheduling', '0007_front_desk_apps_take_their_models'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Enquiry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('channel', models.CharField(choices=[('phone', 'Phone'), ('email', 'Email'), ('web', 'Web form')], max_length=10)),
                        ('status', models.CharField(choices=[('new', 'New'), ('replied', 'Replied'), ('booked', 'Booked'), ('closed', 'Closed')], default='new', max_length=10)),
                        ('name', models.CharField(max_length=120)),
                        ('email', models.EmailField(blank=True, max_length=254)),
                        ('phone', models.CharField(blank=True, max_length=30)),
                        ('message', models.TextField()),
                        ('condition', models.CharField(blank=True, choices=[('low_back', 'Back pain'), ('headache', 'Headaches or migraine'), ('fibromyalgia', 'Fibromyalgia'), ('msk', 'Muscle or joint pain'), ('post_surgery', 'Pain after an operation'), ('sciatica', 'Sciatica'), ('whiplash', 'Whiplash'), ('other', 'Something else')], max_length=20, verbose_name='what it is about')),
                        ('received_at', models.DateTimeField()),
                        ('notes', models.TextField(blank=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('appointment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='enquiries', to='scheduling.appointment')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('handled_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('patient', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='enquiries', to='people.patient')),
                    ],
                    options={
                        'verbose_name_plural': 'enquiries',
                        'db_table': 'scheduling_enquiry',
                        'ordering': ['-received_at', '-id'],
                        'indexes': [models.Index(fields=['status', 'received_at'], name='enquiry_status_received')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('channel__in', ['phone', 'email', 'web'])), name='enquiry_channel_valid'), models.CheckConstraint(condition=models.Q(('status__in', ['new', 'replied', 'booked', 'closed'])), name='enquiry_status_valid'), models.CheckConstraint(condition=models.Q(models.Q(('email', ''), _negated=True), models.Q(('phone', ''), _negated=True), _connector='OR'), name='enquiry_has_contact'), models.CheckConstraint(condition=models.Q(models.Q(('status', 'booked'), _negated=True), ('appointment__isnull', False), _connector='OR'), name='enquiry_booked_has_appointment')],
                    },
                ),
            ],
            database_operations=[],
        ),
        # Permissions keep their ids, so every role and user keeps what they held.
        migrations.RunPython(*relabel_content_types('scheduling', 'enquiries', ['enquiry'])),
    ]

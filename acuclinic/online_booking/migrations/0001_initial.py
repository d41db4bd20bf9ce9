"""The models online_booking took over from scheduling, with their tables (the names stay
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
                    name='RateLimitCount',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('key', models.CharField(max_length=100)),
                        ('window_start', models.DateTimeField()),
                        ('count', models.PositiveIntegerField(default=0)),
                    ],
                    options={
                        'db_table': 'scheduling_ratelimitcount',
                        'indexes': [models.Index(fields=['window_start'], name='ratelimit_window')],
                        'constraints': [models.UniqueConstraint(fields=('key', 'window_start'), name='ratelimit_unique_window')],
                    },
                ),
                migrations.CreateModel(
                    name='OnlineBooking',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('given_name', models.CharField(max_length=80)),
                        ('family_name', models.CharField(max_length=80)),
                        ('date_of_birth', models.DateField()),
                        ('email', models.EmailField(max_length=254)),
                        ('phone', models.CharField(blank=True, max_length=30, verbose_name='mobile phone')),
                        ('condition', models.CharField(blank=True, choices=[('low_back', 'Back pain'), ('headache', 'Headaches or migraine'), ('fibromyalgia', 'Fibromyalgia'), ('msk', 'Muscle or joint pain'), ('post_surgery', 'Pain after an operation'), ('sciatica', 'Sciatica'), ('whiplash', 'Whiplash'), ('other', 'Something else')], max_length=20)),
                        ('wants_contact', models.BooleanField(default=False, verbose_name='happy to be reminded and contacted by email and text')),
                        ('match', models.CharField(choices=[('matched', 'Returning patient'), ('new', 'New patient'), ('possible_duplicate', 'New record, may be a returning patient')], max_length=20)),
                        ('checked_at', models.DateTimeField(blank=True, null=True)),
                        ('check_note', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('appointment', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='online_booking', to='scheduling.appointment')),
                        ('checked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('possible_matches', models.ManyToManyField(blank=True, related_name='+', to='people.patient')),
                    ],
                    options={
                        'db_table': 'scheduling_onlinebooking',
                        'ordering': ['-created_at', '-id'],
                        'indexes': [models.Index(fields=['match', 'checked_at'], name='online_booking_to_check')],
                        'constraints': [models.CheckConstraint(condition=models.Q(('match__in', ['matched', 'new', 'possible_duplicate'])), name='online_booking_match_valid'), models.CheckConstraint(condition=models.Q(('checked_at__isnull', True), models.Q(('match', 'matched'), _negated=True), _connector='OR'), name='online_booking_only_new_records_checked')],
                    },
                ),
            ],
            database_operations=[],
        ),
        # Permissions keep their ids, so every role and user keeps what they held.
        migrations.RunPython(*relabel_content_types('scheduling', 'online_booking', ['onlinebooking', 'ratelimitcount'])),
    ]

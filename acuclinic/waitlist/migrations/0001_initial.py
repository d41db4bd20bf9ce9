"""The models waitlist took over from scheduling, with their tables (the names stay
``scheduling_<model>``) and rows as they were: this migration changes Django's state and
the content types, never a table."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from acuclinic.core.migration_helpers import relabel_content_types, repoint_queued_tasks


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('django_tasks_database', '0021_conditional_partial_index_ordering'),
        ('clinic', '0003_booking_rules_turnover_couch'),
        ('people', '0003_calendarfeedtoken'),
        ('scheduling', '0007_front_desk_apps_take_their_models'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='FreedTime',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('start', models.DateTimeField()),
                        ('end', models.DateTimeField()),
                        ('taken_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('location', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='clinic.location')),
                        ('practitioner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.practitioner')),
                    ],
                    options={
                        'db_table': 'scheduling_freedtime',
                        'ordering': ['-created_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='WaitlistEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('weekdays', models.PositiveSmallIntegerField()),
                        ('earliest', models.TimeField(verbose_name='from (time of day)')),
                        ('latest', models.TimeField(verbose_name='until (time of day)')),
                        ('until', models.DateField(verbose_name='waiting until')),
                        ('status', models.CharField(choices=[('waiting', 'Waiting'), ('booked', 'Booked from an offer'), ('removed', 'Removed')], default='waiting', max_length=10)),
                        ('notes', models.CharField(blank=True, max_length=200)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('ended_at', models.DateTimeField(blank=True, null=True)),
                        ('appointment', models.ForeignKey(blank=True, help_text='The later visit an offer would bring forward.', null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='scheduling.appointment')),
                        ('booked', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='scheduling.appointment')),
                        ('created_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('location', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='clinic.location')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='waitlist', to='people.patient')),
                        ('practitioners', models.ManyToManyField(blank=True, help_text='None chosen means anyone.', related_name='+', to='people.practitioner')),
                        ('service', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='clinic.service')),
                    ],
                    options={
                        'verbose_name_plural': 'waitlist entries',
                        'db_table': 'scheduling_waitlistentry',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='WaitlistOffer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField()),
                        ('start', models.DateTimeField()),
                        ('end', models.DateTimeField()),
                        ('token_digest', models.CharField(editable=False, max_length=64, unique=True)),
                        ('expires_at', models.DateTimeField()),
                        ('status', models.CharField(choices=[('offered', 'Offered'), ('accepted', 'Accepted'), ('declined', 'Declined'), ('gone', 'Taken by someone else')], default='offered', max_length=10)),
                        ('responded_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('appointment', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='scheduling.appointment')),
                        ('entry', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='offers', to='waitlist.waitlistentry')),
                        ('freed', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='offers', to='waitlist.freedtime')),
                        ('practitioner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='people.practitioner')),
                        ('room', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='clinic.room')),
                        ('service', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='clinic.service')),
                    ],
                    options={
                        'db_table': 'scheduling_waitlistoffer',
                        'ordering': ['freed', 'position'],
                    },
                ),
                migrations.AddConstraint(
                    model_name='freedtime',
                    constraint=models.CheckConstraint(condition=models.Q(('end__gt', models.F('start'))), name='freed_end_after_start'),
                ),
                migrations.AddIndex(
                    model_name='waitlistentry',
                    index=models.Index(fields=['status', 'location', 'until'], name='waitlist_waiting'),
                ),
                migrations.AddConstraint(
                    model_name='waitlistentry',
                    constraint=models.CheckConstraint(condition=models.Q(('weekdays__gte', 1), ('weekdays__lte', 127)), name='waitlist_weekdays_range'),
                ),
                migrations.AddConstraint(
                    model_name='waitlistentry',
                    constraint=models.CheckConstraint(condition=models.Q(('latest__gt', models.F('earliest'))), name='waitlist_window_ordered'),
                ),
                migrations.AddConstraint(
                    model_name='waitlistentry',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['waiting', 'booked', 'removed'])), name='waitlist_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='waitlistentry',
                    constraint=models.CheckConstraint(condition=models.Q(('status', 'waiting'), ('ended_at__isnull', False), _connector='OR'), name='waitlist_ended_has_time'),
                ),
                migrations.AddConstraint(
                    model_name='waitlistoffer',
                    constraint=models.UniqueConstraint(fields=('freed', 'entry'), name='offer_once_per_entry'),
                ),
                migrations.AddConstraint(
                    model_name='waitlistoffer',
                    constraint=models.CheckConstraint(condition=models.Q(('status__in', ['offered', 'accepted', 'declined', 'gone'])), name='offer_status_valid'),
                ),
                migrations.AddConstraint(
                    model_name='waitlistoffer',
                    constraint=models.CheckConstraint(condition=models.Q(('status', 'offered'), ('responded_at__isnull', False), _connector='OR'), name='offer_answered_has_time'),
                ),
                migrations.AddConstraint(
                    model_name='waitlistoffer',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'accepted')), fields=('freed',), name='offer_one_accepted_per_freed_time'),
                ),
            ],
            database_operations=[],
        ),
        # Permissions keep their ids, so every role and user keeps what they held.
        migrations.RunPython(*relabel_content_types('scheduling', 'waitlist', ['waitlistentry', 'freedtime', 'waitlistoffer'])),
        # A freed time queued for the worker before the move runs from its new module.
        migrations.RunPython(*repoint_queued_tasks(
            'acuclinic.scheduling.waitlist_tasks.offer_freed_time_task',
            'acuclinic.waitlist.tasks.offer_freed_time_task',
        )),
    ]

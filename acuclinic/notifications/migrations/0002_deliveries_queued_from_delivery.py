"""The task that delivers a message moved from notifications.tasks into
notifications.delivery (the module it runs), so the two no longer import each other.
Deliveries still waiting in the queue are pointed at the task's new place."""

from django.db import migrations

from acuclinic.core.migration_helpers import repoint_queued_tasks


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0001_initial"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.RunPython(
            *repoint_queued_tasks(
                "acuclinic.notifications.tasks.deliver_message",
                "acuclinic.notifications.delivery.deliver_message",
            )
        ),
    ]

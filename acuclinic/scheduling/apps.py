from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "acuclinic.scheduling"
    label = "scheduling"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from acuclinic.notifications import kinds, worker
        from acuclinic.scheduling.sql import ensure_sqlite_triggers

        # SQLite refuses overlapping appointments itself (scheduling/sql.py).
        post_migrate.connect(ensure_sqlite_triggers, sender=self, dispatch_uid="appt_overlap")

        kinds.register(
            "appointment_reminder",
            "Appointment reminder",
            "acuclinic.scheduling.reminders.reason_not_to_send",
        )
        worker.register_job(
            "appointment reminders", "acuclinic.scheduling.reminders.queue_due_reminders"
        )
        worker.register_job(
            "old idempotent answers", "acuclinic.scheduling.idempotency.prune_old_answers", 3600
        )

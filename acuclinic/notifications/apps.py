from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "acuclinic.notifications"
    label = "notifications"
    verbose_name = "Messages"

    def ready(self) -> None:
        from acuclinic.notifications import worker

        worker.register_job(
            "stalled and lost deliveries", "acuclinic.notifications.delivery.recover"
        )
        worker.register_job(
            "old task results", "acuclinic.notifications.worker.prune_task_results", 3600
        )

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "acuclinic.notifications"
    label = "notifications"
    verbose_name = "Messages"

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "acuclinic.audit"
    label = "audit"

    def ready(self):
        from acuclinic.audit import signals  # noqa: F401  (connects receivers)

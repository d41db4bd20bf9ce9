from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "acuclinic.audit"
    label = "audit"

from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "acuclinic.portal"
    label = "portal"
    verbose_name = "Patient portal"

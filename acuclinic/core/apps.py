from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "acuclinic.core"
    label = "core"

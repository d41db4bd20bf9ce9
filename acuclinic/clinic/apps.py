from django.apps import AppConfig


class ClinicConfig(AppConfig):
    name = "acuclinic.clinic"
    label = "clinic"

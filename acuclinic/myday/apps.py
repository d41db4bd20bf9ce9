from django.apps import AppConfig


class MyDayConfig(AppConfig):
    name = "acuclinic.myday"
    label = "myday"
    verbose_name = "My day"

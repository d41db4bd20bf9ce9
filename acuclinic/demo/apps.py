from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The synthetic demo clinic and its commands (`acuclinic demo`, `acuclinic setup`).
    At the top of the house: it builds rows for every app, and no app imports it."""

    name = "acuclinic.demo"
    label = "demo"

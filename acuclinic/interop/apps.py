from django.apps import AppConfig


class InteropConfig(AppConfig):
    """Data in and out: the FHIR R4 API, backups and their restore."""

    name = "acuclinic.interop"
    label = "interop"
    verbose_name = "Data exchange"

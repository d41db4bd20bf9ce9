from django.apps import AppConfig


class InteropConfig(AppConfig):
    """Data in and out: FHIR R4, bulk export, subject access, import, retention, backups."""

    name = "acuclinic.interop"
    label = "interop"
    verbose_name = "Data exchange"

    def ready(self) -> None:
        from acuclinic.notifications import worker

        worker.register_job("expired FHIR exports", "acuclinic.interop.export.prune_expired", 600)

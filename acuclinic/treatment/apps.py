from django.apps import AppConfig


class TreatmentConfig(AppConfig):
    name = "acuclinic.treatment"
    label = "treatment"
    verbose_name = "Treatment record"

    def ready(self):
        from acuclinic.treatment import catalogue

        # Load and check the point catalogues now: a malformed data file stops the
        # application at start-up with the file, the entry and the problem, instead of
        # charting against a wrong catalogue later.
        catalogue.current.cache_clear()
        catalogue.current()

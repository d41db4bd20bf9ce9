from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "acuclinic.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"

    def ready(self):
        from acuclinic.outcomes import catalogue

        # Load and check the measures now: a malformed data file stops the application at
        # start-up naming the entry and the problem, instead of scoring wrongly later.
        catalogue.current.cache_clear()
        catalogue.current()

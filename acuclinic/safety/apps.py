from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "acuclinic.safety"
    label = "safety"
    verbose_name = "Safety screening"

    def ready(self):
        from acuclinic.safety import catalogue

        # Load and check the screening rules now: a malformed rules file stops the
        # application at start-up with the rule and the problem, instead of screening
        # patients wrongly later.
        catalogue.current.cache_clear()
        catalogue.current()

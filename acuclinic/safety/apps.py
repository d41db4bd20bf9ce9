from django.apps import AppConfig


class SafetyConfig(AppConfig):
    name = "acuclinic.safety"
    label = "safety"
    verbose_name = "Safety screening"

    def ready(self):
        from acuclinic.notifications import kinds, worker
        from acuclinic.safety import catalogue, receivers
        from acuclinic.scheduling.signals import diary_cards

        # Load and check the screening rules now: a malformed rules file stops the
        # application at start-up with the rule and the problem, instead of screening
        # patients wrongly later.
        catalogue.current.cache_clear()
        catalogue.current()

        kinds.register(
            "credential_expiry",
            "Credential expiry reminder",
            "acuclinic.safety.credential_reminders.reason_not_to_send",
        )
        worker.register_job(
            "credential expiry reminders",
            "acuclinic.safety.credential_reminders.queue_credential_reminders",
            3600,
        )
        diary_cards.connect(receivers.annotate_diary_cards, dispatch_uid="safety.diary_cards")

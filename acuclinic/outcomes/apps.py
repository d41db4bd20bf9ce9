from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "acuclinic.outcomes"
    label = "outcomes"
    verbose_name = "Outcomes"

    def ready(self):
        from acuclinic.outcomes import catalogue, guidance, numbering
        from acuclinic.people.choices import ConditionChoice
        from acuclinic.scheduling.signals import diary_cards

        # The diary's cards show each visit's session number of the course.
        diary_cards.connect(numbering.annotate_diary_cards, dispatch_uid="outcomes.numbering")

        # Load and check the measures and NICE's guidance per condition now: a malformed
        # data file stops the application at start-up naming the entry and the problem,
        # instead of scoring or planning wrongly later.
        catalogue.current.cache_clear()
        catalogue.current()
        guidance.current.cache_clear()
        guidance.check_conditions(guidance.current(), ConditionChoice.values)

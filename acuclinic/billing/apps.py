from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "acuclinic.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self):
        from acuclinic.billing import receivers  # noqa: F401  (connects the signals)
        from acuclinic.notifications import kinds

        kinds.register("billing_document", "Invoice or receipt")

from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    """Patients waiting for an earlier time, and offers of the times that come free."""

    name = "acuclinic.waitlist"
    label = "waitlist"

    def ready(self) -> None:
        from acuclinic.scheduling.signals import time_freed
        from acuclinic.waitlist import receivers

        time_freed.connect(receivers.offer_when_freed, dispatch_uid="waitlist.offer_when_freed")

from django.apps import AppConfig


class WaitlistConfig(AppConfig):
    """Patients waiting for an earlier time, and offers of the times that come free."""

    name = "acuclinic.waitlist"
    label = "waitlist"

    def ready(self) -> None:
        from acuclinic.notifications import kinds
        from acuclinic.scheduling.signals import booking_preferences, time_freed
        from acuclinic.waitlist import receivers

        kinds.register(
            "waitlist_offer", "Waitlist offer", "acuclinic.waitlist.services.reason_not_to_send"
        )
        kinds.register(
            "waitlist_gone",
            "Waitlist offer taken by someone else",
            "acuclinic.waitlist.services.gone_still_wanted",
        )

        time_freed.connect(receivers.offer_when_freed, dispatch_uid="waitlist.offer_when_freed")
        booking_preferences.connect(
            receivers.preference_of, dispatch_uid="waitlist.booking_preferences"
        )

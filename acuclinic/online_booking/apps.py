from django.apps import AppConfig


class OnlineBookingConfig(AppConfig):
    """The public self-booking pages, their bot check and rate limits, and the emails they
    send."""

    name = "acuclinic.online_booking"
    label = "online_booking"
    verbose_name = "online booking"

    def ready(self) -> None:
        from acuclinic.notifications import kinds

        kinds.register(
            "online_booking_confirmation",
            "Online booking confirmation",
            "acuclinic.online_booking.emails.reason_not_to_send",
        )
        kinds.register("online_cancellation", "Online cancellation confirmed")

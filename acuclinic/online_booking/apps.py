from django.apps import AppConfig


class OnlineBookingConfig(AppConfig):
    """The public self-booking pages, their bot check and rate limits, and the emails they
    send."""

    name = "acuclinic.online_booking"
    label = "online_booking"
    verbose_name = "online booking"

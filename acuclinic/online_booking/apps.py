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

        from acuclinic.online_booking import patient_notices
        from acuclinic.scheduling.signals import patient_to_be_told

        check = "acuclinic.online_booking.patient_notices.reason_not_to_send"
        kinds.register(patient_notices.BOOKED, "Booking confirmation", check)
        kinds.register(patient_notices.MOVED, "Appointment moved", check)
        kinds.register(patient_notices.CANCELLED, "Appointment cancelled", check)
        patient_to_be_told.connect(
            patient_notices.on_patient_to_be_told, dispatch_uid="online_booking_tell_patient"
        )

from django.apps import AppConfig


class EnquiriesConfig(AppConfig):
    """The enquiry inbox: phone, email and web enquiries, and the path to a booking."""

    name = "acuclinic.enquiries"
    label = "enquiries"

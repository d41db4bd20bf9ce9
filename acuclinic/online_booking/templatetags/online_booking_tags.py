"""Online booking on reception's pages: the records it made that are still to check,
counted for the button on the enquiry inbox."""

from django import template

from acuclinic.online_booking import services

register = template.Library()


@register.simple_tag
def online_bookings_to_check() -> int:
    return services.to_check().count()

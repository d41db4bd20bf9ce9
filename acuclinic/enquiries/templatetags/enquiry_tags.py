"""The enquiry inbox on every staff page: how many enquiries are new, in the menu."""

from django import template

from acuclinic.enquiries import services

register = template.Library()


@register.simple_tag
def new_enquiries() -> int:
    """How many enquiries nobody has answered yet (one COUNT on the status index)."""
    return services.new_count()

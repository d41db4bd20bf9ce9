"""Reception's bits on other pages: new enquiries in the menu, the waitlist on the patient
record."""

from django import template

from acuclinic.scheduling import enquiries
from acuclinic.scheduling.choices import WaitlistStatus
from acuclinic.scheduling.models import WaitlistEntry

register = template.Library()


@register.simple_tag
def new_enquiries() -> int:
    """How many enquiries nobody has answered yet (one COUNT on the status index)."""
    return enquiries.new_count()


@register.inclusion_tag("scheduling/waitlist/_section.html", takes_context=True)
def waitlist_section(context, patient):
    user = context["request"].user
    if not user.has_perm("scheduling.view_waitlistentry"):
        return {"hidden": True}
    entries = WaitlistEntry.objects.filter(
        patient=patient, status=WaitlistStatus.WAITING
    ).select_related("service", "location")
    return {
        "patient": patient,
        "entries": list(entries),
        "can_add": user.has_perm("scheduling.add_waitlistentry"),
    }

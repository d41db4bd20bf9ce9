"""The waitlist on other apps' pages: the patient record's "Waiting for an earlier time"."""

from django import template

from acuclinic.waitlist.choices import WaitlistStatus
from acuclinic.waitlist.models import WaitlistEntry

register = template.Library()


@register.inclusion_tag("waitlist/_section.html", takes_context=True)
def waitlist_section(context, patient):
    user = context["request"].user
    if not user.has_perm("waitlist.view_waitlistentry"):
        return {"hidden": True}
    entries = WaitlistEntry.objects.filter(
        patient=patient, status=WaitlistStatus.WAITING
    ).select_related("service", "location")
    return {
        "patient": patient,
        "entries": list(entries),
        "can_add": user.has_perm("waitlist.add_waitlistentry"),
    }

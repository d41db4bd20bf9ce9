"""{% message_log appointment %}: every message sent about an appointment, and how each
delivery went. For anyone who may see the appointment (reception and clinicians)."""

from django import template

from acuclinic.notifications import queries
from acuclinic.notifications.presenting import delivery

register = template.Library()


@register.inclusion_tag("notifications/message_log.html", takes_context=True)
def message_log(context, appointment):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.has_perm("scheduling.view_appointment"):
        return {"show": False}
    return {
        "show": True,
        "rows": [(m, delivery(m)) for m in queries.messages_about(appointment)],
        "can_retry": user.has_perm("notifications.change_message"),
        "back": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }

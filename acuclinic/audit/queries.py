from datetime import datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from acuclinic.audit.models import AuditEntry

# Object types whose model moved to another app. The trail is append-only, so entries
# written before the move keep the earlier name; a search for either name finds both.
SAME_OBJECT_TYPES = (
    ("scheduling.enquiry", "enquiries.enquiry"),
    ("scheduling.onlinebooking", "online_booking.onlinebooking"),
    ("scheduling.ratelimitcount", "online_booking.ratelimitcount"),
    ("scheduling.waitlistentry", "waitlist.waitlistentry"),
    ("scheduling.freedtime", "waitlist.freedtime"),
    ("scheduling.waitlistoffer", "waitlist.waitlistoffer"),
)


def object_type_names(object_type: str) -> set[str]:
    """``object_type`` and the other names the same kind of record has had."""
    for names in SAME_OBJECT_TYPES:
        if object_type in names:
            return set(names)
    return {object_type}


def filter_entries(
    *, user="", action="", object_type="", patient=None, since=None, until=None
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.all()
    if user:
        qs = qs.filter(actor_username__iexact=user)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type__in=object_type_names(object_type))
    if patient:
        qs = qs.filter(patient_id=patient)
    if since:
        qs = qs.filter(at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    if until:
        qs = qs.filter(
            at__lt=timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))
        )
    return qs

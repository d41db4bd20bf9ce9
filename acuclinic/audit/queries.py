from datetime import datetime, time, timedelta

from django.db.models import QuerySet
from django.utils import timezone

from acuclinic.audit.models import AuditEntry


def filter_entries(
    *, user="", action="", object_type="", patient=None, since=None, until=None
) -> QuerySet[AuditEntry]:
    qs = AuditEntry.objects.all()
    if user:
        qs = qs.filter(actor_username__iexact=user)
    if action:
        qs = qs.filter(action=action)
    if object_type:
        qs = qs.filter(object_type=object_type)
    if patient:
        qs = qs.filter(patient_id=patient)
    if since:
        qs = qs.filter(at__gte=timezone.make_aware(datetime.combine(since, time.min)))
    if until:
        qs = qs.filter(
            at__lt=timezone.make_aware(datetime.combine(until + timedelta(days=1), time.min))
        )
    return qs

"""How the waitlist hears that a time came free: scheduling's ``time_freed`` signal, sent
after a cancellation or a move commits (connected in apps.py)."""

from django.utils import timezone

from acuclinic.clinic.models import Location
from acuclinic.scheduling.signals import Freed
from acuclinic.waitlist import services, tasks


def offer_when_freed(sender, *, freed: Freed, **kwargs) -> None:
    """Cheap when nobody waits there; else the offers are worked out and sent by the
    worker, not in the request that freed the time."""
    if freed.start <= timezone.now():
        return
    location = Location.objects.get(pk=freed.location_id)
    day = freed.start.astimezone(location.tz).date()
    if not services.waiting(today=day).filter(location_id=freed.location_id).exists():
        return
    tasks.offer_freed_time_task.enqueue(
        freed.practitioner_id, freed.location_id, freed.start.isoformat(), freed.end.isoformat()
    )

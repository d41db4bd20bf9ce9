"""The background task that offers a freed time to the waitlist (run by the worker).

It carries only ids and times: what is free, and who waits, is read again when it runs,
so a time rebooked in the meantime is simply not offered.
"""

from datetime import datetime

from django_tasks import task

from acuclinic.clinic.models import Location
from acuclinic.people.models import Practitioner
from acuclinic.waitlist import services


@task()
def offer_freed_time_task(practitioner_id: int, location_id: int, start: str, end: str) -> str:
    practitioner = Practitioner.objects.filter(pk=practitioner_id).first()
    location = Location.objects.select_related("clinic").filter(pk=location_id).first()
    if practitioner is None or location is None:
        return "nothing to offer: the practitioner or location is gone"
    offers = services.offer_freed_time(
        practitioner=practitioner,
        location=location,
        start=datetime.fromisoformat(start),
        end=datetime.fromisoformat(end),
    )
    return f"offered to {len(offers)}"

"""How the waitlist hears from scheduling (connected in apps.py): ``time_freed``, sent
after a cancellation or a move commits; ``booking_preferences``, asked when staff open
the booking form for a patient, answered with what the patient waits for."""

from django.utils import timezone

from acuclinic.clinic.models import Location
from acuclinic.scheduling.signals import BookingPreference, Freed
from acuclinic.waitlist import services, tasks
from acuclinic.waitlist.choices import WaitlistStatus
from acuclinic.waitlist.models import WaitlistEntry


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


def preference_of(sender, *, patient, **kwargs) -> BookingPreference | None:
    """The earliest-added entry the patient still waits on, as the booking form's
    free-time search uses it; None when they wait on nothing."""
    entry = (
        WaitlistEntry.objects.filter(
            patient=patient, status=WaitlistStatus.WAITING, until__gte=timezone.localdate()
        )
        .select_related("service", "location")
        .prefetch_related("practitioners__user")
        .order_by("created_at", "pk")
        .first()
    )
    if entry is None:
        return None
    chosen = list(entry.practitioners.all())
    who = ", ".join(p.name for p in chosen) or "anyone"
    return BookingPreference(
        source=(
            f"their waitlist entry: {entry.service.name} at {entry.location.name} with "
            f"{who}, {entry.weekdays_display}, {entry.earliest:%H:%M}–{entry.latest:%H:%M}"
        ),
        service_id=entry.service_id,
        location_id=entry.location_id,
        practitioner_id=chosen[0].pk if len(chosen) == 1 else None,
        weekdays=tuple(d for d in range(7) if entry.takes_weekday(d)),
        earliest=entry.earliest,
        latest=entry.latest,
    )

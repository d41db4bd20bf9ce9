"""The waitlist: patients waiting for an earlier time, the times that came free, and the
offers of them."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from acuclinic.clinic.choices import Weekday
from acuclinic.clinic.models import Location, Room, Service
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling.models import Appointment
from acuclinic.waitlist.choices import OfferStatus, WaitlistStatus


class WaitlistEntry(models.Model):
    """A patient waiting for an earlier time: a service at a location, with some
    practitioners (or anyone), on some weekdays, within a time of day, until a date.

    With ``appointment`` they already hold a later visit, which accepting an offer
    brings forward; without, accepting books a new one. Entries are offered a freed
    time in the order they were added.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="waitlist")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    practitioners = models.ManyToManyField(
        Practitioner, blank=True, related_name="+", help_text="None chosen means anyone."
    )
    # Bit n set: weekday n (Monday = 0) will do.
    weekdays = models.PositiveSmallIntegerField()
    earliest = models.TimeField("from (time of day)")
    latest = models.TimeField("until (time of day)")
    until = models.DateField("waiting until")
    appointment = models.ForeignKey(
        Appointment,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The later visit an offer would bring forward.",
    )
    status = models.CharField(
        max_length=10, choices=WaitlistStatus.choices, default=WaitlistStatus.WAITING
    )
    notes = models.CharField(max_length=200, blank=True)
    booked = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # The table keeps the name it had when scheduling owned it (no rows moved).
        db_table = "scheduling_waitlistentry"
        ordering = ["created_at", "id"]
        verbose_name_plural = "waitlist entries"
        indexes = [models.Index(fields=["status", "location", "until"], name="waitlist_waiting")]
        constraints = [
            models.CheckConstraint(
                condition=Q(weekdays__gte=1, weekdays__lte=127), name="waitlist_weekdays_range"
            ),
            models.CheckConstraint(
                condition=Q(latest__gt=F("earliest")), name="waitlist_window_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status__in=WaitlistStatus.values), name="waitlist_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=WaitlistStatus.WAITING) | Q(ended_at__isnull=False),
                name="waitlist_ended_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} waiting for {self.service}"

    def takes_weekday(self, weekday: int) -> bool:
        return bool(self.weekdays & (1 << weekday))

    @property
    def weekdays_display(self) -> str:
        days = [label[:3] for value, label in Weekday.choices if self.takes_weekday(value)]
        return "Any day" if len(days) == 7 else ", ".join(days)


class FreedTime(models.Model):
    """A practitioner's time that came free (a cancellation or a move) and was offered
    to the waitlist. Whoever accepts first takes it: accepting locks this row."""

    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    taken_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table keeps the name it had when scheduling owned it (no rows moved).
        db_table = "scheduling_freedtime"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="freed_end_after_start")
        ]

    def __str__(self) -> str:
        return f"{self.practitioner} free at {self.start:%Y-%m-%d %H:%M}"


class WaitlistOffer(models.Model):
    """One waiting patient's emailed offer of a freed time, with the exact visit it
    would book. The link's secret is stored only as a SHA-256 digest; it works once,
    until ``expires_at``."""

    freed = models.ForeignKey(FreedTime, on_delete=models.CASCADE, related_name="offers")
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    # The place in the queue when offered (1 = waiting longest).
    position = models.PositiveSmallIntegerField()
    practitioner = models.ForeignKey(Practitioner, on_delete=models.CASCADE, related_name="+")
    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="+")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=OfferStatus.choices, default=OfferStatus.OFFERED
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        # The table keeps the name it had when scheduling owned it (no rows moved).
        db_table = "scheduling_waitlistoffer"
        ordering = ["freed", "position"]
        constraints = [
            models.UniqueConstraint(fields=["freed", "entry"], name="offer_once_per_entry"),
            models.CheckConstraint(
                condition=Q(status__in=OfferStatus.values), name="offer_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=OfferStatus.OFFERED) | Q(responded_at__isnull=False),
                name="offer_answered_has_time",
            ),
            # Only one patient can have taken a freed time.
            models.UniqueConstraint(
                fields=["freed"],
                condition=Q(status=OfferStatus.ACCEPTED),
                name="offer_one_accepted_per_freed_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Offer of {self.start:%Y-%m-%d %H:%M} to {self.entry.patient}"

"""Appointments: who is seen, by whom, where, when, and what happened; the working time
they must fit in; courses of sessions booked together."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from acuclinic.clinic.choices import Weekday
from acuclinic.clinic.models import Location, Room, Service
from acuclinic.core.fast_rows import FastRows
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling.choices import AppointmentStatus, CancelledBy, Channel, ExceptionKind

# A course longer than a year of weekly sessions is a typing mistake, not a plan.
MAX_SERIES_SESSIONS = 52
MAX_SERIES_INTERVAL_WEEKS = 4


class WorkingPattern(models.Model):
    """A practitioner's regular hours at one location on one weekday, e.g. Tuesdays
    09:00–17:00 at Riverside from 6 Apr 2026.

    Times are wall-clock times at the location, so a pattern holds across the clock
    change. A change of rota ends the old pattern (``valid_until``) and starts a new one,
    so the hours that applied to past appointments stay on record.
    """

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="working_patterns"
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="working_patterns"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField()
    valid_from = models.DateField()
    valid_until = models.DateField(
        null=True, blank=True, help_text="The last day it applies; empty while it runs on."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["weekday", "starts", "valid_from"]
        indexes = [
            models.Index(fields=["practitioner", "weekday"], name="pattern_practitioner_day"),
            models.Index(fields=["location", "weekday"], name="pattern_location_day"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="pattern_ends_after"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="pattern_weekday_range"),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="pattern_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return (
            f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M} "
            f"at {self.location.name}"
        )

    def applies_on(self, day) -> bool:
        return (
            day.weekday() == self.weekday
            and self.valid_from <= day
            and (self.valid_until is None or day <= self.valid_until)
        )


class WorkingException(models.Model):
    """A change to the usual hours on some days: time off (leave, training, a bank
    holiday) or a one-off extra session.

    With no practitioner it applies to everyone (a bank holiday, the clinic closed);
    with no location, to every location. Without times it is the whole of each day from
    ``first_day`` to ``last_day``; with them, that part of each day, in local time.
    """

    practitioner = models.ForeignKey(
        Practitioner,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="working_exceptions",
        help_text="Empty for everyone.",
    )
    location = models.ForeignKey(
        Location,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="working_exceptions",
        help_text="Empty for every location.",
    )
    kind = models.CharField(max_length=20, choices=ExceptionKind.choices)
    first_day = models.DateField()
    last_day = models.DateField()
    starts = models.TimeField(null=True, blank=True)
    ends = models.TimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["first_day", "starts"]
        indexes = [
            models.Index(fields=["practitioner", "first_day"], name="exception_practitioner_day"),
            models.Index(fields=["last_day"], name="exception_last_day"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ExceptionKind.values), name="exception_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="exception_days_ordered"
            ),
            models.CheckConstraint(
                condition=Q(starts__isnull=True, ends__isnull=True)
                | Q(starts__isnull=False, ends__isnull=False, ends__gt=F("starts")),
                name="exception_times_whole_or_ordered",
            ),
            # An extra session is someone working somewhere.
            models.CheckConstraint(
                condition=~Q(kind=ExceptionKind.EXTRA)
                | Q(practitioner__isnull=False, location__isnull=False),
                name="exception_extra_has_who_and_where",
            ),
        ]

    def __str__(self) -> str:
        days = (
            f"{self.first_day:%-d %b %Y}"
            if self.first_day == self.last_day
            else f"{self.first_day:%-d %b %Y} to {self.last_day:%-d %b %Y}"
        )
        hours = f" {self.starts:%H:%M}–{self.ends:%H:%M}" if self.starts else ""
        return f"{self.get_kind_display()}: {days}{hours}"

    @property
    def is_absence(self) -> bool:
        return self.kind in ExceptionKind.absences()

    @property
    def whole_day(self) -> bool:
        return self.starts is None


class RoomClosure(models.Model):
    """A room out of use for a while: decorating, a broken couch, a deep clean."""

    room = models.ForeignKey(Room, on_delete=models.CASCADE, related_name="closures")
    starts = models.DateTimeField()
    ends = models.DateTimeField()
    reason = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts"]
        indexes = [models.Index(fields=["room", "ends"], name="closure_room_ends")]
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="closure_ends_after")
        ]

    def __str__(self) -> str:
        return f"{self.room} closed"


class Series(models.Model):
    """A course of sessions booked in one action, e.g. six weekly sessions on Tuesdays
    at 10:00 with the same practitioner.

    Each appointment keeps its own time and practitioner (a session may have taken an
    alternative, or been moved on its own); the series records what was asked for.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="series")
    practitioner = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="series")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="series")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="series")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    local_time = models.TimeField()
    interval_weeks = models.PositiveSmallIntegerField(default=1)
    sessions = models.PositiveSmallIntegerField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "series"
        constraints = [
            models.CheckConstraint(
                condition=Q(sessions__gte=1, sessions__lte=MAX_SERIES_SESSIONS),
                name="series_sessions_range",
            ),
            models.CheckConstraint(
                condition=Q(interval_weeks__gte=1, interval_weeks__lte=MAX_SERIES_INTERVAL_WEEKS),
                name="series_interval_range",
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="series_weekday_range"),
        ]

    def __str__(self) -> str:
        return f"{self.sessions} sessions of {self.service} for {self.patient}"

    @property
    def cadence_display(self) -> str:
        every = "weekly" if self.interval_weeks == 1 else f"every {self.interval_weeks} weeks"
        return f"{every} on {self.get_weekday_display()}s at {self.local_time:%H:%M}"


class IdempotentRequest(models.Model):
    """The first answer to an API request sent with an ``Idempotency-Key``.

    A client that retries after a timeout sends the same key; it gets this stored answer
    back, status and body, and nothing is booked twice. The row is written in the same
    transaction as the booking, so the two are committed together or not at all.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    # SHA-256 of the method, path and body, to tell a retry from a reused key.
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code})"


# The longest an appointment can hold its practitioner and room: a visit of at most eight
# hours and a turnover of at most one (both are checked, and the database refuses more).
# Knowing it lets a search for clashes bound ``start`` on both sides and use the index.
MAX_HELD = timedelta(hours=9)


# What a visit is shown with, besides its patient (``for_diary`` adds the patient; a
# patient's own ``appointments`` already know theirs).
VISIT_RELATIONS = ("practitioner__user", "room__location", "service", "series")


class AppointmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(status__in=AppointmentStatus.active())

    def overlapping(self, start, end):
        """Appointments whose time range intersects [start, end)."""
        return self.filter(start__lt=end, start__gt=start - MAX_HELD, end__gt=start)

    def holding(self, start, until):
        """Appointments whose held time (the visit and its turnover) meets [start, until)."""
        return self.filter(start__lt=until, start__gt=start - MAX_HELD, held_until__gt=start)

    def for_diary(self):
        return self.select_related("patient", *VISIT_RELATIONS)


class Appointment(FastRows, models.Model):
    """One booked visit. Times are aware datetimes stored in UTC."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="appointments")
    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.PROTECT, related_name="appointments"
    )
    room = models.ForeignKey(Room, on_delete=models.PROTECT, related_name="appointments")
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="appointments")
    start = models.DateTimeField()
    end = models.DateTimeField()
    # The end plus the service's turnover (needles away, couch cleaned): the practitioner
    # and the room are held until then. The database's overlap constraint uses it.
    held_until = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=AppointmentStatus.choices, default=AppointmentStatus.BOOKED
    )
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.PHONE)
    # Administrative notes for the front desk ("prefers mornings"); never clinical content.
    notes = models.TextField(blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancellation_reason = models.CharField(max_length=200, blank=True)
    cancelled_by = models.CharField(max_length=10, choices=CancelledBy.choices, blank=True)
    # Booked outside the practitioner's working time, on purpose, by staff.
    extra_session = models.BooleanField(default=False)
    series = models.ForeignKey(
        Series, null=True, blank=True, on_delete=models.PROTECT, related_name="appointments"
    )
    series_index = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppointmentQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        indexes = [
            models.Index(fields=["practitioner", "start"], name="appt_practitioner_start"),
            models.Index(fields=["room", "start"], name="appt_room_start"),
            models.Index(fields=["patient", "start"], name="appt_patient_start"),
            models.Index(fields=["start"], name="appt_start"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="appt_end_after_start"),
            models.CheckConstraint(
                condition=Q(held_until__gte=F("end")), name="appt_held_until_after_end"
            ),
            models.CheckConstraint(
                condition=Q(held_until__lte=F("start") + MAX_HELD), name="appt_held_at_most_9h"
            ),
            models.CheckConstraint(
                condition=Q(series__isnull=True, series_index__isnull=True)
                | Q(series__isnull=False, series_index__gte=1),
                name="appt_series_has_index",
            ),
            models.UniqueConstraint(
                fields=["series", "series_index"],
                condition=Q(series__isnull=False),
                name="appt_series_index_unique",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AppointmentStatus.values), name="appt_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=Channel.values), name="appt_channel_valid"
            ),
            # A cancelled appointment always says when it was cancelled.
            models.CheckConstraint(
                condition=~Q(status__in=["cancelled", "late_cancelled"])
                | Q(cancelled_at__isnull=False),
                name="appt_cancel_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.patient} with {self.practitioner} at {self.start:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.held_until is None and self.end is not None:
            self.held_until = self.end + timedelta(minutes=self.service.turnover_minutes)
        super().save(*args, **kwargs)

    @property
    def series_position_display(self) -> str:
        """ "Session 3 of 6", or "" outside a series."""
        if self.series_id is None:
            return ""
        return f"Session {self.series_index} of {self.series.sessions}"

    @property
    def is_active(self) -> bool:
        return self.status in AppointmentStatus.active()

    @property
    def location(self):
        return self.room.location

"""The organisation: clinics, their locations, rooms and the services they sell."""

import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from acuclinic.clinic.choices import LicensingRegime, Modality, Weekday
from acuclinic.core.fast_rows import FastRows


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone.", code="invalid_time_zone")


class Clinic(models.Model):
    """A practice that runs an acupuncture service, with its policies."""

    name = models.CharField(max_length=120, unique=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    website = models.URLField(blank=True)
    # Cancellations with less notice than this count as late (clinic policy).
    cancellation_notice_hours = models.PositiveSmallIntegerField(
        default=24, validators=[MaxValueValidator(168)]
    )
    # Online self-booking rules: patients cannot grab a slot the practitioner has no time
    # to prepare for, nor book further ahead than the rota is settled. Staff booking by
    # phone or at the desk is not bound by either (see scheduling.queries).
    min_booking_notice_hours = models.PositiveSmallIntegerField(
        "minimum notice for online bookings (hours)",
        default=12,
        validators=[MaxValueValidator(336)],
    )
    booking_horizon_days = models.PositiveSmallIntegerField(
        "online booking opens this many days ahead",
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(730)],
    )
    # A patient is marked arrived from this long before the visit's start, not earlier:
    # the timeline of a visit (arrived, note signed, completed) follows the clock.
    arrival_window_minutes = models.PositiveSmallIntegerField(
        "a visit can be marked arrived this many minutes before its start",
        default=30,
        validators=[MaxValueValidator(240)],
    )
    # Practitioners' calendar feeds go to third-party calendar services: they name no
    # patient unless the clinic chooses so (the account security page).
    calendar_feed_patient_names = models.BooleanField(
        "show patients' names in calendar feeds", default=False
    )
    # Staff sign in with a code from an authenticator app as well as their password
    # (people.two_factor). On unless the clinic turns it off; the demo clinic does.
    require_two_factor = models.BooleanField(
        "require two-factor sign-in for every member of staff", default=True
    )
    # The clinic's logo, public branding shown in the page header, emails and invoices.
    # Kept in the database (no media directory to serve or back up separately), checked
    # on upload (clinic.logo); served by its digest so a new logo is a new address.
    logo = models.BinaryField(blank=True, default=b"", editable=False)
    logo_type = models.CharField(max_length=20, blank=True, editable=False)
    logo_digest = models.CharField(max_length=16, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(cancellation_notice_hours__lte=168), name="clinic_notice_le_week"
            ),
            models.CheckConstraint(
                condition=Q(min_booking_notice_hours__lte=336), name="clinic_min_notice_le_2_weeks"
            ),
            models.CheckConstraint(
                condition=Q(booking_horizon_days__gte=1, booking_horizon_days__lte=730),
                name="clinic_horizon_range",
            ),
            models.CheckConstraint(
                condition=Q(arrival_window_minutes__lte=240), name="clinic_arrival_window_le_4h"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def logo_path(self) -> str:
        """Where the logo is served ("" when there is none)."""
        if not self.logo_digest:
            return ""
        return reverse("clinic_logo", args=[self.logo_digest])

    @property
    def logo_url(self) -> str:
        """The logo's full address, for emails ("" when there is none)."""
        path = self.logo_path
        return settings.ACUCLINIC_PUBLIC_URL.rstrip("/") + path if path else ""


class Location(models.Model):
    """A site where patients are seen; times there are computed in its time zone."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="locations")
    name = models.CharField(max_length=120)
    address_line1 = models.CharField(max_length=120)
    address_line2 = models.CharField(max_length=120, blank=True)
    town = models.CharField(max_length=80)
    postcode = models.CharField(max_length=10)
    phone = models.CharField(max_length=30, blank=True)
    time_zone = models.CharField(
        max_length=60, default="Europe/London", validators=[validate_time_zone]
    )
    is_active = models.BooleanField(default=True)
    # Whether the council licenses acupuncture here, and which council: where it does,
    # the practitioner and the premises need its registration or licence
    # (people.credentials; the provisions are in people/data/licensing.toml).
    licensing_regime = models.CharField(
        max_length=20, choices=LicensingRegime.choices, default=LicensingRegime.NONE
    )
    licensing_authority = models.CharField(
        "licensing council",
        max_length=80,
        blank=True,
        help_text="The council or London borough, e.g. “Leeds City Council”.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="location_unique_name"),
            models.CheckConstraint(
                condition=Q(licensing_regime__in=LicensingRegime.values),
                name="location_licensing_regime_valid",
            ),
            # A regime is run by a named council; no regime names none.
            models.CheckConstraint(
                condition=(
                    Q(licensing_regime=LicensingRegime.NONE, licensing_authority="")
                    | (~Q(licensing_regime=LicensingRegime.NONE) & ~Q(licensing_authority=""))
                ),
                name="location_licensing_authority_named",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def tz(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, self.town, self.postcode]
        return ", ".join(p for p in parts if p)


class PremisesRegistration(models.Model):
    """A location's registration or licence with its council for acupuncture: an
    LG(MP)A 1982 s.14 premises registration (one-off: no end date) or a London special
    treatment licence (a year at a time)."""

    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="premises_registrations"
    )
    authority = models.CharField("council", max_length=80)
    number = models.CharField(max_length=40)
    valid_from = models.DateField()
    # Blank: no end date (a s.14 registration lasts until the council cancels it).
    valid_until = models.DateField(null=True, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["location__name", "valid_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="premises_registration_dates_ordered",
            ),
            models.CheckConstraint(
                condition=~Q(authority="") & ~Q(number=""),
                name="premises_registration_named",
            ),
            models.UniqueConstraint(
                fields=["location", "authority", "number", "valid_from"],
                name="premises_registration_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.authority} {self.number} ({self.location.name})"


class OpeningHours(models.Model):
    """One opening period of a location on a weekday, in local time."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="opening_hours")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=Q(closes__gt=F("opens")), name="hours_close_after_open"
            ),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="hours_weekday_range"),
            models.UniqueConstraint(fields=["location", "weekday", "opens"], name="hours_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class Room(models.Model):
    """A room patients are seen in; appointments hold a room for their duration.

    Acupuncture is given lying down, so a visit that may include needling needs a room
    with a treatment couch; a consulting room without one is fine for a review.
    """

    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="rooms")
    name = models.CharField(max_length=60)
    has_couch = models.BooleanField("has a treatment couch", default=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["location__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["location", "name"], name="room_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.location.name})"


NEEDLING_MODALITIES = sorted(Modality.needling())


class Service(FastRows, models.Model):
    """Something a patient can book, with its modality, length and private price."""

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=120)
    modality = models.CharField(max_length=20, choices=Modality.choices)
    # The acupuncture a visit of this service may include: a treatment service needles in
    # its own modality; an assessment or follow-up may include a session of either kind
    # ("Assessment and acupuncture"); blank means no needles. It decides who may be booked
    # and whether the safety gate applies.
    needling = models.CharField(
        max_length=20,
        blank=True,
        choices=[(m.value, m.label) for m in Modality if m.value in Modality.needling()],
        help_text="The acupuncture this visit may include; blank for none.",
    )
    duration_minutes = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(5), MaxValueValidator(240)]
    )
    # Time after each visit before the practitioner and the room can take the next one:
    # needles into the sharps bin, the couch wiped and its paper changed, notes finished.
    turnover_minutes = models.PositiveSmallIntegerField(
        "turnover after each visit (minutes)",
        default=0,
        validators=[MaxValueValidator(60)],
    )
    # Money in whole pence: no floating-point rounding on invoices.
    price_pence = models.PositiveIntegerField(validators=[MaxValueValidator(10_000_00)])
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    bookable_online = models.BooleanField(default=True)
    # A new patient's first visit, whatever its kind ("Traditional acupuncture: first
    # consultation" is traditional acupuncture and a first visit): online booking lists
    # it under first appointments, and a booking's email carries the questionnaire link.
    first_visit = models.BooleanField(
        "for new patients (a first visit)",
        default=False,
        help_text="An assessment is always a first visit.",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "name"], name="service_unique_name"),
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=240),
                name="service_duration_range",
            ),
            models.CheckConstraint(
                condition=Q(price_pence__gte=0, price_pence__lte=10_000_00),
                name="service_price_range",
            ),
            models.CheckConstraint(
                condition=Q(turnover_minutes__lte=60), name="service_turnover_le_hour"
            ),
            models.CheckConstraint(
                condition=Q(modality__in=Modality.values), name="service_modality_valid"
            ),
            # A treatment service needles in its own modality, never in the other one.
            models.CheckConstraint(
                condition=(
                    Q(modality__in=NEEDLING_MODALITIES, needling=F("modality"))
                    | (
                        ~Q(modality__in=NEEDLING_MODALITIES)
                        & Q(needling__in=["", *NEEDLING_MODALITIES])
                    )
                ),
                name="service_needling_matches_modality",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        if self.modality in Modality.needling():
            self.needling = self.modality
        super().save(*args, **kwargs)

    @property
    def price_display(self) -> str:
        return f"£{self.price_pence // 100}.{self.price_pence % 100:02d}"

    @property
    def needs_acupuncture_qualification(self) -> bool:
        return bool(self.needling)

    @property
    def needs_couch(self) -> bool:
        """Needling is done lying down, on a treatment couch."""
        return bool(self.needling)

    @property
    def needling_label(self) -> str:
        return Modality(self.needling).label if self.needling else ""

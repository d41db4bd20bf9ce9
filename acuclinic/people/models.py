"""Staff accounts, practitioners with their credentials, and patients."""

from datetime import date

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone

from acuclinic.clinic.choices import Modality
from acuclinic.core.fast_rows import FastRows
from acuclinic.people import credentials, nhs_number, roles
from acuclinic.people.choices import (
    ConditionChoice,
    CredentialKind,
    Profession,
    Sex,
)
from acuclinic.people.phone import national_digits


class User(FastRows, AbstractUser):
    """A staff login. Roles are groups (see roles.py)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="user_unique_email_ci"
            )
        ]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role(self) -> str:
        """The most senior role they hold, as the audit trail and the pages name it."""
        return roles.role_of(self)


class Practitioner(FastRows, models.Model):
    """A clinician who can be booked, with the modalities they are qualified in."""

    user = models.OneToOneField(User, on_delete=models.PROTECT, related_name="practitioner")
    profession = models.CharField(max_length=20, choices=Profession.choices)
    qualified_traditional = models.BooleanField(
        "qualified in traditional acupuncture", default=False
    )
    qualified_medical = models.BooleanField("qualified in medical acupuncture", default=False)
    colour = models.CharField(max_length=7, default="#2a6f97", help_text="Diary colour (#rrggbb)")
    is_active = models.BooleanField(default=True)
    # What patients and reception read about them: training, interests, languages.
    profile = models.TextField("profile", blank=True, max_length=2000)
    # The services they offer; none chosen means every service they are qualified for.
    services = models.ManyToManyField(
        "clinic.Service", blank=True, related_name="practitioners", verbose_name="services offered"
    )

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return self.user.display_name

    @property
    def name(self) -> str:
        return self.user.display_name

    def is_qualified_for(self, modality: str) -> bool:
        """Whether they may give this kind of acupuncture; anything else needs no
        acupuncture qualification ("" or an assessment without needles)."""
        if modality == Modality.TRADITIONAL:
            return self.qualified_traditional
        if modality == Modality.MEDICAL:
            return self.qualified_medical
        return True

    @property
    def modalities_display(self) -> str:
        names = []
        if self.qualified_medical:
            names.append(Modality.MEDICAL.label)
        if self.qualified_traditional:
            names.append(Modality.TRADITIONAL.label)
        return ", ".join(names) or "—"

    def _credential_facts(self) -> list[credentials.CredentialFacts]:
        return [
            credentials.CredentialFacts(c.kind, c.body, c.valid_from, c.valid_until)
            for c in self.credentials.all()
        ]

    def credential_shortfall(self, day: date, location=None) -> credentials.Shortfall:
        """What stops them needling on ``day`` (at ``location``, whose council may
        license acupuncture); empty when nothing does."""
        facts = self._credential_facts()
        licensing = licensing_of(location) if location is not None else credentials.NOT_LICENSED
        return credentials.shortfall(self.profession, facts, day, licensing)

    def credential_problems(self, day: date, location=None) -> list[str]:
        """``credential_shortfall`` as plain clauses ("no HCPC registration valid on …")."""
        return self.credential_shortfall(day, location).clauses()

    def may_needle_between(self, first: date, last: date, location) -> bool:
        """Whether on some day from ``first`` to ``last`` nothing stops them needling at
        ``location``."""
        return credentials.may_needle_some_day(
            self.profession, self._credential_facts(), first, last, licensing_of(location)
        )


def licensing_of(location) -> credentials.Licensing:
    """A location's licensing regime, council and premises registrations, for the rules."""
    return credentials.Licensing(
        regime=location.licensing_regime,
        authority=location.licensing_authority,
        premises=location.name,
        registrations=tuple(
            credentials.PremisesFacts(r.authority, r.valid_from, r.valid_until)
            for r in location.premises_registrations.all()
        ),
    )


class Credential(models.Model):
    """A registration, acupuncture body membership, indemnity policy or council
    acupuncture registration or licence, with its dates."""

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="credentials"
    )
    kind = models.CharField(max_length=20, choices=CredentialKind.choices)
    # The regulator or body (HCPC, AACP, BAcC, BMAS…), for insurance the insurer, for a
    # local authority registration or licence the council ("Leeds City Council").
    body = models.CharField(max_length=80)
    number = models.CharField(max_length=40)
    valid_from = models.DateField()
    # Only a council registration may have no end date: a LG(MP)A 1982 s.14 registration
    # is one-off (people/data/licensing.toml).
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "valid_until"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gte=F("valid_from")),
                name="credential_dates_ordered",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=False) | Q(kind=CredentialKind.LOCAL_AUTHORITY),
                name="credential_ends_unless_council",
            ),
            models.UniqueConstraint(
                fields=["practitioner", "kind", "body", "number", "valid_from"],
                name="credential_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body} {self.number}"

    @property
    def counts(self) -> bool:
        """False for a record that can never count (a "BAAB membership")."""
        return credentials.counts(self.kind, self.body)

    @property
    def not_counted_because(self) -> str:
        return credentials.why_not_counted(self.kind, self.body)

    def clean(self) -> None:
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": "Must be on or after the start date."})
        if self.valid_until is None and self.kind != CredentialKind.LOCAL_AUTHORITY:
            raise ValidationError(
                {"valid_until": "Give the end date: only a council registration may have none."}
            )
        if self.kind == CredentialKind.REGISTRATION and self.body not in (
            credentials.REGISTRATION_BODIES
        ):
            raise ValidationError({"body": "Registration must be with HCPC, GMC or NMC."})
        if self.kind == CredentialKind.MEMBERSHIP and self.body not in (
            credentials.MEMBERSHIP_BODIES
        ):
            raise ValidationError(
                {
                    "body": "Membership must be of AACP, BMAS or BAcC (the BAAB accredits "
                    "acupuncture courses; it is not a membership body)."
                }
            )
        if (
            self.kind == CredentialKind.REGISTRATION
            and self.body == "HCPC"
            and self.number
            and not (self.number.upper().startswith("PH") and self.number[2:].isdigit())
        ):
            # HCPC physiotherapist numbers are "PH" then digits (shared/clinical §8).
            raise ValidationError({"number": "An HCPC physiotherapist number looks like PH12345."})


def validate_nhs_number(value: str) -> None:
    if value and not nhs_number.is_valid(value):
        raise ValidationError(
            "This is not a valid NHS number (10 digits with a correct check digit).",
            code="invalid_nhs_number",
        )


def validate_birth_date(value: date) -> None:
    if value > date.today():
        raise ValidationError("Date of birth cannot be in the future.", code="future_birth_date")
    if value.year < 1900:
        raise ValidationError("Date of birth must be after 1900.", code="ancient_birth_date")


class Patient(FastRows, models.Model):
    """A person receiving care. Contact details are for reception; clinical content is not."""

    given_name = models.CharField(max_length=80)
    family_name = models.CharField(max_length=80)
    preferred_name = models.CharField(max_length=80, blank=True)
    date_of_birth = models.DateField(validators=[validate_birth_date])
    sex = models.CharField(max_length=10, choices=Sex.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField("mobile phone", max_length=30, blank=True)
    # Digits of the phone number, so "07700 900123" finds "+44 7700 900123".
    phone_digits = models.CharField(max_length=20, blank=True, editable=False, db_index=True)
    address_line1 = models.CharField(max_length=120, blank=True)
    address_line2 = models.CharField(max_length=120, blank=True)
    town = models.CharField(max_length=80, blank=True)
    postcode = models.CharField(max_length=10, blank=True)
    contact_by_email = models.BooleanField("email me", default=True)
    contact_by_sms = models.BooleanField("text me", default=False)
    contact_by_phone = models.BooleanField("phone me", default=True)
    appointment_reminders = models.BooleanField(default=True)
    gp_practice = models.CharField("GP practice", max_length=160, blank=True)
    emergency_contact_name = models.CharField(max_length=120, blank=True)
    emergency_contact_phone = models.CharField(max_length=30, blank=True)
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    nhs_number = models.CharField(
        "NHS number", max_length=10, blank=True, validators=[validate_nhs_number]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name"]
        indexes = [
            models.Index(Lower("family_name"), Lower("given_name"), name="patient_name_ci"),
            models.Index(fields=["date_of_birth"], name="patient_dob"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"], condition=~Q(nhs_number=""), name="patient_unique_nhs"
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth__gte=date(1900, 1, 1)), name="patient_dob_after_1900"
            ),
            models.CheckConstraint(condition=Q(sex__in=Sex.values), name="patient_sex_valid"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.phone_digits = national_digits(self.phone)
        self.nhs_number = nhs_number.normalise(self.nhs_number)
        super().save(*args, **kwargs)

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def address(self) -> str:
        parts = [self.address_line1, self.address_line2, self.town, self.postcode]
        return ", ".join(p for p in parts if p)

    @property
    def contact_channels(self) -> list[str]:
        chosen = [
            (self.contact_by_email, "email"),
            (self.contact_by_sms, "text"),
            (self.contact_by_phone, "phone"),
        ]
        return [name for wanted, name in chosen if wanted]

    @property
    def nhs_number_display(self) -> str:
        return nhs_number.format_nhs_number(self.nhs_number) if self.nhs_number else ""

    def age_on(self, day: date) -> int:
        dob = self.date_of_birth
        return day.year - dob.year - ((day.month, day.day) < (dob.month, dob.day))


class ClinicalSummary(models.Model):
    """The clinician's summary of why a patient is here. Clinical: not for reception."""

    patient = models.OneToOneField(
        Patient, on_delete=models.CASCADE, related_name="clinical_summary"
    )
    presenting_condition = models.CharField(max_length=20, choices=ConditionChoice.choices)
    history = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name_plural = "clinical summaries"
        permissions = [("view_clinical", "Can open clinical content")]

    def __str__(self) -> str:
        return f"Clinical summary for {self.patient}"


class ApiToken(models.Model):
    """A key a program uses to call the JSON API as one staff member.

    Only a SHA-256 digest of the secret is stored, so a copy of the database does not
    hand out working keys; the secret itself is shown once, when the token is made.
    A token acts with exactly its user's permissions, and stops working when revoked or
    when the account is disabled.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80, help_text="What uses it, e.g. “Reception tablet”")
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the secret, so a person can tell their tokens apart.
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Every token ends: refused from this moment on (people.services.api_token_lookup).
    expires_at = models.DateTimeField()
    # Its scope: a read-only token may only GET; one without clinical access acts without
    # the clinical permissions its user holds (roles.CLINICAL_PERMISSIONS).
    read_only = models.BooleanField(default=False)
    clinical = models.BooleanField("clinical records", default=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"
        constraints = [
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("created_at")),
                name="apitoken_revoked_after_created",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def scope_display(self) -> str:
        access = "read only" if self.read_only else "read and write"
        return f"{access}, {'with' if self.clinical else 'no'} clinical records"


class CalendarFeedToken(models.Model):
    """The secret in a practitioner's calendar subscription URL (/calendar/<secret>.ics).

    Like an API token, only a SHA-256 digest is stored: the URL is shown once, when it is
    made, and a copy of the database gives nobody a working feed. A practitioner has at
    most one live token; making a new one revokes the old, so a leaked URL is stopped by
    making a new one. The row stays after revocation for the audit trail.
    """

    practitioner = models.ForeignKey(
        Practitioner, on_delete=models.CASCADE, related_name="calendar_feed_tokens"
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the secret, so a person can tell which URL is live.
    prefix = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["practitioner"],
                condition=Q(revoked_at__isnull=True),
                name="calendarfeed_one_live_per_practitioner",
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True) | Q(revoked_at__gte=F("created_at")),
                name="calendarfeed_revoked_after_created",
            ),
        ]

    def __str__(self) -> str:
        return f"Calendar feed of {self.practitioner} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and not self.is_expired

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def scope_display(self) -> str:
        access = "read only" if self.read_only else "read and write"
        return f"{access}, {'with' if self.clinical else 'no'} clinical records"

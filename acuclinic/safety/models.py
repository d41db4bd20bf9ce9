"""Health questionnaires, the links patients fill them in by, consent, and the records a
practitioner makes about the flags (risk discussions, specialist agreements).

Clinical records here are written once and never changed: a new questionnaire is a new
version, a new consent a new row. The database refuses UPDATE on them (see migration
0002), so not even a bug can rewrite what a patient declared or agreed to.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from acuclinic.clinic.models import Clinic
from acuclinic.core.fast_rows import FastRows
from acuclinic.people.models import Patient, Practitioner
from acuclinic.safety.choices import NEEDLING_MODALITIES, ConsentMethod, FilledBy
from acuclinic.scheduling.models import Appointment


class ImmutableRecord(Exception):
    """Raised on any attempt to change a clinical safety record after it is written."""


class WriteOnce(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ImmutableRecord(f"{self._meta.verbose_name} records are never changed.")
        super().save(*args, **kwargs)


def default_pregnancy_list() -> str:
    from acuclinic.safety import catalogue

    return catalogue.current().default_list("pregnancy").id


class SafetyPolicy(models.Model):
    """A clinic's screening settings. Without a row, the defaults below apply."""

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="safety_policy")
    # How long a full questionnaire stays current (each visit still asks "any changes?").
    questionnaire_valid_months = models.PositiveSmallIntegerField(
        default=6, validators=[MinValueValidator(1), MaxValueValidator(24)]
    )
    # Which list in data/points.toml fills the "pregnancy" slot.
    pregnancy_point_list = models.CharField(max_length=60, default=default_pregnancy_list)
    link_valid_days = models.PositiveSmallIntegerField(
        "questionnaire links last (days)",
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "safety policies"
        constraints = [
            models.CheckConstraint(
                condition=Q(questionnaire_valid_months__gte=1, questionnaire_valid_months__lte=24),
                name="safetypolicy_months_range",
            ),
            models.CheckConstraint(
                condition=Q(link_valid_days__gte=1, link_valid_days__lte=30),
                name="safetypolicy_link_days_range",
            ),
        ]

    def __str__(self) -> str:
        return f"Safety policy of {self.clinic}"


class QuestionnaireLink(models.Model):
    """A single-use, expiring link that lets a patient fill in the questionnaire.

    Only a SHA-256 digest of the token is kept: the link in the patient's email is the
    only copy of the secret, so a database leak does not open anyone's questionnaire.
    """

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="questionnaire_links"
    )
    token_digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_to = models.EmailField(blank=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="link_expires_after"
            )
        ]

    def __str__(self) -> str:
        return f"Questionnaire link for {self.patient}"


class Questionnaire(FastRows, WriteOnce):
    """One complete health questionnaire for a patient: a version, never changed."""

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="safety_questionnaires"
    )
    version = models.PositiveIntegerField()
    answers = models.JSONField()
    # The rules the answers were checked against (data/rules.toml version + digest).
    rules_version = models.CharField(max_length=40)
    submitted_at = models.DateTimeField()
    filled_by = models.CharField(max_length=10, choices=FilledBy.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # One link, one questionnaire: the database enforces single use.
    link = models.OneToOneField(
        QuestionnaireLink,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="questionnaire",
    )

    class Meta:
        ordering = ["patient", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "version"], name="questionnaire_version"),
            models.CheckConstraint(condition=Q(version__gte=1), name="questionnaire_version_gte_1"),
            # Who filled it is always known: a clinician's account, or the patient's link.
            models.CheckConstraint(
                condition=(Q(filled_by="staff", entered_by__isnull=False, link__isnull=True))
                | Q(filled_by="patient", link__isnull=False, entered_by__isnull=True),
                name="questionnaire_who_filled",
            ),
        ]

    def __str__(self) -> str:
        return f"Health questionnaire v{self.version} for {self.patient}"


class ChangeCheck(WriteOnce):
    """At a visit: "Any changes since last time?" — "No", confirmed by a clinician."""

    appointment = models.OneToOneField(
        Appointment, on_delete=models.PROTECT, related_name="safety_change_check"
    )
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.PROTECT, related_name="+")
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"No changes since v{self.questionnaire.version}, confirmed {self.confirmed_at}"

    @property
    def patient_id(self) -> int:
        return self.questionnaire.patient_id


class Consent(WriteOnce):
    """Informed consent to a needling modality: what was explained, by whom, how, when."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="consents")
    modality = models.CharField(max_length=20, choices=NEEDLING_MODALITIES)
    risks_explained = models.JSONField()
    method = models.CharField(max_length=10, choices=ConsentMethod.choices)
    given_at = models.DateTimeField()
    taken_by = models.ForeignKey(Practitioner, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    notes = models.TextField(blank=True)

    class Meta:
        ordering = ["patient", "-given_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(modality__in=[m for m, _ in NEEDLING_MODALITIES]),
                name="consent_needling_modality",
            ),
            models.CheckConstraint(
                condition=Q(method__in=ConsentMethod.values), name="consent_method_valid"
            ),
            # Consent is recorded at or after the time it was given, never before.
            models.CheckConstraint(
                condition=Q(given_at__lte=models.F("recorded_at")), name="consent_not_future"
            ),
        ]

    def __str__(self) -> str:
        return f"Consent to {self.get_modality_display()} by {self.patient}"


class PrecautionAcknowledgement(FastRows, WriteOnce):
    """The practitioner's record of the risk discussion a precaution needs."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="acknowledgements"
    )
    rule_id = models.CharField(max_length=60)
    discussion = models.TextField()
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField()

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "rule_id"], name="acknowledgement_once_per_version"
            ),
            models.CheckConstraint(condition=~Q(discussion=""), name="acknowledgement_has_text"),
        ]

    def __str__(self) -> str:
        return f"Risk discussion ({self.rule_id}) for {self.patient}"


class SpecialistAgreement(WriteOnce):
    """An agreement that lowers a flag its rule allows to be lowered, with its reason.

    E.g. a haematologist agreeing to needling despite a bleeding disorder turns
    "contraindicated" into "precaution". Tied to a questionnaire version: a new full
    questionnaire means the agreement is looked at again.
    """

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="+")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="agreements"
    )
    rule_id = models.CharField(max_length=60)
    agreed_by = models.CharField("who agreed", max_length=160)
    agreed_on = models.DateField()
    reason = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "rule_id"], name="agreement_once_per_version"
            ),
            # An override without a reason is refused by the database too.
            models.CheckConstraint(condition=~Q(reason=""), name="agreement_has_reason"),
            models.CheckConstraint(condition=~Q(agreed_by=""), name="agreement_names_who"),
        ]

    def __str__(self) -> str:
        return f"Agreement ({self.rule_id}) for {self.patient}"


class ReferralDestination(models.TextChoices):
    GP = "gp", "the GP"
    AE = "ae", "A&E"


class Referral(WriteOnce):
    """A referral letter issued because a refer flag stood: where it went, who issued it
    and when, and the letter word for word as issued. Never changed (migration 0003 makes
    the database refuse UPDATE): a correction is a new letter."""

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="referrals")
    # The questionnaire whose answers raised the flags the letter is about.
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="referrals"
    )
    # The refer rules (data/rules.toml ids) that stood when it was issued.
    rule_ids = models.JSONField()
    destination = models.CharField(max_length=2, choices=ReferralDestination.choices)
    # "emergency" (same day) when any of those rules says so, else "urgent".
    urgency = models.CharField(max_length=10)
    text = models.TextField()
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    issued_at = models.DateTimeField()

    class Meta:
        ordering = ["-issued_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(destination__in=ReferralDestination.values),
                name="referral_destination_valid",
            ),
            models.CheckConstraint(
                condition=Q(urgency__in=["emergency", "urgent"]), name="referral_urgency_valid"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="referral_has_text"),
        ]

    def __str__(self) -> str:
        return f"Referral of {self.patient} to {self.get_destination_display()}"

    @property
    def destination_name(self) -> str:
        """As the record says it: "Referred to A&E", "Referred to the GP"."""
        return self.get_destination_display()

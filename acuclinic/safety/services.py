"""Everything a person does in safety screening, one function each, and the gate.

Every write checks its input first (a refusal writes nothing), runs in one transaction
and is audited in that transaction. The HTML views and any API call these functions.
"""

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from smtplib import SMTPException

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.choices import Modality
from acuclinic.clinic.models import Clinic
from acuclinic.clinic.policies import refuse_unknown, update_clinic_settings
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.core.formats import format_date
from acuclinic.people.models import Patient, Practitioner
from acuclinic.safety import catalogue, queries, referral_letter, referrals
from acuclinic.safety.choices import ConsentMethod, FilledBy, Risk
from acuclinic.safety.errors import DeliveryFailed, InvalidAnswers, LinkUnusable
from acuclinic.safety.models import (
    ChangeCheck,
    Consent,
    PrecautionAcknowledgement,
    Questionnaire,
    QuestionnaireLink,
    Referral,
    ReferralDestination,
    SafetyPolicy,
    SpecialistAgreement,
)
from acuclinic.scheduling.models import Appointment

# ── Questionnaires ───────────────────────────────────────────────────────────────────


def _submit(
    patient: Patient,
    answers,
    *,
    audience: str,
    now: datetime,
    user=None,
    link: QuestionnaireLink | None = None,
) -> Questionnaire:
    rules = catalogue.current()
    # The record's condition decides what must be asked (a headache patient's headache
    # questions), whatever the patient ticked.
    cleaned, errors = rules.validate(
        answers, audience=audience, facts=queries.screening_facts(patient)
    )
    if errors:
        raise InvalidAnswers(errors)
    try:
        with transaction.atomic():
            # Serialise submissions per patient so each takes the next version number.
            list(Patient.objects.select_for_update().filter(pk=patient.pk))
            last = Questionnaire.objects.filter(patient=patient).aggregate(v=Max("version"))["v"]
            questionnaire = Questionnaire.objects.create(
                patient=patient,
                version=(last or 0) + 1,
                answers=cleaned,
                rules_version=rules.version,
                submitted_at=now,
                filled_by=FilledBy.PATIENT if link else FilledBy.STAFF,
                entered_by=None if link else user,
                link=link,
            )
            if link is not None:
                link.used_at = now
                link.save(update_fields=["used_at"])
            audit.record(
                AuditAction.CREATE,
                questionnaire,
                changed_fields=list(cleaned),
                detail=f"version {questionnaire.version}, "
                + ("by the patient's link" if link else "entered by staff"),
            )
    except IntegrityError as exc:
        # The link's one-to-one or the version's uniqueness: someone got there first.
        if link is not None:
            raise LinkUnusable("link_used", LINK_USED) from exc
        raise Conflict(
            "questionnaire_conflict",
            "Another questionnaire for this patient was saved at the same moment. "
            "Reload and check the latest answers.",
        ) from exc
    return questionnaire


def questionnaire_record(patient: Patient, *, answers, user, now=None) -> Questionnaire:
    """A clinician fills in (or updates) the full questionnaire: a new version."""
    return _submit(patient, answers, audience="staff", user=user, now=now or timezone.now())


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def questionnaire_link_create(patient: Patient, *, user, now=None) -> tuple[QuestionnaireLink, str]:
    """A new single-use link; returns it with its token (kept nowhere else)."""
    now = now or timezone.now()
    policy = queries.clinic_policy()
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        link = QuestionnaireLink.objects.create(
            patient=patient,
            token_digest=_digest(token),
            created_at=now,
            expires_at=now + timedelta(days=policy.link_valid_days),
            created_by=user if getattr(user, "pk", None) else None,
            sent_to=patient.email,
        )
        audit.record(AuditAction.CREATE, link, detail="questionnaire link")
    return link, token


def questionnaire_link_send(
    patient: Patient, *, user, url_for: Callable[[str], str], now=None
) -> QuestionnaireLink:
    """Email the patient a link to their questionnaire. ``url_for(token)`` makes the URL."""
    if not patient.email:
        raise InvalidRequest(
            "patient_has_no_email",
            f"{patient.full_name} has no email address. Add one to their details, or fill "
            "in the questionnaire with them.",
        )
    clinic = Clinic.objects.order_by("pk").first()
    # The link is committed before the mail server is contacted: a slow server must not
    # hold the database's write lock (SQLite) while everyone else waits.
    link, token = questionnaire_link_create(patient, user=user, now=now)
    body = render_to_string(
        "safety/email/questionnaire_link.txt",
        {"patient": patient, "url": url_for(token), "link": link, "clinic": clinic},
    )
    clinic_name = clinic.name if clinic else "the clinic"
    try:
        send_mail(f"Your health questionnaire for {clinic_name}", body, None, [patient.email])
    except (SMTPException, OSError) as exc:
        # Nobody received the token, so the link is removed rather than left to expire.
        with transaction.atomic():
            audit.record(AuditAction.DELETE, link, detail="questionnaire link not delivered")
            link.delete()
        raise DeliveryFailed(
            "email_not_sent",
            "The email could not be sent just now. Nothing was sent; try again later.",
        ) from exc
    return link


LINK_UNKNOWN = (
    "This questionnaire link is not recognised. Check that the whole link was copied, "
    "or ask the clinic to send a new one."
)
LINK_USED = (
    "This questionnaire has already been filled in with this link, so it cannot be used "
    "again. If something has changed, please tell the clinic or ask for a new link."
)
LINK_EXPIRED = "This questionnaire link has expired. Please ask the clinic to send you a new one."


def questionnaire_link_open(token: str, *, now=None, lock: bool = False) -> QuestionnaireLink:
    """The link for ``token`` if it can still be used; LinkUnusable says why not."""
    now = now or timezone.now()
    links = QuestionnaireLink.objects.select_related("patient")
    if lock:
        links = links.select_for_update()
    link = links.filter(token_digest=_digest(token)).first()
    if link is None:
        raise LinkUnusable("link_unknown", LINK_UNKNOWN)
    if link.used_at is not None:
        raise LinkUnusable("link_used", LINK_USED)
    if now >= link.expires_at:
        raise LinkUnusable("link_expired", LINK_EXPIRED)
    return link


def questionnaire_submit_by_link(token: str, *, answers, now=None) -> Questionnaire:
    """The patient submits the questionnaire through their link (no staff account)."""
    now = now or timezone.now()
    with transaction.atomic():
        link = questionnaire_link_open(token, now=now, lock=True)
        return _submit(link.patient, answers, audience="patient", link=link, now=now)


# ── At each visit ────────────────────────────────────────────────────────────────────


def visit_no_changes_confirm(appointment: Appointment, *, user, now=None) -> ChangeCheck:
    """Record that, asked "any changes since last time?", the patient said no."""
    now = now or timezone.now()
    if not appointment.is_active:
        raise InvalidRequest(
            "appointment_not_active", "This appointment is cancelled or was missed."
        )
    status = queries.safety_status(appointment.patient, today=timezone.localdate(now))
    if status.questionnaire is None:
        raise InvalidRequest(
            "questionnaire_missing",
            "There is no health questionnaire to confirm. Fill in the full questionnaire.",
        )
    if not status.is_current:
        submitted_on = queries.local_date(status.questionnaire.submitted_at)
        raise InvalidRequest(
            "questionnaire_out_of_date",
            f"The questionnaire of {format_date(submitted_on)} is out of date. "
            "Fill in the full questionnaire again instead.",
        )
    try:
        with transaction.atomic():
            check = ChangeCheck.objects.create(
                appointment=appointment,
                questionnaire=status.questionnaire,
                confirmed_by=user,
                confirmed_at=now,
            )
            audit.record(
                AuditAction.CREATE, check, detail=f"no changes at appointment {appointment.pk}"
            )
    except IntegrityError as exc:
        raise Conflict(
            "already_confirmed", "“No changes” has already been confirmed for this visit."
        ) from exc
    return check


# ── Consent ──────────────────────────────────────────────────────────────────────────


def consent_record(
    patient: Patient,
    *,
    modality: str,
    risks_explained,
    method: str,
    given_at: datetime,
    taken_by: Practitioner,
    user,
    notes: str = "",
    now=None,
) -> Consent:
    """Record informed consent to a needling modality, given at ``given_at``."""
    now = now or timezone.now()
    if modality not in Modality.needling():
        raise InvalidRequest(
            "not_a_needling_modality",
            "Consent is recorded for traditional or medical acupuncture.",
            field="modality",
        )
    risks = set(risks_explained or [])
    unknown = risks - set(Risk.values)
    missing = [Risk(r).label.split(" (")[0].lower() for r in Risk.values if r not in risks]
    if unknown:
        raise InvalidRequest("unknown_risk", "Unknown risk in the list.", field="risks_explained")
    if missing:
        raise InvalidRequest(
            "risks_not_all_explained",
            "Consent is informed only when every risk has been explained. Not yet "
            f"explained: {'; '.join(missing)}.",
            field="risks_explained",
        )
    if method not in ConsentMethod.values:
        raise InvalidRequest(
            "invalid_method", "Say whether consent was verbal or written.", field="method"
        )
    if given_at is None or timezone.is_naive(given_at):
        raise InvalidRequest(
            "invalid_given_at", "Give the date and time of consent.", field="given_at"
        )
    if given_at > now:
        raise InvalidRequest(
            "consent_in_future", "Consent cannot be dated in the future.", field="given_at"
        )
    if queries.local_date(given_at) < patient.date_of_birth:
        raise InvalidRequest(
            "consent_before_birth",
            "Consent cannot be dated before the patient's date of birth.",
            field="given_at",
        )
    if not taken_by.is_active or not taken_by.is_qualified_for(modality):
        raise InvalidRequest(
            "taker_not_qualified",
            f"{taken_by.name} is not an active practitioner qualified in "
            f"{Modality(modality).label}.",
            field="taken_by",
        )
    with transaction.atomic():
        consent = Consent.objects.create(
            patient=patient,
            modality=modality,
            risks_explained=[r for r in Risk.values if r in risks],
            method=method,
            given_at=given_at,
            taken_by=taken_by,
            recorded_by=user,
            recorded_at=now,
            notes=notes.strip(),
        )
        audit.record(AuditAction.CREATE, consent, detail=f"consent to {modality} ({method})")
    return consent


# ── Flags: risk discussions and agreements ───────────────────────────────────────────


def _current_status(patient: Patient, now: datetime) -> queries.SafetyStatus:
    status = queries.safety_status(patient, today=timezone.localdate(now))
    if status.questionnaire is None:
        raise InvalidRequest(
            "questionnaire_missing", "This patient has no health questionnaire yet."
        )
    return status


def precaution_acknowledge(
    patient: Patient, *, rule_id: str, discussion: str, user, now=None
) -> PrecautionAcknowledgement:
    """The practitioner records the risk discussion for one standing precaution."""
    now = now or timezone.now()
    status = _current_status(patient, now)
    finding = next((f for f in status.assessment.precautions if f.rule_id == rule_id), None)
    if finding is None:
        raise InvalidRequest(
            "not_a_precaution",
            "That is not a standing precaution for this patient's latest questionnaire.",
            field="rule_id",
        )
    discussion = (discussion or "").strip()
    if not discussion:
        raise InvalidRequest(
            "discussion_required",
            "Say what risks you discussed with the patient and what you agreed.",
            field="discussion",
        )
    try:
        with transaction.atomic():
            record = PrecautionAcknowledgement.objects.create(
                patient=patient,
                questionnaire=status.questionnaire,
                rule_id=rule_id,
                discussion=discussion,
                acknowledged_by=user,
                acknowledged_at=now,
            )
            audit.record(AuditAction.CREATE, record, detail=f"risk discussion: {rule_id}")
    except IntegrityError as exc:
        raise Conflict(
            "already_acknowledged",
            f"The risk discussion for “{finding.label}” is already recorded.",
        ) from exc
    return record


def specialist_agreement_record(
    patient: Patient,
    *,
    rule_id: str,
    agreed_by: str,
    agreed_on: date,
    reason: str,
    user,
    now=None,
) -> SpecialistAgreement:
    """Record an agreement that lowers a flag whose rule allows it (with its reason)."""
    now = now or timezone.now()
    status = _current_status(patient, now)
    rule = catalogue.current().by_id.get(rule_id)
    if rule is None or rule.override is None:
        raise InvalidRequest(
            "override_not_allowed",
            "This flag cannot be lowered by an agreement.",
            field="rule_id",
        )
    if rule_id not in {f.rule_id for f in status.assessment.findings}:
        raise InvalidRequest(
            "not_a_standing_flag",
            "That flag does not stand on this patient's latest questionnaire.",
            field="rule_id",
        )
    reason = (reason or "").strip()
    agreed_by = (agreed_by or "").strip()
    if not reason:
        raise InvalidRequest(
            "override_without_reason",
            "An override needs its reason: what was agreed, and on what terms.",
            field="reason",
        )
    if not agreed_by:
        raise InvalidRequest(
            "agreement_needs_who", "Say who agreed (name, role and team).", field="agreed_by"
        )
    if agreed_on is None or agreed_on > timezone.localdate(now):
        raise InvalidRequest(
            "agreement_in_future",
            "The agreement cannot be dated in the future.",
            field="agreed_on",
        )
    try:
        with transaction.atomic():
            agreement = SpecialistAgreement.objects.create(
                patient=patient,
                questionnaire=status.questionnaire,
                rule_id=rule_id,
                agreed_by=agreed_by,
                agreed_on=agreed_on,
                reason=reason,
                recorded_by=user,
                recorded_at=now,
            )
            audit.record(AuditAction.CREATE, agreement, detail=f"{rule.override.by}: {rule_id}")
    except IntegrityError as exc:
        raise Conflict("already_agreed", "An agreement for this flag is already recorded.") from exc
    return agreement


# ── Referral letters ─────────────────────────────────────────────────────────────────

REFERRAL_NOTES_MAX = 2000


def referral_issue(
    patient: Patient, *, destination: str, notes: str = "", user, now=None
) -> Referral:
    """Issue a referral letter to the GP or A&E about the refer flags standing on the
    patient's latest questionnaire, signed by the user's practitioner record. The letter
    is kept word for word as issued; a refusal writes nothing."""
    now = now or timezone.now()
    status = _current_status(patient, now)
    findings = status.assessment.referrals
    if not findings:
        raise InvalidRequest(
            "no_referral_flag",
            "No refer flag stands on this patient's latest health questionnaire, so there "
            "is nothing to refer. No letter has been written.",
        )
    if destination not in ReferralDestination.values:
        raise InvalidRequest(
            "destination_required",
            "Choose where the letter goes: the patient's GP or A&E.",
            field="destination",
        )
    practitioner = (
        Practitioner.objects.filter(user=user).prefetch_related("credentials").first()
        if user is not None
        else None
    )
    if practitioner is None:
        raise InvalidRequest(
            "not_a_practitioner",
            "A referral letter is signed by a practitioner, with their profession and "
            "registration number; your account has no practitioner record. Ask the "
            "practitioner who saw the patient to write it.",
        )
    notes = (notes or "").replace("\r\n", "\n").strip()
    if "\x00" in notes:
        # PostgreSQL cannot store NUL in text; refuse it on both databases alike.
        raise InvalidRequest(
            "invalid_text", "The further notes cannot contain NUL characters.", field="notes"
        )
    if len(notes) > REFERRAL_NOTES_MAX:
        raise InvalidRequest(
            "notes_too_long",
            f"Keep the further notes under {REFERRAL_NOTES_MAX} characters.",
            field="notes",
        )
    facts = referrals.letter_facts(
        patient,
        status,
        practitioner=practitioner,
        destination=destination,
        notes=notes,
        now=now,
    )
    with transaction.atomic():
        referral = Referral.objects.create(
            patient=patient,
            questionnaire=status.questionnaire,
            rule_ids=[f.rule_id for f in findings],
            destination=destination,
            urgency=facts.urgency,
            text=referral_letter.compose(facts),
            issued_by=user,
            issued_at=now,
        )
        audit.record(
            AuditAction.CREATE,
            referral,
            detail=f"referral letter to {referral.destination_name}: "
            + ", ".join(referral.rule_ids),
            user=user,
        )
    return referral


# ── Credential reminders ─────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class CredentialReminder:
    """One practitioner to remind, at ``email``, of their credentials running out."""

    practitioner: Practitioner
    email: str
    expiring: tuple[queries.ExpiringCredential, ...]

    @property
    def days_left(self) -> int:
        """Days until the first of them ends (0: today is its last day)."""
        return min(e.days_left for e in self.expiring)


def credentials_expiring(
    within_days: int = queries.EXPIRY_WARNING_DAYS, *, today: date | None = None
) -> list[CredentialReminder]:
    """Who to email about a registration, membership or insurance that ends within
    ``within_days`` days with no renewal on file: one reminder per practitioner, the
    most urgent first. Practitioners without a usable email address are left out;
    they still see the notice at the top of every page (``{% credential_notice %}``)
    and admins see them on the expiring-credentials page.

    Sends nothing itself: the background worker schedules it (daily), so the clinic
    chooses when reminders go out.
    """
    if not isinstance(within_days, int) or isinstance(within_days, bool) or within_days < 0:
        raise ValueError("within_days must be a whole number of days, 0 or more")
    today = today or timezone.localdate()
    by_practitioner: dict[int, list[queries.ExpiringCredential]] = {}
    for expiring in queries.expiring_credentials(today=today, within=within_days):
        by_practitioner.setdefault(expiring.credential.practitioner_id, []).append(expiring)
    reminders = []
    for found in by_practitioner.values():
        practitioner = found[0].credential.practitioner
        user = practitioner.user
        if not user.is_active or not user.email:
            continue
        reminders.append(CredentialReminder(practitioner, user.email, tuple(found)))
    return sorted(reminders, key=lambda r: (r.days_left, r.practitioner.name, r.practitioner.pk))


# ── Clinic settings ──────────────────────────────────────────────────────────────────

POLICY_FIELDS = ["questionnaire_valid_months", "pregnancy_point_list", "link_valid_days"]


def safety_policy_update(clinic: Clinic, **fields) -> SafetyPolicy:
    """Change the clinic's screening settings."""
    refuse_unknown(fields, POLICY_FIELDS)
    chosen = fields.get("pregnancy_point_list")
    if chosen is not None:
        point_list = catalogue.current().point_list(chosen)
        if point_list is None or point_list.slot != "pregnancy":
            raise InvalidRequest(
                "unknown_point_list",
                "Choose one of the pregnancy point lists.",
                field="pregnancy_point_list",
            )
    return update_clinic_settings(SafetyPolicy, clinic, POLICY_FIELDS, fields)


# ── The gate before needling ─────────────────────────────────────────────────────────


@dataclass(frozen=True)
class GateFailure:
    code: str
    message: str
    # For flags: the rule concerned, so the page can offer the record that clears it.
    rule_id: str = ""


@dataclass(frozen=True)
class GateVerdict:
    """Whether needling may start at ``appointment`` on ``day``, and if not, why not."""

    appointment: Appointment
    day: date
    needed: bool
    failures: tuple[GateFailure, ...]
    status: queries.SafetyStatus | None

    @property
    def allowed(self) -> bool:
        return not self.failures

    @property
    def codes(self) -> list[str]:
        return [f.code for f in self.failures]


def needling_gate(appointment: Appointment, *, today: date) -> GateVerdict:
    """Check every condition for needling at this appointment on ``today``.

    Each failed condition is listed with a stable code and a plain-English reason, so
    the practitioner sees everything that needs doing, not just the first thing.
    """
    service, practitioner, patient = (
        appointment.service,
        appointment.practitioner,
        appointment.patient,
    )
    if not service.needling:
        return GateVerdict(appointment, today, needed=False, failures=(), status=None)

    failures: list[GateFailure] = []

    def fail(code: str, message: str, rule_id: str = "") -> None:
        failures.append(GateFailure(code, message, rule_id))

    if not appointment.is_active:
        fail(
            "appointment_not_active",
            f"This appointment is {appointment.get_status_display().lower()}.",
        )

    policy = queries.policy_for(service.clinic)
    status = queries.safety_status(patient, today=today, policy=policy)
    questionnaire = status.questionnaire
    if questionnaire is None:
        fail(
            "questionnaire_missing",
            "No health questionnaire on file: the patient must complete it before needling.",
        )
    else:
        submitted_on = queries.local_date(questionnaire.submitted_at)
        if not status.is_current:
            fail(
                "questionnaire_out_of_date",
                f"The health questionnaire was last completed on {format_date(submitted_on)}; "
                f"the clinic asks for a full one every {policy.questionnaire_valid_months} "
                "months.",
            )
        # Both need the full questionnaire filled in again, which also answers the rest.
        elif status.unanswered:
            fail(
                "questionnaire_incomplete",
                "The health questionnaire has no answers to questions that now apply to this "
                f"patient ({'; '.join(status.unanswered_topics)}): fill in the full "
                "questionnaire again.",
            )
        # Filling in the full form today answers "any changes?" for this visit.
        elif (
            submitted_on != today
            and not ChangeCheck.objects.filter(appointment=appointment).exists()
        ):
            fail(
                "changes_not_confirmed",
                "Nobody has yet asked the patient “Any changes since last time?” at this visit.",
            )

    modality = Modality(service.needling)
    if queries.consent_on_file(patient, modality.value, today) is None:
        others = sorted(
            {Modality(c.modality).label for c in queries.consents_for(patient)} - {modality.label}
        )
        renewal = (
            f" Consent on file is for {', '.join(others)}; it must be renewed when the "
            "modality changes."
            if others
            else ""
        )
        fail("consent_missing", f"No consent on file for {modality.label}.{renewal}")

    if status.assessment is not None:
        for finding in status.assessment.referrals:
            fail("refer", f"{finding.label}. Do not needle.", finding.rule_id)
        for finding in status.assessment.contraindications:
            fail(
                "contraindicated",
                f"{finding.label}: contraindicated, no needling.",
                finding.rule_id,
            )
        for finding in status.unacknowledged:
            fail(
                "precaution_not_acknowledged",
                f"{finding.label}: record the risk discussion before needling.",
                finding.rule_id,
            )

    if not practitioner.is_qualified_for(modality.value):
        fail("not_qualified", f"{practitioner.name} is not qualified in {modality.label}.")
    # Their registration, membership and insurance, and the council's registration or
    # licence where this location's council licenses acupuncture (theirs and the
    # premises'), all on the day of needling.
    shortfall = practitioner.credential_shortfall(today, appointment.room.location)
    for message in shortfall.sentences(practitioner.name):
        fail("credentials_lapsed", message)

    return GateVerdict(appointment, today, needed=True, failures=tuple(failures), status=status)


class GateClosed(Conflict):
    """Needling refused; ``extra["failures"]`` lists every failed condition."""


def require_needling_gate(appointment: Appointment, *, today: date) -> GateVerdict:
    """For the session screen and the API: refuse to start needling unless the gate is open."""
    verdict = needling_gate(appointment, today=today)
    if not verdict.allowed:
        raise GateClosed(
            "needling_not_allowed",
            "Needling cannot start: " + " ".join(f.message for f in verdict.failures),
            extra={"failures": [{"code": f.code, "message": f.message} for f in verdict.failures]},
        )
    return verdict

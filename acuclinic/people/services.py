"""Writes to patient records, staff API tokens and practitioners' credentials. Each one
is atomic and audited."""

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.choices import LicensingRegime
from acuclinic.clinic.models import Location
from acuclinic.core import fixed_sql
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.people import credentials, roles
from acuclinic.people.choices import CredentialKind
from acuclinic.people.models import (
    ApiToken,
    ClinicalSummary,
    Credential,
    Patient,
    Practitioner,
    User,
)

PATIENT_FIELDS = [
    f.name
    for f in Patient._meta.get_fields()
    if getattr(f, "editable", False) and not f.auto_created and f.name not in {"id"}
]


def _validated(patient: Patient) -> None:
    try:
        # Field rules only: the unique NHS number is the database's to enforce, and its
        # refusal becomes the 409 "duplicate_nhs_number" below, not a constraint name.
        patient.full_clean(validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidRequest("invalid_" + field, f"{field}: {messages[0]}", field=field) from exc


def patient_create(**fields) -> Patient:
    patient = Patient(**fields)
    _validated(patient)
    try:
        with transaction.atomic():
            patient.save()
            audit.record(AuditAction.CREATE, patient, changed_fields=list(fields))
    except IntegrityError as exc:
        raise Conflict(
            "duplicate_nhs_number",
            "Another patient already has this NHS number.",
            field="nhs_number",
        ) from exc
    return patient


def patient_update(patient: Patient, **fields) -> Patient:
    before = audit.snapshot(patient, PATIENT_FIELDS)
    for name, value in fields.items():
        setattr(patient, name, value)
    _validated(patient)
    changed = audit.changed_field_names(before, patient, PATIENT_FIELDS)
    if not changed:
        return patient
    try:
        with transaction.atomic():
            patient.save()
            audit.record(AuditAction.CHANGE, patient, changed_fields=changed)
    except IntegrityError as exc:
        raise Conflict(
            "duplicate_nhs_number",
            "Another patient already has this NHS number.",
            field="nhs_number",
        ) from exc
    return patient


def patient_viewed(patient: Patient, *, detail: str = "") -> None:
    """Record that someone opened this patient's record."""
    audit.record(AuditAction.VIEW, patient, detail=detail)


def clinical_summary_save(patient: Patient, *, user, presenting_condition: str, history: str):
    with transaction.atomic():
        summary, created = ClinicalSummary.objects.select_for_update().get_or_create(
            patient=patient,
            defaults={
                "presenting_condition": presenting_condition,
                "history": history,
                "updated_by": user,
            },
        )
        if not created:
            summary.presenting_condition = presenting_condition
            summary.history = history
            summary.updated_by = user
            summary.full_clean(exclude=["patient", "updated_by"])
            summary.save()
        audit.record(
            AuditAction.CREATE if created else AuditAction.CHANGE,
            summary,
            changed_fields=["presenting_condition", "history"],
        )
    return summary


def patient_check_reachable(*, email: str, phone: str) -> None:
    """The clinic must be able to reach every patient: by email, by phone, or both."""
    if not (email or "").strip() and not (phone or "").strip():
        raise InvalidRequest(
            "no_contact_details",
            "Give an email address or a phone number, or both.",
            field="email",
        )


# API tokens. The secret is "acu_" and 43 random URL-safe characters (256 bits); only
# its SHA-256 digest is kept, so the secret is shown once and cannot be recovered.
TOKEN_PREFIX = "acu_"
TOKEN_NAME_MAX = 80
# Recording "last used" on every call would make every API read a write, queueing
# behind SQLite's single writer for a timestamp nobody needs to the second.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Every token ends; a year at most, three months unless asked otherwise.
TOKEN_DEFAULT_DAYS = 90
TOKEN_MAX_DAYS = 365


def _token_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def api_token_create(
    *,
    user,
    name: str,
    expires_in_days: int = TOKEN_DEFAULT_DAYS,
    read_only: bool = False,
    clinical: bool = True,
) -> tuple[ApiToken, str]:
    """Make a token for ``user``, ending after ``expires_in_days``, limited to reading
    with ``read_only`` and to non-clinical permissions without ``clinical``. Returns the
    token and its secret, which is not stored."""
    if not 1 <= expires_in_days <= TOKEN_MAX_DAYS:
        raise InvalidRequest(
            "expiry_out_of_range",
            f"A token lasts between 1 and {TOKEN_MAX_DAYS} days.",
            field="expires_in_days",
        )
    name = (name or "").strip()
    if not name:
        raise InvalidRequest(
            "name_required", "Name the token after what will use it.", field="name"
        )
    if len(name) > TOKEN_NAME_MAX:
        raise InvalidRequest(
            "name_too_long", f"Keep the name to {TOKEN_NAME_MAX} characters.", field="name"
        )
    if not user.is_active:
        raise InvalidRequest("inactive_user", f"The account {user.username} is disabled.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            digest=_token_digest(secret),
            prefix=secret[:12],
            expires_at=timezone.now() + timedelta(days=expires_in_days),
            read_only=read_only,
            clinical=clinical,
        )
        audit.record(
            AuditAction.CREATE,
            token,
            detail=f"API token for {user.username}: {token.scope_display}, {expires_in_days} days",
        )
    return token, secret


def api_token_revoke(token: ApiToken) -> ApiToken:
    """Stop a token working, for good. Its row stays, so the audit trail still names it."""
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().select_related("user").get(pk=token.pk)
        if locked.revoked_at is not None:
            raise Conflict("already_revoked", f"The token “{locked.name}” is already revoked.")
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit.record(
            AuditAction.CHANGE,
            locked,
            changed_fields=["revoked_at"],
            detail=f"API token of {locked.user.username} revoked",
        )
    return locked


def api_token_lookup(secret: str) -> tuple[object | None, str]:
    """(the user a presented secret acts as, "") or (None, why): "unknown" (or revoked,
    or a disabled account: nobody learns which) or "expired".

    The user comes back scoped to the token: ``api_token_read_only`` set for a read-only
    token, and for a token without clinical access their permissions less
    ``roles.CLINICAL_PERMISSIONS`` (this user object only, for this request)."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None, "unknown"
    token = _live_token(_token_digest(secret))
    if token is None or not token.user.is_active:
        return None, "unknown"
    now = timezone.now()
    if token.expires_at <= now:
        return None, "expired"
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    user = token.user
    user.api_token_read_only = token.read_only
    if not token.clinical:
        held = _all_permissions(user)
        # has_perm answers True for any superuser before asking the backends: this
        # in-memory copy is not one, so the narrowed set below is what counts.
        user.is_superuser = False
        user._perm_cache = held - roles.CLINICAL_PERMISSIONS
    return user, ""


def _live_token(digest: str) -> ApiToken | None:
    """The unrevoked token with ``digest``, with its user: what
    ``ApiToken.objects.select_related("user").filter(digest=…, revoked_at__isnull=True)
    .first()`` answers, in fixed SQL (every API request sends it; core.fixed_sql)."""
    f = fixed_sql
    sql = (
        f"SELECT {f.columns(ApiToken, 't')}, {f.columns(User, 'u')} "
        f'FROM {f.table(ApiToken)} t JOIN {f.table(User)} u ON u."id" = t."user_id" '
        'WHERE t."digest" = %s AND t."revoked_at" IS NULL '
        'ORDER BY t."created_at" DESC, t."id" DESC LIMIT 1'
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [digest])
        row = cursor.fetchone()
    if row is None:
        return None
    token = f.load(ApiToken, row)
    f.relate(token, "user", f.load(User, row, f.width(ApiToken)))
    return token


def _all_permissions(user) -> set[str]:
    if user.is_superuser:
        rows = Permission.objects.values_list("content_type__app_label", "codename")
        return {f"{app}.{codename}" for app, codename in rows}
    return set(user.get_all_permissions())


def api_token_user(secret: str):
    """The user a presented secret acts as, or None if unknown, revoked, expired or
    belonging to a disabled account."""
    return api_token_lookup(secret)[0]


# Credentials: recorded by clinic admins; each one is audited. A renewal is a new
# credential (the old one stays, so the history of what was valid when is kept).


def credential_add(practitioner: Practitioner, *, user=None, **fields) -> Credential:
    """Record a registration, membership, insurance policy or council registration or
    licence for ``practitioner``. Refused with ``InvalidRequest`` (nothing written) when
    the model's rules refuse it or, for a council's registration, when no location
    names that council (it would never count: a typo, most likely)."""
    for name in ("body", "number"):
        fields[name] = " ".join(str(fields.get(name, "")).split())
    if fields.get("kind") == CredentialKind.LOCAL_AUTHORITY:
        councils = sorted(
            set(
                Location.objects.exclude(licensing_regime=LicensingRegime.NONE).values_list(
                    "licensing_authority", flat=True
                )
            )
        )
        named = [c for c in councils if credentials.same_authority(c, fields["body"])]
        if not named:
            known = ", ".join(councils) or "none yet: set a location's licensing first"
            raise InvalidRequest(
                "unknown_council",
                f"No location is licensed by “{fields['body']}”. Councils the clinic's "
                f"locations name: {known}.",
                field="body",
            )
        fields["body"] = named[0]  # spelt as the location spells it
    credential = Credential(practitioner=practitioner, **fields)
    try:
        credential.full_clean(exclude=["practitioner"], validate_constraints=False)
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise InvalidRequest("invalid_" + field, messages[0], field=field) from exc
    try:
        with transaction.atomic():
            credential.save()
            audit.record(
                AuditAction.CREATE,
                credential,
                changed_fields=["kind", "body", "number", "valid_from", "valid_until"],
                detail=f"for {practitioner.name}",
                user=user,
            )
    except IntegrityError as exc:
        raise Conflict(
            "duplicate_credential",
            f"{practitioner.name} already has {credential} from that date on file.",
            field="number",
        ) from exc
    return credential


def credential_remove(credential: Credential, *, user=None) -> None:
    """Take a credential recorded by mistake off file (audited, with what it was)."""
    with transaction.atomic():
        audit.record(
            AuditAction.DELETE,
            credential,
            detail=f"{credential} of {credential.practitioner.name}",
            user=user,
        )
        credential.delete()

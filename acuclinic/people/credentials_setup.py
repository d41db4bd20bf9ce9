"""Practitioners' profiles and the state of their credentials, for the clinic admin's
set-up pages and the API: adding a practitioner's profile to a staff account, changing
it (profession, qualifications, profile text, services offered), and reading each
credential's state today (in force, ending soon, ended, renewed).

Recording a credential itself is people.services.credential_add; whether someone may
needle on a day is the pure rule in people.credentials.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import IntegrityError, transaction

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Service
from acuclinic.clinic.policies import apply_settings, refuse_unknown
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.people.choices import CredentialKind, Profession
from acuclinic.people.models import Credential, Practitioner, User

# As the Safety page's list of credentials that end soon (safety.queries).
EXPIRY_WARNING_DAYS = 30
PROFILE_FIELDS = (
    "profession",
    "qualified_traditional",
    "qualified_medical",
    "profile",
    "is_active",
)

# Said wherever credentials are recorded: the rule is enforced by booking and the
# needling gate (people.credentials.shortfall), not by this page.
LAPSED_RULE = (
    "A practitioner whose professional registration, acupuncture body membership or "
    "indemnity insurance is not valid on the day (or, where the location's council "
    "licenses acupuncture, its registration or licence) cannot be booked for acupuncture "
    "that day, and the needling gate stops them treating. Record a renewal before the old "
    "one ends."
)


@dataclass(frozen=True)
class CredentialState:
    credential: Credential
    state: str  # "in force", "ends soon", "ended", "renewed", "not yet", "never counts"
    days_left: int | None

    @property
    def warn(self) -> bool:
        return self.state in ("ends soon", "ended", "never counts")


def _renewed(credential: Credential, others: list[Credential]) -> bool:
    """Another record of the same kind and body carries on from (or before) its end."""
    if credential.valid_until is None:
        return False
    return any(
        o.pk != credential.pk
        and o.kind == credential.kind
        and o.body.casefold() == credential.body.casefold()
        and o.valid_from <= credential.valid_until + timedelta(days=1)
        and (o.valid_until is None or o.valid_until > credential.valid_until)
        for o in others
    )


def credential_states(practitioner: Practitioner, *, today: date) -> list[CredentialState]:
    """Each credential on file with its state today, newest first within each kind."""
    rows = sorted(
        practitioner.credentials.all(),
        key=lambda c: (c.kind, c.body, -(c.valid_from.toordinal())),
    )
    states = []
    for c in rows:
        days_left = (c.valid_until - today).days if c.valid_until else None
        if not c.counts:
            state = "never counts"
        elif _renewed(c, rows):
            state = "renewed"
        elif c.valid_from > today:
            state = "not yet"
        elif days_left is not None and days_left < 0:
            state = "ended"
        elif days_left is not None and days_left <= EXPIRY_WARNING_DAYS:
            state = "ends soon"
        else:
            state = "in force"
        states.append(CredentialState(c, state, days_left))
    return states


def registration_on_file(practitioner: Practitioner, *, today: date) -> Credential | None:
    """Their statutory registration (HCPC PH12345…) valid today, or the latest one."""
    regs = [c for c in practitioner.credentials.all() if c.kind == CredentialKind.REGISTRATION]
    valid = [c for c in regs if c.valid_from <= today and (c.valid_until or today) >= today]
    return max(valid or regs, key=lambda c: c.valid_from, default=None)


def practitioner_add(user: User, *, by=None, **fields) -> Practitioner:
    """Give a staff account a practitioner's profile, so they can be booked once their
    credentials are on file. One profile per account (``already_practitioner``)."""
    refuse_unknown(fields, PROFILE_FIELDS)
    if fields.get("profession") not in Profession.values:
        raise InvalidRequest(
            "invalid_profession", "Choose the practitioner's profession.", field="profession"
        )
    if not user.is_active:
        raise InvalidRequest("account_disabled", "That staff account is disabled.", field="user")
    try:
        with transaction.atomic():
            practitioner = Practitioner(user=user)
            apply_settings(practitioner, PROFILE_FIELDS, fields, exclude=["user"], user=by)
            audit.record(
                AuditAction.CREATE,
                practitioner,
                detail=f"practitioner {user.display_name}",
                user=by,
            )
    except IntegrityError as exc:
        raise Conflict(
            "already_practitioner",
            f"{user.display_name} already has a practitioner's profile.",
            field="user",
        ) from exc
    return practitioner


def practitioner_update(
    practitioner: Practitioner, *, by=None, services: list[int] | None = None, **fields
) -> Practitioner:
    """Change the fields given; ``services`` (ids) replaces the services offered (an
    empty list: every service they are qualified for)."""
    refuse_unknown(fields, PROFILE_FIELDS)
    with transaction.atomic():
        row = Practitioner.objects.select_for_update().get(pk=practitioner.pk)
        apply_settings(row, PROFILE_FIELDS, fields, exclude=["user"], user=by)
        if services is not None:
            chosen = list(Service.objects.filter(pk__in=services))
            if len(chosen) != len(set(services)):
                raise InvalidRequest(
                    "unknown_service", "One of the services does not exist.", field="services"
                )
            unqualified = [s.name for s in chosen if not row.is_qualified_for(s.needling)]
            if unqualified:
                raise InvalidRequest(
                    "not_qualified",
                    f"{row.name} is not qualified in the acupuncture of: "
                    f"{', '.join(unqualified)}. Record the qualification first.",
                    field="services",
                )
            before = set(row.services.values_list("pk", flat=True))
            if before != {s.pk for s in chosen}:
                row.services.set(chosen)
                audit.record(
                    AuditAction.CHANGE,
                    row,
                    changed_fields=["services"],
                    detail="services offered: " + (", ".join(s.name for s in chosen) or "all"),
                    user=by,
                )
    return row


def active_services() -> list[Service]:
    return list(Service.objects.filter(is_active=True).order_by("name"))


def services_offered(
    practitioner: Practitioner, active: list[Service] | None = None
) -> list[Service]:
    """The services chosen, or every active service they are qualified for. ``active``:
    the active services read once for a list of practitioners (else read here)."""
    chosen = list(practitioner.services.all())
    if chosen:
        return chosen
    if active is None:
        active = active_services()
    return [s for s in active if practitioner.is_qualified_for(s.needling)]

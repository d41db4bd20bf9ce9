"""Moving in: practitioners from another system's CSV export, dry run first, then all or
nothing.

Each row becomes a staff account with the Practitioner role and a practitioner record,
or matches one already here (by email, then by name), or has errors. New accounts get no
usable password: a clinic admin invites them from the staff accounts page. A
registration or acupuncture body membership is recorded as a credential only when the
row carries its number and both its dates (the model needs them); whatever a
practitioner still lacks before they can be booked for acupuncture (dates, insurance) is
said on the row, for the clinic admin to add. Membership of an acupuncture body on the
row sets what they are qualified in (AACP, BMAS: medical; BAcC: traditional).
"""

import re

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.interop.importing import csvrows
from acuclinic.interop.importing.patients import ImportRefused, Plan, Progress, RowOutcome
from acuclinic.people import credentials, roles
from acuclinic.people.choices import CredentialKind
from acuclinic.people.models import Credential, Practitioner, User

_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


def _name_key(given: str, family: str) -> tuple[str, str]:
    return (given.strip().lower(), family.strip().lower())


def _existing():
    by_email: dict[str, User] = {}
    by_name: dict[tuple, list[User]] = {}
    for user in User.objects.select_related("practitioner"):
        if user.email:
            by_email[user.email.lower()] = user
        by_name.setdefault(_name_key(user.first_name, user.last_name), []).append(user)
    return by_email, by_name, {u.lower() for u in User.objects.values_list("username", flat=True)}


def _username(email: str, taken: set[str]) -> str:
    base = _USERNAME_UNSAFE.sub("", email.lower())[:140] or "practitioner"
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base}-{n}"
    taken.add(name)
    return name


def _credentials(v: dict, profession: str) -> tuple[list[Credential], list[str], list[str]]:
    """The credentials the row carries in full, notes on those it carries only in part,
    and the errors of those the model refuses."""
    found, notes, errors = [], [], []
    wanted = []
    regulator = credentials.REGULATOR_FOR_PROFESSION.get(profession)
    if v.get("registration_number"):
        if regulator:
            wanted.append((CredentialKind.REGISTRATION, regulator, "registration"))
        else:
            notes.append(
                f"registration number {v['registration_number']} (an {profession} has no "
                "statutory regulator)"
            )
    if v.get("membership_number"):
        if v.get("membership_body"):
            wanted.append((CredentialKind.MEMBERSHIP, v["membership_body"], "membership"))
        else:
            notes.append(f"membership number {v['membership_number']} (no body given)")
    for kind, body, prefix in wanted:
        number = v[f"{prefix}_number"]
        start, end = v.get(f"{prefix}_valid_from"), v.get(f"{prefix}_valid_until")
        if not start or not end:
            notes.append(f"{body} {number} (the export lacks its dates)")
            continue
        credential = Credential(
            kind=kind, body=body, number=number, valid_from=start, valid_until=end
        )
        try:
            credential.full_clean(exclude=["practitioner"], validate_constraints=False)
        except ValidationError as exc:
            errors += [f"{body} {number}: {'; '.join(m)}" for m in exc.message_dict.values()]
            continue
        found.append(credential)
    return found, notes, errors


# What membership of each acupuncture body shows the practitioner is qualified in
# (people/credentials.py: AACP and BMAS for medical acupuncture, BAcC for traditional).
QUALIFIED_BY_MEMBERSHIP = {
    "AACP": "qualified_medical",
    "BMAS": "qualified_medical",
    "BAcC": "qualified_traditional",
}


def _still_needed(profession: str, found: list[Credential], qualified: bool) -> str:
    facts = [
        credentials.CredentialFacts(c.kind, c.body, c.valid_from, c.valid_until) for c in found
    ]
    lacking = credentials.missing_credentials(profession, facts, timezone.localdate())
    if not qualified:
        lacking.append("no acupuncture qualification (traditional or medical) on the export")
    return "Add before they can be booked for acupuncture (staff page): " + "; ".join(lacking) + "."


def plan(rows: list[csvrows.Row], system: str, progress: Progress | None = None):
    """What each row would do, and the new (user, practitioner, credentials) to create."""
    by_email, by_name, taken = _existing()
    seen_email: dict[str, int] = {}
    seen_name: dict[tuple, int] = {}
    result = Plan(system)
    new = []
    total = len(rows)
    for done, row in enumerate(rows, start=1):
        if progress and (done % 100 == 0 or done == total):
            progress("checked", done, total)
        v = row.values
        name = f"{v.get('given_name', '')} {v.get('family_name', '')}".strip()

        def outcome(action: str, detail: str, *, line=row.line, name=name) -> None:
            result.outcomes.append(RowOutcome(line, action, name, detail))

        if row.errors:
            outcome("error", " ".join(row.errors))
            continue
        email = v["email"]
        try:
            validate_email(email)
        except ValidationError:
            outcome("error", f"Email “{email}” is not an email address.")
            continue
        key = _name_key(v["given_name"], v["family_name"])
        user = by_email.get(email.lower())
        how = "same email"
        if user is None and key in by_name:
            if len(by_name[key]) > 1:
                outcome("error", "Several staff accounts here have this name: add them by hand.")
                continue
            user, how = by_name[key][0], "same name"
        if user is not None:
            if hasattr(user, "practitioner"):
                outcome("match", f"{how}: {user.username}, already a practitioner")
            else:
                outcome(
                    "error",
                    f"The staff account {user.username} ({how}) is not a practitioner: "
                    "make it one by hand, or correct the row.",
                )
            continue
        earlier = seen_email.get(email.lower()) or seen_name.get(key)
        if earlier:
            outcome("match", f"the same person as line {earlier}")
            continue
        user = User(first_name=v["given_name"], last_name=v["family_name"], email=email)
        try:
            user.full_clean(exclude=["password", "username"], validate_unique=False)
        except ValidationError as exc:
            outcome("error", " ".join(f"{f}: {'; '.join(m)}" for f, m in exc.message_dict.items()))
            continue
        found, notes, errors = _credentials(v, v["profession"])
        if errors:
            outcome("error", " ".join(errors))
            continue
        seen_email[email.lower()] = row.line
        seen_name[key] = row.line
        user.username = username = _username(email, taken)
        user.set_unusable_password()
        recorded = ", ".join(str(c) for c in found)
        qualification = QUALIFIED_BY_MEMBERSHIP.get(v.get("membership_body", ""))
        if not v.get("membership_number"):
            qualification = None
        practitioner = Practitioner(profession=v["profession"])
        if qualification:
            setattr(practitioner, qualification, True)
        detail = " ".join(
            part
            for part in (
                f"new staff account {username} (Practitioner, {v['profession']}), no password "
                "until invited.",
                f"Credentials recorded: {recorded}." if found else "",
                ("Not recorded: " + "; ".join(notes) + ".") if notes else "",
                f"Qualified in {practitioner.modalities_display.lower()} "
                f"({v['membership_body']} member)."
                if qualification
                else "",
                _still_needed(v["profession"], found, bool(qualification)),
            )
            if part
        )
        outcome("create", detail)
        new.append((user, practitioner, found))
    return result, new


def import_practitioners(
    data: bytes, system: str, *, dry_run: bool, progress: Progress | None = None, user=None
) -> Plan:
    """Read, check and (unless ``dry_run``) import a practitioners file; see the module doc.

    Raises ``csvrows.ImportFileError`` for a file that cannot be read at all and
    ``ImportRefused`` for a real run with any row in error.
    """
    rows = csvrows.read_rows(data, system, "practitioners")
    with transaction.atomic():
        result, new = plan(rows, system, progress)
        if dry_run:
            return result
        if result.errors:
            raise ImportRefused(result)
        group = Group.objects.get(name=roles.PRACTITIONER)
        detail = f"imported from {system}"
        for done, (account, practitioner, found) in enumerate(new, start=1):
            account.save()
            account.groups.add(group)
            audit.record(
                AuditAction.CREATE,
                account,
                detail=f"staff account {detail} as {roles.PRACTITIONER}",
                user=user,
            )
            practitioner.user = account
            practitioner.save()
            audit.record(AuditAction.CREATE, practitioner, detail=detail, user=user)
            for credential in found:
                credential.practitioner = practitioner
                credential.save()
                audit.record(
                    AuditAction.CREATE,
                    credential,
                    changed_fields=["kind", "body", "number", "valid_from", "valid_until"],
                    detail=f"for {practitioner.name}, {detail}",
                    user=user,
                )
            if progress:
                progress("written", done, len(new))
        result.written = True
    return result

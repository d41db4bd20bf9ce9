"""Demo staff: one login per role, and practitioners with credentials and a weekly rota.

Practitioners follow a team pattern of six, repeated at larger scales: physiotherapists
qualified in medical acupuncture (HCPC registration, AACP membership, insurance), one
traditional acupuncturist (BAcC membership and insurance; no statutory register exists
for acupuncture in the UK), and one physiotherapist whose HCPC registration runs out
within 30 days of the demo's "today". Where they work at a location whose council
licenses acupuncture, they hold its registration or licence unless their profession is
exempt there (physiotherapists in London; nobody but doctors under s.14).
"""

import random
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from acuclinic.clinic.choices import LicensingRegime, Modality
from acuclinic.demo import synthetic
from acuclinic.demo.clinic import (
    CLINIC_DOMAIN,
    LocationPlan,
    council_periods,
    licence_until,
)
from acuclinic.demo.spec import DemoSpec, add_months
from acuclinic.people import credentials as licensing
from acuclinic.people import roles
from acuclinic.people.choices import CredentialKind, Profession
from acuclinic.people.models import Credential, Practitioner, User

DEMO_PASSWORD = "acuclinic-demo"
ADMIN_USERNAME = "admin"
PRACTITIONER_USERNAME = "practitioner"
RECEPTION_USERNAME = "reception"
# The logins `acuclinic setup` prints: one per role.
DEMO_LOGINS = (
    (ADMIN_USERNAME, roles.ADMIN),
    (PRACTITIONER_USERNAME, roles.PRACTITIONER),
    (RECEPTION_USERNAME, roles.RECEPTION),
)

INSURERS = ("Hollins Mutual", "Greyhaven Indemnity", "Northgate Professional Cover")
DIARY_COLOURS = ("#2a6f97", "#8a3b12", "#2d6a4f", "#6a4c93", "#9c2f5b", "#5c5c14", "#1d4e89")


@dataclass(frozen=True)
class Position:
    """One place in the team pattern: what the practitioner filling it is and does."""

    profession: str
    modality: str
    days_a_week: int
    registration_lapses: bool = False


# Ordered so that even a two-practitioner demo has both kinds of acupuncture.
TEAM = (
    Position(Profession.PHYSIOTHERAPIST, Modality.MEDICAL, 5),
    # The only traditional acupuncturist at scale 1 works full time: every patient who
    # asks for traditional acupuncture is theirs.
    Position(Profession.ACUPUNCTURIST, Modality.TRADITIONAL, 5),
    Position(Profession.PHYSIOTHERAPIST, Modality.MEDICAL, 4, registration_lapses=True),
    Position(Profession.PHYSIOTHERAPIST, Modality.MEDICAL, 4),
    Position(Profession.PHYSIOTHERAPIST, Modality.MEDICAL, 3),
    Position(Profession.PHYSIOTHERAPIST, Modality.MEDICAL, 4),
)


@dataclass
class PractitionerPlan:
    practitioner: Practitioner
    modality: str
    # Weekday (Monday = 0) -> index of the location worked at that day.
    rota: dict[int, int]
    # The last day their registration, membership and insurance all hold.
    credentials_until: date
    # Leave and training (see working_time): no appointments then.
    days_off: set[date] = field(default_factory=set)

    def can_see(self, day: date, service) -> bool:
        """Whether the booking rules would let them take a visit for ``service`` on this
        day. What decides it is the acupuncture the visit may include
        (``Service.needling``), not the service's kind: an assessment with a first
        session of medical acupuncture needs a qualified practitioner whose
        registration, membership and insurance hold that day."""
        if day.weekday() not in self.rota or day in self.days_off:
            return False
        if service.needling:
            return service.needling == self.modality and day <= self.credentials_until
        return True


@dataclass
class StaffPlan:
    admin: User
    reception: User
    practitioners: list[PractitionerPlan]


def build_staff(spec: DemoSpec, rng: random.Random, locations: list[LocationPlan]) -> StaffPlan:
    password = make_password(DEMO_PASSWORD)  # argon2 is slow on purpose: hash it once
    usernames = UsernameBook()
    admin = _user(rng, ADMIN_USERNAME, password)
    reception = _user(rng, RECEPTION_USERNAME, password)
    positions = [TEAM[i % len(TEAM)] for i in range(spec.practitioners)]
    clinicians = [
        _user(rng, PRACTITIONER_USERNAME if i == 0 else None, password, usernames)
        for i in range(len(positions))
    ]
    _save_users([admin, reception, *clinicians])
    _set_roles(
        {admin: roles.ADMIN, reception: roles.RECEPTION}
        | {user: roles.PRACTITIONER for user in clinicians}
    )

    practitioners = [
        Practitioner(
            user=user,
            profession=position.profession,
            qualified_medical=position.modality == Modality.MEDICAL,
            qualified_traditional=position.modality == Modality.TRADITIONAL,
            colour=DIARY_COLOURS[i % len(DIARY_COLOURS)],
        )
        for i, (user, position) in enumerate(zip(clinicians, positions, strict=True))
    ]
    Practitioner.objects.bulk_create(practitioners)

    credentials, plans = [], []
    homes = _homes(len(practitioners), locations)
    load: Counter = Counter()
    numbers = set()
    for n, (practitioner, position, home) in enumerate(
        zip(practitioners, positions, homes, strict=True)
    ):
        held = _credentials(spec, rng, practitioner, position, numbers)
        rota = _rota(rng, spec.days_a_week or position.days_a_week, home, locations, load)
        credentials += held + _council_credentials(spec, practitioner, n, rota, locations)
        plans.append(
            PractitionerPlan(
                practitioner=practitioner,
                modality=position.modality,
                rota=rota,
                credentials_until=_last_day_covered(held),
            )
        )
    Credential.objects.bulk_create(credentials)
    return StaffPlan(admin=admin, reception=reception, practitioners=plans)


class UsernameBook:
    """firstname.lastname, numbered when two staff share a name."""

    def __init__(self) -> None:
        self._taken: set[str] = {u for u, _ in DEMO_LOGINS}

    def name_for(self, given: str, family: str) -> str:
        plain = unicodedata.normalize("NFKD", f"{given}.{family}".lower())
        base = "".join(
            ch for ch in plain.encode("ascii", "ignore").decode() if ch.isalnum() or ch == "."
        )
        name, n = base, 1
        while name in self._taken:
            n += 1
            name = f"{base}{n}"
        self._taken.add(name)
        return name


def _user(rng, username: str | None, password: str, usernames: UsernameBook | None = None):
    names = synthetic.FEMALE_NAMES if rng.random() < 0.6 else synthetic.MALE_NAMES
    given, family = rng.choice(names), rng.choice(synthetic.FAMILY_NAMES)
    username = username or usernames.name_for(given, family)
    return User(
        username=username,
        first_name=given,
        last_name=family,
        email=f"{username}@{CLINIC_DOMAIN}",
        password=password,
        is_active=True,
    )


def _save_users(users: list[User]) -> None:
    """Insert the demo accounts, reusing any left by a reset (the audit trail names them)."""
    kept = {u.username: u for u in User.objects.filter(username__in=[u.username for u in users])}
    fresh = []
    for user in users:
        old = kept.get(user.username)
        if old is None:
            fresh.append(user)
            continue
        user.pk = old.pk
        user.date_joined = old.date_joined
        user.save()
    User.objects.bulk_create(fresh)


def _set_roles(role_of: dict[User, str]) -> None:
    groups = {g.name: g for g in Group.objects.filter(name__in=roles.ROLES)}
    through = User.groups.through
    through.objects.filter(user_id__in=[u.pk for u in role_of]).delete()
    through.objects.bulk_create(
        through(user_id=user.pk, group_id=groups[role].pk) for user, role in role_of.items()
    )


def _homes(count: int, locations: list[LocationPlan]) -> list[int]:
    """A home location per practitioner, in proportion to each location's rooms."""
    homes: list[int] = []
    for _ in range(count):
        share = [homes.count(i) / len(loc.rooms) for i, loc in enumerate(locations)]
        homes.append(share.index(min(share)))
    return homes


def _rota(rng, days_a_week: int, home: int, locations: list[LocationPlan], load: Counter):
    """Working weekdays and where: at home while it has a free room, else where it's quietest.

    The weekdays are the ones fewest colleagues work so far (ties at random), so the
    clinic is staffed evenly through the week, as a rota would be drawn up."""
    staffed = {d: sum(n for (_, weekday), n in load.items() if weekday == d) for d in range(5)}
    order = sorted(range(5), key=lambda d: (staffed[d], rng.random()))
    weekdays = sorted(order[: min(days_a_week, 5)])
    if days_a_week < 5 and rng.random() < 0.35:
        # Some work a Saturday morning in place of a weekday.
        weekdays = sorted([*weekdays[1:], 5])
    rota = {}
    for weekday in weekdays:
        open_there = [i for i, loc in enumerate(locations) if loc.is_open_on(weekday)]
        if not open_there:
            continue
        if home in open_there and load[(home, weekday)] < len(locations[home].rooms):
            where = home
        else:
            where = min(open_there, key=lambda i: (load[(i, weekday)] / len(locations[i].rooms), i))
        load[(where, weekday)] += 1
        rota[weekday] = where
    return rota


def _periods(until: date, years: int, cover_from: date) -> list[tuple[date, date]]:
    """Back-to-back renewal periods ending on ``until``, far enough back to cover history."""
    periods = []
    while True:
        start = add_months(until, -12 * years) + timedelta(days=1)
        periods.append((start, until))
        if start <= cover_from:
            return periods
        until = start - timedelta(days=1)


def _unique_number(rng, numbers: set[str], prefix: str, digits: int) -> str:
    while True:
        number = f"{prefix}{rng.randrange(10 ** (digits - 1), 10**digits)}"
        if number not in numbers:
            numbers.add(number)
            return number


def _credentials(spec, rng, practitioner, position: Position, numbers) -> list[Credential]:
    # Every credential is in date from before the first demo appointment; all but the
    # lapsing registration run well past the last one.
    def renewed_until() -> date:
        return spec.horizon + timedelta(days=rng.randint(30, 330))

    held = []
    if position.profession == Profession.PHYSIOTHERAPIST:
        until = (
            spec.today + timedelta(days=rng.randint(7, 27))
            if position.registration_lapses
            else renewed_until()
        )
        number = _unique_number(rng, numbers, "PH", rng.choice([5, 6]))
        held += [
            Credential(
                practitioner=practitioner,
                kind=CredentialKind.REGISTRATION,
                body="HCPC",
                number=number,
                valid_from=start,
                valid_until=end,
            )
            for start, end in _periods(until, 2, spec.history_start)
        ]
    body = "BAcC" if position.modality == Modality.TRADITIONAL else "AACP"
    member = _unique_number(rng, numbers, "", 5)
    held += [
        Credential(
            practitioner=practitioner,
            kind=CredentialKind.MEMBERSHIP,
            body=body,
            number=member,
            valid_from=start,
            valid_until=end,
        )
        for start, end in _periods(renewed_until(), 1, spec.history_start)
    ]
    insurer = rng.choice(INSURERS)
    policy = _unique_number(rng, numbers, "PI", 7)
    held += [
        Credential(
            practitioner=practitioner,
            kind=CredentialKind.INSURANCE,
            body=insurer,
            number=policy,
            valid_from=start,
            valid_until=end,
        )
        for start, end in _periods(renewed_until(), 1, spec.history_start)
    ]
    return held


def _council_credentials(
    spec, practitioner, n: int, rota: dict[int, int], locations: list[LocationPlan]
) -> list[Credential]:
    """The council registration or licence for each location they work at whose council
    licenses acupuncture and does not exempt their profession, covering the whole demo
    (so they decide no booking; the premises are registered too, see clinic)."""
    held = []
    for index in sorted(set(rota.values())):
        plan = locations[index]
        if practitioner.profession in licensing.regime_for(plan.regime).exempt:
            continue
        prefix = "ACU" if plan.regime == LicensingRegime.LGMPA_1982_S14 else "STT"
        held += [
            Credential(
                practitioner=practitioner,
                kind=CredentialKind.LOCAL_AUTHORITY,
                body=plan.council,
                number=f"{prefix}/{start.year}/{n + 1:03d}",
                valid_from=start,
                valid_until=end,
            )
            for start, end in council_periods(spec, plan.regime, licence_until(spec))
        ]
    return held


def _last_day_covered(held: list[Credential]) -> date:
    """The day the first of their credentials (registration, membership, insurance) ends."""
    latest: dict[str, date] = {}
    for credential in held:
        latest[credential.kind] = max(latest.get(credential.kind, date.min), credential.valid_until)
    return min(latest.values())

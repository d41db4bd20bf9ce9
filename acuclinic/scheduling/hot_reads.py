"""The reads every booking makes, as plain SQL.

Each booking checks the practitioner's working time, room closures and clashes with
other bookings. Written with the ORM, building each statement (filters, ``Q`` objects,
``Exists`` subqueries) cost more CPU than the database spent answering it; here the
statements are fixed strings, sent through Django's connection (the same transaction,
the same query logging and execute wrappers). They ask exactly what the querysets they
replace asked (``AppointmentQuerySet.holding``/``overlapping``, the working pattern and
exception filters); the booking tests and the race tests hold them to it.

On SQLite the driver parses dates, times and datetimes by their declared column types
(Django registers the converters); datetimes come naive in the connection's zone (UTC)
and are made aware here,
as the ORM's converter does. Parameters go through ``connection.ops`` as the ORM's do.
"""

from dataclasses import dataclass
from datetime import date, datetime, time

from django.db import connection

from acuclinic.clinic.models import Clinic, Location, Room, Service
from acuclinic.core import fixed_sql
from acuclinic.people.credentials import CredentialFacts, PremisesFacts
from acuclinic.people.models import Patient, Practitioner, User
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import MAX_HELD

_ACTIVE = AppointmentStatus.active()
_IN_ACTIVE = f"IN ({', '.join(['%s'] * len(_ACTIVE))})"


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _instant(value: datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _day(value: date):
    return connection.ops.adapt_datefield_value(value)


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=connection.timezone)


def _not_in(ids) -> tuple[str, list]:
    ids = list(ids)
    if not ids:
        return "", []
    return f' AND a."id" NOT IN ({", ".join(["%s"] * len(ids))})', ids


def clashes(
    *,
    practitioner_id: int,
    room_id: int,
    patient_id: int,
    start: datetime,
    end: datetime,
    held_until: datetime,
    ignore_ids=(),
) -> tuple[bool, bool, bool]:
    """(practitioner busy, room busy, patient busy) for a visit from ``start`` to ``end``
    holding its practitioner and room until ``held_until``, in one statement: another
    active booking's held time meets [start, held_until) for the practitioner or room;
    another active visit meets [start, end) for the patient."""
    skip, skipped = _not_in(ignore_ids)
    since = _instant(start - MAX_HELD)
    holding = (
        f'a."status" {_IN_ACTIVE} AND a."start" < %s AND a."start" > %s '
        f'AND a."held_until" > %s{skip}'
    )
    visiting = (
        f'a."status" {_IN_ACTIVE} AND a."start" < %s AND a."start" > %s AND a."end" > %s{skip}'
    )
    holding_params = [*_ACTIVE, _instant(held_until), since, _instant(start), *skipped]
    visiting_params = [*_ACTIVE, _instant(end), since, _instant(start), *skipped]
    sql = (
        'SELECT EXISTS(SELECT 1 FROM "scheduling_appointment" a '
        f'WHERE a."practitioner_id" = %s AND {holding}), '
        'EXISTS(SELECT 1 FROM "scheduling_appointment" a '
        f'WHERE a."room_id" = %s AND {holding}), '
        'EXISTS(SELECT 1 FROM "scheduling_appointment" a '
        f'WHERE a."patient_id" = %s AND {visiting})'
    )
    params = [practitioner_id, *holding_params, room_id, *holding_params]
    params += [patient_id, *visiting_params]
    practitioner, room, patient = _rows(sql, params)[0]
    return bool(practitioner), bool(room), bool(patient)


def working_patterns(practitioner_id: int, location_id: int, day: date) -> list[tuple]:
    """(weekday, starts, ends, valid_from, valid_until) of the practitioner's weekly
    hours at the location that apply on ``day``."""
    sql = (
        'SELECT "weekday", "starts", "ends", "valid_from", "valid_until" '
        'FROM "scheduling_workingpattern" WHERE "practitioner_id" = %s AND "location_id" = %s '
        'AND "weekday" = %s AND "valid_from" <= %s '
        'AND ("valid_until" IS NULL OR "valid_until" >= %s)'
    )
    return _rows(sql, [practitioner_id, location_id, day.weekday(), _day(day), _day(day)])


def working_exceptions(practitioner_id: int, location_id: int, day: date) -> list[tuple]:
    """(kind, first_day, last_day, starts, ends) of the exceptions on ``day`` that apply
    to the practitioner at the location: their own and everyone's, there or anywhere."""
    sql = (
        'SELECT "kind", "first_day", "last_day", "starts", "ends" '
        'FROM "scheduling_workingexception" WHERE "first_day" <= %s AND "last_day" >= %s '
        'AND ("practitioner_id" IS NULL OR "practitioner_id" = %s) '
        'AND ("location_id" IS NULL OR "location_id" = %s)'
    )
    return _rows(sql, [_day(day), _day(day), practitioner_id, location_id])


def lock_practitioner_and_room(practitioner_id: int, room_id: int) -> None:
    """Row locks on the practitioner, then the room (PostgreSQL), in that order as
    everywhere else, so two writers never wait on each other in a circle."""
    with connection.cursor() as cursor:
        cursor.execute(
            'SELECT 1 FROM "people_practitioner" WHERE "id" = %s FOR UPDATE', [practitioner_id]
        )
        cursor.execute('SELECT 1 FROM "clinic_room" WHERE "id" = %s FOR UPDATE', [room_id])


def _as_day(value):
    # A compound SELECT may not carry its columns' declared types to SQLite's driver.
    return date.fromisoformat(value) if isinstance(value, str) else value


def booking_parties(
    patient_id: int | None, practitioner_id: int | None, room_id: int | None, service_id
) -> tuple[Patient | None, Practitioner | None, Room | None, Service | None]:
    """The four rows a booking names, in one statement: the patient; the practitioner
    with their user (the audit entry and the answer name them); the room with its
    location and the location's clinic (billing reads its settings); the service.
    None for each one not there (an id of None finds nothing)."""
    f = fixed_sql
    sql = (
        f"SELECT {f.columns(Patient, 'pa')}, {f.columns(Practitioner, 'pr')}, "
        f"{f.columns(User, 'u')}, {f.columns(Room, 'r')}, {f.columns(Location, 'l')}, "
        f"{f.columns(Clinic, 'c')}, {f.columns(Service, 's')} "
        'FROM (SELECT 1 AS "one") one '
        f'LEFT JOIN {f.table(Patient)} pa ON pa."id" = %s '
        f'LEFT JOIN {f.table(Practitioner)} pr ON pr."id" = %s '
        f'LEFT JOIN {f.table(User)} u ON u."id" = pr."user_id" '
        f'LEFT JOIN {f.table(Room)} r ON r."id" = %s '
        f'LEFT JOIN {f.table(Location)} l ON l."id" = r."location_id" '
        f'LEFT JOIN {f.table(Clinic)} c ON c."id" = l."clinic_id" '
        f'LEFT JOIN {f.table(Service)} s ON s."id" = %s'
    )
    (row,) = _rows(sql, [patient_id, practitioner_id, room_id, service_id])
    found = []
    at = 0
    for model in (Patient, Practitioner, User, Room, Location, Clinic, Service):
        found.append(f.load(model, row, at))
        at += f.width(model)
    patient, practitioner, user, room, location, clinic, service = found
    if practitioner is not None:
        f.relate(practitioner, "user", user)
    if room is not None:
        f.relate(location, "clinic", clinic)
        f.relate(room, "location", location)
    return patient, practitioner, room, service


@dataclass(frozen=True)
class SlotFacts:
    """What a booking's checks before the lock read, for one visit: the practitioner's
    credentials and the location's council registrations (empty when the service does
    not needle), the location's opening hours, the room's first closure in the held
    time, and the practitioner's weekly hours and exceptions on the day. Each as the
    single reads above answer it."""

    credentials: list[CredentialFacts]
    premises: tuple[PremisesFacts, ...]
    opening: tuple[tuple, ...]
    closure: tuple | None
    patterns: list[tuple]
    exceptions: list[tuple]


# One row layout for every kind of row in ``slot_facts``: (kind of row, an integer, two
# texts, two dates, two times, two instants). Each NULL is typed, so PostgreSQL can
# match the branches of the UNION.
_NO = {
    "i": "CAST(NULL AS integer)",
    "s": "CAST(NULL AS text)",
    "d": "CAST(NULL AS date)",
    "t": "CAST(NULL AS time)",
    "ts": "CAST(NULL AS timestamp with time zone)",
}
_LAYOUT = ("i", "s", "s", "d", "d", "t", "t", "ts", "ts")


def _branch(which: int, given: dict[int, str], rest: str) -> str:
    cells = [given.get(i, _NO[kind]) for i, kind in enumerate(_LAYOUT)]
    return f"SELECT {which}, {', '.join(cells)} {rest}"


_CREDENTIALS = _branch(
    0,
    {1: '"kind"', 2: '"body"', 3: '"valid_from"', 4: '"valid_until"'},
    'FROM "people_credential" WHERE "practitioner_id" = %s',
)
_PREMISES = _branch(
    1,
    {1: "''", 2: '"authority"', 3: '"valid_from"', 4: '"valid_until"'},
    'FROM "clinic_premisesregistration" WHERE "location_id" = %s',
)
_OPENING = _branch(
    2,
    {0: '"weekday"', 5: '"opens"', 6: '"closes"'},
    'FROM "clinic_openinghours" WHERE "location_id" = %s',
)
_CLOSURE = _branch(
    3,
    {1: '"reason"', 7: '"starts"', 8: '"ends"'},
    'FROM (SELECT "starts", "ends", "reason" FROM "scheduling_roomclosure" '
    'WHERE "room_id" = %s AND "starts" < %s AND "ends" > %s '
    'ORDER BY "starts", "id" LIMIT 1) closure',
)
_PATTERNS = _branch(
    4,
    {0: '"weekday"', 3: '"valid_from"', 4: '"valid_until"', 5: '"starts"', 6: '"ends"'},
    'FROM "scheduling_workingpattern" WHERE "practitioner_id" = %s AND "location_id" = %s '
    'AND "weekday" = %s AND "valid_from" <= %s '
    'AND ("valid_until" IS NULL OR "valid_until" >= %s)',
)
_EXCEPTIONS = _branch(
    5,
    {1: '"kind"', 3: '"first_day"', 4: '"last_day"', 5: '"starts"', 6: '"ends"'},
    'FROM "scheduling_workingexception" WHERE "first_day" <= %s AND "last_day" >= %s '
    'AND ("practitioner_id" IS NULL OR "practitioner_id" = %s) '
    'AND ("location_id" IS NULL OR "location_id" = %s)',
)
# Credentials by kind, then end; opening hours by weekday, then opening time: the orders
# the single reads above ask for (NULLs where a kind of row has no such column).
_ORDER = " ORDER BY 1, 2, 3, 7, 6"


def _as_time(value):
    return time.fromisoformat(value) if isinstance(value, str) else value


def _as_instant(value):
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return _aware(value)


def slot_facts(
    *,
    practitioner_id: int,
    location_id: int,
    room_id: int,
    day: date,
    start: datetime,
    until: datetime,
    credentials: bool,
) -> SlotFacts:
    """The facts a visit at ``room`` from ``start``, holding it ``until``, is checked
    against before the lock, in one statement (on PostgreSQL each read is a round trip
    the server parses and plans): the practitioner's credentials, in the model's order
    (kind, then end), and the location's council registrations, if ``credentials``; the
    location's opening hours (weekday, opens, closes) in order; the room's first closure
    meeting [start, until) as (starts, ends, reason); and the weekly hours and exceptions
    ``working_patterns`` and ``working_exceptions`` answer for ``day``. On SQLite a
    compound SELECT's values come as the text the columns store, parsed here."""
    branches, params = [], []
    if credentials:
        branches += [_CREDENTIALS, _PREMISES]
        params += [practitioner_id, location_id]
    branches += [_OPENING, _CLOSURE, _PATTERNS, _EXCEPTIONS]
    params += [location_id, room_id, _instant(until), _instant(start)]
    params += [practitioner_id, location_id, day.weekday(), _day(day), _day(day)]
    params += [_day(day), _day(day), practitioner_id, location_id]
    own, premises, opening, patterns, exceptions = [], [], [], [], []
    closure = None
    for which, number, s1, s2, d1, d2, t1, t2, ts1, ts2 in _rows(
        " UNION ALL ".join(branches) + _ORDER, params
    ):
        if which == 0:
            own.append(CredentialFacts(s1, s2, _as_day(d1), _as_day(d2)))
        elif which == 1:
            premises.append(PremisesFacts(s2, _as_day(d1), _as_day(d2)))
        elif which == 2:
            opening.append((number, _as_time(t1), _as_time(t2)))
        elif which == 3:
            closure = (_as_instant(ts1), _as_instant(ts2), s1)
        elif which == 4:
            patterns.append((number, _as_time(t1), _as_time(t2), _as_day(d1), _as_day(d2)))
        else:
            exceptions.append((s1, _as_day(d1), _as_day(d2), _as_time(t1), _as_time(t2)))
    return SlotFacts(own, tuple(premises), tuple(opening), closure, patterns, exceptions)

"""One count of sessions: the number a visit is, or will be, in the patient's course.

Computed here and nowhere else, so the appointment, the diary card, the course timeline,
"my day" and the portal say the same "session 4". A signed session is numbered by its
place among the course's signed sessions, oldest first (session date, then note) — the
order the planner walks, so the timeline's "Session 4" is this number. A visit not yet
signed comes after every session signed before its day and after the visits booked
before it since the course began (a first visit with no course yet is session 1).

Cancelled and missed visits have no number, nor do visits without needling.
"""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from acuclinic.clinic.models import Service
from acuclinic.core.id_lists import among, array_text
from acuclinic.outcomes.models import Course
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.treatment.models import SessionNote


class _Signed(NamedTuple):
    day: date
    note_id: int
    appointment_id: int


class _Days(NamedTuple):
    started_on: date
    ended_on: date | None


COUNTED = (AppointmentStatus.BOOKED, AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED)


def _window(courses: list[_Days], day: date) -> tuple[date, date]:
    """The days of the course ``day`` belongs to (or of the course it would open)."""
    for course in courses:
        if course.started_on <= day and (course.ended_on is None or day <= course.ended_on):
            return course.started_on, course.ended_on or date.max
    ended = [c.ended_on for c in courses if c.ended_on is not None and c.ended_on < day]
    return (max(ended) + timedelta(days=1) if ended else date.min), date.max


def _midnight(day: date, tz=None) -> datetime:
    """The day's first moment in ``tz`` (the current time zone when not given: looked up
    once by a caller that asks for hundreds)."""
    return timezone.make_aware(datetime.combine(day, time.min), tz)


def _index_on(model, fields: list[str]) -> str:
    return next(i.name for i in model._meta.indexes if list(i.fields) == fields)


def _earlier(lower: dict[int, date], since: date) -> dict[int, tuple[int, int]]:
    """{patient id: (signed, still to sign)} among the patient's counted visits from
    their lower bound up to ``since`` — counted in the database, so the rows read do not
    grow with the years of history before the visits being numbered.

    The bounds are joined as a VALUES list (the ORM would build one condition per
    patient, which costs more than the rows it saves). Signed sessions are counted from
    the notes alone, by the patient's session dates: a note is only ever started for a
    visit of that patient whose service includes needling (treatment's
    ``session_note_start``), so the visit need not be read beside each one. Visits still
    to sign are counted from the appointments by (patient, start), less those a signed
    note of the patient names: asked as one query with the two conditions OR-ed,
    PostgreSQL read every appointment the patients ever had and looked for a note beside
    each."""
    if not lower:
        return {}
    ops, tz = connection.ops, timezone.get_current_timezone()
    starts = {
        patient_id: _midnight(first, tz) if first > date.min else datetime.min.replace(tzinfo=UTC)
        for patient_id, first in lower.items()
    }
    if connection.vendor == "postgresql":
        # Three arrays, not three placeholders a patient: the driver spelled out and
        # scanned 1,300 of them for a diary week. Each goes as its text (array_text).
        bounds = (
            "SELECT * FROM unnest(%s::bigint[], %s::date[], %s::timestamptz[])"
            " AS b (patient_id, first_day, first_start)"
        )
        params = [
            array_text(lower),
            array_text(lower.values()),
            array_text(start.isoformat() for start in starts.values()),
        ]
    else:
        rows, params = [], []
        for patient_id, first in lower.items():
            rows.append("(%s, %s, %s)")
            params += [patient_id, ops.adapt_datefield_value(first)]
            params.append(ops.adapt_datetimefield_value(starts[patient_id]))
        bounds = f"VALUES {', '.join(rows)}"
    appointment = f"{Appointment._meta.db_table} a"
    note = f"{SessionNote._meta.db_table} n"
    if connection.vendor == "sqlite":
        # Without statistics SQLite's planner builds a temporary index over every
        # appointment (or note) for each run of this query (its cost grew with the
        # clinic: 25 ms a diary week at one year's history), rather than use the
        # patient's own; named, it reads only these patients' rows (under 3 ms).
        appointment += f" INDEXED BY {_index_on(Appointment, ['patient', 'start'])}"
        note += f" INDEXED BY {_index_on(SessionNote, ['patient', 'session_date'])}"
    service = Service._meta.db_table
    counted = ", ".join(["%s"] * len(COUNTED))
    # ``signed``: every signed note of these patients, read once by the notes' patient
    # index. It gives the first count (those dated in the course before ``since``) and
    # tells the second which visits are signed: looking for a note beside each of the
    # course's visits instead cost PostgreSQL 13,000 index probes a diary week (18 ms;
    # 9 ms this way).
    sql = f"""
        WITH bounds (patient_id, first_day, first_start) AS ({bounds}),
        signed AS MATERIALIZED (
            SELECT n.patient_id, n.appointment_id,
                   n.session_date >= b.first_day AND n.session_date < %s AS counted
            FROM bounds b
            JOIN {note} ON n.patient_id = b.patient_id
            WHERE n.signed_at IS NOT NULL
        )
        SELECT patient_id, COUNT(*), 0 FROM signed WHERE counted GROUP BY patient_id
        UNION ALL
        SELECT a.patient_id, 0, COUNT(*)
        FROM bounds b
        JOIN {appointment} ON a.patient_id = b.patient_id
                          AND a.start >= b.first_start AND a.start < %s
        JOIN {service} s ON s.id = a.service_id
        WHERE a.status IN ({counted}) AND s.needling <> ''
          AND NOT EXISTS (SELECT 1 FROM signed WHERE signed.appointment_id = a.id)
        GROUP BY a.patient_id
    """
    params.append(ops.adapt_datefield_value(since))
    params.append(ops.adapt_datetimefield_value(_midnight(since)))
    params += COUNTED
    found = defaultdict(lambda: (0, 0))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for patient_id, signed, unsigned in cursor:
            before = found[patient_id]
            found[patient_id] = (before[0] + signed, before[1] + unsigned)
    return dict(found)


def session_numbers(appointments) -> dict[int, int]:
    """{appointment id: its session number in the course} for the visits that have one."""
    visits = [a for a in appointments if a.service.needling and a.status in COUNTED]
    patient_ids = {a.patient_id for a in visits}
    if not patient_ids:
        return {}
    courses = defaultdict(list)
    # Only the days, not model instances: a patient may have had many courses.
    for patient_id, started_on, ended_on in Course.objects.filter(
        patient_id__among=set(patient_ids)
    ).values_list("patient_id", "started_on", "ended_on"):
        courses[patient_id].append(_Days(started_on, ended_on))
    tz = timezone.get_current_timezone()
    days = {v.pk: v.start.astimezone(tz).date() for v in visits}
    windows = {v.pk: _window(courses[v.patient_id], days[v.pk]) for v in visits}
    # Everything from the first visit's day to the last is read row by row; what came
    # before it in each visit's course is only counted (``_earlier``). A patient whose
    # visits start in different courses before that day, or whose visit was signed with a
    # session date outside those days, is read in full: rare, and the counts alone could
    # not number them.
    since = min(days.values())
    firsts = defaultdict(set)
    for visit in visits:
        if windows[visit.pk][0] < since:
            firsts[visit.patient_id].add(windows[visit.pk][0])
    whole = {p for p, found in firsts.items() if len(found) > 1}
    signed, unsigned, whole = _rows(patient_ids, visits, since, max(days.values()), whole, tz)
    earlier = _earlier({p: min(found) for p, found in firsts.items() if p not in whole}, since)
    numbers = {}
    for visit in visits:
        pk, start = visit.pk, visit.start
        day = days[pk]
        first, last = windows[pk]
        # Only a visit whose course began before ``since`` has sessions counted there.
        signed_before, unsigned_before = (
            earlier.get(visit.patient_id, (0, 0)) if first < since else (0, 0)
        )
        in_course = [f for f in signed[visit.patient_id] if first <= f.day <= last]
        place = next((n for n, f in enumerate(in_course, 1) if f.appointment_id == pk), None)
        if place is not None:
            place += signed_before
        else:
            before = signed_before + sum(1 for f in in_course if f.day <= day)
            booked = unsigned_before + sum(
                1
                for other_start, other, on in unsigned[visit.patient_id]
                if other != pk and (other_start, other) < (start, pk) and on >= first
            )
            place = before + booked + 1
        numbers[pk] = place
    return numbers


def _rows(patient_ids, visits, since: date, until: date, whole: set[int], tz):
    """The signed sessions (by session date, then note, as the planner walks them) and
    the visits still to be signed, in one query: from ``since`` to ``until`` (a
    visit is numbered by what comes before it), and the whole history of the ``whole``
    patients. Returns them with ``whole`` grown by any patient whose visit here was
    signed with a session date outside those days."""
    visit_ids = {v.pk for v in visits}
    rows = _read(_week_rows_sql(patient_ids, visit_ids, since, until, whole))
    early = {
        patient_id
        for pk, patient_id, _, _, signed_at, day in rows
        if pk in visit_ids
        and signed_at is not None
        and not since <= day <= until
        and patient_id not in whole
    }
    if early:
        whole = whole | early
        rows = [r for r in rows if r[1] not in early]
        rows += _read(_history_sql(early))
    signed, unsigned = defaultdict(list), defaultdict(list)
    for pk, patient_id, start, note_id, signed_at, day in rows:
        if signed_at is not None:
            signed[patient_id].append(_Signed(day, note_id, pk))
        else:
            unsigned[patient_id].append((start, pk, start.astimezone(tz).date()))
    for found in signed.values():
        found.sort()
    return signed, unsigned, whole


def _select(join: str = "LEFT JOIN") -> str:
    """A counted visit's row: (visit, patient, start, note, signed at, session date)."""
    return (
        "SELECT a.id, a.patient_id, a.start, n.id, n.signed_at, n.session_date"
        f" FROM {Appointment._meta.db_table} a"
        f" JOIN {Service._meta.db_table} s ON s.id = a.service_id"
        f" {join} {SessionNote._meta.db_table} n ON n.appointment_id = a.id"
    )


def _counted() -> tuple[str, list]:
    """The visits that count: needling, and booked-to-completed or signed."""
    statuses = ", ".join(["%s"] * len(COUNTED))
    return f"s.needling <> '' AND (a.status IN ({statuses}) OR n.signed_at IS NOT NULL)", [*COUNTED]


def _history_sql(patient_ids) -> tuple[str, list]:
    """Every counted visit of these patients."""
    who, params = among(patient_ids, connection)
    counted, more = _counted()
    return f"{_select()} WHERE a.patient_id {who} AND {counted}", [*params, *more]


def _week_rows_sql(patient_ids, visit_ids, since: date, until: date, whole) -> tuple[str, list]:
    """``_rows``' four narrow reads as one statement: sessions signed on these days (found
    by the notes' own patient and date), visits still to sign on them (by the visits'
    patient and start: every visit being numbered that is not signed is among them), the
    visits being numbered that were signed with a session date outside these days, and
    the ``whole`` patients' history.
    Written out rather than built by the ORM: its version, with each part's conditions
    as the ORM words them, took PostgreSQL 7 ms to plan, against 1 to run."""
    ops = connection.ops
    who, who_params = among(patient_ids, connection)
    ids, ids_params = among(visit_ids, connection)
    statuses = ", ".join(["%s"] * len(COUNTED))
    parts = [
        f"{_select('JOIN')} WHERE n.patient_id {who} AND n.signed_at IS NOT NULL"
        " AND n.session_date >= %s AND n.session_date <= %s AND s.needling <> ''",
        f"{_select()} WHERE a.patient_id {who} AND a.start >= %s AND a.start < %s"
        f" AND a.status IN ({statuses}) AND n.signed_at IS NULL AND s.needling <> ''",
        f"{_select('JOIN')} WHERE a.id {ids} AND n.signed_at IS NOT NULL"
        " AND (n.session_date < %s OR n.session_date > %s) AND s.needling <> ''",
    ]
    days = [ops.adapt_datefield_value(since), ops.adapt_datefield_value(until)]
    params = [
        *who_params,
        *days,
        *who_params,
        ops.adapt_datetimefield_value(_midnight(since)),
        ops.adapt_datetimefield_value(_midnight(until + timedelta(days=1))),
        *COUNTED,
        *ids_params,
        *days,
    ]
    if whole:
        history, more = _history_sql(whole)
        parts.append(history)
        params += more
    # UNION, although only the history can repeat a row: PostgreSQL plans a UNION ALL
    # of these parts in parallel, and starting the workers took longer (13 ms against 7).
    return " UNION ".join(parts), params


def _read(statement: tuple[str, list]) -> list[tuple]:
    """The rows of a statement above, with SQLite's text turned into dates and aware
    datetimes as the ORM would have given them."""
    sql, params = statement
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        (pk, patient_id, _aware(start), note_id, signed_at, _day(day))
        for pk, patient_id, start, note_id, signed_at, day in rows
    ]


def _aware(value) -> datetime:
    if isinstance(value, str):
        value = parse_datetime(value)
    return value.replace(tzinfo=UTC) if timezone.is_naive(value) else value


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def session_number(appointment: Appointment) -> int | None:
    return session_numbers([appointment]).get(appointment.pk)


def annotate_diary_cards(sender, *, appointments, **kwargs) -> None:
    """scheduling.signals.diary_cards: each card's ``course_session``."""
    numbers = session_numbers(appointments)
    for appointment in appointments:
        appointment.course_session = numbers.get(appointment.pk)

"""Building the whole demo clinic in one transaction: all of it, or none of it."""

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

from django.db import connection, transaction

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.errors import Conflict
from acuclinic.demo import reset, synthetic
from acuclinic.demo.appointments import build_appointments
from acuclinic.demo.billing import build_billing
from acuclinic.demo.clinic import build_clinic
from acuclinic.demo.enquiries import build_enquiries
from acuclinic.demo.outcomes import build_outcomes
from acuclinic.demo.patients import (
    build_clinical_summaries,
    build_patients,
    match_summary_baselines,
)
from acuclinic.demo.safety import build_safety
from acuclinic.demo.spec import DemoSpec
from acuclinic.demo.staff import build_staff
from acuclinic.demo.treatment import build_treatment
from acuclinic.demo.working_time import build_working_time
from acuclinic.people.signals import sync_role_groups


@dataclass(frozen=True)
class DemoSummary:
    spec: DemoSpec
    clinic: str
    locations: int
    rooms: int
    practitioners: int
    patients: int
    appointments: int
    # Sessions no practitioner had room for; 0 unless a spec overfills the clinic.
    unplaced: int
    rows: int
    seconds: float


def part_rng(spec: DemoSpec, part: str) -> random.Random:
    """A generator per part, so adding to one part leaves the others' data unchanged."""
    return random.Random(f"{spec.seed}:{part}")


def build_demo(
    spec: DemoSpec,
    *,
    reset_first: bool = False,
    progress: Callable[[str], None] | None = None,
) -> DemoSummary:
    """Build the demo clinic ``spec`` describes.

    Raises ``Conflict`` (code ``database_not_empty``) when the database already holds
    clinic data, unless ``reset_first`` asks for that data to be deleted first.
    ``progress`` is told, part by part, what is being built (for a first run's screen).
    """
    started = time.perf_counter()
    say = progress or (lambda _part: None)
    with transaction.atomic():
        found = reset.existing_data()
        if found and not reset_first:
            raise Conflict(
                "database_not_empty",
                f"The database already holds {_join(found)}, and the demo clinic is never "
                "mixed into a real clinic's data.",
            )
        if found:
            removed = reset.delete_clinic_data()
            audit.record(
                AuditAction.DELETE,
                object_type="demo",
                detail=f"Deleted {removed:,} rows ({_join(found)}) to rebuild the demo clinic",
            )
        sync_role_groups()  # the roles exist after any migrate, but a flush empties them

        mobiles = synthetic.NumberPool(part_rng(spec, "mobiles"), synthetic.DRAMA_MOBILE_PREFIX)
        landlines = synthetic.NumberPool(
            part_rng(spec, "landlines"), synthetic.DRAMA_LANDLINE_PREFIX
        )
        say("the clinic, its staff and their working hours")
        clinic = build_clinic(spec, part_rng(spec, "clinic"), landlines)
        staff = build_staff(spec, part_rng(spec, "staff"), clinic.locations)
        build_working_time(spec, part_rng(spec, "working_time"), clinic, staff)
        say(f"{spec.patients:,} patients")
        patients = build_patients(
            spec, part_rng(spec, "patients"), staff.practitioners, mobiles, landlines
        )
        say("the diary of appointments")
        diary = build_appointments(spec, part_rng(spec, "appointments"), clinic, staff, patients)
        build_clinical_summaries(patients, diary.first_seen, part_rng(spec, "notes"))
        say("safety questionnaires and flags")
        build_safety(spec, part_rng(spec, "safety"), staff, patients)
        say("session notes")
        build_treatment(spec, part_rng(spec, "treatment"), clinic, staff, patients)
        say("enquiries")
        build_enquiries(spec, part_rng(spec, "enquiries"), staff, patients)
        say("courses and outcome measures")
        build_outcomes(spec, part_rng(spec, "outcomes"), clinic, patients)
        match_summary_baselines()
        build_billing(spec, part_rng(spec, "billing"), clinic)

        locations = len(clinic.locations)
        rooms = sum(len(loc.rooms) for loc in clinic.locations)
        summary = DemoSummary(
            spec=spec,
            clinic=clinic.clinic.name,
            locations=locations,
            rooms=rooms,
            practitioners=len(staff.practitioners),
            patients=len(patients),
            appointments=diary.appointments,
            unplaced=diary.unplaced,
            # Every row of the clinic's tables, plus the audit entry written below.
            rows=reset.clinic_rows() + 1,
            seconds=0.0,
        )
        audit.record(
            AuditAction.CREATE,
            object_type="demo",
            detail=(
                f"Demo clinic built ({spec.describe()}): {summary.patients:,} patients, "
                f"{summary.appointments:,} appointments"
            ),
        )
    _refresh_statistics()
    return replace(summary, seconds=time.perf_counter() - started)


def _refresh_statistics() -> None:
    """PostgreSQL plans a query from statistics of each table, which autovacuum refreshes
    some time after a large change; until then a freshly built clinic is planned as if it
    were empty (a diary week's session numbers took 284 ms on a five-year clinic by
    scanning every session note, 8 ms once analysed). A real clinic grows slowly and
    autovacuum keeps up; a clinic built at once is analysed at once, and vacuumed too
    when it is not built inside a transaction (a test's): vacuuming marks the new rows
    visible to everyone, as autovacuum soon would, so reads need not check each one (a
    diary week's count of earlier sessions: 25 ms before, 11 after). (SQLite plans
    without statistics unless ANALYZE is run, and the queries are written for that.)"""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]

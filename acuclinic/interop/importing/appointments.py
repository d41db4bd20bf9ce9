"""Moving in: future appointments from another system's CSV export, booked by the diary's
own rules (working time, licences, clashes), all or nothing.

Each row is matched to a patient already here (name and date of birth: import patients
first), a practitioner, a service and a location by name, then booked in the first room
at that location that is free. The dry run books everything and rolls it back, so it
reports exactly what the real run would do. An appointment already here (same patient,
practitioner and start) is a match, so a second run books nothing twice.
"""

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from acuclinic.clinic.models import Location, Room, Service
from acuclinic.core.errors import ServiceError
from acuclinic.interop.importing import csvrows
from acuclinic.interop.importing.patients import ImportRefused, Plan, Progress, RowOutcome
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling import services as scheduling
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment


def _by_name(items, name_of) -> dict[str, object]:
    return {name_of(i).strip().lower(): i for i in items}


def import_appointments(
    data: bytes, system: str, *, dry_run: bool, progress: Progress | None = None, user=None
) -> Plan:
    rows = csvrows.read_rows(data, system, "appointments")
    practitioners = _by_name(
        Practitioner.objects.select_related("user"), lambda p: p.user.get_full_name()
    )
    services = _by_name(Service.objects.filter(is_active=True), lambda s: s.name)
    locations = _by_name(Location.objects.filter(is_active=True), lambda loc: loc.name)
    now = timezone.now()
    result = Plan(system)
    with transaction.atomic():
        for done, row in enumerate(rows, start=1):
            if progress and (done % 100 == 0 or done == len(rows)):
                progress("checked" if dry_run else "written", done, len(rows))
            result.outcomes.append(
                _one(row, practitioners, services, locations, now=now, system=system, user=user)
            )
        if dry_run or result.errors:
            transaction.set_rollback(True)
        if not dry_run and result.errors:
            raise ImportRefused(result)
        result.written = not dry_run
    return result


def _one(row, practitioners, services, locations, *, now, system, user) -> RowOutcome:
    v = row.values
    name = f"{v.get('patient_given_name', '')} {v.get('patient_family_name', '')}".strip()
    if row.errors:
        return RowOutcome(row.line, "error", name, " ".join(row.errors))
    problems = []
    patient = Patient.objects.filter(
        given_name__iexact=v["patient_given_name"],
        family_name__iexact=v["patient_family_name"],
        date_of_birth=v["patient_date_of_birth"],
    ).first()
    if patient is None:
        problems.append("No patient here with this name and date of birth: import patients first.")
    practitioner = practitioners.get(v["practitioner"].lower())
    if practitioner is None:
        problems.append(f"No practitioner here called “{v['practitioner']}”.")
    service = services.get(v["service"].lower())
    if service is None:
        problems.append(f"No service here called “{v['service']}”.")
    location = locations.get(v["location"].lower())
    if location is None:
        problems.append(f"No location here called “{v['location']}”.")
    if problems:
        return RowOutcome(row.line, "error", name, " ".join(problems))
    local: datetime = v["start"]
    start = local.replace(tzinfo=location.tz)
    if start <= now:
        return RowOutcome(row.line, "skip", name, "in the past: not imported")
    existing = Appointment.objects.filter(
        patient=patient,
        practitioner=practitioner,
        start=start,
        status__in=AppointmentStatus.active(),
    ).first()
    if existing is not None:
        return RowOutcome(row.line, "match", name, "already booked", patient.pk)
    last_error = "No room at this location."
    for room in Room.objects.filter(location=location, is_active=True).order_by("pk"):
        try:
            scheduling.appointment_book(
                patient=patient,
                practitioner=practitioner,
                room=room,
                service=service,
                start=start,
                notes=f"Imported from {system}.",
                user=user,
            )
        except ServiceError as exc:
            last_error = exc.message
            continue
        return RowOutcome(row.line, "create", name, f"{local:%a %-d %b %Y, %H:%M}", patient.pk)
    return RowOutcome(row.line, "error", name, last_error)

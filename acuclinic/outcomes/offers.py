"""From plan to diary: the free times to offer for the next session the planner proposes,
with the practitioner who gave the last one (scheduling's availability engine)."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.utils import timezone

from acuclinic.clinic.models import Location, Service
from acuclinic.outcomes import planner
from acuclinic.outcomes.models import Course
from acuclinic.outcomes.queries import CourseView
from acuclinic.people.models import Practitioner
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.scheduling.queries import FreeSlot, find_slots

# Days searched from the proposed date; a second, longer look if the first has nothing.
FIRST_LOOK, SECOND_LOOK = 7, 21
MAX_OFFERS = 5


@dataclass(frozen=True)
class Offer:
    course: Course
    decision: planner.Decision
    booked: Appointment | None = None  # the next session is already in the diary
    service: Service | None = None
    location: Location | None = None
    practitioner: Practitioner | None = None
    slots: list[FreeSlot] = field(default_factory=list)
    searched_to: date | None = None


def treatment_service(last: Service, modality: str) -> Service | None:
    """What to book next: the last visit's service if it was a treatment of the course's
    modality, else the clinic's treatment service for that modality."""
    if last.modality == modality and last.is_active:
        return last
    return (
        Service.objects.filter(clinic_id=last.clinic_id, modality=modality, is_active=True)
        .order_by("duration_minutes", "name")
        .first()
    )


def next_booked(course: Course, *, now: datetime) -> Appointment | None:
    return (
        Appointment.objects.filter(
            patient_id=course.patient_id, status=AppointmentStatus.BOOKED, start__gt=now
        )
        .exclude(service__needling="")
        .select_related("practitioner__user", "room__location", "service")
        .order_by("start")
        .first()
    )


def _nearest_each_day(slots: list[FreeSlot], usual_minutes: int) -> list[FreeSlot]:
    """One slot per day: the one nearest the time of day of the patient's last session."""
    by_day: dict[date, list[FreeSlot]] = defaultdict(list)
    for slot in slots:
        by_day[slot.start.date()].append(slot)

    def distance(slot: FreeSlot) -> int:
        return abs(slot.start.hour * 60 + slot.start.minute - usual_minutes)

    return [min(by_day[day], key=distance) for day in sorted(by_day)]


def next_session_offer(
    view: CourseView, *, today: date, now: datetime | None = None
) -> Offer | None:
    """What to offer after the latest signed session: the planner's decision and, when
    it proposes a session, free times with the same practitioner from the proposed day.
    None when the course has no signed session or is closed."""
    course, decision = view.course, view.plan.decision
    if not course.is_open or not view.notes:
        return None
    if decision.action != planner.Action.BOOK:
        return Offer(course, decision)
    now = now or timezone.now()
    booked = next_booked(course, now=now)
    if booked is not None:
        return Offer(course, decision, booked=booked)
    last = (
        Appointment.objects.select_related("service", "room__location__clinic", "practitioner")
        .filter(pk=view.notes[-1].appointment_id)
        .first()
    )
    service = treatment_service(last.service, course.modality) if last else None
    if last is None or service is None:
        return Offer(course, decision)
    location, practitioner = last.room.location, last.practitioner
    local = timezone.localtime(last.start, location.tz)
    usual = local.hour * 60 + local.minute
    found: list[FreeSlot] = []
    first_day = decision.next_date
    searched_to = first_day
    for days in (FIRST_LOOK, SECOND_LOOK):
        searched_to = decision.next_date + timedelta(days=days - 1)
        found = find_slots(
            service=service,
            location=location,
            first_day=first_day,
            last_day=searched_to,
            practitioner=practitioner,
            patient=course.patient,
            now=now,
        )
        if found:
            break
        first_day = searched_to + timedelta(days=1)
    slots = _nearest_each_day(found, usual)[:MAX_OFFERS]
    return Offer(
        course,
        decision,
        service=service,
        location=location,
        practitioner=practitioner,
        slots=slots,
        searched_to=searched_to,
    )

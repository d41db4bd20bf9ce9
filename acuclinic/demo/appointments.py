"""The demo diary: every patient's course of treatment, placed the way reception would.

Each session goes to the patient's practitioner on the planned day at their preferred
time of day, or the nearest free time within three days either side; when their own
practitioner cannot see them (full, not working, on leave, or not allowed to needle that
day), a colleague qualified in the same modality takes the session. Like the booking
service, it never lets two active appointments' held time (the visit and the service's
turnover) overlap for a practitioner or a room, keeps every visit inside the
practitioner's working time and the location's opening hours in local time, and books
needling only with a practitioner whose credentials hold on the day.

The weekly sessions after a first visit (or after the review that restarts a course)
were booked together as a series, as reception would book a course: those appointments
belong to one ``Series`` ("session 3 of 6").
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from acuclinic.clinic.choices import Modality
from acuclinic.clinic.models import Service
from acuclinic.demo import clinic as demo_clinic
from acuclinic.demo import courses
from acuclinic.demo.clinic import ClinicPlan, LocationPlan
from acuclinic.demo.patients import PatientPlan
from acuclinic.demo.spec import DemoSpec
from acuclinic.demo.staff import PractitionerPlan, StaffPlan
from acuclinic.demo.timeline import Occupancy, local_moment, nearest_bit, steps_for
from acuclinic.demo.working_time import closed_on
from acuclinic.scheduling.choices import AppointmentStatus, CancelledBy, Channel
from acuclinic.scheduling.models import Appointment, Series

# What happened to past appointments (a private clinic with reminders: few no-shows).
PAST_OUTCOMES = {
    AppointmentStatus.COMPLETED: 87,
    AppointmentStatus.CANCELLED: 6,
    AppointmentStatus.LATE_CANCELLED: 3,
    AppointmentStatus.DID_NOT_ATTEND: 4,
}
# Earlier today: reception marks each patient in when they arrive and the practitioner
# completes the visit when it is over; the odd one has not turned up.
TODAY_OUTCOMES = {AppointmentStatus.COMPLETED: 96, AppointmentStatus.DID_NOT_ATTEND: 4}
# A visit that began less than this long ago is still shown as booked (the patient may
# be in the waiting room): what happens at a visit is recorded in its first half hour.
MARKED_AFTER = timedelta(minutes=30)
FUTURE_CANCELLED_SHARE = 0.04
FIRST_CHANNELS = {Channel.PHONE: 45, Channel.WEB: 35, Channel.EMAIL: 15, Channel.WALK_IN: 5}
LATER_CHANNELS = {Channel.PHONE: 50, Channel.WEB: 35, Channel.EMAIL: 10, Channel.WALK_IN: 5}
CANCELLATION_REASONS = (
    "Unwell",
    "Work commitments",
    "Childcare",
    "Car broken down",
    "Away that week",
    "Feeling better, wants to space sessions out",
)
# Front-desk notes only: the notes field is never for clinical content.
FRONT_DESK_NOTES = (
    "Prefers mornings",
    "Needs a receipt for their insurer",
    "Ground-floor room please",
    "Call the mobile if running late",
    "First visit: send directions and parking details",
)
# Appointments are inserted in chunks of this many as the diary fills.
WRITE_EVERY = 5000
# Days either side of the planned day that reception would offer, nearest first.
NEAREST_DAYS = (0, 1, -1, 2, -2, 3, -3)

SERVICE_FOR = {
    (Modality.MEDICAL, courses.FIRST): demo_clinic.ASSESSMENT,
    (Modality.MEDICAL, courses.TREATMENT): demo_clinic.MEDICAL_FOLLOW_UP,
    (Modality.MEDICAL, courses.REVIEW): demo_clinic.REVIEW,
    (Modality.TRADITIONAL, courses.FIRST): demo_clinic.TRADITIONAL_FIRST,
    (Modality.TRADITIONAL, courses.TREATMENT): demo_clinic.TRADITIONAL_FOLLOW_UP,
    (Modality.TRADITIONAL, courses.REVIEW): demo_clinic.REVIEW,
}


@dataclass(frozen=True)
class Placement:
    practitioner: PractitionerPlan
    room_index: int
    location: LocationPlan
    service: Service
    day: date
    step: int


@dataclass
class Diary:
    appointments: int
    # When each patient was first assessed (for their clinical summary's date).
    first_seen: dict[int, datetime]
    # Sessions no practitioner could take (only when the clinic is full).
    unplaced: int


class DiaryFiller:
    def __init__(self, spec: DemoSpec, rng: random.Random, plan: ClinicPlan, staff: StaffPlan):
        self.spec = spec
        self.rng = rng
        self.plan = plan
        self.staff = staff
        self.busy = Occupancy()
        # Read once: DemoSpec computes them from calendar months on each access.
        self.first_day, self.horizon = spec.history_start, spec.horizon
        self.rooms = [room for loc in plan.locations for room in loc.rooms]
        self.room_index = {id(room): i for i, room in enumerate(self.rooms)}
        self.order = {id(p): i for i, p in enumerate(staff.practitioners)}
        self.tz = plan.locations[0].location.tz
        self.today_start = local_moment(spec.today, 0, self.tz)
        # "Now" on the demo's today: visits earlier today have happened.
        clock = spec.clock or time(0)
        self.now = datetime.combine(spec.today, clock, tzinfo=self.tz).astimezone(UTC)
        self.pending: list[Appointment] = []
        self.pending_series: list[Series] = []
        self.written = 0
        self.first_seen: dict[int, datetime] = {}
        # Each patient's usual start (a step of local time), once they have one: a
        # course is booked at the same time each week, as a series is.
        self.usual_step: dict[int, int] = {}
        self.unplaced = 0

    def fill(self, patients: list[PatientPlan]) -> Diary:
        for patient in patients:
            self._course(patient)
            if len(self.pending) >= WRITE_EVERY:
                self._write()
        self._write()
        return Diary(self.written, self.first_seen, self.unplaced)

    def _write(self) -> None:
        # Written as it goes, so a five-year demo never holds every row in memory. A
        # patient's course is never split between writes, so its series goes first.
        Series.objects.bulk_create(self.pending_series, batch_size=1000)
        Appointment.objects.bulk_create(self.pending, batch_size=1000)
        self.written += len(self.pending)
        self.pending, self.pending_series = [], []

    def _course(self, plan: PatientPlan) -> None:
        # Plan past the horizon: sessions drift by a few days as they are placed.
        max_days = (self.horizon - plan.course_start).days + 60
        steps = courses.plan_course(
            self.rng, plan.archetype, max_days=max_days, ongoing=plan.established
        )
        if plan.established:
            # Assessed before the demo's history begins (step 40 is 10:00).
            self.first_seen[plan.patient.pk] = local_moment(plan.course_start, 40, self.tz)
        run: list[Appointment] = []
        self._place_steps(plan, steps, run)
        self._close_run(plan, run)

    def _close_run(self, plan: PatientPlan, run: list[Appointment]) -> None:
        """The weekly sessions just placed were booked together as one series."""
        if len(run) >= 2:
            first = run[0].start.astimezone(self.tz)
            series = Series(
                patient=plan.patient,
                practitioner=plan.practitioner.practitioner,
                service=run[0].service,
                location=run[0].room.location,
                weekday=first.weekday(),
                local_time=first.time(),
                interval_weeks=1,
                sessions=len(run),
                created_by=self.staff.reception,
            )
            self.pending_series.append(series)
            for index, appointment in enumerate(run, start=1):
                appointment.series, appointment.series_index = series, index
        run.clear()

    def _place_steps(self, plan: PatientPlan, steps, run: list[Appointment]) -> None:
        last: date | None = None
        first_booking = True
        for step in steps:
            weekly = step.kind == courses.TREATMENT and step.gap_days == 7
            if not weekly:
                self._close_run(plan, run)
            target = plan.course_start if last is None else last + timedelta(days=step.gap_days)
            if target >= self.horizon:
                return
            if target < self.first_day:
                last = target  # took place before the demo's history begins
                continue
            rebooked = False
            while True:
                placement = self._place(plan, step.kind, target, after=last)
                if placement is None:
                    self.unplaced += 1
                    last = target
                    break
                status = self._book(plan, placement, first_booking)
                if weekly and not rebooked:
                    run.append(self.pending[-1])
                first_booking = False
                last = placement.day
                if status != AppointmentStatus.CANCELLED or rebooked:
                    break
                # Cancelled in good time: the patient rebooks a few days later.
                rebooked = True
                target = placement.day + timedelta(days=self.rng.randint(2, 6))
                if target >= self.horizon:
                    return

    def _place(self, plan: PatientPlan, kind: str, target: date, after: date | None):
        colleagues = [
            p
            for p in self.staff.practitioners
            if p is not plan.practitioner and p.modality == plan.practitioner.modality
        ]
        self.rng.shuffle(colleagues)
        for practitioner in [plan.practitioner, *colleagues]:
            service = self.plan.services[SERVICE_FOR[(practitioner.modality, kind)]]
            for offset in NEAREST_DAYS:
                day = target + timedelta(days=offset)
                if after is not None and day <= after:
                    continue
                if not self.first_day <= day < self.horizon:
                    continue
                if closed_on(day):
                    continue
                if not practitioner.can_see(day, service):
                    continue
                found = self._free_time(
                    practitioner,
                    service,
                    day,
                    plan.preferred_time,
                    usual=self.usual_step.get(plan.patient.pk),
                )
                if found is not None:
                    return found
        return None

    def _free_time(
        self,
        practitioner: PractitionerPlan,
        service,
        day: date,
        preferred: float,
        usual: int | None = None,
    ):
        """The free start nearest the patient's usual time (or, before their first visit,
        their preferred time of day), and a free room."""
        location = self.plan.locations[practitioner.rota[day.weekday()]]
        window = location.windows.get(day.weekday(), 0)
        length = _held_steps(service)
        who = self.order[id(practitioner)]
        free = self.busy.free_starts(("practitioner", who), day, window, length)
        if not free:
            return None
        # Each practitioner has a usual room; the others are tried in turn.
        shift = who % len(location.rooms)
        rooms = [
            (index, self.busy.free_starts(("room", index), day, window, length))
            for index in (self.room_index[id(room)] for room in location.rooms)
        ]
        rooms = rooms[shift:] + rooms[:shift]
        any_room = 0
        for _, starts in rooms:
            any_room |= starts
        possible = free & any_room
        if not possible:
            return None
        first, last = _lowest_bit(window), window.bit_length() - length
        wanted = usual if usual is not None else first + round(preferred * (last - first))
        start = nearest_bit(possible, wanted)
        index = next(index for index, starts in rooms if starts >> start & 1)
        return Placement(practitioner, index, location, service, day, start)

    def _book(self, plan: PatientPlan, placement: Placement, first: bool) -> str:
        rng = self.rng
        tz = placement.location.location.tz
        service = placement.service
        length = _held_steps(service)
        start = local_moment(placement.day, placement.step, tz)
        end = start + timedelta(minutes=service.duration_minutes)
        if placement.day < self.spec.today:
            status = _weighted(rng, PAST_OUTCOMES)
            cancelled_at = self._past_cancellation(status, start)
        elif start <= self.now - MARKED_AFTER:
            over = end <= self.now
            status = _weighted(rng, TODAY_OUTCOMES) if over else AppointmentStatus.ARRIVED
            cancelled_at = None
        elif rng.random() < FUTURE_CANCELLED_SHARE:
            # Cancelled in the last few days; late if that left under 24 hours' notice.
            cancelled_at = self.today_start - timedelta(hours=rng.randint(1, 96))
            late = start - cancelled_at < timedelta(hours=24)
            status = AppointmentStatus.LATE_CANCELLED if late else AppointmentStatus.CANCELLED
        else:
            status, cancelled_at = AppointmentStatus.BOOKED, None

        channel = _weighted(rng, FIRST_CHANNELS if first else LATER_CHANNELS)
        self.usual_step.setdefault(plan.patient.pk, placement.step)
        if status in AppointmentStatus.active():
            who = self.order[id(placement.practitioner)]
            self.busy.take(("practitioner", who), placement.day, placement.step, length)
            self.busy.take(("room", placement.room_index), placement.day, placement.step, length)
        if status == AppointmentStatus.COMPLETED:
            self.first_seen.setdefault(plan.patient.pk, start)
        self.pending.append(
            Appointment(
                patient=plan.patient,
                practitioner=placement.practitioner.practitioner,
                room=self.rooms[placement.room_index],
                service=service,
                start=start,
                end=end,
                held_until=end + timedelta(minutes=service.turnover_minutes),
                status=status,
                channel=channel,
                notes=rng.choice(FRONT_DESK_NOTES) if rng.random() < 0.05 else "",
                cancelled_at=cancelled_at,
                cancelled_by=CancelledBy.PATIENT if cancelled_at is not None else "",
                cancellation_reason=(
                    rng.choice(CANCELLATION_REASONS) if cancelled_at is not None else ""
                ),
                # Online bookings are made by the patient; the rest by reception.
                created_by=None if channel == Channel.WEB else self.staff.reception,
            )
        )
        return status

    def _past_cancellation(self, status: str, start: datetime) -> datetime | None:
        if status == AppointmentStatus.CANCELLED:
            return start - timedelta(hours=self.rng.randint(25, 24 * 7))
        if status == AppointmentStatus.LATE_CANCELLED:
            return start - timedelta(hours=self.rng.randint(1, 23))
        return None


def _held_steps(service) -> int:
    """Steps a visit holds its practitioner and room: its length plus the turnover."""
    return steps_for(service.duration_minutes + service.turnover_minutes)


def _lowest_bit(mask: int) -> int:
    return (mask & -mask).bit_length() - 1


def _weighted(rng: random.Random, weights: dict):
    keys = list(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def build_appointments(
    spec: DemoSpec,
    rng: random.Random,
    plan: ClinicPlan,
    staff: StaffPlan,
    patients: list[PatientPlan],
) -> Diary:
    return DiaryFiller(spec, rng, plan, staff).fill(patients)

"""The demo organisation: Riverside Physiotherapy, its locations, opening hours, rooms
and the services it sells."""

import random
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from functools import cached_property

from acuclinic.clinic.choices import LicensingRegime, Modality
from acuclinic.clinic.models import (
    Clinic,
    Location,
    OpeningHours,
    PremisesRegistration,
    Room,
    Service,
)
from acuclinic.demo import synthetic
from acuclinic.demo.spec import DemoSpec, add_months
from acuclinic.demo.timeline import step_of, window_mask

CLINIC_NAME = "Riverside Physiotherapy"
CLINIC_DOMAIN = "riverside-physio.example"

# Keys the course planner's session kinds are mapped to (see appointments.py).
ASSESSMENT = "assessment"
MEDICAL_FOLLOW_UP = "medical_follow_up"
TRADITIONAL_FIRST = "traditional_first"
TRADITIONAL_FOLLOW_UP = "traditional_follow_up"
REVIEW = "review"

# The first visit may include a first session of medical acupuncture (its description
# says so); the course review does not needle. bulk_create skips Service.save(), so the
# builder sets what save() would.
NEEDLING = {ASSESSMENT: Modality.MEDICAL}

SERVICES = {
    ASSESSMENT: (
        "Assessment and acupuncture",
        Modality.ASSESSMENT,
        60,
        75_00,
        "First visit: history, examination, safety screening and, where suitable, "
        "a first session of medical acupuncture.",
    ),
    MEDICAL_FOLLOW_UP: (
        "Medical acupuncture follow-up",
        Modality.MEDICAL,
        30,
        50_00,
        "Western medical acupuncture (trigger points) as part of a course of treatment.",
    ),
    TRADITIONAL_FIRST: (
        "Traditional acupuncture: first consultation",
        Modality.TRADITIONAL,
        75,
        70_00,
        "Traditional Chinese acupuncture: full consultation, diagnosis and treatment.",
    ),
    TRADITIONAL_FOLLOW_UP: (
        "Traditional acupuncture follow-up",
        Modality.TRADITIONAL,
        45,
        55_00,
        "Traditional Chinese acupuncture as part of a course of treatment.",
    ),
    REVIEW: (
        "Course review",
        Modality.FOLLOW_UP,
        30,
        45_00,
        "Progress review without needling: carry on, space out, or stop the course.",
    ),
}
# Minutes after each visit before the next: needles into the sharps bin, the couch
# wiped and its paper changed. A review without needles needs less.
TURNOVER = {
    ASSESSMENT: 10,
    MEDICAL_FOLLOW_UP: 10,
    TRADITIONAL_FIRST: 10,
    TRADITIONAL_FOLLOW_UP: 10,
    REVIEW: 5,
}
# Reception books reviews after talking to the practitioner, so they are not online.
NOT_BOOKABLE_ONLINE = {REVIEW}

# Opening hours by weekday (Monday = 0), alternating between locations: a main site
# open long days and Saturday mornings, and a branch that closes for lunch.
MAIN_HOURS = {
    **{day: [(time(8), time(20))] for day in range(5)},
    5: [(time(9), time(13))],
}
BRANCH_HOURS = {
    **{day: [(time(9), time(13)), (time(14), time(18))] for day in (0, 1, 2, 4)},
    3: [(time(9), time(13)), (time(14), time(20))],
}


# How each location's council licenses acupuncture, in turn: a council that has adopted
# LG(MP)A 1982 s.14 (practitioner and premises registered, one-off), a London borough
# (special treatment licences, a year at a time), and a council that licenses nothing.
# The councils are as synthetic as the towns.
LICENSING = (
    (LicensingRegime.LGMPA_1982_S14, "{town} Borough Council"),
    (LicensingRegime.LLAA_1991, "London Borough of {town}"),
    (LicensingRegime.NONE, ""),
)


@dataclass
class LocationPlan:
    """A location with its rooms and opening hours, as the diary filler needs them."""

    location: Location
    hours: dict[int, list[tuple[time, time]]]
    rooms: list[Room] = field(default_factory=list)

    @property
    def regime(self) -> str:
        return self.location.licensing_regime

    @property
    def council(self) -> str:
        return self.location.licensing_authority

    def periods(self, weekday: int) -> list[tuple[int, int]]:
        """Opening periods on a weekday, in 15-minute steps of local time."""
        return [(step_of(opens), step_of(closes)) for opens, closes in self.hours.get(weekday, [])]

    @cached_property
    def windows(self) -> dict[int, int]:
        """Open steps by weekday, as masks (see timeline.window_mask)."""
        return {day: window_mask(self.periods(day)) for day in self.hours}

    def is_open_on(self, weekday: int) -> bool:
        return bool(self.hours.get(weekday))


@dataclass
class ClinicPlan:
    clinic: Clinic
    locations: list[LocationPlan]
    services: dict[str, Service]


def _location_name(index: int) -> tuple[str, str]:
    town, area = synthetic.TOWNS[index % len(synthetic.TOWNS)]
    lap = index // len(synthetic.TOWNS)
    return (town if lap == 0 else f"{town} {lap + 1}"), area


def build_clinic(spec: DemoSpec, rng: random.Random, landlines: synthetic.NumberPool) -> ClinicPlan:
    clinic = Clinic.objects.create(
        name=CLINIC_NAME,
        email=f"hello@{CLINIC_DOMAIN}",
        phone=landlines.take(),
        website=f"https://{CLINIC_DOMAIN}/",
        cancellation_notice_hours=24,
        # Anyone trying the demo signs in with the printed passwords alone.
        require_two_factor=False,
    )
    plans = []
    for index in range(spec.locations):
        name, area = _location_name(index)
        regime, council = LICENSING[index % len(LICENSING)]
        location = Location(
            clinic=clinic,
            name=name,
            address_line1=f"{rng.randint(1, 90)} {rng.choice(synthetic.STREETS)}",
            address_line2="" if index % 2 == 0 else "First floor",
            town=name,
            postcode=synthetic.postcode(rng, area),
            phone=landlines.take(),
            time_zone="Europe/London",
            licensing_regime=regime,
            licensing_authority=council.format(town=name),
        )
        hours = MAIN_HOURS if index % 2 == 0 else BRANCH_HOURS
        plans.append(LocationPlan(location=location, hours=hours))
    Location.objects.bulk_create([p.location for p in plans])
    OpeningHours.objects.bulk_create(
        OpeningHours(location=p.location, weekday=day, opens=opens, closes=closes)
        for p in plans
        for day, spans in p.hours.items()
        for opens, closes in spans
    )

    # Rooms shared out as evenly as possible, the main sites taking any remainder.
    for n in range(spec.rooms):
        plan = plans[n % len(plans)]
        plan.rooms.append(Room(location=plan.location, name=f"Room {len(plan.rooms) + 1}"))
    Room.objects.bulk_create([room for p in plans for room in p.rooms])
    PremisesRegistration.objects.bulk_create(
        registration
        for index, p in enumerate(plans)
        for registration in _premises_registrations(spec, index, p)
    )

    services = {
        key: Service(
            clinic=clinic,
            name=name,
            modality=modality,
            needling=NEEDLING.get(key, modality if modality in Modality.needling() else ""),
            duration_minutes=minutes,
            turnover_minutes=TURNOVER[key],
            price_pence=pence,
            description=description,
            bookable_online=key not in NOT_BOOKABLE_ONLINE,
            first_visit=key in (ASSESSMENT, TRADITIONAL_FIRST),
        )
        for key, (name, modality, minutes, pence, description) in SERVICES.items()
    }
    Service.objects.bulk_create(services.values())
    return ClinicPlan(clinic=clinic, locations=plans, services=services)


def council_periods(spec: DemoSpec, regime: str, until: date) -> list[tuple[date, date | None]]:
    """The dates of a council registration or licence covering the whole demo: one
    s.14 registration with no end, or yearly London licences back to before the history
    (the last one ending on ``until``)."""
    since = add_months(spec.history_start, -24)
    if regime == LicensingRegime.LGMPA_1982_S14:
        return [(since, None)]
    periods: list[tuple[date, date | None]] = []
    end = until
    while True:
        start = add_months(end, -12) + timedelta(days=1)
        periods.append((start, end))
        if start <= spec.history_start:
            return periods
        end = start - timedelta(days=1)


def _premises_registrations(spec: DemoSpec, index: int, plan: LocationPlan) -> list:
    # No draws from the demo's random generator: adding licensing leaves every other
    # part of the demo as it was.
    if plan.regime == LicensingRegime.NONE:
        return []
    prefix = "ACU" if plan.regime == LicensingRegime.LGMPA_1982_S14 else "STL"
    return [
        PremisesRegistration(
            location=plan.location,
            authority=plan.council,
            number=f"{prefix}/{start.year}/{100 + index:03d}",
            valid_from=start,
            valid_until=end,
        )
        for start, end in council_periods(spec, plan.regime, licence_until(spec))
    ]


def licence_until(spec: DemoSpec) -> date:
    """When the demo's current London licences end: well after its last appointment."""
    return spec.horizon + timedelta(days=120)

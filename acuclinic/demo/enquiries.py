"""Demo front desk: the enquiry inbox, online bookings and the waitlist, as a clinic of
this size sees them in the four weeks before "today".

- **Enquiries that became patients**: each patient whose first visit falls in the window
  and was booked by phone or email has the enquiry it came from, received a few days
  before, marked booked with that first appointment. A first visit booked online has its
  online booking instead (a new patient's record, checked by reception once they came in;
  the last week's still waiting on the "to check" list).
- **Other enquiries**: questions about prices, insurance, parking, whether acupuncture
  helps a condition, Saturday times; the last few days' mostly new, older ones replied to
  or closed, with reception's notes.
- **The waitlist**: a few patients with a visit booked a week or more ahead wait for an
  earlier time (mornings, or after work; with their own practitioner or anyone).

Names, emails and numbers are synthetic (``synthetic``); rows are bulk-inserted without
audit entries, like the rest of the demo.
"""

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Min

from acuclinic.core.formats import LONDON
from acuclinic.demo import synthetic
from acuclinic.demo.patients import PatientPlan
from acuclinic.demo.spec import DemoSpec
from acuclinic.demo.staff import StaffPlan
from acuclinic.enquiries.choices import EnquiryChannel, EnquiryStatus, Topic
from acuclinic.enquiries.models import Enquiry
from acuclinic.online_booking.choices import PatientMatch
from acuclinic.online_booking.models import OnlineBooking
from acuclinic.scheduling.choices import AppointmentStatus, Channel
from acuclinic.scheduling.models import Appointment
from acuclinic.waitlist.choices import WaitlistStatus
from acuclinic.waitlist.models import WaitlistEntry

WINDOW = timedelta(days=28)
# At scale 1 (300 patients): enquiries that did not (yet) lead to a booking, and waiting.
OTHER_ENQUIRIES = 22
WAITING = 8
# Reception checks an online newcomer's record at their first visit, or within a week.
CHECKED_AFTER = timedelta(days=7)

QUESTIONS = (
    "Do you treat {topic}? I have had it for about two years and my GP suggested acupuncture.",
    "How much is a first appointment, and can I claim it on my health insurance?",
    "Is there parking at the clinic, and is it step-free?",
    "Do you have any appointments on Saturday mornings?",
    "My physio mentioned dry needling for {topic}. Is that something you offer?",
    "Could you send me some information about a course of acupuncture for {topic}?",
    "Can I bring my mother to her appointment? She does not drive.",
    "Are your acupuncturists registered? My insurer asks for the details.",
)
NOTES = {
    EnquiryStatus.REPLIED: (
        "Phoned back and explained the first appointment.",
        "Emailed the price list and new-patient information.",
        "Left a voicemail; will try again tomorrow.",
    ),
    EnquiryStatus.CLOSED: (
        "Emailed the price list. No reply after two weeks.",
        "Decided to wait until after their holiday.",
        "Not something we treat; suggested their GP.",
    ),
}
WINDOWS = ((time(8), time(13)), (time(12), time(20)), (time(16), time(20)), (time(8), time(20)))


@dataclass(frozen=True)
class FrontDeskDemo:
    enquiries: int
    online_bookings: int
    waiting: int


def _scaled(at_scale_1: int, patients: int) -> int:
    return max(1, round(at_scale_1 * patients / 300))


def _moment(rng: random.Random, day: date) -> datetime:
    """An office-hours moment on ``day``, in UTC."""
    wall = time(rng.randint(8, 18), rng.choice((0, 10, 20, 30, 40, 50)))
    return datetime.combine(day, wall, tzinfo=LONDON).astimezone(UTC)


def build_enquiries(
    spec: DemoSpec, rng: random.Random, staff: StaffPlan, patients: list[PatientPlan]
) -> FrontDeskDemo:
    plans = {plan.patient.pk: plan for plan in patients}
    enquiries, bookings = _first_visits(spec, rng, staff, plans)
    enquiries += _other_enquiries(spec, rng, staff, len(patients))
    Enquiry.objects.bulk_create(enquiries)
    OnlineBooking.objects.bulk_create(bookings)
    waiting = _waitlist(spec, rng, staff, len(patients))
    WaitlistEntry.objects.bulk_create(waiting)
    # Half wait for their own practitioner; the rest take anyone.
    WaitlistEntry.practitioners.through.objects.bulk_create(
        WaitlistEntry.practitioners.through(
            waitlistentry_id=entry.pk, practitioner_id=entry.appointment.practitioner_id
        )
        for entry in waiting[::2]
    )
    return FrontDeskDemo(len(enquiries), len(bookings), len(waiting))


def _first_visits(spec, rng, staff, plans) -> tuple[list[Enquiry], list[OnlineBooking]]:
    today = spec.today
    window_start = datetime.combine(today - WINDOW, time.min, tzinfo=LONDON)
    firsts = set(
        Appointment.objects.values("patient_id")
        .annotate(first=Min("start"))
        .filter(first__gte=window_start)
        .values_list("patient_id", "first")
    )
    candidates = Appointment.objects.filter(
        patient_id__in={pid for pid, _ in firsts}, start__gte=window_start
    ).select_related("patient")
    first_visits = sorted(
        (a for a in candidates if (a.patient_id, a.start) in firsts), key=lambda a: (a.start, a.pk)
    )
    enquiries, bookings = [], []
    for appointment in first_visits:
        patient = appointment.patient
        plan = plans.get(patient.pk)
        if plan is None:
            continue
        asked = appointment.start.astimezone(LONDON).date() - timedelta(days=rng.randint(2, 10))
        received_at = _moment(rng, min(asked, today))
        if appointment.channel == Channel.WEB and patient.email:
            checked = appointment.start.astimezone(LONDON).date() + CHECKED_AFTER < today
            bookings.append(
                OnlineBooking(
                    appointment=appointment,
                    given_name=patient.given_name,
                    family_name=patient.family_name,
                    date_of_birth=patient.date_of_birth,
                    email=patient.email,
                    phone=patient.phone,
                    condition=plan.condition,
                    wants_contact=patient.contact_by_email,
                    match=PatientMatch.NEW,
                    checked_at=_moment(rng, appointment.start.astimezone(LONDON).date())
                    if checked
                    else None,
                    checked_by=staff.reception if checked else None,
                    check_note="New patient: details confirmed at the first visit."
                    if checked
                    else "",
                )
            )
        elif appointment.channel in (Channel.PHONE, Channel.EMAIL):
            channel = EnquiryChannel(appointment.channel)
            topic = Topic(plan.condition).label.lower()
            enquiries.append(
                Enquiry(
                    channel=channel,
                    status=EnquiryStatus.BOOKED,
                    name=patient.full_name,
                    email=patient.email,
                    phone=patient.phone,
                    message=QUESTIONS[0].format(topic=topic),
                    condition=plan.condition,
                    received_at=received_at,
                    patient=patient,
                    appointment=appointment,
                    handled_by=staff.reception,
                    created_by=staff.reception,
                    notes="Booked the first appointment.",
                )
            )
    return enquiries, bookings


def _status_for(rng: random.Random, age_days: int) -> str:
    if age_days <= 2:
        return rng.choices([EnquiryStatus.NEW, EnquiryStatus.REPLIED], [70, 30])[0]
    if age_days <= 10:
        return rng.choices(
            [EnquiryStatus.NEW, EnquiryStatus.REPLIED, EnquiryStatus.CLOSED], [20, 50, 30]
        )[0]
    return rng.choices([EnquiryStatus.REPLIED, EnquiryStatus.CLOSED], [30, 70])[0]


def _other_enquiries(spec, rng, staff, patients: int) -> list[Enquiry]:
    mobiles = synthetic.NumberPool(rng, synthetic.DRAMA_MOBILE_PREFIX)
    made = []
    for n in range(_scaled(OTHER_ENQUIRIES, patients)):
        given = rng.choice(synthetic.FEMALE_NAMES + synthetic.MALE_NAMES)
        family = rng.choice(synthetic.FAMILY_NAMES)
        age = rng.randint(0, WINDOW.days - 1)
        channel = rng.choices(list(EnquiryChannel), [45, 35, 20])[0]
        topic = rng.choice(list(Topic))
        status = _status_for(rng, age)
        email = synthetic.email_for(given, family, 900 + n, rng)
        phone = mobiles.take()
        if channel == EnquiryChannel.PHONE and rng.random() < 0.6:
            email = ""
        elif channel == EnquiryChannel.EMAIL and rng.random() < 0.7:
            phone = ""
        by_staff = channel != EnquiryChannel.WEB
        handled = status != EnquiryStatus.NEW or by_staff
        made.append(
            Enquiry(
                channel=channel,
                status=status,
                name=f"{given} {family}",
                email=email,
                phone=phone,
                message=rng.choice(QUESTIONS).format(topic=topic.label.lower()),
                condition=topic if rng.random() < 0.6 else "",
                received_at=_moment(rng, spec.today - timedelta(days=age)),
                handled_by=staff.reception if handled else None,
                created_by=staff.reception if by_staff else None,
                notes=rng.choice(NOTES[status]) if status in NOTES else "",
            )
        )
    return made


def _waitlist(spec, rng, staff, patients: int) -> list[WaitlistEntry]:
    soonest = datetime.combine(spec.today + timedelta(days=7), time.min, tzinfo=LONDON)
    upcoming = list(
        Appointment.objects.filter(status=AppointmentStatus.BOOKED, start__gte=soonest)
        .exclude(patient__email="")
        .select_related("room", "patient")
        .order_by("start", "pk")
    )
    chosen, seen = [], set()
    for appointment in rng.sample(upcoming, len(upcoming)):
        if appointment.patient_id in seen:
            continue
        seen.add(appointment.patient_id)
        chosen.append(appointment)
        if len(chosen) == _scaled(WAITING, patients):
            break
    entries = []
    for appointment in chosen:
        earliest, latest = rng.choice(WINDOWS)
        days = rng.sample(range(5), rng.randint(2, 5))
        entries.append(
            WaitlistEntry(
                patient=appointment.patient,
                service_id=appointment.service_id,
                location_id=appointment.room.location_id,
                weekdays=sum(1 << d for d in days),
                earliest=earliest,
                latest=latest,
                until=appointment.start.astimezone(LONDON).date() - timedelta(days=1),
                appointment=appointment,
                status=WaitlistStatus.WAITING,
                notes=rng.choice(("", "Can come at short notice.", "Prefers a call first.")),
                created_by=staff.reception,
            )
        )
    return entries

"""The scale-1 demo clinic is the one the platform issue describes, and it obeys the same
rules as a clinic run through the booking pages.

The demo is built once for the whole module inside a transaction that is rolled back at
the end; each test runs in a savepoint inside it.
"""

import statistics
from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta
from itertools import pairwise

import pytest
from django.test import Client
from django.urls import reverse

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.choices import LicensingRegime, Modality
from acuclinic.clinic.models import Clinic, Location, Room
from acuclinic.core.formats import LONDON
from acuclinic.demo.spec import DemoSpec
from acuclinic.demo.staff import DEMO_LOGINS, DEMO_PASSWORD
from acuclinic.people import nhs_number
from acuclinic.people.choices import ConditionChoice, CredentialKind, Profession
from acuclinic.people.models import ClinicalSummary, Credential, Patient, Practitioner, User
from acuclinic.people.roles import role_of
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment, WorkingPattern
from acuclinic.testing.module_db import module_demo

# Six months back from here reaches across both clock changes (26 Oct 2025, 29 Mar 2026).
TODAY = date(2026, 4, 15)
# Built at lunchtime: the morning's visits have happened.
CLOCK = time(13, 0)
SPEC = DemoSpec.at_scale(1, today=TODAY, clock=CLOCK)
NOW = datetime.combine(TODAY, CLOCK, tzinfo=LONDON)
SPRING_FORWARD = date(2026, 3, 29)

pytestmark = pytest.mark.django_db


demo = module_demo(SPEC)


@pytest.fixture
def appointments(demo):
    return list(Appointment.objects.select_related("room__location", "service"))


def local(moment: datetime) -> datetime:
    return moment.astimezone(LONDON)


def test_it_has_the_numbers_the_issue_asks_for(demo):
    assert Clinic.objects.get().name == "Riverside Physiotherapy"
    assert Location.objects.count() == 2
    assert Room.objects.count() == 5
    assert Practitioner.objects.count() == 6
    assert Patient.objects.count() == 300
    assert (demo.locations, demo.rooms, demo.practitioners, demo.patients) == (2, 5, 6, 300)
    assert demo.appointments == Appointment.objects.count() > 1500
    assert demo.unplaced == 0


def test_the_team_is_physiotherapists_in_medical_acupuncture_and_one_traditional_acupuncturist(
    demo,
):
    practitioners = list(Practitioner.objects.prefetch_related("credentials"))
    traditional = [p for p in practitioners if p.qualified_traditional]
    physios = [p for p in practitioners if p.profession == Profession.PHYSIOTHERAPIST]

    assert len(traditional) == 1
    acupuncturist = traditional[0]
    assert acupuncturist.profession == Profession.ACUPUNCTURIST
    assert not acupuncturist.qualified_medical
    kinds = {(c.kind, c.body) for c in acupuncturist.credentials.all()}
    assert (CredentialKind.MEMBERSHIP, "BAcC") in kinds
    assert CredentialKind.REGISTRATION not in {kind for kind, _ in kinds}

    assert len(physios) == 5
    for physio in physios:
        assert physio.qualified_medical and not physio.qualified_traditional
        bodies = {c.body for c in physio.credentials.all()}
        assert {"HCPC", "AACP"} <= bodies
    # Every credential passes the same checks as one typed into the admin forms.
    for practitioner in practitioners:
        for credential in practitioner.credentials.all():
            credential.full_clean()
        assert practitioner.credential_problems(TODAY) == []


def test_exactly_one_practitioner_s_registration_runs_out_within_30_days(demo):
    soon = []
    for practitioner in Practitioner.objects.prefetch_related("credentials"):
        registrations = [
            c for c in practitioner.credentials.all() if c.kind == CredentialKind.REGISTRATION
        ]
        if registrations:
            ends = max(c.valid_until for c in registrations)
            if ends <= TODAY + timedelta(days=30):
                soon.append((practitioner, ends))
    assert len(soon) == 1
    practitioner, ends = soon[0]
    assert ends > TODAY
    assert practitioner.credential_problems(ends) == []
    assert practitioner.credential_problems(ends + timedelta(days=1)) == [
        f"no HCPC registration valid on {ends + timedelta(days=1):%-d %b %Y}"
    ]


def test_its_locations_show_two_licensing_regimes_with_registered_premises(demo):
    locations = {loc.licensing_regime: loc for loc in Location.objects.all()}
    assert set(locations) == {LicensingRegime.LGMPA_1982_S14, LicensingRegime.LLAA_1991}
    s14, london = locations["lgmpa_1982_s14"], locations["llaa_1991"]
    assert s14.licensing_authority == f"{s14.name} Borough Council"
    assert london.licensing_authority == f"London Borough of {london.name}"
    # A s.14 registration is one-off; London licences run a year at a time, back past
    # the start of the demo's history.
    (one_off,) = s14.premises_registrations.all()
    assert one_off.valid_until is None and one_off.valid_from < SPEC.history_start
    licences = list(london.premises_registrations.order_by("valid_from"))
    assert licences[0].valid_from <= SPEC.history_start
    assert licences[-1].valid_until > SPEC.horizon
    for earlier, later in pairwise(licences):
        assert later.valid_from == earlier.valid_until + timedelta(days=1)
    # Whoever works at a licensed location holds that council's registration or licence,
    # unless exempt there: nobody under s.14 (no demo practitioner is a doctor), and
    # physiotherapists in London.
    held = {
        (c.practitioner_id, c.body)
        for c in Credential.objects.filter(kind=CredentialKind.LOCAL_AUTHORITY)
    }
    for pattern in WorkingPattern.objects.select_related("practitioner", "location"):
        where = pattern.location
        needs = where == s14 or pattern.practitioner.profession != Profession.PHYSIOTHERAPIST
        has = (pattern.practitioner_id, where.licensing_authority) in held
        assert has == needs, (pattern.practitioner, where)


def test_each_role_has_one_demo_login_that_signs_in_through_the_login_page(demo):
    assert [role for _, role in DEMO_LOGINS] == ["Clinic admin", "Practitioner", "Reception"]
    for username, role in DEMO_LOGINS:
        client = Client()
        response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, username
        # Signing in goes home, which sends a practitioner to their own day and the others
        # to the clinic's diary.
        assert response["Location"] == reverse("home")
        landing = "my_day" if role == "Practitioner" else "diary"
        assert client.get(reverse("home"))["Location"] == reverse(landing)
        assert client.get(reverse(landing)).status_code == 200
        assert role_of(User.objects.get(username=username)) == role


def test_the_practitioner_login_is_a_practitioner_with_a_diary(demo):
    practitioner = Practitioner.objects.get(user__username="practitioner")
    assert practitioner.appointments.filter(start__date__gte=TODAY).exists()


def test_appointments_span_six_months_back_and_one_month_ahead(demo, appointments):
    days = sorted(local(a.start).date() for a in appointments)
    assert date(2025, 10, 15) <= days[0] <= date(2025, 10, 22)
    assert date(2026, 5, 8) <= days[-1] <= date(2026, 5, 15)
    past = Counter(a.status for a in appointments if local(a.start).date() < TODAY)
    future = Counter(a.status for a in appointments if a.start > NOW)
    assert set(past) == {
        AppointmentStatus.COMPLETED,
        AppointmentStatus.CANCELLED,
        AppointmentStatus.LATE_CANCELLED,
        AppointmentStatus.DID_NOT_ATTEND,
    }
    # Nothing ahead has happened yet; a few are already cancelled.
    assert set(future) <= {
        AppointmentStatus.BOOKED,
        AppointmentStatus.CANCELLED,
        AppointmentStatus.LATE_CANCELLED,
    }
    assert future[AppointmentStatus.BOOKED] > 200
    assert future[AppointmentStatus.CANCELLED] > 0


def test_past_appointments_mostly_happened_and_a_few_were_cancelled_or_missed(demo, appointments):
    past = Counter(a.status for a in appointments if local(a.start).date() < TODAY)
    total = sum(past.values())
    assert 0.80 < past[AppointmentStatus.COMPLETED] / total < 0.93
    assert 0.02 < past[AppointmentStatus.DID_NOT_ATTEND] / total < 0.08
    cancelled = past[AppointmentStatus.CANCELLED] + past[AppointmentStatus.LATE_CANCELLED]
    assert 0.05 < cancelled / total < 0.15


def test_cancellations_say_when_and_late_ones_were_inside_the_notice_period(demo, appointments):
    for a in appointments:
        if a.status == AppointmentStatus.LATE_CANCELLED:
            assert timedelta(0) < a.start - a.cancelled_at < timedelta(hours=24)
        elif a.status == AppointmentStatus.CANCELLED:
            assert a.start - a.cancelled_at >= timedelta(hours=24)
        else:
            assert a.cancelled_at is None


def _overlaps(appointments, key) -> list[tuple[int, int]]:
    by_owner = defaultdict(list)
    for a in appointments:
        if a.status in AppointmentStatus.active():
            by_owner[key(a)].append(a)
    clashes = []
    for booked in by_owner.values():
        booked.sort(key=lambda a: a.start)
        for before, after in pairwise(booked):
            if after.start < before.end:
                clashes.append((before.pk, after.pk))
    return clashes


def test_no_two_active_appointments_overlap_for_a_practitioner_or_a_room(demo, appointments):
    assert _overlaps(appointments, key=lambda a: a.practitioner_id) == []
    assert _overlaps(appointments, key=lambda a: a.room_id) == []
    # A patient is never in two places at once either.
    assert _overlaps(appointments, key=lambda a: a.patient_id) == []


def test_every_appointment_is_inside_opening_hours_in_london_time(demo, appointments):
    hours = defaultdict(list)
    for location in Location.objects.prefetch_related("opening_hours"):
        assert location.time_zone == "Europe/London"
        for h in location.opening_hours.all():
            hours[(location.pk, h.weekday)].append((h.opens, h.closes))
    for a in appointments:
        start, end = local(a.start), local(a.end)
        assert start.date() == end.date()
        assert end - start == timedelta(minutes=a.service.duration_minutes)
        periods = hours[(a.room.location_id, start.weekday())]
        assert any(opens <= start.time() and end.time() <= closes for opens, closes in periods), (
            f"{a.pk} at {start:%a %d %b %H:%M} in {a.room.location}"
        )
        assert (start.month, start.day) not in {(12, 25), (12, 26), (1, 1)}


def test_a_patient_s_usual_time_stays_the_same_on_the_clock_across_the_change(demo, appointments):
    # Each patient keeps a preferred time of day. Computed in local time (as it must
    # be), the usual time before the clocks went forward is the usual time after; the
    # stored UTC instants move by an hour.
    times = defaultdict(lambda: ([], []))
    for a in appointments:
        start = local(a.start)
        times[a.patient_id][start.date() >= SPRING_FORWARD].append(start.time())
    both_sides = [(b, a) for b, a in times.values() if len(b) >= 2 and len(a) >= 2]
    assert len(both_sides) > 50
    same = sum(
        Counter(before).most_common(1)[0][0] == Counter(after).most_common(1)[0][0]
        for before, after in both_sides
    )
    assert same / len(both_sides) > 0.5


def test_needling_is_only_booked_with_a_qualified_practitioner_whose_credentials_hold(
    demo, appointments
):
    practitioners = {p.pk: p for p in Practitioner.objects.prefetch_related("credentials")}
    # What the visit may include decides it (Service.needling), not the service's kind:
    # "Assessment and acupuncture" is an assessment that needles.
    needled = [
        a for a in appointments if a.service.needling and a.status in AppointmentStatus.active()
    ]
    assert {a.service.modality for a in needled} >= {Modality.ASSESSMENT, Modality.MEDICAL}
    for a in needled:
        practitioner = practitioners[a.practitioner_id]
        assert practitioner.is_qualified_for(a.service.needling)
        # Their own credentials, and the council's registration or licence where the
        # location's council licenses acupuncture (theirs and the premises').
        assert practitioner.credential_problems(local(a.start).date(), a.room.location) == []
    # The physiotherapist whose registration lapses within the month has patients, who
    # are needled by colleagues once it has lapsed; any visit still theirs then has no
    # needles.
    (lapsing,) = [p for p in practitioners.values() if p.credential_problems(TODAY + timedelta(30))]
    lapsed_on = next(
        TODAY + timedelta(days=n)
        for n in range(31)
        if lapsing.credential_problems(TODAY + timedelta(days=n))
    )
    assert any(a.practitioner_id == lapsing.pk for a in needled)
    assert any(local(a.start).date() >= lapsed_on for a in needled)
    assert all(
        not a.service.needling
        for a in appointments
        if a.practitioner_id == lapsing.pk
        and local(a.start).date() >= lapsed_on
        and a.status in AppointmentStatus.active()
    )


def test_courses_start_weekly_and_then_space_out(demo, appointments):
    visits = defaultdict(list)
    for a in appointments:
        if a.status == AppointmentStatus.COMPLETED:
            visits[a.patient_id].append(local(a.start).date())
    early_gaps, late_gaps = [], []
    for days in visits.values():
        days.sort()
        gaps = [(b - a).days for a, b in pairwise(days)]
        early_gaps += gaps[:3]
        late_gaps += gaps[8:]
    assert 6 <= statistics.median(early_gaps) <= 8
    assert statistics.median(late_gaps) >= 14


def test_patients_are_varied_and_reachable_the_way_they_asked(demo):
    patients = list(Patient.objects.all())
    assert {p.sex for p in patients} >= {"female", "male"}
    ages = [p.age_on(TODAY) for p in patients]
    assert min(ages) >= 18 and max(ages) <= 95 and statistics.median(ages) > 35
    assert any(p.email and not p.phone for p in patients)
    assert any(p.phone and not p.email for p in patients)
    texting = [p for p in patients if p.contact_by_sms]
    assert texting and all(p.phone.startswith("07700 900") for p in texting)
    for p in patients:
        assert p.email or p.phone
        assert p.phone_digits == p.phone.replace(" ", "")
        assert not p.email or p.email.endswith(("@example.com", "@example.org", "@example.net"))
        assert not p.phone or p.phone.startswith(("07700 900", "01632 960"))
    with_nhs = [p for p in patients if p.nhs_number]
    assert len(with_nhs) > 100
    assert all(nhs_number.is_valid(p.nhs_number) for p in with_nhs)
    # 999 numbers are never issued, so none can be a real person's.
    assert all(p.nhs_number.startswith("999") for p in with_nhs)


def test_every_patient_passes_the_checks_the_patient_form_makes(demo):
    for patient in Patient.objects.all():
        patient.full_clean()


def test_most_patients_have_a_clinical_summary_mostly_for_low_back_pain(demo):
    summaries = list(ClinicalSummary.objects.select_related("updated_by__practitioner"))
    assert len(summaries) > 200
    conditions = Counter(s.presenting_condition for s in summaries)
    assert conditions.most_common(1)[0][0] == ConditionChoice.LOW_BACK_PAIN
    assert len(conditions) >= 6
    for summary in summaries:
        assert summary.history
        assert summary.updated_by.practitioner  # written by a clinician
        assert summary.updated_at < NOW  # when they were first assessed


def test_building_writes_one_audit_entry(demo):
    entries = AuditEntry.objects.filter(object_type="demo")
    assert [(e.action, e.via, e.actor_role) for e in entries] == [("create", "command", "system")]
    assert "300 patients" in entries[0].detail
    assert AuditEntry.objects.count() == 1


def test_reception_sees_a_full_day_in_the_diary(demo):
    busiest = Counter(
        (a.room.location_id, local(a.start).date())
        for a in Appointment.objects.select_related("room").active()
    ).most_common(1)[0][0]
    client = Client()
    client.force_login(User.objects.get(username="reception"))
    response = client.get(
        reverse("diary"), {"location": busiest[0], "date": busiest[1].isoformat()}
    )
    assert response.status_code == 200
    assert response.context["count"] >= 10


# ── Today ─────────────────────────────────────────────────────────────────────────────


def todays(appointments) -> list[Appointment]:
    return [
        a
        for a in appointments
        if local(a.start).date() == TODAY and a.status in AppointmentStatus.active()
    ]


def test_today_is_a_busy_clinic_day_in_every_column(demo, appointments):
    today = todays(appointments)
    assert len(today) >= 20
    per_practitioner = Counter(a.practitioner_id for a in today)
    assert statistics.mean(per_practitioner.values()) >= 4
    # Not a quiet day picked out: the weeks around it are as full.
    weekdays = [
        TODAY + timedelta(days=n)
        for n in range(-14, 15)
        if n and (TODAY + timedelta(days=n)).weekday() < 5
    ]
    around = Counter(
        local(a.start).date()
        for a in appointments
        if a.status in AppointmentStatus.active() and local(a.start).date() in weekdays
    )
    assert statistics.mean(around[d] for d in weekdays) >= 15


def test_the_visits_earlier_today_have_happened_and_the_rest_are_booked(demo, appointments):
    marked_after = timedelta(minutes=30)
    happened = []
    for a in todays(appointments):
        if a.start <= NOW - marked_after:
            happened.append(a)
            expected = (
                {AppointmentStatus.COMPLETED, AppointmentStatus.DID_NOT_ATTEND}
                if a.end <= NOW
                else {AppointmentStatus.ARRIVED}
            )
            assert a.status in expected, (local(a.start), a.status)
        else:
            assert a.status == AppointmentStatus.BOOKED, (local(a.start), a.status)
    assert sum(a.status == AppointmentStatus.COMPLETED for a in happened) >= 5


def test_the_safety_gate_is_open_for_todays_visits_where_screening_is_complete(demo, appointments):
    from acuclinic.safety import services as safety

    seen_today = [
        a
        for a in todays(appointments)
        if a.service.needling
        and a.status in (AppointmentStatus.COMPLETED, AppointmentStatus.ARRIVED)
    ]
    assert seen_today
    verdicts = [safety.needling_gate(a, today=TODAY) for a in seen_today]
    assert sum(v.allowed for v in verdicts) / len(verdicts) > 0.8
    # The ones still to come wait only for "any changes since last time?", asked then.
    later = [a for a in todays(appointments) if a.service.needling and a.start > NOW]
    waiting = [safety.needling_gate(a, today=TODAY).codes for a in later]
    assert any(codes == ["changes_not_confirmed"] for codes in waiting)


def test_a_demo_for_another_day_starts_that_days_diary_from_its_beginning():
    assert DemoSpec.at_scale(1, today=TODAY).clock is None
    assert SPEC.describe().endswith("ahead of 2026-04-15 at 13:00")

"""Test data builders (factory_boy), shared by the test suite and the browser tests."""

from datetime import date, datetime, time, timedelta
from functools import cache

import factory
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils import timezone

from acuclinic.clinic.choices import Modality
from acuclinic.clinic.models import Clinic, Location, OpeningHours, Room, Service
from acuclinic.people.choices import ConditionChoice, CredentialKind, Profession, Sex
from acuclinic.people.models import ClinicalSummary, Credential, Patient, Practitioner, User
from acuclinic.scheduling.models import Appointment

PASSWORD = "correct horse battery"


@cache
def _password_hash() -> str:
    # argon2 is slow on purpose; hash the shared test password once per run.
    return make_password(PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@clinic.test")
    password = factory.LazyFunction(_password_hash)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    given_name = factory.Faker("first_name", locale="en_GB")
    family_name = factory.Faker("last_name", locale="en_GB")
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)
    sex = Sex.FEMALE
    email = factory.Sequence(lambda n: f"patient{n}@example.test")
    phone = factory.Sequence(lambda n: f"07700 9{n:05d}")


def staff_user(username: str, *, role: str | None, **fields) -> User:
    user = UserFactory(username=username, **fields)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def build_clinic() -> Clinic:
    """One clinic, one location open Mon–Sat 08:00–20:00, two rooms, four services."""
    clinic, _ = Clinic.objects.get_or_create(
        name="Riverside Physio",
        # Two-factor sign-in is the tests' own business (people/tests/test_two_factor.py).
        defaults={"phone": "0161 496 0000", "require_two_factor": False},
    )
    location, _ = Location.objects.get_or_create(
        clinic=clinic,
        name="Riverside",
        defaults={"address_line1": "1 Mill Lane", "town": "Testford", "postcode": "TE1 1ST"},
    )
    for weekday in range(6):
        OpeningHours.objects.get_or_create(
            location=location, weekday=weekday, opens=time(8), defaults={"closes": time(20)}
        )
    for name in ("Room 1", "Room 2"):
        Room.objects.get_or_create(location=location, name=name)
    for name, modality, needling, minutes, pence in [
        ("Assessment and acupuncture", Modality.ASSESSMENT, Modality.MEDICAL, 60, 7500),
        ("Medical acupuncture", Modality.MEDICAL, Modality.MEDICAL, 30, 5000),
        ("Traditional acupuncture", Modality.TRADITIONAL, Modality.TRADITIONAL, 45, 5500),
        ("Follow-up", Modality.FOLLOW_UP, "", 30, 4500),
    ]:
        Service.objects.get_or_create(
            clinic=clinic,
            name=name,
            defaults={
                "modality": modality,
                "needling": needling,
                "duration_minutes": minutes,
                "price_pence": pence,
            },
        )
    return clinic


def practitioner(
    username: str,
    *,
    profession: str = Profession.PHYSIOTHERAPIST,
    qualified_medical: bool = False,
    qualified_traditional: bool = False,
    valid_until: date | None = None,
    works_opening_hours: bool = True,
) -> Practitioner:
    """A practitioner with credentials valid from a year ago to ``valid_until`` (a year
    ahead by default) who, unless ``works_opening_hours`` is False, works whenever each
    existing location is open, from a year ago on."""
    user = staff_user(username, role="Practitioner")
    prac = Practitioner.objects.create(
        user=user,
        profession=profession,
        qualified_medical=qualified_medical,
        qualified_traditional=qualified_traditional,
    )
    today = timezone.localdate()
    until = valid_until or today + timedelta(days=365)
    start = today - timedelta(days=365)
    if profession == Profession.PHYSIOTHERAPIST:
        Credential.objects.create(
            practitioner=prac,
            kind=CredentialKind.REGISTRATION,
            body="HCPC",
            number=f"PH{prac.pk:05d}",
            valid_from=start,
            valid_until=until,
        )
    Credential.objects.create(
        practitioner=prac,
        kind=CredentialKind.MEMBERSHIP,
        body="BAcC" if qualified_traditional and not qualified_medical else "AACP",
        number=f"M{prac.pk:05d}",
        valid_from=start,
        valid_until=until,
    )
    Credential.objects.create(
        practitioner=prac,
        kind=CredentialKind.INSURANCE,
        body="Test Mutual",
        number=f"PI{prac.pk:05d}",
        valid_from=start,
        valid_until=until,
    )
    if works_opening_hours:
        works_when_open(prac, since=start)
    return prac


def works_when_open(prac: Practitioner, *, since: date | None = None, location=None) -> None:
    """Working patterns covering every opening period of ``location`` (or of them all)."""
    from acuclinic.scheduling.models import WorkingPattern

    hours = OpeningHours.objects.all()
    if location is not None:
        hours = hours.filter(location=location)
    WorkingPattern.objects.bulk_create(
        WorkingPattern(
            practitioner=prac,
            location_id=h.location_id,
            weekday=h.weekday,
            starts=h.opens,
            ends=h.closes,
            valid_from=since or timezone.localdate() - timedelta(days=365),
        )
        for h in hours
    )


def patient(**fields) -> Patient:
    return PatientFactory(**fields)


def next_weekday_at(hour: int, minute: int = 0, *, days_ahead: int = 7) -> datetime:
    """An aware datetime on a weekday (Mon–Fri) at least ``days_ahead`` days from now."""
    day = timezone.localdate() + timedelta(days=days_ahead)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def appointment(*, patient, practitioner, service=None, room=None, start=None, **fields):
    service = service or Service.objects.get(name="Medical acupuncture")
    room = room or Room.objects.order_by("pk").first()
    start = start or next_weekday_at(10)
    return Appointment.objects.create(
        patient=patient,
        practitioner=practitioner,
        service=service,
        room=room,
        start=start,
        end=start + timedelta(minutes=service.duration_minutes),
        **fields,
    )


def patient_form_data(**overrides) -> dict:
    """What the patient form posts for a valid new patient; ``overrides`` change fields.

    Checkboxes follow HTML: present ("on") when ticked, absent otherwise, so pass
    ``contact_by_sms=None`` to leave one unticked.
    """
    data = {
        "given_name": "Mira",
        "family_name": "Ashdown",
        "preferred_name": "",
        "date_of_birth": "1980-03-12",
        "sex": Sex.FEMALE,
        "email": "mira.ashdown@example.test",
        "phone": "07700 900123",
        "address_line1": "4 Orchard Row",
        "address_line2": "",
        "town": "Testford",
        "postcode": "TE2 2ST",
        "contact_by_email": "on",
        "contact_by_phone": "on",
        "appointment_reminders": "on",
        "gp_practice": "Testford Health Centre",
        "nhs_number": "",
        "emergency_contact_name": "Joss Ashdown",
        "emergency_contact_phone": "07700 900999",
        "emergency_contact_relationship": "brother",
    }
    data.update(overrides)
    return {name: value for name, value in data.items() if value is not None}


def clinical_summary(patient: Patient, *, by: User, history: str = "", **fields):
    return ClinicalSummary.objects.create(
        patient=patient,
        updated_by=by,
        presenting_condition=fields.pop("presenting_condition", ConditionChoice.LOW_BACK_PAIN),
        history=history,
        **fields,
    )


def safety_answers(*, audience: str = "staff", **overrides) -> dict:
    """A complete health questionnaire for back pain answered "no" throughout (no
    flags); ``overrides`` set answers, and an override of ``None`` removes that answer.
    A weakened immune system comes with "no" to chemotherapy unless that is set too."""
    from acuclinic.safety.questions import BOOL, for_audience

    answers: dict = {
        "treatment_areas": ["back"],
        "pregnant": "no",
        "anticoagulants": [],
        "antiplatelets": [],
    }
    answers.update({q.key: False for q in for_audience(audience) if q.kind == BOOL})
    answers.update(overrides)
    if answers.get("immunosuppressed") is True:
        answers.setdefault("chemotherapy_counts", "no")
    return {key: value for key, value in answers.items() if value is not None}


def safety_questionnaire(patient: Patient, *, by: User, when: datetime | None = None, **answers):
    """A staff-entered health questionnaire (a new version); ``answers`` as safety_answers."""
    from acuclinic.safety.services import questionnaire_record

    return questionnaire_record(patient, answers=safety_answers(**answers), user=by, now=when)


def consent(
    patient: Patient, *, taken_by: Practitioner, modality: str = Modality.MEDICAL, **fields
):
    """Informed consent with every risk explained, given an hour ago unless ``given_at``."""
    from acuclinic.safety.choices import Risk
    from acuclinic.safety.services import consent_record

    return consent_record(
        patient,
        modality=modality,
        risks_explained=fields.pop("risks_explained", Risk.values),
        method=fields.pop("method", "verbal"),
        given_at=fields.pop("given_at", timezone.now() - timedelta(hours=1)),
        taken_by=taken_by,
        user=fields.pop("user", taken_by.user),
        **fields,
    )


def safety_form_data(*, audience: str = "staff", **overrides) -> dict:
    """What the questionnaire form posts for safety_answers(**overrides): yes/no radios,
    ticked boxes as lists, nothing for a question left blank."""
    data = {}
    for key, value in safety_answers(audience=audience, **overrides).items():
        if isinstance(value, bool):
            data[key] = "yes" if value else "no"
        elif value not in ("", []):
            data[key] = value
    return data


def safety_questionnaire_on_file(
    patient: Patient, *, by: User, when: datetime | None = None, **answers
):
    """A staff-entered questionnaire already on file: the row only, without the audit
    entry the service writes, for tests that count audit entries. ``answers`` as
    safety_answers; they must pass the same checks the service makes."""
    from acuclinic.safety import catalogue
    from acuclinic.safety.models import Questionnaire

    rules = catalogue.current()
    cleaned, errors = rules.validate(safety_answers(**answers))
    assert not errors, errors
    latest = Questionnaire.objects.filter(patient=patient).order_by("-version").first()
    return Questionnaire.objects.create(
        patient=patient,
        version=latest.version + 1 if latest else 1,
        answers=cleaned,
        rules_version=rules.version,
        submitted_at=when or timezone.now() - timedelta(days=1),
        filled_by="staff",
        entered_by=by,
    )


def _free_hour(practitioner: Practitioner, room: Room, day: date, held_minutes: int) -> int:
    for hour in range(10, 20):
        start = timezone.make_aware(datetime.combine(day, time(hour)))
        until = start + timedelta(minutes=held_minutes)
        held = Appointment.objects.active().holding(start, until)
        if not held.filter(Q(practitioner=practitioner) | Q(room=room)).exists():
            return hour
    raise ValueError(f"{practitioner} or {room} is busy all of {day}: pass hour=")


def signed_session(
    patient: Patient,
    practitioner: Practitioner,
    *,
    day: date,
    pain: int,
    minutes: int = 30,
    hour: int | None = None,
    service: Service | None = None,
    signed_at: datetime | None = None,
):
    """A completed acupuncture visit on ``day`` with its session note already signed
    (pain before ``pain``, no needles; signed five minutes after the visit unless
    ``signed_at``): history, written as the demo writes it, without the safety gate or
    the charting pages. Returns the note.

    The visit is at ``hour``, or else at the first hour from 10:00 when the practitioner
    and the first room are free: two patients' histories with one practitioner do not
    meet PostgreSQL's overlap constraint."""
    from acuclinic.treatment.models import SessionNote

    service = service or Service.objects.get(name="Medical acupuncture")
    room = Room.objects.order_by("pk").first()
    if hour is None:
        hour = _free_hour(practitioner, room, day, minutes + service.turnover_minutes)
    start = timezone.make_aware(datetime.combine(day, time(hour)))
    visit = appointment(
        patient=patient,
        practitioner=practitioner,
        service=service,
        room=room,
        start=start,
        status="completed",
    )
    if minutes != service.duration_minutes:
        end = start + timedelta(minutes=minutes)
        Appointment.objects.filter(pk=visit.pk).update(
            end=end, held_until=end + timedelta(minutes=service.turnover_minutes)
        )
    signed = signed_at or start + timedelta(minutes=minutes + 5)
    return SessionNote.objects.create(
        appointment=visit,
        patient=patient,
        practitioner=practitioner,
        clinic=service.clinic,
        session_date=day,
        modality=service.needling,
        pain_before=pain,
        needles_out=0,
        needles_in=0,
        created_by=practitioner.user,
        created_at=start,
        updated_at=signed,
        signed_at=signed,
        signed_by=practitioner.user,
    )


def weekly_sessions(patient, practitioner, pains, *, first_day: date, every_days: int = 7, **kw):
    """Signed sessions ``every_days`` apart from ``first_day``, one per pain score."""
    return [
        signed_session(
            patient, practitioner, day=first_day + timedelta(days=every_days * n), pain=p, **kw
        )
        for n, p in enumerate(pains)
    ]


def license_location(
    location: Location | None = None,
    *,
    regime: str = "lgmpa_1982_s14",
    council: str = "Testford Borough Council",
    premises_from: date | bool | None = None,
    premises_until: date | None = None,
) -> Location:
    """Make ``location`` (the first one by default) licensed by ``council`` under
    ``regime``, with the premises registered from ``premises_from`` (a year ago by
    default) to ``premises_until``; ``premises_from=False`` registers nothing."""
    from acuclinic.clinic.models import PremisesRegistration

    location = location or Location.objects.order_by("pk").first()
    location.licensing_regime, location.licensing_authority = regime, council
    location.save(update_fields=["licensing_regime", "licensing_authority"])
    if premises_from is not False:
        PremisesRegistration.objects.create(
            location=location,
            authority=council,
            number=f"PR{location.pk:04d}",
            valid_from=premises_from or timezone.localdate() - timedelta(days=365),
            valid_until=premises_until,
        )
    return location


def council_credential(
    practitioner: Practitioner,
    council: str = "Testford Borough Council",
    *,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> Credential:
    """The practitioner's registration or licence with ``council`` (from a year ago, with
    no end date unless given)."""
    return Credential.objects.create(
        practitioner=practitioner,
        kind=CredentialKind.LOCAL_AUTHORITY,
        body=council,
        number=f"LA{practitioner.pk:05d}",
        valid_from=valid_from or timezone.localdate() - timedelta(days=365),
        valid_until=valid_until,
    )

"""Test data builders (factory_boy), shared by the test suite and the browser tests."""

from datetime import date, datetime, time, timedelta
from functools import cache

import factory
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.utils import timezone

from acuclinic.clinic.choices import Modality
from acuclinic.clinic.models import Clinic, Location, OpeningHours, Room, Service
from acuclinic.people.choices import CredentialKind, Profession, Sex
from acuclinic.people.models import Credential, Patient, Practitioner, User
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
        name="Riverside Physio", defaults={"phone": "0161 496 0000"}
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
    for name, modality, minutes, pence in [
        ("Assessment and acupuncture", Modality.ASSESSMENT, 60, 7500),
        ("Medical acupuncture", Modality.MEDICAL, 30, 5000),
        ("Traditional acupuncture", Modality.TRADITIONAL, 45, 5500),
        ("Follow-up", Modality.FOLLOW_UP, 30, 4500),
    ]:
        Service.objects.get_or_create(
            clinic=clinic,
            name=name,
            defaults={"modality": modality, "duration_minutes": minutes, "price_pence": pence},
        )
    return clinic


def practitioner(
    username: str,
    *,
    profession: str = Profession.PHYSIOTHERAPIST,
    qualified_medical: bool = False,
    qualified_traditional: bool = False,
    valid_until: date | None = None,
) -> Practitioner:
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
    return prac


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

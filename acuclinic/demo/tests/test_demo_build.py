"""Building the demo: deterministic, scalable, and never mixed into a real clinic's data."""

import hashlib
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Clinic, Location, OpeningHours, Room, Service
from acuclinic.core.errors import Conflict
from acuclinic.demo.builder import build_demo
from acuclinic.demo.spec import DemoSpec
from acuclinic.demo.staff import DEMO_PASSWORD
from acuclinic.people.models import ClinicalSummary, Credential, Patient, Practitioner, User
from acuclinic.scheduling.models import Appointment, WorkingPattern
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db

TODAY = date(2026, 4, 15)
# Small enough to build in a blink, big enough to have every kind of row.
SMALL = DemoSpec(today=TODAY, patients=40, practitioners=3, rooms=3, months_back=2)

PATIENT_KEY = ("given_name", "family_name", "date_of_birth", "email", "phone")


def _rows(queryset, *fields) -> list:
    return sorted(queryset.values_list(*fields), key=repr)


def digest() -> str:
    """Everything the demo wrote, by natural keys (ids, salts and insert times vary)."""
    patient_fields = [
        f.name
        for f in Patient._meta.concrete_fields
        if f.name not in {"id", "created_at", "updated_at"}
    ]
    patient = [f"patient__{name}" for name in PATIENT_KEY]
    tables = [
        _rows(Clinic.objects, "name", "email", "phone", "website", "cancellation_notice_hours"),
        _rows(Location.objects, "name", "address_line1", "address_line2", "town", "postcode"),
        _rows(OpeningHours.objects, "location__name", "weekday", "opens", "closes"),
        _rows(Room.objects, "location__name", "name"),
        _rows(Service.objects, "name", "modality", "duration_minutes", "price_pence"),
        _rows(User.objects, "username", "first_name", "last_name", "email", "groups__name"),
        _rows(Practitioner.objects, "user__username", "profession", "qualified_medical", "colour"),
        _rows(
            Credential.objects,
            "practitioner__user__username",
            "kind",
            "body",
            "number",
            "valid_from",
            "valid_until",
        ),
        _rows(Patient.objects, *patient_fields),
        _rows(
            ClinicalSummary.objects,
            *patient,
            "presenting_condition",
            "history",
            "updated_at",
            "updated_by__username",
        ),
        _rows(
            Appointment.objects,
            *patient,
            "practitioner__user__username",
            "room__location__name",
            "room__name",
            "service__name",
            "start",
            "end",
            "status",
            "channel",
            "notes",
            "cancelled_at",
            "cancellation_reason",
            "created_by__username",
        ),
    ]
    return hashlib.sha256(repr(tables).encode()).hexdigest()


def test_the_same_spec_builds_the_same_clinic_every_time():
    build_demo(SMALL)
    first = digest()
    assert Appointment.objects.count() > 100
    build_demo(SMALL, reset_first=True)
    assert digest() == first


def test_another_seed_builds_another_clinic():
    build_demo(SMALL)
    first = digest()
    build_demo(DemoSpec(**{**SMALL.__dict__, "seed": SMALL.seed + 1}), reset_first=True)
    assert digest() != first


def test_scale_2_doubles_the_patients_and_the_team():
    summary = build_demo(DemoSpec.at_scale(2, today=TODAY, months_back=1))
    assert Patient.objects.count() == summary.patients == 600
    assert Practitioner.objects.count() == 12
    assert Room.objects.count() == 10
    assert Location.objects.count() == 4
    assert Practitioner.objects.filter(qualified_traditional=True).count() == 2


def test_a_full_time_team_works_every_weekday_and_fits_in_more_of_the_sessions_asked_for():
    # More patients than three practitioners' diaries hold.
    busy = DemoSpec(**{**SMALL.__dict__, "patients": 400, "months_back": 1})
    part_time = build_demo(busy)
    team_days = _working_days()
    full_time = build_demo(DemoSpec(**{**busy.__dict__, "days_a_week": 5}), reset_first=True)

    assert set(_working_days().values()) == {5}
    assert set(team_days.values()) != {5}, "the team pattern has part-timers"
    assert part_time.unplaced > 0
    assert full_time.appointments > part_time.appointments
    assert full_time.unplaced < part_time.unplaced


def _working_days() -> dict[int, int]:
    """How many weekdays (or Saturdays in place of one) each practitioner works."""
    days: dict[int, set] = {}
    for who, weekday in WorkingPattern.objects.values_list("practitioner_id", "weekday"):
        days.setdefault(who, set()).add(weekday)
    return {who: len(weekdays) for who, weekdays in days.items()}


def test_a_database_with_clinic_data_is_refused_and_left_as_it_was(clinic, patient):
    with pytest.raises(Conflict) as refused:
        build_demo(SMALL)
    assert refused.value.code == "database_not_empty"
    assert "holds 1 clinic and 1 patient" in refused.value.message
    assert list(Clinic.objects.values_list("name", flat=True)) == ["Riverside Physio"]
    assert list(Patient.objects.all()) == [patient]
    assert not AuditEntry.objects.filter(object_type="demo").exists()


def test_a_database_with_only_a_staff_account_is_refused_too():
    factories.staff_user("manager", role=None)
    with pytest.raises(Conflict, match="1 staff account"):
        build_demo(SMALL)
    assert not Patient.objects.exists()


def test_a_reset_replaces_a_clinic_s_data_and_keeps_the_audit_trail(clinic, patient):
    factories.practitioner("prac", qualified_medical=True)
    trail = AuditEntry.objects.count()
    build_demo(SMALL, reset_first=True)
    assert list(Clinic.objects.values_list("name", flat=True)) == ["Riverside Physiotherapy"]
    assert not Patient.objects.filter(pk=patient.pk).exists()
    assert not User.objects.filter(username="prac").exists()
    entries = list(AuditEntry.objects.filter(object_type="demo").order_by("id"))
    assert [e.action for e in entries] == ["delete", "create"]
    assert "1 clinic" in entries[0].detail
    assert AuditEntry.objects.count() == trail + 2


def test_after_a_reset_a_demo_login_named_in_the_audit_trail_still_signs_in():
    build_demo(SMALL)
    client = Client()
    client.post(reverse("login"), {"username": "reception", "password": DEMO_PASSWORD})
    reception = User.objects.get(username="reception")
    assert AuditEntry.objects.filter(actor=reception, action="login").exists()

    build_demo(SMALL, reset_first=True)

    # The trail still points at the same account, which signs in as before.
    assert User.objects.get(username="reception").pk == reception.pk
    assert AuditEntry.objects.filter(actor=reception, action="login").exists()
    response = Client().post(reverse("login"), {"username": "reception", "password": DEMO_PASSWORD})
    assert response.status_code == 302


def test_a_reset_switches_off_other_accounts_the_audit_trail_names():
    build_demo(DemoSpec(**{**SMALL.__dict__, "practitioners": 4}))
    leaver = Practitioner.objects.order_by("pk").last().user
    Client().force_login(leaver)  # an audited sign-in names the account

    build_demo(SMALL, reset_first=True)  # a team of three: the fourth is not rebuilt

    leaver.refresh_from_db()
    assert not Practitioner.objects.filter(user=leaver).exists()
    assert not leaver.is_active
    assert not leaver.groups.exists()
    assert AuditEntry.objects.filter(actor=leaver, action="login").exists()


def test_a_clinic_built_at_once_on_postgresql_is_planned_from_its_statistics():
    # Until a table is analysed PostgreSQL plans it as empty, and the diary's queries
    # scanned every session note of a freshly built five-year clinic.
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps no statistics unless asked, and is planned without them")
    build_demo(SMALL)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE relname = %s", [Appointment._meta.db_table]
        )
        (estimated,) = cursor.fetchone()
    assert estimated == pytest.approx(Appointment.objects.count(), rel=0.2)


@pytest.mark.django_db(transaction=True)
def test_a_clinic_built_outside_a_transaction_on_postgresql_is_vacuumed_as_autovacuum_would():
    # `acuclinic setup` builds outside any transaction: the new rows are marked visible to
    # everyone, so the diary's reads need not check each one.
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no vacuum of this kind")
    build_demo(SMALL)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT last_vacuum, last_analyze FROM pg_stat_user_tables WHERE relname = %s",
            [Appointment._meta.db_table],
        )
        vacuumed, analysed = cursor.fetchone()
    assert vacuumed is not None and analysed is not None

"""Upgrading a clinic's database from before enquiries, online booking and the waitlist
had apps of their own: every row stays, and so do the permissions roles and people hold.

The database is built at scheduling's 0006 (the schema of the commit before the move),
filled through the models as they were then, and migrated to today's schema.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

LONDON = ZoneInfo("Europe/London")
BEFORE = [
    ("scheduling", "0006_online_booking_enquiries_waitlist"),
    ("django_tasks_database", "0021_conditional_partial_index_ordering"),
]
MOVED = {
    "enquiry": "enquiries",
    "onlinebooking": "online_booking",
    "ratelimitcount": "online_booking",
    "waitlistentry": "waitlist",
    "freedtime": "waitlist",
    "waitlistoffer": "waitlist",
}


def _fill(apps) -> dict:
    """One of everything the move touches, as the old schema stored it."""
    model = apps.get_model
    clinic = model("clinic", "Clinic").objects.create(name="Old Clinic")
    location = model("clinic", "Location").objects.create(
        clinic=clinic,
        name="High Street",
        address_line1="1 High St",
        town="Exton",
        postcode="EX1 1AA",
    )
    room = model("clinic", "Room").objects.create(location=location, name="Room 1")
    service = model("clinic", "Service").objects.create(
        clinic=clinic,
        name="Medical acupuncture",
        modality="medical",
        needling="medical",
        duration_minutes=45,
        price_pence=5500,
    )
    user = model("people", "User").objects.create(username="prac", first_name="Pat")
    practitioner = model("people", "Practitioner").objects.create(
        user=user, profession="physiotherapist", qualified_medical=True
    )
    patient = model("people", "Patient").objects.create(
        given_name="Ada", family_name="Lane", date_of_birth=date(1970, 5, 1), sex="female"
    )
    start = datetime.combine(date(2027, 3, 3), time(10), tzinfo=LONDON)
    appointment = model("scheduling", "Appointment").objects.create(
        patient=patient,
        practitioner=practitioner,
        room=room,
        service=service,
        start=start,
        end=start + timedelta(minutes=45),
        held_until=start + timedelta(minutes=55),
    )
    enquiry = model("scheduling", "Enquiry").objects.create(
        channel="phone",
        status="booked",
        name="Ada Lane",
        phone="07700 900123",
        message="Back pain, mornings please",
        condition="low_back",
        received_at=start - timedelta(days=9),
        patient=patient,
        appointment=appointment,
    )
    online = model("scheduling", "OnlineBooking").objects.create(
        appointment=appointment,
        given_name="Ada",
        family_name="Lane",
        date_of_birth=date(1970, 5, 1),
        email="ada@example.test",
        match="possible_duplicate",
    )
    online.possible_matches.add(patient)
    model("scheduling", "RateLimitCount").objects.create(
        key="online_booking:address:192.0.2.1", window_start=start, count=3
    )
    entry = model("scheduling", "WaitlistEntry").objects.create(
        patient=patient,
        service=service,
        location=location,
        weekdays=0b11111,
        earliest=time(9),
        latest=time(12),
        until=date(2027, 4, 30),
        appointment=appointment,
    )
    entry.practitioners.add(practitioner)
    freed = model("scheduling", "FreedTime").objects.create(
        practitioner=practitioner,
        location=location,
        start=start - timedelta(days=7),
        end=start - timedelta(days=7, minutes=-45),
    )
    model("scheduling", "WaitlistOffer").objects.create(
        freed=freed,
        entry=entry,
        position=1,
        practitioner=practitioner,
        room=room,
        service=service,
        start=freed.start,
        end=freed.end,
        token_digest="0" * 64,
        expires_at=freed.start - timedelta(hours=12),
    )
    return {"patient": patient.pk, "practitioner": practitioner.pk, "enquiry": enquiry.pk}


def _grant_old_permissions(apps) -> dict[str, int]:
    """Content types and permissions as Django made them for the models under
    scheduling, held by a group and by one user directly."""
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    group = apps.get_model("auth", "Group").objects.create(name="Reception")
    user = apps.get_model("people", "User").objects.create(username="desk")
    ids = {}
    for model_name in MOVED:
        ct = content_type.objects.create(app_label="scheduling", model=model_name)
        view = permission.objects.create(
            content_type=ct, codename=f"view_{model_name}", name=f"Can view {model_name}"
        )
        group.permissions.add(view)
        ids[model_name] = ct.pk
    user.user_permissions.add(permission.objects.get(codename="view_enquiry"))
    return ids


def _queue_old_task(apps, start) -> None:
    apps.get_model("django_tasks_database", "DBTaskResult").objects.create(
        task_path="acuclinic.scheduling.waitlist_tasks.offer_freed_time_task",
        status="READY",
        args_kwargs={"args": [1, 1, start.isoformat(), start.isoformat()], "kwargs": {}},
        queue_name="default",
        backend_name="default",
        priority=0,
        run_after=start,
    )


@pytest.fixture
def migrator(migration_database, monkeypatch):
    """django-test-migrations' migrator on the test's own database, along the migrations
    that scheduling's squashed one replaces (a clinic upgrading from before the move has
    those), to a schema that is BEFORE and what it depends on, nothing more.

    django-test-migrations also applies every migration that happens to sort before the
    targets in the whole plan; which those are depends on the apps that exist today (a
    later app whose migrations need today's scheduling pulls the move itself in front).
    """
    from django.db import connection
    from django_test_migrations import migrator as migrator_module

    from acuclinic.testing.old_migrations import OldMigrationsExecutor, OldMigrationsLoader

    graph = OldMigrationsLoader(connection).graph
    needed = {node for target in BEFORE for node in graph.forwards_plan(target)}

    def dependencies_only(targets, plan):
        return [(m, backwards) for m, backwards in plan if (m.app_label, m.name) in needed]

    monkeypatch.setattr(migrator_module, "truncate_plan", dependencies_only)
    monkeypatch.setattr(migrator_module, "MigrationExecutor", OldMigrationsExecutor)
    return migrator_module.Migrator()


def test_upgrading_keeps_every_row_and_permission_and_can_be_undone(migrator):
    old = migrator.apply_initial_migration(BEFORE)
    made = _fill(old.apps)
    content_type_ids = _grant_old_permissions(old.apps)
    _queue_old_task(old.apps, datetime(2027, 3, 3, 10, tzinfo=LONDON))

    new = migrator.apply_tested_migration(
        [
            ("enquiries", "0001_initial"),
            ("online_booking", "0001_initial"),
            ("waitlist", "0001_initial"),
        ]
    )

    model = new.apps.get_model
    enquiry = model("enquiries", "Enquiry").objects.get()
    assert (enquiry.pk, enquiry.status, enquiry.message) == (
        made["enquiry"],
        "booked",
        "Back pain, mornings please",
    )
    assert enquiry.patient_id == made["patient"] and enquiry.appointment_id is not None
    online = model("online_booking", "OnlineBooking").objects.get()
    assert [p.pk for p in online.possible_matches.all()] == [made["patient"]]
    assert model("online_booking", "RateLimitCount").objects.get().count == 3
    entry = model("waitlist", "WaitlistEntry").objects.get()
    assert [p.pk for p in entry.practitioners.all()] == [made["practitioner"]]
    offer = model("waitlist", "WaitlistOffer").objects.get()
    assert (offer.entry_id, offer.freed_id) == (
        entry.pk,
        model("waitlist", "FreedTime").objects.get().pk,
    )

    # The same content types, relabelled: every permission keeps its id and its holders.
    content_type = model("contenttypes", "ContentType")
    for model_name, app in MOVED.items():
        moved = content_type.objects.get(pk=content_type_ids[model_name])
        assert (moved.app_label, moved.model) == (app, model_name)
    group = model("auth", "Group").objects.get(name="Reception")
    held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    assert held == {f"{app}.view_{name}" for name, app in MOVED.items()}
    desk = model("people", "User").objects.get(username="desk")
    assert [p.content_type.app_label for p in desk.user_permissions.all()] == ["enquiries"]

    # A freed time queued before the upgrade runs from the task's new module.
    task = model("django_tasks_database", "DBTaskResult").objects.get()
    assert task.task_path == "acuclinic.waitlist.tasks.offer_freed_time_task"

    # Rolling the upgrade back gives scheduling its models and labels again.
    back = migrator.apply_tested_migration(BEFORE)

    model = back.apps.get_model
    assert model("scheduling", "Enquiry").objects.get().pk == made["enquiry"]
    assert model("scheduling", "WaitlistOffer").objects.count() == 1
    assert model("scheduling", "OnlineBooking").objects.get().possible_matches.count() == 1
    content_type = model("contenttypes", "ContentType")
    assert {content_type.objects.get(pk=pk).app_label for pk in content_type_ids.values()} == {
        "scheduling"
    }
    task = model("django_tasks_database", "DBTaskResult").objects.get()
    assert task.task_path == "acuclinic.scheduling.waitlist_tasks.offer_freed_time_task"

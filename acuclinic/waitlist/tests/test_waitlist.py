"""The waitlist: a time freed by a cancellation or a move is offered by email to the
waiting patients it suits, in the order they joined; the first to accept books it (two
at once: one wins, the other is told it has gone); links work once and expire; staff
add, see and remove entries by page and by API."""

import re
import threading
from datetime import time, timedelta

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from acuclinic.clinic.models import Room
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.notifications.choices import MessageStatus
from acuclinic.notifications.models import Message
from acuclinic.online_booking.tests import helpers as h
from acuclinic.scheduling import services
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.testing import factories
from acuclinic.waitlist import services as waitlist
from acuclinic.waitlist.choices import OfferStatus, WaitlistStatus
from acuclinic.waitlist.models import FreedTime, WaitlistEntry, WaitlistOffer

IMMEDIATE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
SERVICE = "Medical acupuncture"


def _wait(patient, **overrides) -> WaitlistEntry:
    fields = {
        "patient": patient,
        "service": h.service(SERVICE),
        "location": h.location(),
        "weekdays": range(7),
        "earliest": time(8),
        "latest": time(20),
        "until": timezone.localdate() + timedelta(days=30),
    }
    fields.update(overrides)
    return waitlist.entry_add(**fields)


def _room():
    return Room.objects.order_by("pk").first()


@pytest.fixture
def start():
    return h.a_weekday_at(10)


@pytest.fixture
def waiting(clinic, practitioner):
    """Three patients waiting, joined in this order: Ann, Ben, Cat."""
    return [
        _wait(factories.patient(given_name=name, email=f"{name.lower()}@example.test"))
        for name in ("Ann", "Ben", "Cat")
    ]


def _offer_freed(practitioner, start, minutes: int = 30):
    return waitlist.offer_freed_time(
        practitioner=practitioner,
        location=h.location(),
        start=start,
        end=start + timedelta(minutes=minutes),
    )


def _tokens() -> dict[str, str]:
    """Each offer's link token, by the email it went to."""
    return {
        m.recipient: re.search(r"/book/offer/([^/\s]+)/", m.body)[1]
        for m in Message.objects.filter(kind="waitlist_offer")
    }


def _offer_url(email: str) -> str:
    return reverse("waitlist_offer", args=[_tokens()[email]])


# Offering a freed time ---------------------------------------------------------------------


@pytest.mark.django_db
def test_a_cancellation_offers_the_time_to_waiting_patients_in_the_order_they_joined(
    waiting, practitioner, start, django_capture_on_commit_callbacks
):
    booked = factories.appointment(
        patient=factories.patient(), practitioner=practitioner, start=start
    )

    with override_settings(TASKS=IMMEDIATE_TASKS), django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(booked, reason="Unwell")

    offers = list(WaitlistOffer.objects.order_by("position"))
    assert [(o.entry, o.position, o.start, o.practitioner) for o in offers] == [
        (entry, n, start, practitioner) for n, entry in enumerate(waiting, start=1)
    ]
    emails = list(Message.objects.filter(kind="waitlist_offer").order_by("pk"))
    assert [m.recipient for m in emails] == [
        "ann@example.test",
        "ben@example.test",
        "cat@example.test",
    ]
    assert "the first to accept gets it" in emails[0].body
    assert h.location().name in emails[0].body


@pytest.mark.django_db
def test_the_offers_are_worked_out_by_the_worker_not_in_the_request(
    waiting, practitioner, start, django_capture_on_commit_callbacks
):
    booked = factories.appointment(
        patient=factories.patient(), practitioner=practitioner, start=start
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(booked)

    task = DBTaskResult.objects.get()
    assert task.task_path == "acuclinic.waitlist.tasks.offer_freed_time_task"
    assert not WaitlistOffer.objects.exists()


@pytest.mark.django_db
def test_nothing_is_queued_when_nobody_waits_at_that_location(
    clinic, practitioner, start, django_capture_on_commit_callbacks
):
    booked = factories.appointment(
        patient=factories.patient(), practitioner=practitioner, start=start
    )

    with django_capture_on_commit_callbacks(execute=True):
        services.appointment_cancel(booked)

    assert not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_a_move_offers_the_time_it_left(
    waiting, practitioner, start, django_capture_on_commit_callbacks
):
    booked = factories.appointment(
        patient=factories.patient(), practitioner=practitioner, start=start
    )

    with override_settings(TASKS=IMMEDIATE_TASKS), django_capture_on_commit_callbacks(execute=True):
        services.appointment_move(booked, start=start + timedelta(days=1))

    assert {o.start for o in WaitlistOffer.objects.all()} == {start}
    assert WaitlistOffer.objects.count() == 3


@pytest.mark.django_db
def test_only_patients_the_time_suits_are_offered_it(clinic, practitioner, start):
    colleague = factories.practitioner("colleague", qualified_medical=True)
    day = start.date()
    other_day = (start.weekday() + 1) % 7

    def someone(**overrides):
        return _wait(factories.patient(), **overrides)

    suits = someone(practitioners=[practitioner], weekdays=[start.weekday()])
    someone(weekdays=[other_day])
    someone(earliest=time(12), latest=time(17))
    someone(earliest=time(8), latest=time(10, 15))  # ends 10:30
    someone(practitioners=[colleague])
    someone(until=day - timedelta(days=1))
    someone(service=h.service("Traditional acupuncture"))  # the practitioner cannot needle it
    busy = someone()
    factories.appointment(
        patient=busy.patient, practitioner=colleague, start=start, room=Room.objects.last()
    )
    earlier = factories.patient()
    already_sooner = _wait(
        earlier,
        appointment=factories.appointment(
            patient=earlier, practitioner=practitioner, start=start - timedelta(days=1)
        ),
    )
    waitlist.entry_remove(someone())

    offers = _offer_freed(practitioner, start)

    assert [o.entry for o in offers] == [suits]
    assert already_sooner not in [o.entry for o in offers]


@pytest.mark.django_db
def test_a_freed_time_goes_to_at_most_five_at_once(clinic, practitioner, start):
    entries = [_wait(factories.patient()) for _ in range(7)]

    offers = _offer_freed(practitioner, start)

    assert [o.entry for o in offers] == entries[:5]


@pytest.mark.django_db
def test_a_time_too_close_to_answer_in_time_is_not_offered(clinic, practitioner, waiting):
    soon = (timezone.now() + timedelta(hours=12, minutes=30)).replace(second=0, microsecond=0)

    assert _offer_freed(practitioner, soon) == []


@pytest.mark.django_db
def test_the_same_freed_time_is_not_offered_twice_to_anyone(waiting, practitioner, start):
    _offer_freed(practitioner, start)
    again = _offer_freed(practitioner, start)

    assert again == []
    assert WaitlistOffer.objects.count() == 3
    assert FreedTime.objects.count() == 1


# Answering an offer ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_first_to_accept_gets_it_and_the_others_are_told_it_has_gone(
    client, waiting, practitioner, start
):
    _offer_freed(practitioner, start)
    ann, ben, _cat = waiting

    shown = client.get(_offer_url("ben@example.test"))
    accepted = client.post(_offer_url("ben@example.test"), {"answer": "accept"})

    assert "Yes, book this time" in shown.content.decode()
    assert accepted.status_code == 200
    assert "It is yours" in accepted.content.decode()
    appointment = Appointment.objects.get(patient=ben.patient)
    assert (appointment.start, appointment.practitioner, appointment.channel) == (
        start,
        practitioner,
        "web",
    )
    ben.refresh_from_db()
    assert (ben.status, ben.booked) == (WaitlistStatus.BOOKED, appointment)
    statuses = dict(WaitlistOffer.objects.values_list("entry__patient__given_name", "status"))
    assert statuses == {
        "Ann": OfferStatus.GONE,
        "Ben": OfferStatus.ACCEPTED,
        "Cat": OfferStatus.GONE,
    }
    gone = Message.objects.filter(kind="waitlist_gone").values_list("recipient", flat=True)
    assert sorted(gone) == ["ann@example.test", "cat@example.test"]
    late = client.post(_offer_url("ann@example.test"), {"answer": "accept"})
    assert late.status_code == 410
    assert "Sorry, this time has gone" in late.content.decode()
    assert Appointment.objects.filter(start=start).count() == 1
    ann.refresh_from_db()
    assert ann.status == WaitlistStatus.WAITING


@pytest.mark.django_db(transaction=True)
def test_two_patients_accepting_at_once_one_books_and_the_other_is_told_it_has_gone(
    waiting, practitioner, start
):
    _offer_freed(practitioner, start)
    tokens = _tokens()
    racers = [tokens["ann@example.test"], tokens["cat@example.test"]]
    barrier = threading.Barrier(len(racers))
    outcomes, lock = [], threading.Lock()

    def accept(token: str) -> None:
        try:
            barrier.wait()
            waitlist.offer_accept(token)
            result = "booked"
        except waitlist.OfferUnusable as exc:
            result = exc.code
        finally:
            connection.close()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=accept, args=(t,)) for t in racers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(outcomes) == ["booked", "offer_gone"]
    assert Appointment.objects.filter(start=start, status=AppointmentStatus.BOOKED).count() == 1
    assert WaitlistOffer.objects.filter(status=OfferStatus.ACCEPTED).count() == 1
    winner = WaitlistOffer.objects.get(status=OfferStatus.ACCEPTED)
    assert winner.appointment.patient == winner.entry.patient
    assert WaitlistEntry.objects.filter(status=WaitlistStatus.BOOKED).count() == 1


@pytest.mark.django_db
def test_an_offer_link_works_once(client, waiting, practitioner, start):
    _offer_freed(practitioner, start)
    url = _offer_url("ann@example.test")

    client.post(url, {"answer": "accept"})
    again = client.post(url, {"answer": "accept"})

    assert again.status_code == 410
    assert "You have already answered" in again.content.decode()
    assert Appointment.objects.filter(start=start).count() == 1


@pytest.mark.django_db
def test_an_expired_offer_books_nothing(client, waiting, practitioner, start):
    _offer_freed(practitioner, start)
    url = _offer_url("ann@example.test")

    with time_machine.travel(timezone.now() + waitlist.OFFER_VALID + timedelta(minutes=1)):
        response = client.post(url, {"answer": "accept"})

    assert response.status_code == 410
    assert "This offer has expired" in response.content.decode()
    assert not Appointment.objects.filter(start=start).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["nonsense", "x" * 300])
def test_an_unknown_offer_link_gets_a_clear_page(client, clinic, token):
    response = client.get(reverse("waitlist_offer", args=[token]))

    assert response.status_code == 404
    assert "This link is not recognised" in response.content.decode()


@pytest.mark.django_db
def test_no_thanks_keeps_the_patient_waiting_and_closes_the_link(
    client, waiting, practitioner, start
):
    _offer_freed(practitioner, start)
    url = _offer_url("ann@example.test")

    response = client.post(url, {"answer": "decline"})

    assert "You are still on the waitlist" in response.content.decode()
    ann = waiting[0]
    ann.refresh_from_db()
    assert ann.status == WaitlistStatus.WAITING
    assert WaitlistOffer.objects.get(entry=ann).status == OfferStatus.DECLINED
    assert client.post(url, {"answer": "accept"}).status_code == 410
    assert not Appointment.objects.filter(start=start).exists()


@pytest.mark.django_db
def test_accepting_brings_the_later_visit_forward_and_offers_its_old_time_on(
    client, clinic, practitioner, start, django_capture_on_commit_callbacks
):
    dora = factories.patient(given_name="Dora", email="dora@example.test")
    later = factories.appointment(
        patient=dora, practitioner=practitioner, start=start + timedelta(days=7)
    )
    _wait(dora, appointment=later)
    eve = _wait(factories.patient(given_name="Eve", email="eve@example.test"))
    _offer_freed(practitioner, start)

    with override_settings(TASKS=IMMEDIATE_TASKS), django_capture_on_commit_callbacks(execute=True):
        client.post(_offer_url("dora@example.test"), {"answer": "accept"})

    later.refresh_from_db()
    assert (later.start, later.status) == (start, AppointmentStatus.BOOKED)
    assert Appointment.objects.filter(patient=dora).count() == 1
    # Eve missed the first time, and is offered the one Dora left.
    offered_to_eve = WaitlistOffer.objects.filter(entry=eve).order_by("created_at")
    assert [o.start for o in offered_to_eve] == [start, start + timedelta(days=7)]


@pytest.mark.django_db
def test_a_time_booked_through_the_diary_first_has_gone_for_whoever_accepts(
    client, waiting, practitioner, start
):
    _offer_freed(practitioner, start)
    services.appointment_book(
        patient=factories.patient(),
        practitioner=practitioner,
        room=_room(),
        service=h.service(SERVICE),
        start=start,
    )

    response = client.post(_offer_url("ann@example.test"), {"answer": "accept"})

    assert response.status_code == 409
    assert "Sorry, this time has gone" in response.content.decode()
    assert Appointment.objects.filter(start=start).count() == 1
    assert set(WaitlistOffer.objects.values_list("status", flat=True)) == {OfferStatus.GONE}
    assert FreedTime.objects.get().taken_at is not None


@pytest.mark.django_db
def test_a_patient_who_cannot_take_the_time_leaves_it_on_offer_to_the_others(
    client, waiting, practitioner, start
):
    _offer_freed(practitioner, start)
    ann = waiting[0]
    colleague = factories.practitioner("colleague", qualified_medical=True)
    # Since the offer went, Ann has booked something else at that very time.
    factories.appointment(
        patient=ann.patient, practitioner=colleague, start=start, room=Room.objects.last()
    )

    response = client.post(_offer_url("ann@example.test"), {"answer": "accept"})

    assert response.status_code == 409
    assert "We could not book this for you" in response.content.decode()
    assert "already has an appointment then" in response.content.decode()
    assert FreedTime.objects.get().taken_at is None
    assert (
        "It is yours"
        in client.post(_offer_url("ben@example.test"), {"answer": "accept"}).content.decode()
    )


@pytest.mark.django_db
def test_an_offer_still_in_the_outbox_when_the_time_goes_is_not_sent(waiting, practitioner, start):
    _offer_freed(practitioner, start)
    offer_to_cat = Message.objects.get(kind="waitlist_offer", recipient="cat@example.test")
    assert waitlist.reason_not_to_send(offer_to_cat) == ""

    waitlist.offer_accept(_tokens()["ann@example.test"])

    assert "taken before this offer went" in waitlist.reason_not_to_send(offer_to_cat)
    told_cat = Message.objects.get(kind="waitlist_gone", recipient="cat@example.test")
    # Cat never got the offer, so she is not told that it has gone either.
    assert waitlist.gone_still_wanted(told_cat) == "The offer itself was never sent."
    Message.objects.filter(pk=offer_to_cat.pk).update(
        status=MessageStatus.SENT, sent_at=timezone.now()
    )
    assert waitlist.gone_still_wanted(told_cat) == ""


@pytest.mark.django_db
def test_an_offer_for_a_time_booked_through_the_diary_is_not_sent(waiting, practitioner, start):
    _offer_freed(practitioner, start)
    services.appointment_book(
        patient=factories.patient(),
        practitioner=practitioner,
        room=_room(),
        service=h.service(SERVICE),
        start=start,
    )

    message = Message.objects.filter(kind="waitlist_offer").first()

    assert "booked through the diary" in waitlist.reason_not_to_send(message)


# Staff: adding, seeing and removing entries ---------------------------------------------------


@pytest.mark.django_db
def test_reception_adds_a_patient_from_their_record_and_sees_the_entry_there(
    client, reception_user, practitioner, patient
):
    client.force_login(reception_user)
    record = client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert reverse("waitlist_add", args=[patient.pk]) in record

    response = client.post(
        reverse("waitlist_add", args=[patient.pk]),
        {
            "service": h.service(SERVICE).pk,
            "location": h.location().pk,
            "practitioners": [practitioner.pk],
            "weekdays": ["1", "3"],
            "earliest": "09:00",
            "latest": "13:00",
            "until": (timezone.localdate() + timedelta(days=21)).isoformat(),
            "notes": "Can come at short notice",
        },
    )

    entry = WaitlistEntry.objects.get()
    assert response["Location"] == reverse("waitlist_detail", args=[entry.pk])
    assert entry.weekdays_display == "Tue, Thu"
    assert list(entry.practitioners.all()) == [practitioner]
    record = client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "Medical acupuncture at Riverside" in record
    listing = client.get(reverse("waitlist_list")).content.decode()
    assert patient.full_name in listing.replace("&#x27;", "'")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"weekdays": []}, "Choose at least one day."),
        ({"earliest": "13:00", "latest": "09:00"}, "The latest time must be after the earliest."),
        ({"until": "2020-01-01"}, "Choose today or a later day."),
        ({"until": "2999-01-01"}, "A waitlist entry lasts at most a year."),
        ({"service": "999999"}, "Select a valid choice"),
        ({"earliest": "25:00"}, "Enter a valid time."),
    ],
)
def test_a_waitlist_entry_that_makes_no_sense_is_refused_and_nothing_written(
    client, reception_user, patient, changes, message
):
    client.force_login(reception_user)
    data = {
        "service": h.service(SERVICE).pk,
        "location": h.location().pk,
        "weekdays": ["1"],
        "earliest": "09:00",
        "latest": "13:00",
        "until": (timezone.localdate() + timedelta(days=21)).isoformat(),
        **changes,
    }

    response = client.post(reverse("waitlist_add", args=[patient.pk]), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not WaitlistEntry.objects.exists()


@pytest.mark.django_db
def test_a_patient_without_email_cannot_wait_for_emailed_offers(reception_user, clinic):
    phone_only = factories.patient(email="")

    with pytest.raises(InvalidRequest) as refused:
        _wait(phone_only)

    assert refused.value.code == "patient_has_no_email"


@pytest.mark.django_db
def test_a_patient_waits_once_for_the_same_thing(clinic, patient):
    _wait(patient)

    with pytest.raises(Conflict) as refused:
        _wait(patient, earliest=time(9))

    assert refused.value.code == "already_waiting"


@pytest.mark.django_db
def test_only_the_patients_own_upcoming_visit_of_the_same_service_can_be_brought_forward(
    clinic, practitioner, patient
):
    someone_else = factories.appointment(patient=factories.patient(), practitioner=practitioner)
    other_service = factories.appointment(
        patient=patient,
        practitioner=practitioner,
        service=h.service("Follow-up"),
        start=h.a_weekday_at(15),
    )

    for visit, code in (
        (someone_else, "appointment_not_theirs"),
        (other_service, "appointment_mismatch"),
    ):
        with pytest.raises(InvalidRequest) as refused:
            _wait(patient, appointment=visit)
        assert refused.value.code == code
    assert not WaitlistEntry.objects.exists()


@pytest.mark.django_db
def test_reception_removes_an_entry_and_it_is_offered_nothing_more(
    client, reception_user, waiting, practitioner, start
):
    ann = waiting[0]
    client.force_login(reception_user)

    client.post(reverse("waitlist_remove", args=[ann.pk]))
    offers = _offer_freed(practitioner, start)

    ann.refresh_from_db()
    assert (ann.status, ann.ended_at is not None) == (WaitlistStatus.REMOVED, True)
    assert ann not in [o.entry for o in offers]
    again = client.post(reverse("waitlist_remove", args=[ann.pk]), follow=True)
    assert "already removed" in again.content.decode()


# By API ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_api_adds_lists_shows_and_removes_waitlist_entries(
    reception_user, practitioner, patient
):
    from acuclinic.testing.api_client import as_user

    api = as_user(reception_user)
    created = api.post(
        "/waitlist",
        {
            "patient": patient.pk,
            "service": h.service(SERVICE).pk,
            "location": h.location().pk,
            "practitioners": [practitioner.pk],
            "weekdays": [0, 2],
            "earliest": "08:00",
            "latest": "12:00",
            "until": (timezone.localdate() + timedelta(days=30)).isoformat(),
        },
    )
    entry_id = created.json()["id"]

    assert created.status_code == 201
    assert created.json()["weekdays"] == [0, 2]
    assert created.json()["practitioners"] == [{"id": practitioner.pk, "name": practitioner.name}]
    # A time of day at the location, without an offset (and not declared as JSON
    # Schema's "time", which requires one: the contract test found the mismatch).
    assert (created.json()["earliest"], created.json()["latest"]) == ("08:00:00", "12:00:00")
    assert api.get("/waitlist", {"patient": patient.pk}).json()["count"] == 1
    assert api.get(f"/waitlist/{entry_id}").json()["offers"] == []
    removed = api.post(f"/waitlist/{entry_id}/remove")
    assert removed.json()["status"] == "removed"
    assert api.post(f"/waitlist/{entry_id}/remove").json()["code"] == "not_waiting"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"weekdays": []}, "invalid"),
        ({"weekdays": [7]}, "invalid_weekday"),
        ({"earliest": "12:00", "latest": "08:00"}, "window_reversed"),
        ({"earliest": "08:00+01:00"}, "invalid"),
        ({"until": "2020-01-01"}, "until_in_past"),
        ({"patient": 999999}, "unknown_patient"),
        ({"practitioners": [999999]}, "unknown_practitioner"),
        ({"appointment": 999999}, "unknown_appointment"),
        ({"surprise": True}, "invalid"),
    ],
)
def test_the_api_refuses_a_bad_waitlist_entry_and_writes_nothing(
    reception_user, patient, changes, code
):
    from acuclinic.testing.api_client import as_user

    body = {
        "patient": patient.pk,
        "service": h.service(SERVICE).pk,
        "location": h.location().pk,
        "weekdays": [0],
        "earliest": "08:00",
        "latest": "12:00",
        "until": (timezone.localdate() + timedelta(days=30)).isoformat(),
        **changes,
    }

    response = as_user(reception_user).post("/waitlist", body)

    assert response.status_code in (404, 422)
    assert response.json()["code"] == code
    assert not WaitlistEntry.objects.exists()

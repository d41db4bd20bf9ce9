"""Needle stock: received by lot, drawn down by each session (never lost under load),
refused when expired, recalled, short or another clinic's, and traced in a recall."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Clinic
from acuclinic.core.errors import Conflict, InvalidRequest, NotFound
from acuclinic.testing import factories
from acuclinic.testing import treatment as testing
from acuclinic.treatment import services
from acuclinic.treatment.models import NeedleLot, NeedleUse

TODAY = timezone.localdate


def receive(clinic, user, **fields):
    values = {
        "manufacturer": "Northgate Medical",
        "diameter_um": 250,
        "length_mm": 40,
        "lot_number": "NG-2291",
        "expires_on": TODAY() + timedelta(days=500),
        "quantity": 1000,
    }
    values.update(fields)
    return services.needle_lot_receive(clinic, user=user, **values)


def test_a_delivery_goes_into_stock_and_is_audited(clinic, admin_user):
    lot = receive(clinic, admin_user)
    assert (lot.quantity_received, lot.quantity_in_stock) == (1000, 1000)
    assert lot.size_display == "0.25 × 40 mm"
    assert lot.received_on == TODAY()
    assert str(lot) == "Northgate Medical 0.25 × 40 mm, lot NG-2291"
    assert AuditEntry.objects.filter(object_type="treatment.needlelot", action="create").exists()


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"manufacturer": "  "}, "manufacturer_required"),
        ({"lot_number": ""}, "lot_number_required"),
        ({"diameter_um": 25}, "invalid_diameter"),
        ({"diameter_um": "0.25"}, "invalid_diameter"),
        ({"length_mm": 0}, "invalid_length"),
        ({"quantity": -100}, "negative_count"),
        ({"quantity": 0}, "invalid_quantity"),
        ({"quantity": 100_001}, "invalid_quantity"),
        ({"expires_on": TODAY() - timedelta(days=1)}, "lot_already_expired"),
        ({"expires_on": TODAY()}, "lot_already_expired"),
        ({"received_on": TODAY() + timedelta(days=1)}, "received_in_future"),
    ],
)
def test_a_bad_delivery_is_refused_and_nothing_is_stocked(clinic, admin_user, fields, code):
    with pytest.raises(InvalidRequest) as refused:
        receive(clinic, admin_user, **fields)
    assert refused.value.code == code
    assert not NeedleLot.objects.exists()


def test_the_same_lot_is_not_stocked_twice(clinic, admin_user):
    receive(clinic, admin_user)
    with pytest.raises(Conflict) as refused:
        receive(clinic, admin_user)
    assert refused.value.code == "duplicate_lot"


def test_recording_needles_draws_the_lots_stock_down(note, prac_user, lot):
    use = services.needle_use_record(note, lot=lot, count=7, user=prac_user)
    lot.refresh_from_db()
    assert (use.count, lot.quantity_in_stock) == (7, 493)
    services.needle_use_record(note, lot=lot, count=3, user=prac_user)
    use.refresh_from_db()
    lot.refresh_from_db()
    assert (use.count, lot.quantity_in_stock) == (10, 490)
    assert NeedleUse.objects.count() == 1


def test_taking_a_lot_off_a_draft_puts_its_needles_back(note, prac_user, lot):
    use = services.needle_use_record(note, lot=lot, count=7, user=prac_user)
    services.needle_use_remove(note, use.pk, user=prac_user)
    lot.refresh_from_db()
    assert lot.quantity_in_stock == 500
    assert not NeedleUse.objects.exists()
    with pytest.raises(NotFound):
        services.needle_use_remove(note, use.pk, user=prac_user)


def _other_clinic_lot():
    other = Clinic.objects.create(name="Hillside Physio")
    return testing.needle_lot(other)


@pytest.mark.parametrize(
    ("make_lot", "count", "code"),
    [
        (lambda c: testing.needle_lot(c), -2, "negative_count"),
        (lambda c: testing.needle_lot(c), 0, "invalid_count"),
        (lambda c: testing.needle_lot(c), 501, "invalid_count"),
        (lambda c: testing.needle_lot(c), "7", "invalid_count"),
        (lambda c: _other_clinic_lot(), 5, "lot_other_clinic"),
        (
            lambda c: testing.needle_lot(c, expires_on=TODAY() - timedelta(days=1)),
            5,
            "lot_expired",
        ),
        (
            lambda c: testing.needle_lot(
                c, recalled_at=timezone.now(), recall_reason="Sterility breach"
            ),
            5,
            "lot_recalled",
        ),
        (lambda c: testing.needle_lot(c, quantity=4), 5, "lot_out_of_stock"),
    ],
)
def test_needles_from_a_bad_lot_or_a_bad_count_are_refused_and_stock_is_untouched(
    note, prac_user, clinic, make_lot, count, code
):
    lot = make_lot(clinic)
    before = lot.quantity_in_stock
    with pytest.raises((InvalidRequest, Conflict)) as refused:
        services.needle_use_record(note, lot=lot, count=count, user=prac_user)
    assert refused.value.code == code
    lot.refresh_from_db()
    assert lot.quantity_in_stock == before
    assert not NeedleUse.objects.exists()


def test_the_refusals_say_what_to_do(note, prac_user, clinic):
    expired = testing.needle_lot(clinic, expires_on=TODAY() - timedelta(days=3))
    with pytest.raises(Conflict) as refused:
        services.needle_use_record(note, lot=expired, count=5, user=prac_user)
    assert "do not use these needles" in refused.value.message
    short = testing.needle_lot(clinic, quantity=4)
    with pytest.raises(Conflict) as refused:
        services.needle_use_record(note, lot=short, count=5, user=prac_user)
    assert refused.value.message.startswith("Only 4 needles of lot")


def test_a_recall_marks_the_lot_and_lists_every_session_and_patient_that_used_it(
    clinic, practitioner, admin_user, lot
):
    patients = [factories.patient() for _ in range(3)]
    for hour, patient in zip((8, 10, 12), patients, strict=True):
        testing.signed_note(testing.ready_visit(patient, practitioner, hour=hour), lot)
    unused = testing.needle_lot(clinic)
    services.needle_lot_recall(lot, reason="Manufacturer notice FSN-24-117", user=admin_user)
    lot.refresh_from_db()
    assert lot.recalled_at is not None
    uses = services.recall_search(lot, user=admin_user)
    assert {u.note.patient for u in uses} == set(patients)
    assert services.recall_search(unused, user=admin_user) == []
    search = AuditEntry.objects.get(
        action="search", object_type="treatment.needlelot", object_id=str(lot.pk)
    )
    assert search.detail == "recall search: 3 sessions, 3 patients"


def test_the_lot_page_lists_its_sessions_in_statements_that_do_not_grow(
    client, practitioner, admin_user, lot, django_assert_num_queries
):
    # A lot's recall list runs to a thousand sessions and more: it is read in the same
    # statements for one session as for many, by several practitioners.
    second = factories.practitioner("second-prac", qualified_medical=True)
    testing.signed_note(testing.ready_visit(factories.patient(), practitioner, hour=8), lot)
    client.force_login(admin_user)
    url = reverse("treatment_lot", kwargs={"pk": lot.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as one:
        page = client.get(url)
    assert "1 session, 1 patient" in page.text
    for hour, who in [(10, practitioner), (11, second), (12, second)]:
        testing.signed_note(testing.ready_visit(factories.patient(), who, hour=hour), lot)
    with django_assert_num_queries(len(one)):
        page = client.get(url)
    assert "4 sessions, 4 patients" in page.text
    assert second.name in page.text and practitioner.name in page.text


def test_a_recall_needs_its_reason_and_happens_once(lot, admin_user):
    with pytest.raises(InvalidRequest) as refused:
        services.needle_lot_recall(lot, reason=" ", user=admin_user)
    assert refused.value.code == "recall_reason_required"
    services.needle_lot_recall(lot, reason="Notice", user=admin_user)
    with pytest.raises(Conflict) as refused:
        services.needle_lot_recall(lot, reason="Again", user=admin_user)
    assert refused.value.code == "lot_already_recalled"


@pytest.mark.django_db(transaction=True)
def test_sessions_drawing_from_one_lot_at_once_never_lose_a_decrement(clinic, practitioner):
    lot = testing.needle_lot(clinic, quantity=200)
    notes = []
    for hour in range(8, 16):
        patient = factories.patient()
        notes.append(testing.session_note(testing.ready_visit(patient, practitioner, hour=hour)))
    start = threading.Barrier(len(notes))
    errors = []

    def draw(note):
        try:
            start.wait()
            for _ in range(5):
                services.needle_use_record(note, lot=lot, count=3, user=practitioner.user)
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=draw, args=(note,)) for note in notes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    lot.refresh_from_db()
    assert lot.quantity_in_stock == 200 - 8 * 5 * 3
    assert sum(u.count for u in NeedleUse.objects.all()) == 8 * 5 * 3


@pytest.mark.django_db(transaction=True)
def test_concurrent_sessions_never_take_a_lot_below_zero(clinic, practitioner):
    lot = testing.needle_lot(clinic, quantity=10)
    notes = [
        testing.session_note(testing.ready_visit(factories.patient(), practitioner, hour=h))
        for h in range(8, 14)
    ]
    start = threading.Barrier(len(notes))
    outcomes = []

    def draw(note):
        try:
            start.wait()
            services.needle_use_record(note, lot=lot, count=4, user=practitioner.user)
            outcomes.append("taken")
        except Conflict as exc:
            outcomes.append(exc.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=draw, args=(note,)) for note in notes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["lot_out_of_stock"] * 4 + ["taken"] * 2
    lot.refresh_from_db()
    assert lot.quantity_in_stock == 2

"""Needle stock: received by lot, drawn down by each session (never lost under load),
refused when expired, recalled, short or another clinic's, and traced in a recall."""

import csv
import io
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
from acuclinic.core.formats import format_date
from acuclinic.testing import factories
from acuclinic.testing import treatment as testing
from acuclinic.treatment import services, views
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
    found = services.recall_search(lot, user=admin_user)
    assert {u.note.patient for u in found.uses} == set(patients)
    assert (found.sessions, found.patients, found.needles) == (3, 3, 3 * testing.LOW_BACK_NEEDLES)
    nothing = services.recall_search(unused, user=admin_user)
    assert (nothing.sessions, nothing.patients, nothing.needles) == (0, 0, 0)
    search = AuditEntry.objects.get(
        action="search", object_type="treatment.needlelot", object_id=str(lot.pk)
    )
    assert search.detail == "recall search: 3 sessions, 3 patients"


# The recall list's tests page by three, so a handful of sessions fills more than a page.
@pytest.fixture
def three_a_page(monkeypatch):
    monkeypatch.setattr(views, "SESSIONS_PER_PAGE", 3)


@pytest.fixture
def used_lot(clinic, practitioner, lot):
    """Five sessions over the last five days, newest on the 1st, by two practitioners for
    three patients (the first came three times), each with seven needles of ``lot``."""
    second = factories.practitioner("second-prac", qualified_medical=True)
    first = factories.patient(given_name="Ann", family_name="First", phone="+44 7700 900111")
    patients = [first, factories.patient(given_name="Bea", family_name="Second"), first]
    patients += [factories.patient(given_name="Cy", family_name="Third"), first]
    who = [practitioner, second, practitioner, second, practitioner]
    # Screened and consented before the first of the sessions.
    before = timezone.now() - timedelta(days=10)
    for patient in set(patients):
        factories.safety_questionnaire(patient, by=practitioner.user, when=before)
        factories.consent(patient, taken_by=practitioner, given_at=before)
    for days_ago, (patient, by) in enumerate(zip(patients, who, strict=True), start=1):
        visit = testing.ready_visit(patient, by, day=TODAY() - timedelta(days=days_ago))
        testing.signed_note(visit, lot)
    return lot


def lot_page(client, lot, **query):
    return client.get(reverse("treatment_lot", kwargs={"pk": lot.pk}), query)


def session_dates(page) -> list[str]:
    """The session dates the page lists, in its order, as shown."""
    table = page.text.split("<tbody>")[1].split("</tbody>")[0]
    return [
        cell.split(">", 1)[1].split("<", 1)[0]
        for cell in table.split('<td><a href="/treatment/notes/')[1:]
    ]


def shown(day_ago: int) -> str:
    return format_date(TODAY() - timedelta(days=day_ago))


def test_the_lot_page_counts_every_session_and_lists_a_page_at_a_time_newest_first(
    client, admin_user, used_lot, three_a_page
):
    client.force_login(admin_user)
    first = lot_page(client, used_lot)
    assert "5 sessions, 3 patients</strong>, 35 needles." in first.text
    assert "Sessions 1–3 of 5, newest first" in first.text
    assert session_dates(first) == [shown(1), shown(2), shown(3)]
    assert 'aria-current="page"><span class="visually-hidden">Page </span>1</a>' in first.text
    assert 'rel="next">Older sessions →' in first.text and 'rel="prev"' not in first.text

    rest = lot_page(client, used_lot, page=2)
    assert rest.status_code == 200
    assert "5 sessions, 3 patients</strong>, 35 needles." in rest.text
    assert "Sessions 4–5 of 5, newest first" in rest.text
    assert session_dates(rest) == [shown(4), shown(5)]
    assert "Ann First" in rest.text and "Cy Third" in rest.text and "Bea Second" not in rest.text
    assert 'rel="prev">← Newer sessions' in rest.text and 'rel="next"' not in rest.text


def test_a_lot_with_a_page_of_sessions_or_none_shows_no_page_links(
    client, admin_user, clinic, used_lot
):
    client.force_login(admin_user)
    page = lot_page(client, used_lot)
    assert "Sessions 1–5 of 5, newest first" in page.text
    assert 'aria-label="Pages of sessions"' not in page.text
    unused = lot_page(client, testing.needle_lot(clinic))
    assert "No session has used this lot." in unused.text and "Download" not in unused.text


@pytest.mark.parametrize(
    ("asked", "status", "says"),
    [
        ("3", 404, "There is no page “3” of this list: its sessions fill pages 1 to 2."),
        ("0", 404, "There is no page “0” of this list: its sessions fill pages 1 to 2."),
        ("last", 400, "There is no page “last” of this list: its sessions fill pages 1 to 2."),
    ],
)
def test_a_page_that_is_not_there_is_answered_with_the_pages_that_are(
    client, admin_user, used_lot, three_a_page, asked, status, says
):
    client.force_login(admin_user)
    page = lot_page(client, used_lot, page=asked)
    assert page.status_code == status
    assert says in page.text
    assert '<a href="?page=1#sessions">Go to the first page</a>' in page.text
    assert '<a href="?page=2#sessions">the last</a>' in page.text
    # The lot itself is still shown, with its totals.
    assert f"Lot {used_lot.lot_number}" in page.text and "5 sessions, 3 patients" in page.text


def test_the_whole_list_downloads_as_csv_for_the_phone_round_and_is_audited(
    client, admin_user, used_lot, practitioner, three_a_page
):
    client.force_login(admin_user)
    response = lot_page(client, used_lot, download="csv")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    name = f"lot-{used_lot.lot_number.lower()}-sessions.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{name}"'
    assert "no-store" in response["Cache-Control"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["Session date", "Patient", "Phone", "Email", "Practitioner", "Needles"]
    assert len(rows) == 1 + 5  # every session, not a page of them
    assert [row[0] for row in rows[1:]] == [
        (TODAY() - timedelta(days=n)).isoformat() for n in range(1, 6)
    ]
    # A phone number's "+" is kept as text, not read by a spreadsheet as a number.
    assert rows[1][1:3] == ["Ann First", "'+44 7700 900111"]
    assert rows[1][4] == practitioner.name and rows[1][5] == "7"
    download = AuditEntry.objects.get(
        action="search", object_id=str(used_lot.pk), detail__endswith="as CSV"
    )
    assert download.detail == "recall search: 5 sessions, 3 patients, downloaded as CSV"
    assert download.actor == admin_user


def test_a_name_typed_like_a_formula_downloads_as_text(client, admin_user, practitioner, lot):
    patient = factories.patient(given_name="=HYPERLINK(1)", family_name="Smith")
    testing.signed_note(testing.ready_visit(patient, practitioner), lot)
    client.force_login(admin_user)
    response = lot_page(client, lot, download="csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[1][1] == "'=HYPERLINK(1) Smith"


@pytest.mark.parametrize("role", ["reception", "practitioner"])
def test_staff_who_may_not_trace_see_the_lot_but_neither_its_sessions_nor_their_download(
    client, users, used_lot, role
):
    client.force_login(users[role])
    page = lot_page(client, used_lot)
    assert page.status_code == 200 and f"Lot {used_lot.lot_number}" in page.text
    assert "Sessions that used this lot" not in page.text and "Ann First" not in page.text
    assert "download=csv" not in page.text
    refused = lot_page(client, used_lot, download="csv")
    assert refused.status_code == 403 and b"Ann First" not in refused.content
    assert AuditEntry.objects.filter(action="denied", actor=users[role]).exists()
    assert not AuditEntry.objects.filter(action="search", actor=users[role]).exists()


def test_someone_without_a_role_or_not_signed_in_gets_neither_the_page_nor_the_download(
    client, users, used_lot
):
    client.force_login(users["outsider"])
    assert lot_page(client, used_lot).status_code == 403
    assert lot_page(client, used_lot, download="csv").status_code == 403
    client.logout()
    response = lot_page(client, used_lot, download="csv")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_the_lot_page_and_its_download_read_in_statements_that_do_not_grow(
    client, practitioner, admin_user, lot, django_assert_num_queries, three_a_page
):
    # A lot's recall list runs to a thousand sessions and more, by several practitioners:
    # a page of it, and the whole list downloaded, take the same statements for one
    # session as for many.
    second = factories.practitioner("second-prac", qualified_medical=True)
    testing.signed_note(testing.ready_visit(factories.patient(), practitioner, hour=8), lot)
    client.force_login(admin_user)
    lot_page(client, lot)
    with CaptureQueriesContext(connection) as page_of_one:
        page = lot_page(client, lot)
    assert "1 session, 1 patient" in page.text
    with CaptureQueriesContext(connection) as download_of_one:
        b"".join(lot_page(client, lot, download="csv").streaming_content)
    for hour, who in [(10, practitioner), (11, second), (12, second), (13, second)]:
        testing.signed_note(testing.ready_visit(factories.patient(), who, hour=hour), lot)
    pages = []
    for asked in (1, 2):
        with django_assert_num_queries(len(page_of_one)):
            pages.append(lot_page(client, lot, page=asked).text)
        assert "5 sessions, 5 patients" in pages[-1]
    assert second.name in pages[0] and practitioner.name in pages[1]
    with django_assert_num_queries(len(download_of_one)):
        body = b"".join(lot_page(client, lot, download="csv").streaming_content)
    assert body.count(b"\n") == 1 + 5


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

"""Clinic admins browse the audit trail, filter it and page through it."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditEntry
from acuclinic.testing import factories

URL = reverse("audit_list")
LONDON = ZoneInfo("Europe/London")


def at(year, month, day, hour=12, minute=0):
    return time_machine.travel(datetime(year, month, day, hour, minute, tzinfo=LONDON), tick=False)


@pytest.fixture
def trail(users, patient):
    """Three days of June (British Summer Time, UTC+1): reception opens a record, a
    practitioner changes it late one evening, reception opens another just after midnight
    (still the day before in UTC)."""
    other = factories.patient()
    with at(2026, 6, 2, 9, 15):
        audit.record("view", patient, user=users["reception"])
    with at(2026, 6, 3, 23, 30):
        audit.record("change", patient, user=users["practitioner"], changed_fields=["phone"])
    with at(2026, 6, 4, 0, 30):
        audit.record("view", other, user=users["reception"])
    return {"patient": patient, "other": other}


@pytest.fixture
def as_admin(client, admin_user):
    client.force_login(admin_user)
    return client


def listed(response) -> list[tuple[str, str]]:
    # The admin's own sign-in for the test is in the trail too; it is not what is tested.
    return [(e.actor_username, e.action) for e in response.context["page"] if e.action != "login"]


def test_it_lists_entries_newest_first_in_uk_time(as_admin, trail):
    response = as_admin.get(URL)
    assert response.status_code == 200
    assert listed(response)[:3] == [
        ("reception", "view"),
        ("prac", "change"),
        ("reception", "view"),
    ]
    page = response.content.decode()
    assert "Wed 3 Jun 2026, 23:30" in page
    assert "Entries cannot be changed or deleted." in page


def test_it_filters_by_user_whatever_the_case(as_admin, trail):
    response = as_admin.get(URL, {"user": "PRAC"})
    assert listed(response) == [("prac", "change")]


def test_it_filters_by_action(as_admin, trail):
    response = as_admin.get(URL, {"action": "view"})
    assert {action for _, action in listed(response)} == {"view"}


def test_it_filters_by_record_type(as_admin, trail):
    as_admin.get(reverse("patient_list"), {"q": "x"})  # a search, not about one record
    response = as_admin.get(URL, {"object_type": "people.patient", "action": "search"})
    assert listed(response) == [("admin", "search")]


def test_a_record_type_finds_entries_from_before_its_app_moved(as_admin, users):
    # The trail is append-only: enquiries recorded while scheduling owned them keep the
    # name "scheduling.enquiry", and a search by either name finds both.
    audit.record("view", object_type="scheduling.enquiry", user=users["reception"])
    audit.record("view", object_type="enquiries.enquiry", user=users["practitioner"])
    audit.record("view", object_type="waitlist.waitlistentry", user=users["admin"])

    for name in ("enquiries.enquiry", "scheduling.enquiry"):
        response = as_admin.get(URL, {"object_type": name})
        assert sorted(listed(response)) == [("prac", "view"), ("reception", "view")]


def test_it_answers_who_has_seen_this_patient(as_admin, trail):
    response = as_admin.get(URL, {"patient": trail["patient"].pk})
    assert listed(response) == [("prac", "change"), ("reception", "view")]


def test_a_date_range_includes_whole_days_in_uk_time(as_admin, trail):
    response = as_admin.get(URL, {"since": "2026-06-03", "until": "2026-06-03"})
    assert listed(response) == [("prac", "change")]
    response = as_admin.get(URL, {"since": "2026-06-04", "until": "2026-06-04"})
    assert listed(response) == [("reception", "view")]
    response = as_admin.get(URL, {"until": "2026-06-02"})
    assert listed(response) == [("reception", "view")]


def test_an_end_before_the_start_is_an_error_and_lists_nothing(as_admin, trail):
    response = as_admin.get(URL, {"since": "2026-06-04", "until": "2026-06-02"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["“To” must be on or after “From”."]
    assert "There is a problem" in response.content.decode()
    assert listed(response) == []


@pytest.mark.parametrize(
    ("field", "value"), [("since", "yesterday"), ("patient", "abc"), ("action", "erase")]
)
def test_a_malformed_filter_is_shown_on_its_field(as_admin, trail, field, value):
    response = as_admin.get(URL, {field: value})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert f'id="id_{field}_error"' in response.content.decode()


def test_it_shows_fifty_entries_a_page_and_keeps_the_filter_between_pages(
    as_admin, reception_user, patient
):
    for _ in range(120):
        audit.record("view", patient, user=reception_user)
    response = as_admin.get(URL, {"user": "reception"})
    assert len(response.context["page"]) == 50
    page = response.content.decode()
    assert "Page 1 of 3" in page
    assert 'href="?user=reception&amp;page=2"' in page
    response = as_admin.get(URL, {"user": "reception", "page": 3})
    assert len(response.context["page"]) == 20
    assert "Page 3 of 3" in response.content.decode()


@pytest.mark.parametrize("page", ["0", "999", "last-ish"])
def test_a_page_number_out_of_range_shows_a_page_not_an_error(as_admin, trail, page):
    response = as_admin.get(URL, {"page": page})
    assert response.status_code == 200


@pytest.mark.parametrize("role", ["practitioner", "reception", "outsider"])
def test_only_clinic_admins_can_browse_the_trail(client, users, role):
    client.force_login(users[role])
    assert client.get(URL).status_code == 403
    assert AuditEntry.objects.filter(action="denied", actor=users[role], detail=URL).exists()


def test_the_trail_offers_no_way_to_change_or_delete_entries(as_admin, trail):
    main = as_admin.get(URL).content.decode().split("<main", 1)[1].split("</main>", 1)[0]
    assert 'method="post"' not in main
    assert 'method="get"' in main


def test_entries_are_stored_in_utc(trail):
    entry = AuditEntry.objects.get(action="view", patient_id=trail["other"].pk)
    assert entry.at.astimezone(UTC).date() == date(2026, 6, 3)
    assert entry.at.astimezone(LONDON).date() == date(2026, 6, 4)

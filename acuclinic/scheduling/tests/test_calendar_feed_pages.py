"""The calendar feed pages: a practitioner makes, replaces and stops their subscription
URL; a clinic admin can stop anyone's."""

import re
from html import escape

import pytest
from django.urls import reverse

from acuclinic.audit.models import AuditEntry
from acuclinic.people.models import CalendarFeedToken
from acuclinic.scheduling.feeds import tokens as feed_tokens

URL = re.compile(r'id="feed-url" type="text" readonly value="([^"]+)"')


def _make_url(client, user) -> str:
    client.force_login(user)
    response = client.post(reverse("calendar_feed"))
    assert response.status_code == 200
    found = URL.search(response.content.decode())
    assert found, "the new URL is shown"
    assert "no-store" in response["Cache-Control"]
    return found.group(1)


def test_a_practitioner_makes_a_subscription_url_that_works(client, practitioner_user):
    url = _make_url(client, practitioner_user)
    assert url.startswith("http://testserver/calendar/cal_")
    assert url.endswith(".ics")
    client.logout()  # a calendar program has no session
    assert client.get(url.removeprefix("http://testserver")).status_code == 200


def test_the_url_is_shown_once_only(client, practitioner_user):
    url = _make_url(client, practitioner_user)
    page = client.get(reverse("calendar_feed")).content.decode()
    assert url not in page
    assert "Live" in page
    token = CalendarFeedToken.objects.get()
    assert f"{token.prefix}…" in page


def test_making_a_new_url_stops_the_old_one(client, practitioner_user):
    old = _make_url(client, practitioner_user).removeprefix("http://testserver")
    new = _make_url(client, practitioner_user).removeprefix("http://testserver")
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200


def test_a_practitioner_stops_their_feed(client, practitioner_user):
    url = _make_url(client, practitioner_user).removeprefix("http://testserver")
    response = client.post(reverse("calendar_feed_revoke"), follow=True)
    assert "Your calendar feed is stopped." in response.content.decode()
    assert client.get(url).status_code == 404
    token = CalendarFeedToken.objects.get()
    assert token.revoked_by == practitioner_user
    assert AuditEntry.objects.filter(
        action="change", object_type="people.calendarfeedtoken", detail="calendar feed revoked"
    ).exists()


def test_stopping_a_feed_that_does_not_exist_says_so(client, practitioner_user):
    client.force_login(practitioner_user)
    response = client.post(reverse("calendar_feed_revoke"), follow=True)
    assert "has no calendar feed to stop" in response.content.decode()


def test_a_clinic_admin_sees_everyones_feed_and_stops_one(client, admin_user, practitioner):
    token, secret = feed_tokens.calendar_feed_issue(practitioner, user=practitioner.user)
    client.force_login(admin_user)
    page = client.get(reverse("calendar_feeds")).content.decode()
    assert escape(practitioner.name) in page
    assert f"{token.prefix}…" in page
    assert secret not in page

    client.post(reverse("calendar_feed_revoke_for", args=[practitioner.pk]))

    token.refresh_from_db()
    assert token.revoked_by == admin_user
    assert client.get(reverse("calendar_feed_ics", args=[secret])).status_code == 404


def test_staff_who_are_not_practitioners_are_refused_their_own_feed_page(client, reception_user):
    client.force_login(reception_user)
    assert client.get(reverse("calendar_feed")).status_code == 403
    assert client.post(reverse("calendar_feed")).status_code == 403
    assert not CalendarFeedToken.objects.exists()


@pytest.mark.parametrize(("role", "shown"), [("practitioner", True), ("reception", False)])
def test_the_calendar_feed_link_is_in_the_header_for_practitioners_only(client, users, role, shown):
    client.force_login(users[role])
    page = client.get(reverse("diary")).content.decode()
    assert (reverse("calendar_feed") in page) is shown

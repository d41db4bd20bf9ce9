"""In the browser, at a desk screen's width: a new clinic's admin sets the clinic up —
a practitioner with their credentials and a service they offer, a location with its
opening hours and a room — and every page passes axe (issue 15, point 6)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from acuclinic.clinic.models import Location, Service
from acuclinic.people.models import Practitioner
from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser


@pytest.fixture
def new_clinic(transactional_db):
    factories.build_clinic()
    # The account as the staff page's invitation makes it; its password set from the link.
    factories.staff_user("nia", role="Practitioner", first_name="Nia", last_name="Cole")
    return factories.staff_user("boss", role="Clinic admin")


def _sign_in(page, live_server):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(live_server.url + "/login/")
    page.get_by_label("Username").fill("boss")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diary")
    page.get_by_role("link", name="Clinic set-up").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Clinic details")


def _record(page, kind, body, number, until):
    form = page.locator("form", has=page.get_by_role("button", name="Record credential"))
    form.get_by_label("Kind").select_option(label=kind)
    form.get_by_label("Body").fill(body)
    form.get_by_label("Number").fill(number)
    form.get_by_label("Valid from").fill((timezone.localdate() - timedelta(days=30)).isoformat())
    form.get_by_label("Valid until").fill(until.isoformat())
    form.get_by_role("button", name="Record credential").click()


def test_a_new_clinics_admin_adds_a_practitioner_with_credentials_and_a_service(
    live_server, page, new_clinic
):
    _sign_in(page, live_server)
    nav = page.get_by_role("navigation", name="Clinic set-up")

    nav.get_by_role("link", name="Services and prices").click()
    page.get_by_role("link", name="Add a service").click()
    assert_accessible(page)
    page.get_by_label("Name").fill("Electro-acupuncture")
    page.get_by_label("Kind of visit").select_option(label="Medical (western) acupuncture")
    page.get_by_label("Length (minutes)").fill("40")
    page.get_by_label("Base price (£)").fill("60.00")
    page.get_by_role("button", name="Save service").click()
    expect(page.get_by_role("cell", name="Electro-acupuncture")).to_be_visible()

    nav.get_by_role("link", name="Practitioners").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Practitioners")
    expect(page.get_by_role("link", name="Staff accounts").first).to_have_attribute(
        "href", "/account/staff/"
    )
    assert_accessible(page)
    page.get_by_role("link", name="Add a practitioner").click()
    assert_accessible(page)
    page.get_by_label("Staff account").select_option(label="Nia Cole (nia)")
    page.get_by_label("Profession").select_option(label="Physiotherapist")
    page.get_by_label("Qualified in medical acupuncture").check()
    page.get_by_role("button", name="Add practitioner").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Nia Cole")
    expect(
        page.get_by_role("heading", name="Cannot be booked for acupuncture today")
    ).to_be_visible()
    assert_accessible(page)

    # A bad HCPC number is refused on its field, and nothing is recorded.
    until = timezone.localdate() + timedelta(days=365)
    _record(page, "Professional registration", "HCPC", "12345", until)
    expect(
        page.get_by_text("An HCPC physiotherapist number looks like PH12345.").first
    ).to_be_visible()
    assert_accessible(page)
    _record(page, "Professional registration", "HCPC", "PH12345", until)
    _record(page, "Acupuncture body membership", "AACP", "A778", until)
    _record(
        page,
        "Professional indemnity insurance",
        "Test Mutual",
        "PI-99",
        timezone.localdate() + timedelta(days=20),
    )

    expect(page.get_by_text("Physiotherapist · HCPC PH12345")).to_be_visible()
    expect(
        page.get_by_role("heading", name="Cannot be booked for acupuncture today")
    ).to_have_count(0)
    expect(page.get_by_text("Ends in 20 days")).to_be_visible()

    page.get_by_label("Electro-acupuncture").check()
    page.get_by_role("textbox", name="Profile").fill("Sports injuries; speaks Welsh.")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status").first).to_contain_text("Saved Nia Cole's profile")
    expect(page.get_by_text("Offers: Electro-acupuncture.")).to_be_visible()
    assert_accessible(page)

    nav.get_by_role("link", name="Practitioners").click()
    row = page.get_by_role("row", name="Nia Cole")
    expect(row).to_contain_text("HCPC PH12345")
    expect(row).to_contain_text("May needle")
    expect(row).to_contain_text("Test Mutual professional indemnity insurance: ends")

    nia = Practitioner.objects.get(user__username="nia")
    assert nia.credentials.count() == 3
    assert list(nia.services.all()) == [Service.objects.get(name="Electro-acupuncture")]
    assert not nia.credential_problems(timezone.localdate())


def test_an_admin_adds_a_location_with_its_opening_hours_and_a_room(live_server, page, new_clinic):
    _sign_in(page, live_server)
    page.get_by_role("navigation", name="Clinic set-up").get_by_role(
        "link", name="Locations and rooms"
    ).click()
    assert_accessible(page)
    page.get_by_role("link", name="Add a location").click()
    page.get_by_label("Name").fill("Northgate")
    page.get_by_label("Address", exact=True).fill("12 Market Street")
    page.get_by_label("Town").fill("Testford")
    page.get_by_label("Postcode").fill("TE2 2ND")
    page.get_by_role("button", name="Save location").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Northgate")
    expect(page.get_by_text("closed every day")).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="Change opening hours").click()
    assert_accessible(page)
    page.get_by_label("Monday: opens", exact=True).fill("08:00")
    page.get_by_label("Monday: closes").first.fill("12:00")
    page.get_by_label("Monday: opens again").fill("11:00")
    page.get_by_label("Monday: closes").nth(1).fill("18:00")
    page.get_by_role("button", name="Save opening hours").click()
    expect(page.get_by_role("alert")).to_contain_text("overlap")
    assert_accessible(page)
    page.get_by_label("Monday: opens again").fill("13:00")
    page.get_by_label("Saturday: opens", exact=True).fill("09:00")
    page.get_by_label("Saturday: closes").first.fill("13:00")
    page.get_by_role("button", name="Save opening hours").click()
    expect(
        page.get_by_text("Monday 08:00–12:00, 13:00–18:00; Saturday 09:00–13:00.")
    ).to_be_visible()

    page.get_by_label("Room name").fill("Garden room")
    page.get_by_role("button", name="Add room").click()
    expect(page.get_by_role("cell", name="Garden room", exact=True)).to_be_visible()
    page.get_by_role("button", name="Retire Garden room").click()
    expect(page.get_by_role("status").first).to_contain_text("no longer offered for new bookings")
    expect(page.get_by_role("button", name="Bring Garden room back")).to_be_visible()
    assert_accessible(page)

    location = Location.objects.get(name="Northgate")
    assert location.opening_hours.count() == 3
    assert not location.rooms.get(name="Garden room").is_active

"""The staff pages work for people using a screen reader or a keyboard, and the core
flow works with JavaScript switched off."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.urls import reverse
from playwright.sync_api import expect

from acuclinic.people.models import Patient
from acuclinic.testing import factories

pytestmark = pytest.mark.browser

UNLABELLED_CONTROLS = """
() => Array.from(document.querySelectorAll("input, select, textarea"))
  .filter(el => !["hidden", "submit", "button"].includes(el.type))
  .filter(el => {
    const label = Array.from(el.labels || []).map(l => l.textContent.trim()).join("");
    return !label && !el.getAttribute("aria-label") && !el.getAttribute("aria-labelledby");
  })
  .map(el => el.name || el.id || el.outerHTML)
"""


@pytest.fixture
def front_desk(transactional_db):
    factories.build_clinic()
    sarah = factories.practitioner("sarah", qualified_medical=True).user
    sarah.first_name, sarah.last_name = "Sarah", "Patel"
    sarah.save()
    factories.staff_user("front", role="Reception", first_name="Rita", last_name="Desk")
    return factories.patient(given_name="Margaret", family_name="Okafor")


def sign_in(page, base_url):
    page.goto(base_url + reverse("login"))
    page.get_by_label("Username").fill("front")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diary")


AXE = Axe()
SCRIPT_TAG = re.compile(r"<script\b.*?</script>", re.DOTALL | re.IGNORECASE)


# The HTML parser reads what is inside <noscript> as markup only when scripting is off.
SCRIPTS_OFF = """
() => {
  const probe = document.createElement("div");
  probe.innerHTML = "<noscript><i></i></noscript>";
  return probe.querySelector("noscript i") !== null;
}
"""


def axe_results(page):
    """axe-core's findings on ``page``. axe runs on timers and promises, which a page
    opened with JavaScript off cannot run: such a page's document, as it stands, is
    checked in a tab of its own where only axe runs (the page's own scripts are left out,
    as they never ran).

    A click that navigates returns once the new page starts to arrive; on a busy machine
    its document can still be half parsed (a heading seen above, the main heading not yet
    there), so axe waits for the whole page to load."""
    page.wait_for_load_state("load")
    if not page.evaluate(SCRIPTS_OFF):
        return AXE.run(page)
    address, html = page.url, SCRIPT_TAG.sub("", page.content())
    context = page.context.browser.new_context(viewport=page.viewport_size)
    try:
        tab = context.new_page()
        tab.route(
            lambda url: url == address,
            lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8"),
        )
        tab.route("**/*.js", lambda route: route.abort())
        tab.goto(address)
        return AXE.run(tab)
    finally:
        context.close()


def assert_no_axe_violations(page) -> None:
    """axe-core's rules (WCAG 2.x A and AA, and its best practices) find nothing."""
    results = axe_results(page)
    assert results.violations_count == 0, results.generate_report()


def assert_accessible(page, *, signed_in: bool = True):
    assert_no_axe_violations(page)
    assert page.evaluate(UNLABELLED_CONTROLS) == []
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    expect(page.get_by_role("banner")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("contentinfo")).to_have_count(1)
    assert page.locator("html").get_attribute("lang") == "en-GB"
    if signed_in:
        # Before signing in there is nothing to navigate to, so no navigation landmark.
        expect(page.get_by_role("navigation", name="Main")).to_have_count(1)


def test_the_sign_in_page_is_labelled_and_has_its_landmarks(live_server, page, front_desk):
    page.goto(live_server.url + reverse("login"))
    assert_accessible(page, signed_in=False)
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")


@pytest.mark.parametrize(
    "path",
    [
        reverse("diary"),
        reverse("diary") + "?view=week",
        reverse("patient_list") + "?q=okafor",
        reverse("patient_create"),
        reverse("password_change"),
    ],
)
def test_each_staff_page_is_labelled_and_has_its_landmarks(live_server, page, front_desk, path):
    sign_in(page, live_server.url)
    page.goto(live_server.url + path)
    assert_accessible(page)


def test_the_patient_record_and_edit_form_are_labelled(live_server, page, front_desk):
    sign_in(page, live_server.url)
    page.goto(live_server.url + reverse("patient_detail", args=[front_desk.pk]))
    assert_accessible(page)
    page.goto(live_server.url + reverse("patient_edit", args=[front_desk.pk]))
    assert_accessible(page)


def test_the_credential_notice_naming_a_council_s_registration_is_accessible(
    live_server, page, front_desk
):
    # Sarah, a physiotherapist, works at Riverside, whose council registers acupuncture
    # under s.14; neither she nor the premises is registered yet.
    factories.license_location(council="Testford Borough Council", premises_from=False)
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill("sarah")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    notice = page.get_by_role("region", name="Your credentials")
    expect(notice).to_contain_text(
        "You cannot be booked for acupuncture or needle at Riverside: no Testford Borough "
        "Council acupuncture registration valid on"
    )
    expect(notice).to_contain_text("the premises at Riverside have no Testford Borough Council")
    assert_accessible(page)


def test_the_booking_form_is_labelled(live_server, page, front_desk):
    sign_in(page, live_server.url)
    page.goto(live_server.url + reverse("appointment_new") + f"?patient={front_desk.pk}")
    assert_accessible(page)
    expect(page.get_by_label("Service")).to_be_visible()
    expect(page.get_by_label("Booked by")).to_be_visible()


def test_form_errors_are_listed_at_the_top_and_link_to_their_fields(live_server, page, front_desk):
    sign_in(page, live_server.url)
    page.goto(live_server.url + reverse("patient_create"))
    page.get_by_role("button", name="Save").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    summary.get_by_role("link", name=re.compile("Given name")).click()
    expect(page.get_by_label("Given name")).to_be_focused()
    assert_accessible(page)


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(
        locale="en-GB", timezone_id="Europe/London", java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_adding_a_patient_works_without_javascript(live_server, no_js_page, front_desk):
    page = no_js_page
    sign_in(page, live_server.url)
    page.get_by_role("link", name="Patients").click()
    page.get_by_role("link", name="New patient").click()

    # A first try with a mistake: the server's message appears on the field.
    page.get_by_label("Given name").fill("Orla")
    page.get_by_label("Family name").fill("Brennan")
    page.get_by_label("Date of birth").fill("1985-06-30")
    page.get_by_label("Sex").select_option(label="Female")
    page.get_by_label("NHS number").fill("999 000 0019")
    page.get_by_label("Mobile phone").fill("07700 900456")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#id_nhs_number_error")).to_contain_text("not a valid NHS number")
    assert not Patient.objects.filter(family_name="Brennan").exists()

    page.get_by_label("NHS number").fill("999 000 0026")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Orla Brennan")
    expect(page.get_by_role("status")).to_contain_text("Orla Brennan added.")
    expect(page.get_by_text("NHS 999 000 0026")).to_be_visible()

    # And finding her again with the search box (submitted as a plain form).
    page.get_by_role("link", name="Patients").click()
    page.get_by_label("Find a patient").fill("07700 900456")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="BRENNAN, Orla")).to_be_visible()


def test_booking_from_a_free_time_in_the_diary_works_without_javascript(
    live_server, no_js_page, front_desk
):
    page = no_js_page
    day = factories.next_weekday_at(10).date()
    sign_in(page, live_server.url)
    page.goto(live_server.url + reverse("diary") + f"?date={day.isoformat()}")
    page.get_by_role("link", name="Book Sarah Patel at 10:30").click()

    # Step one: who is it for? The search is an ordinary form submission.
    page.get_by_label("Find a patient").fill("okafor")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Book for Margaret").click()

    # Step two: the time, practitioner and room chosen in the diary are already filled in.
    expect(page.get_by_label("Time")).to_have_value("10:30")
    expect(page.get_by_label("Date")).to_have_value(day.isoformat())
    page.get_by_label("Service").select_option(label="Medical acupuncture")
    page.get_by_role("button", name="Book").click()

    expect(page.get_by_role("status").first).to_contain_text("Booked Margaret Okafor")
    card = page.get_by_role("region", name="Sarah Patel").get_by_role(
        "link", name=re.compile("Margaret Okafor")
    )
    expect(card).to_contain_text("10:30–11:00")

"""The treatment pages in a real browser: labelled and landmarked for screen readers and
keyboards, and a whole session charted and signed with JavaScript switched off."""

import os
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.testing import factories
from acuclinic.testing import treatment as testing
from acuclinic.treatment import views
from acuclinic.treatment.models import SessionNote
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("ACUCLINIC_SCREENSHOTS")


@pytest.fixture
def clinic_today(transactional_db):
    factories.build_clinic()
    sarah = factories.practitioner("sarah", qualified_medical=True)
    sarah.user.first_name, sarah.user.last_name = "Sarah", "Patel"
    sarah.user.save()
    factories.staff_user("boss", role="Clinic admin", first_name="Ada", last_name="Boss")
    patient = factories.patient(given_name="Margaret", family_name="Okafor")
    visit = testing.ready_visit(patient, sarah)
    lot = testing.needle_lot(sarah.appointments.first().service.clinic)
    return visit, lot


def sign_in(tab, base_url, username):
    tab.goto(base_url + reverse("login"))
    tab.get_by_label("Username").fill(username)
    tab.get_by_label("Password").fill(factories.PASSWORD)
    tab.get_by_role("button", name="Sign in").click()


@pytest.fixture
def no_js_page(browser):
    context = browser.new_context(
        locale="en-GB", timezone_id="Europe/London", java_script_enabled=False
    )
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def test_a_session_is_charted_and_signed_without_javascript(live_server, no_js_page, clinic_today):
    visit, lot = clinic_today
    page = no_js_page
    sign_in(page, live_server.url, "sarah")
    # She lands on her own day: the visit with its session number and one click to the note.
    expect(page.get_by_role("heading", level=1)).to_contain_text("My day")
    expect(page.locator(f"#visit-{visit.pk}")).to_contain_text("Session 1 of the course")
    assert_accessible(page)
    page.get_by_role("link", name="Write the session note").click()
    page.get_by_role("button", name="Start the session note").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Session note")

    # Find a point by name, tick it, and type another code beside it.
    page.get_by_label("Find a point or muscle").fill("shenshu")
    page.get_by_role("button", name="Search", exact=True).click()
    page.get_by_label(re.compile("BL23 Shenshu")).check()
    page.get_by_label("Codes").fill("GV3, tp ql")
    page.get_by_label("Depth (mm)").fill("25")
    page.get_by_label("Retention (minutes)").fill("20")
    page.get_by_role("button", name="Chart these points").click()
    expect(page.get_by_role("status")).to_contain_text("Charted BL23, GV3, TP-QL")
    expect(page.locator(".body-chart .marker")).to_have_count(5)

    page.get_by_label("Needle lot").select_option(str(lot.pk))
    page.get_by_label("Needles from this lot").fill("5")
    page.get_by_role("button", name="Record needles").click()

    page.get_by_label("Pain before treatment (0–10)").fill("7")
    page.get_by_label("Needles counted out").fill("5")
    page.get_by_label("Needles counted back in").fill("4")
    page.get_by_label(re.compile("Keep the needle sites clean")).check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("button", name="Sign the note").click()
    expect(page.get_by_role("alert")).to_contain_text("5 needles counted out but 4 counted back in")

    page.get_by_label("Needles counted back in").fill("5")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("button", name="Sign the note").click()
    expect(page.locator(".note-state")).to_contain_text("Signed by Sarah Patel")
    assert SessionNote.objects.get(appointment=visit).is_signed
    assert_accessible(page)

    # Signing completed the visit; tomorrow's visit says what must come before its note.
    page.get_by_role("link", name=re.compile("Medical acupuncture, ")).click()
    expect(page.locator("dd.status-completed")).to_have_text("Completed")
    tomorrow = testing.ready_visit(
        visit.patient,
        visit.practitioner,
        day=visit.start.date() + timedelta(days=1),
        status=AppointmentStatus.BOOKED,
    )
    page.goto(live_server.url + reverse("appointment_detail", args=[tomorrow.pk]))
    expect(page.locator(".treatment-link")).to_contain_text("mark the patient as arrived first")
    # One count of sessions: the signed visit was session 1, tomorrow's is session 2.
    expect(page.locator(".course-session")).to_have_text("Session 2 of the course")

    # The patient record: a summary on top, its parts as tabs (no JavaScript needed).
    page.goto(live_server.url + reverse("patient_detail", args=[visit.patient.pk]))
    summary = page.get_by_role("region", name="Summary", exact=True)
    expect(summary).to_contain_text("Last pain score")
    expect(summary).to_contain_text("7/10")
    expect(page.locator("#part-details")).to_be_visible()
    expect(page.locator("#part-outcomes")).to_be_hidden()
    page.get_by_role("navigation", name="Parts of the record").get_by_role(
        "link", name="Treatment"
    ).click()
    expect(page.locator("#part-treatment")).to_be_visible()
    expect(page.locator("#part-details")).to_be_hidden()
    assert_accessible(page)


def test_the_treatment_pages_are_labelled_and_have_their_landmarks(
    live_server,
    page,
    clinic_today,
):
    visit, lot = clinic_today
    note = testing.charted_note(visit, lot)
    sign_in(page, live_server.url, "sarah")
    for path in (
        reverse("treatment_note", args=[note.pk]),
        reverse("treatment_points") + "?q=gluteus",
        reverse("treatment_home"),
        reverse("treatment_prescriptions"),
    ):
        page.goto(live_server.url + path)
        assert_accessible(page)
    page.goto(live_server.url + reverse("treatment_note", args=[note.pk]))
    chart = page.get_by_role("img", name="Body chart of this session")
    expect(chart).to_be_visible()

    # An adverse event, with the question that decides whether it is significant.
    page.get_by_text("Record an adverse event").click()
    form = page.locator("#events")
    form.get_by_label("Type of event").select_option("worsened_symptoms")
    form.get_by_label("Mild").check()
    question = form.get_by_role("group", name="Was it severe, unusual or lasting?")
    question.get_by_label("Yes").check()
    form.get_by_label("Action taken").fill("Lighter treatment next time.")
    form.get_by_role("button", name="Record event").click()
    event = page.locator("#events .event")
    expect(event).to_contain_text("Significant")
    expect(event).to_contain_text("judged severe, unusual or lasting")
    assert_accessible(page)
    page.get_by_role("button", name="Sign the note").click()
    expect(page.locator(".note-state")).to_contain_text("Signed")

    page.context.clear_cookies()
    sign_in(page, live_server.url, "boss")
    page.goto(live_server.url + reverse("treatment_report"))
    significant_row = page.locator("#row-significant")
    expect(significant_row).to_contain_text("1 event in 1 session")
    expect(significant_row).to_contain_text("White et al. 2001")
    expect(page.locator("#row-any-patient")).to_contain_text("Witt et al. 2009")
    expect(page.locator("#row-any-patient")).not_to_contain_text("White et al. 2001")
    for path in (
        reverse("treatment_lots"),
        reverse("treatment_lot_new"),
        reverse("treatment_report"),
        reverse("treatment_adverse_events"),
        reverse("treatment_policy"),
        reverse("treatment_lot", args=[lot.pk]),
    ):
        page.goto(live_server.url + path)
        assert_accessible(page)


def test_a_recall_list_of_several_pages_is_paged_and_downloads_whole_at_1366_px(
    live_server, page, clinic_today, monkeypatch
):
    # Three a page, so five sessions make two pages (the clinic's pages hold 100).
    monkeypatch.setattr(views, "SESSIONS_PER_PAGE", 3)
    visit, lot = clinic_today
    testing.signed_note(visit, lot)
    for hour, name in zip((10, 11, 12, 13), ("Bea", "Cy", "Dee", "Eve"), strict=True):
        patient = factories.patient(given_name=name, family_name="Recall")
        testing.signed_note(testing.ready_visit(patient, visit.practitioner, hour=hour), lot)
    page.set_viewport_size({"width": 1366, "height": 900})
    sign_in(page, live_server.url, "boss")
    page.goto(live_server.url + reverse("treatment_lot", args=[lot.pk]))
    trace = page.get_by_role("region", name="Sessions that used this lot")
    expect(trace).to_contain_text("5 sessions, 5 patients, 35 needles.")
    expect(trace.get_by_role("table")).to_contain_text("Sessions 1–3 of 5, newest first")
    pages = page.get_by_role("navigation", name="Pages of sessions")
    expect(pages.get_by_role("link", name="Page 1")).to_have_attribute("aria-current", "page")
    assert_accessible(page)

    pages.get_by_role("link", name="Page 2").click()
    expect(trace.get_by_role("table")).to_contain_text("Sessions 4–5 of 5, newest first")
    expect(trace.get_by_role("row")).to_have_count(1 + 2)
    assert_accessible(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/lot-recall-page-2.png", full_page=True)

    with page.expect_download() as download:
        trace.get_by_role("link", name="Download all 5 sessions (CSV)").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0] == "Session date,Patient,Phone,Email,Practitioner,Needles"
    assert len(lines) == 1 + 5


def test_the_point_search_answers_as_you_type(live_server, page, clinic_today):
    sign_in(page, live_server.url, "sarah")
    page.goto(live_server.url + reverse("treatment_points"))
    page.get_by_label("Find a point or muscle").fill("piriformis")
    expect(page.locator("#results")).to_contain_text("TP-PIRI")


def test_typed_text_survives_charting_and_a_second_tab_is_told_the_draft_changed(
    live_server, browser, page, clinic_today
):
    visit, _lot = clinic_today
    note = testing.session_note(visit)
    url = live_server.url + reverse("treatment_note", args=[note.pk])
    sign_in(page, live_server.url, "sarah")
    page.goto(url)
    # The case that lost text: type the pain score and findings, then chart points.
    page.get_by_label("Pain before treatment (0–10)").fill("7")
    page.get_by_label("Findings").fill("Tender over the left quadratus lumborum.")
    page.get_by_label("Codes").fill("BL23, GV3")
    page.get_by_label("Depth (mm)").fill("25")
    page.get_by_label("Retention (minutes)").fill("20")
    page.get_by_role("button", name="Chart these points").click()
    expect(page.get_by_role("status")).to_contain_text("Charted BL23, GV3")
    expect(page.get_by_label("Pain before treatment (0–10)")).to_have_value("7")
    expect(page.get_by_label("Findings")).to_have_value("Tender over the left quadratus lumborum.")

    # Saved as it is typed, with the time it was saved.
    page.get_by_role("textbox", name="Plan").fill("Weekly for four weeks.")
    expect(page.locator(".autosave-state")).to_contain_text(re.compile(r"Saved \d\d:\d\d"))
    note.refresh_from_db()
    assert note.plan == "Weekly for four weeks."

    # A second tab opened earlier (before the plan was saved) does not overwrite it.
    other = page.context.new_page()
    other.goto(url)
    page.get_by_role("textbox", name="Plan").fill("Weekly for six weeks.")
    expect(page.locator(".autosave-state")).to_contain_text(re.compile(r"Saved \d\d:\d\d"))
    other.get_by_role("textbox", name="Plan").fill("Fortnightly.")
    expect(other.locator(".autosave-state")).to_contain_text("changed at")
    note.refresh_from_db()
    assert note.plan == "Weekly for six weeks."
    other.get_by_role("button", name="Save", exact=True).click()
    expect(other.get_by_role("alert")).to_contain_text("in another tab")
    expect(other.get_by_role("textbox", name="Plan")).to_have_value("Fortnightly.")
    assert_accessible(other)


def test_a_press_while_the_draft_is_being_saved_waits_for_the_save_and_is_not_refused(
    live_server, page, clinic_today
):
    # Sarah types the findings and presses "Chart these points" at once: the autosave of
    # what she typed has reached the clinic's server, but its answer (the new revision)
    # has not yet come back. The press must not be taken for another tab's change.
    visit, _lot = clinic_today
    note = testing.session_note(visit)
    sign_in(page, live_server.url, "sarah")
    page.goto(live_server.url + reverse("treatment_note", args=[note.pk]))
    held = []
    page.route("**/autosave/", lambda route: held.append(route))
    page.get_by_label("Findings").fill("Tender over the left quadratus lumborum.")
    page.get_by_label("Codes").fill("BL23, GV3")
    page.get_by_label("Depth (mm)").fill("25")
    page.get_by_label("Retention (minutes)").fill("20")
    for _ in range(100):  # the autosave goes out a moment after the last keystroke
        if held:
            break
        page.wait_for_timeout(100)
    (autosave,) = held
    answer = autosave.fetch()  # the server saves the findings now...
    note.refresh_from_db()
    assert note.findings == "Tender over the left quadratus lumborum."
    page.get_by_role("button", name="Chart these points").click()
    expect(page.locator(".autosave-state")).to_have_text("Saving…")
    autosave.fulfill(response=answer)  # ...and its answer arrives after the press
    expect(page.get_by_role("status")).to_contain_text("Charted BL23, GV3")
    expect(page.get_by_label("Findings")).to_have_value("Tender over the left quadratus lumborum.")
    expect(page.get_by_role("alert")).to_have_count(0)

"""A practitioner refers a patient with possible cauda equina syndrome to A&E: from the
record's safety banner to the letter, printed as the letter alone, and back to the record,
which now says when the referral was made."""

import os
import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from acuclinic.safety.models import Referral
from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("ACUCLINIC_SCREENSHOTS")
STAFF_SCREEN = {"width": 1366, "height": 900}


@pytest.fixture
def flagged(transactional_db):
    factories.build_clinic()
    sarah = factories.practitioner("sarah", qualified_medical=True)
    sarah.user.first_name, sarah.user.last_name = "Sarah", "Patel"
    sarah.user.save()
    patient = factories.patient(
        given_name="Margaret",
        family_name="Okafor",
        nhs_number="9434765919",
        address_line1="4 Elm Road",
        town="Testford",
        postcode="TE2 2AB",
        gp_practice="Castle Street Surgery",
    )
    factories.clinical_summary(patient, by=sarah.user)
    factories.safety_questionnaire(
        patient, by=sarah.user, ces_saddle_numbness=True, ces_bladder_bowel=True
    )
    return patient


def shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def test_the_practitioner_refers_a_cauda_equina_flag_to_a_and_e(live_server, page, flagged):
    page.set_viewport_size(STAFF_SCREEN)
    page.goto(live_server.url + reverse("login"))
    page.get_by_label("Username").fill("sarah")
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    page.goto(live_server.url + reverse("patient_detail", args=[flagged.pk]))
    banner = page.get_by_role("region", name=re.compile("^Safety"))
    expect(banner).to_contain_text("Refer today (A&E): possible cauda equina syndrome")
    expect(banner).not_to_contain_text("Referred to")
    assert_accessible(page)
    banner.get_by_role("link", name="Write a referral letter").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Referral letter")
    expect(page.get_by_role("heading", name=re.compile("Possible cauda equina"))).to_be_visible()
    expect(page.get_by_text("Do you have numbness or tingling between your legs")).to_be_visible()
    assert_accessible(page)

    # Forgetting where it goes is refused, and nothing is kept.
    page.get_by_role("button", name="Issue the letter").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("Choose where the letter goes: the patient's GP or A&E.")
    assert not Referral.objects.exists()
    assert_accessible(page)

    page.get_by_role("group", name="Send the letter to").get_by_label(
        "A&E (the Emergency Department)"
    ).check()
    page.get_by_label(re.compile("^Further notes")).fill("Saddle numbness since Friday.")
    page.get_by_role("button", name="Issue the letter").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Referral letter to A&E")
    letter = page.get_by_role("article", name="The letter as issued")
    expect(letter).to_contain_text("EMERGENCY REFERRAL: please assess today")
    expect(letter).to_contain_text("To: The duty doctor, Emergency Department (A&E)")
    expect(letter).to_contain_text("NHS number: 943 476 5919")
    expect(letter).to_contain_text("Further notes: Saddle numbness since Friday.")
    expect(letter).to_contain_text("Sarah Patel")
    expect(page.get_by_role("button", name="Print")).to_be_visible()
    expect(page.get_by_role("link", name="Download PDF")).to_be_visible()
    assert_accessible(page)
    shot(page, "referral-letter")

    # Printed, the page is the letter alone: no navigation, no buttons.
    page.emulate_media(media="print")
    expect(letter).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_be_hidden()
    page.emulate_media(media="screen")

    page.get_by_role("link", name="Margaret Okafor").click()
    banner = page.get_by_role("region", name=re.compile("^Safety"))
    expect(banner).to_contain_text(
        re.compile(r"Referred to A&E on \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d")
    )
    assert_accessible(page)
    shot(page, "referral-record")

    page.goto(live_server.url + reverse("safety_patient", args=[flagged.pk]))
    referrals = page.get_by_role("region", name="Referrals")
    expect(referrals.get_by_role("link", name=re.compile("^Referred to A&E on "))).to_be_visible()
    assert_accessible(page)
    shot(page, "referral-safety-record")
    assert Referral.objects.get().destination == "ae"

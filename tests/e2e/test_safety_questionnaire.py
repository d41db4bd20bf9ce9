"""A patient fills in their health questionnaire on a phone, with JavaScript off: they
see the sections for the condition on their record, and ticking another area brings its
questions in on the next page, each labelled and linked from the list of problems."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from acuclinic.safety.models import Questionnaire
from acuclinic.safety.services import questionnaire_link_create
from acuclinic.testing import factories
from tests.e2e.test_accessibility import assert_accessible

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
FITS_THE_SCREEN = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def phone(browser):
    context = browser.new_context(
        locale="en-GB",
        timezone_id="Europe/London",
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        java_script_enabled=False,
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def link_url(transactional_db, live_server):
    factories.build_clinic()
    practitioner = factories.practitioner("sarah", qualified_medical=True)
    patient = factories.patient(given_name="Margaret", family_name="Okafor")
    factories.clinical_summary(patient, by=practitioner.user, presenting_condition="headache")
    _, token = questionnaire_link_create(patient, user=practitioner.user)
    return live_server.url + reverse("safety_public_questionnaire", args=[token])


def answer_no_to_every_question(page):
    for group in page.locator("fieldset.question").all():
        no = group.get_by_role("radio", name="No", exact=True)
        if no.count():
            no.first.check()


def test_a_headache_patient_answers_the_headache_questions_and_can_add_the_neck(phone, link_url):
    page = phone
    page.goto(link_url)
    expect(page.get_by_role("heading", level=1)).to_have_text("Your health questionnaire")
    assert_accessible(page, signed_in=False)
    assert page.evaluate(FITS_THE_SCREEN)
    expect(page.get_by_role("heading", name="Headaches or migraine")).to_be_visible()
    expect(page.get_by_role("heading", name="Neck pain")).to_have_count(0)
    expect(page.get_by_role("checkbox", name="Headaches or migraine")).to_be_checked()

    answer_no_to_every_question(page)
    page.get_by_role("checkbox", name="Neck pain, including after a whiplash injury").check()
    page.get_by_role("button", name="Send my answers").click()

    # The neck's questions come in, listed as problems that link to each one.
    expect(page.get_by_role("heading", name="Neck pain")).to_be_visible()
    problems = page.locator('a[href^="#q-neck_"]')
    expect(problems.first).to_be_visible()
    assert problems.count() == 7
    assert_accessible(page, signed_in=False)
    assert not Questionnaire.objects.exists()

    answer_no_to_every_question(page)
    page.get_by_role("group", name=re.compile("^Have your hands become clumsy")).get_by_role(
        "radio", name="Yes"
    ).check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Thank you")
    saved = Questionnaire.objects.get()
    assert saved.answers["treatment_areas"] == ["neck", "headache"]
    assert saved.answers["headache_thunderclap"] is False
    assert saved.answers["neck_clumsy_hands"] is True

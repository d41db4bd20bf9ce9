"""The rest of the portal: the health questionnaire when it is due, aftercare advice, the
progress section, and that a patient session opens nothing on the staff side."""

from datetime import timedelta

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.portal import testing
from acuclinic.safety.models import QuestionnaireLink
from acuclinic.testing import factories

DUE = "Your health questionnaire is due"


@pytest.fixture
def signed_in(client, mira):
    testing.sign_in(client, mira)
    return client


def _home(client) -> str:
    return client.get(reverse("portal_home")).content.decode()


# The health questionnaire ---------------------------------------------------------------


def test_a_patient_without_a_questionnaire_is_asked_to_fill_it_in(signed_in):
    assert DUE in _home(signed_in)


def test_a_current_questionnaire_is_not_asked_for_again(signed_in, mira, practitioner):
    factories.safety_questionnaire_on_file(mira, by=practitioner.user)
    factories.appointment(patient=mira, practitioner=practitioner)
    assert DUE not in _home(signed_in)


def test_it_is_asked_for_when_it_will_be_out_of_date_by_the_next_visit(
    signed_in, mira, practitioner
):
    # Six months' validity (the default): this one runs out in about ten days.
    factories.safety_questionnaire_on_file(
        mira, by=practitioner.user, when=timezone.now() - timedelta(days=173)
    )
    factories.appointment(
        patient=mira, practitioner=practitioner, start=factories.next_weekday_at(10, days_ahead=21)
    )
    assert DUE in _home(signed_in)


def test_filling_it_in_opens_the_safety_questionnaire_for_this_patient(signed_in, mira):
    response = signed_in.post(reverse("portal_questionnaire"))
    link = QuestionnaireLink.objects.get()
    assert link.patient == mira
    assert response["Location"].startswith("/safety/q/")
    page = signed_in.get(response["Location"])
    assert page.status_code == 200
    assert "Your health questionnaire" in page.content.decode()
    entry = AuditEntry.objects.get(action="create", object_type="safety.questionnairelink")
    assert (entry.patient_id, entry.via) == (mira.pk, "portal")


def test_the_questionnaire_button_needs_a_post(signed_in):
    assert signed_in.get(reverse("portal_questionnaire")).status_code == 405
    assert not QuestionnaireLink.objects.exists()


# Aftercare ---------------------------------------------------------------------------


def test_aftercare_advice_is_open_to_anyone_and_names_its_sources(client, clinic):
    page = client.get(reverse("portal_aftercare")).content.decode()
    assert "Keep the places where the needles went in clean and dry" in page
    assert "Do not drive, cycle or use machinery until you feel fully alert." in page
    assert "Call 999" in page
    assert "0161 496 0000" in page
    assert "Acupuncture in Medicine 2005;23:112–20" in page
    assert "BMJ 2001;323:485–6" in page
    assert "Sign out" not in page


def test_a_signed_in_patient_reads_aftercare_inside_the_portal(signed_in):
    page = signed_in.get(reverse("portal_aftercare")).content.decode()
    assert "Sign out" in page
    assert 'aria-current="page">Aftercare' in page


# The outcomes app's progress section ---------------------------------------------------


def test_the_home_page_shows_the_patients_progress_from_the_outcomes_app(signed_in):
    page = _home(signed_in)
    assert "Your progress" in page
    assert f'href="{reverse("portal_progress")}"' in page


# A patient session is nobody on the staff side -------------------------------------------


def _every_route(patterns=None, prefix="", namespace=""):
    """(route, name to reverse) for every URL outside the portal."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _every_route(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern) and pattern.name and not route.startswith("portal/"):
            yield pattern, namespace + pattern.name


def _sample_url(pattern: URLPattern, name: str) -> str | None:
    # Any id will do: a page's gate answers before it looks anything up.
    converters = getattr(pattern.pattern, "converters", {})
    kwargs = {key: 1 if conv.regex == "[0-9]+" else "x" for key, conv in converters.items()}
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def test_a_patient_session_opens_every_page_outside_the_portal_as_a_stranger_would(
    client, clinic, mira
):
    """Over every route (staff pages, safety, the API…): the same answer with a patient
    signed in as with nobody signed in: a sign-in page, a refusal or a public page."""
    stranger = client.__class__()
    testing.sign_in(client, mira)
    checked = 0
    for pattern, name in _every_route():
        url = _sample_url(pattern, name)
        if url is None:
            continue
        as_patient, as_stranger = client.get(url), stranger.get(url)
        assert as_patient.status_code == as_stranger.status_code, url
        assert as_patient.get("Location") == as_stranger.get("Location"), url
        checked += 1
    assert checked > 150
    # The staff pages themselves, plainly: sent to the staff sign-in.
    assert client.get(reverse("diary"))["Location"].startswith(reverse("login"))
    assert client.get(reverse("patient_detail", args=[mira.pk]))["Location"].startswith(
        reverse("login")
    )
    assert client.get(f"/api/v1/patients/{mira.pk}").status_code == 401

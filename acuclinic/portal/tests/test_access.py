"""The patient session and ``patient_view``: who counts as a signed-in patient, and that a
patient session and a staff login never stand in for each other."""

from datetime import timedelta

import pytest
import time_machine
from django.http import HttpResponse
from django.urls import path, reverse
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction, AuditEntry
from acuclinic.core.access import staff_view
from acuclinic.portal import testing
from acuclinic.portal.access import PATIENT_KEY, end_patient_session, patient_view


@patient_view
def whoami(request):
    return HttpResponse(f"Signed in as {request.patient.full_name}")


@patient_view
def looks_at_own_record(request):
    audit.record(AuditAction.VIEW, request.patient, detail="own details")
    return HttpResponse("ok")


def sign_out(request):
    end_patient_session(request)
    return HttpResponse("signed out")


@staff_view()
def staff_page(request):
    return HttpResponse("Staff only")


def placeholder(request):
    return HttpResponse("")


urlpatterns = [
    path("portal/whoami/", whoami, name="whoami"),
    path("portal/look/", looks_at_own_record, name="look"),
    path("portal/sign-out/", sign_out, name="sign_out"),
    path("portal/sign-in/", placeholder, name="portal_sign_in"),
    path("staff/", staff_page, name="staff_page"),
    path("login/", placeholder, name="login"),
]

pytestmark = pytest.mark.urls(__name__)


def test_a_signed_in_patient_reaches_a_portal_page_as_themselves(client, patient):
    testing.sign_in(client, patient)
    response = client.get(reverse("whoami"))
    assert response.content.decode() == f"Signed in as {patient.full_name}"


def test_without_a_patient_session_a_portal_page_sends_you_to_sign_in(client, patient):
    response = client.get(reverse("whoami"))
    assert response.status_code == 302
    assert response["Location"] == reverse("portal_sign_in")


def test_a_signed_in_staff_member_is_not_a_patient(client, reception_user):
    client.force_login(reception_user)
    response = client.get(reverse("whoami"))
    assert response["Location"] == reverse("portal_sign_in")


def test_a_staff_sign_in_in_the_same_browser_ends_the_patient_session(
    client, patient, reception_user
):
    testing.sign_in(client, patient)
    client.force_login(reception_user)
    response = client.get(reverse("whoami"))
    assert response["Location"] == reverse("portal_sign_in")
    assert PATIENT_KEY not in client.session
    # The staff login itself is untouched.
    assert client.get(reverse("staff_page")).content == b"Staff only"


def test_a_patient_session_never_passes_a_staff_page(client, patient):
    testing.sign_in(client, patient)
    response = client.get(reverse("staff_page"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_the_patient_session_ends_after_30_minutes_without_activity(client, patient):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        testing.sign_in(client, patient)
    with time_machine.travel(start + timedelta(minutes=29), tick=False):
        assert client.get(reverse("whoami")).status_code == 200
    # Each request renews it: 58 minutes after sign-in, but 29 after the last request.
    with time_machine.travel(start + timedelta(minutes=58), tick=False):
        assert client.get(reverse("whoami")).status_code == 200
    with time_machine.travel(start + timedelta(minutes=89), tick=False):
        response = client.get(reverse("whoami"))
    assert response["Location"] == reverse("portal_sign_in")
    assert PATIENT_KEY not in client.session


def test_signing_out_ends_the_patient_session(client, patient):
    testing.sign_in(client, patient)
    client.get(reverse("sign_out"))
    assert client.get(reverse("whoami"))["Location"] == reverse("portal_sign_in")


def test_a_session_for_a_patient_no_longer_on_record_is_not_signed_in(client, patient):
    testing.sign_in(client, patient)
    session = client.session
    session[PATIENT_KEY] = patient.pk + 1000
    session.save()
    assert client.get(reverse("whoami"))["Location"] == reverse("portal_sign_in")


def test_portal_pages_tell_browsers_and_proxies_not_to_keep_them(client, patient):
    testing.sign_in(client, patient)
    response = client.get(reverse("whoami"))
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_the_audit_trail_records_portal_actions_as_the_patients_through_the_portal(client, patient):
    testing.sign_in(client, patient)
    client.get(reverse("look"), REMOTE_ADDR="198.51.100.23")
    entry = AuditEntry.objects.get(detail="own details")
    assert entry.via == "portal"
    assert entry.patient_id == patient.pk
    assert entry.actor is None
    assert entry.client_address == "198.51.100.23"

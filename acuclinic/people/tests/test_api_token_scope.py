"""API tokens end, and are scoped: read-only, and with or without clinical records.
A token past its expiry or outside its scope is refused with a clear code, audited."""

from datetime import timedelta

import time_machine
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditAction, AuditEntry
from acuclinic.core.errors import InvalidRequest
from acuclinic.people import services
from acuclinic.people.models import ApiToken
from acuclinic.testing.api_client import JsonClient


def test_a_token_works_until_it_expires_then_says_so(practitioner_user, clinic):
    token, secret = services.api_token_create(
        user=practitioner_user, name="Script", expires_in_days=30
    )
    assert abs(token.expires_at - token.created_at - timedelta(days=30)) < timedelta(seconds=1)
    api = JsonClient(token=secret)
    assert api.get("/services").status_code == 200
    with time_machine.travel(timezone.now() + timedelta(days=30, seconds=1)):
        refused = api.get("/services")
    assert refused.status_code == 401
    assert refused.json()["code"] == "token_expired"
    entry = AuditEntry.objects.filter(action=AuditAction.LOGIN_FAILED).latest("id")
    assert entry.detail == "API token refused: expired"


def test_a_token_lasts_a_year_at_most(reception_user):
    try:
        services.api_token_create(user=reception_user, name="Forever", expires_in_days=3650)
    except InvalidRequest as exc:
        assert exc.code == "expiry_out_of_range"
    else:
        raise AssertionError("a ten-year token was made")
    assert not ApiToken.objects.exists()


def test_a_read_only_token_reads_but_cannot_write(reception_user, clinic):
    _, secret = services.api_token_create(user=reception_user, name="Board", read_only=True)
    api = JsonClient(token=secret)
    assert api.get("/patients").status_code == 200
    refused = api.post("/patients", {"given_name": "Ann"})
    assert refused.status_code == 403
    assert refused.json()["code"] == "token_read_only"
    assert AuditEntry.objects.filter(
        action=AuditAction.DENIED, detail="read-only token: POST /api/v1/patients"
    ).exists()


def test_a_token_without_clinical_access_sees_no_clinical_record(practitioner_user, patient):
    _, plain = services.api_token_create(user=practitioner_user, name="Diary", clinical=False)
    _, full = services.api_token_create(user=practitioner_user, name="Notes")
    path = f"/patients/{patient.pk}/clinical-summary"
    refused = JsonClient(token=plain).get(path)
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"
    assert JsonClient(token=full).get(path).status_code in (200, 404)
    # The rest of the role's reach stays.
    assert JsonClient(token=plain).get(f"/patients/{patient.pk}").status_code == 200


def test_the_tokens_page_makes_a_scoped_token_and_lists_its_scope(client, practitioner_user):
    client.force_login(practitioner_user)
    response = client.post(
        reverse("token_list"),
        {"name": "Reports", "access": "read", "clinical": "on", "expires_in_days": "365"},
    )
    token = ApiToken.objects.get()
    assert (token.read_only, token.clinical) == (True, True)
    assert abs(token.expires_at - token.created_at - timedelta(days=365)) < timedelta(seconds=1)
    page = response.content.decode()
    assert "Read only, with clinical records" in page


def test_reception_is_not_offered_clinical_records(client, reception_user):
    client.force_login(reception_user)
    page = client.get(reverse("token_list")).content.decode()
    assert "Include clinical records" not in page
    client.post(reverse("token_list"), {"name": "x", "access": "write", "expires_in_days": "90"})
    assert ApiToken.objects.get().clinical is False


def test_only_clinic_admins_change_the_security_settings(client, reception_user, admin_user):
    client.force_login(reception_user)
    assert client.get(reverse("security_settings")).status_code == 403
    client.force_login(admin_user)
    client.post(reverse("security_settings"), {"calendar_feed_patient_names": "on"})
    entry = AuditEntry.objects.filter(object_type="clinic.clinic", action=AuditAction.CHANGE)
    assert entry.get().changed_fields == ["calendar_feed_patient_names"]

"""API requests over the per-token or per-address rate get 429 with Retry-After; many
patients' records read in a short time are audited as a bulk read."""

import pytest
import time_machine
from django.core.cache import cache

from acuclinic.audit.models import AuditAction, AuditEntry
from acuclinic.testing import factories
from acuclinic.testing.api_client import JsonClient, api_token


@pytest.fixture(autouse=True)
def _low_limits(settings):
    settings.ACUCLINIC_API_RATE_PER_TOKEN = 3
    settings.ACUCLINIC_API_RATE_PER_ADDRESS = 5
    cache.clear()
    yield
    cache.clear()


def test_a_token_over_its_rate_gets_429_with_retry_after(reception_user):
    api = JsonClient(token=api_token(reception_user))
    with time_machine.travel("2026-03-03 10:00:15Z", tick=False) as clock:
        assert [api.get("/patients").status_code for _ in range(3)] == [200] * 3
        refused = api.get("/patients")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "45"
        assert refused.json()["code"] == "throttled"
        # The same token from another address is still the same token.
        assert api.get("/patients", REMOTE_ADDR="10.1.1.1").status_code == 429
        # The next minute it may call again.
        clock.shift(45)
        assert api.get("/patients").status_code == 200


def test_an_address_over_its_rate_is_refused_whatever_token_it_sends(reception_user, admin_user):
    first = JsonClient(token=api_token(reception_user))
    second = JsonClient(token=api_token(admin_user))
    with time_machine.travel("2026-03-03 10:00:00Z", tick=False):
        codes = [first.get("/patients").status_code for _ in range(3)]
        codes += [second.get("/patients").status_code for _ in range(3)]
        assert codes == [200] * 5 + [429]
        # Unknown tokens are counted too: guessing is throttled like anything else.
        assert JsonClient(token="acu_guess").get("/patients").status_code == 429
        # Another address is unaffected.
        third = JsonClient(token=api_token(admin_user, name="Another"))
        assert third.get("/patients", REMOTE_ADDR="10.2.2.2").status_code == 200


def test_pages_are_not_rate_limited_by_the_api_limit(client, reception_user):
    client.force_login(reception_user)
    with time_machine.travel("2026-03-03 10:00:00Z", tick=False):
        assert {client.get("/diary/").status_code for _ in range(7)} == {200}


def test_reading_many_patients_is_audited_as_a_bulk_read_and_shown_to_admins(
    settings, client, reception_user, admin_user
):
    settings.ACUCLINIC_BULK_READ_THRESHOLD = 5
    for _ in range(3):
        factories.patient()
    api = JsonClient(token=api_token(reception_user))
    with time_machine.travel("2026-03-03 10:00:00Z", tick=False):
        api.get("/patients")  # 3 records: not yet
        assert not AuditEntry.objects.filter(action=AuditAction.BULK_READ).exists()
        api.get("/patients")  # 6 within ten minutes
        bulk = AuditEntry.objects.get(action=AuditAction.BULK_READ)
        assert bulk.actor_username == "reception" and bulk.via == "api"
        assert bulk.detail == "6 patient records read within 10 minutes"
        api.get("/patients")  # 9: still the same bulk read
        assert AuditEntry.objects.filter(action=AuditAction.BULK_READ).count() == 1
        client.force_login(admin_user)
        page = client.get("/audit/").content.decode()
    assert "Bulk reads in the last 30 days" in page
    assert "6 patient records read within 10 minutes" in page

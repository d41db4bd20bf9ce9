"""Every resource of the demo clinic `make run` builds — the whole data set, every type the
CapabilityStatement lists — read through the FHIR API as a client would (search, paging
through ``next`` links) and through a whole-clinic ``$export``, validates against
fhir.resources' R4 models.

test_fhir_api.py tests the API's behaviour on a small demo; this module only reads, so it
builds the full demo once for the module.
"""

import json
from datetime import date, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from acuclinic.clinic.models import Service
from acuclinic.demo.spec import DemoSpec
from acuclinic.notifications.worker import Worker
from acuclinic.people import roles
from acuclinic.testing.api_client import api_token
from acuclinic.testing.factories import staff_user
from acuclinic.testing.module_db import module_demo

# `acuclinic setup` (what `make run` runs) builds DemoSpec.at_scale(1, today=…, clock=…)
# for the moment it runs: six months back, one ahead, visits before the clock already
# happened (so there are unsigned notes and arrived patients too). Here the moment is fixed.
SPEC = DemoSpec.at_scale(1, today=date(2026, 4, 15), clock=time(11, 30))
# The API's largest page.
COUNT = 500

pytestmark = pytest.mark.django_db
demo = module_demo(SPEC)


class Fhir:
    def __init__(self, user):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {api_token(user)}"}

    def get(self, url, params=None, **headers):
        if not url.startswith("http"):
            url = "/fhir/R4/" + url
        return self.client.get(url, params or {}, headers={**self.headers, **headers})


@pytest.fixture(scope="module")
def validated():
    """(resourceType, id) → the resource as already validated, so a resource met again
    (the same body from the export) is not validated twice."""
    return {}


def validate(resource: dict, seen: dict) -> None:
    key = (resource["resourceType"], resource["id"])
    if seen.get(key) == resource:
        return
    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    seen[key] = resource


def search_all(api: Fhir, kind: str, params: dict) -> list[dict]:
    """Every resource a search matches, following ``next`` links. The Bundles are checked
    by hand and their resources validated one by one, each once (validating the Bundle
    would validate every resource in it again)."""
    found = []
    response = api.get(kind, {**params, "_count": COUNT})
    while True:
        assert response.status_code == 200, response.content
        bundle = response.json()
        assert bundle["resourceType"] == "Bundle" and bundle["type"] == "searchset"
        entries = bundle.get("entry", [])
        assert all(e["fullUrl"].endswith(f"/{kind}/{e['resource']['id']}") for e in entries)
        found += [e["resource"] for e in entries]
        after = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        if not after:
            assert len(found) == bundle["total"]
            return found
        response = api.get(after[0])


@pytest.fixture(scope="module")
def admin(demo, django_db_blocker):
    # The clinic admin holds every clinical permission and also reads invoices (a
    # practitioner does not), so one role reads every resource type.
    with django_db_blocker.unblock():
        return Fhir(staff_user("fhir-demo-admin", role=roles.ADMIN))


def served_types(api: Fhir) -> list[str]:
    statement = api.get("metadata").json()
    get_fhir_model_class("CapabilityStatement").model_validate(statement)
    return [r["type"] for r in statement["rest"][0]["resource"]]


def slot_searches():
    """Slot is searched per schedule and service, a month at most: every practitioner's
    free times for each service, in the coming week (free times are never in the past, and
    the demo's diary is for another day, so these come from the practitioners' rotas)."""
    from acuclinic.people.models import Practitioner

    start = timezone.localdate() + timedelta(days=1)
    for prac in Practitioner.objects.order_by("pk"):
        for service in Service.objects.filter(is_active=True).order_by("pk"):
            yield {
                "schedule": f"Schedule/{prac.pk}",
                "service-type": str(service.pk),
                "start": [f"ge{start}", f"lt{start + timedelta(days=7)}"],
            }


def test_every_resource_of_the_make_run_demo_validates(admin, validated):
    counts = {}
    for kind in served_types(admin):
        searches = list(slot_searches()) if kind == "Slot" else [{}]
        resources = [body for params in searches for body in search_all(admin, kind, params)]
        for body in resources:
            assert body["resourceType"] == kind
            validate(body, validated)
        counts[kind] = len(resources)
    # Every type has something to validate, and the big ones took more than one page.
    assert all(counts.values()), counts
    assert counts["Appointment"] > COUNT and counts["Observation"] > COUNT, counts


def test_the_whole_clinic_export_validates(
    admin, validated, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.ACUCLINIC_EXPORT_DIR = tmp_path / "exports"
    # The module's data is never committed, so the kick-off's on-commit hook (which
    # queues the task) is run by hand; then the worker runs the export as in production.
    with django_capture_on_commit_callbacks(execute=True):
        kickoff = admin.get("$export", Prefer="respond-async")
    assert kickoff.status_code == 202, kickoff.content
    Worker(jobs=[], interval=0).run(batch=True)
    done = admin.get(kickoff["Content-Location"])
    assert done.status_code == 200, done.content
    exported = 0
    for output in done.json()["output"]:
        response = admin.get(output["url"])
        assert response["Content-Type"] == "application/fhir+ndjson"
        lines = b"".join(response.streaming_content).decode().splitlines()
        assert len(lines) == output["count"]
        for line in lines:
            resource = json.loads(line)
            assert resource["resourceType"] == output["type"]
            validate(resource, validated)
        exported += len(lines)
    assert exported > 10 * COUNT

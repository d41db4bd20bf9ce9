"""FHIR Bulk Data $export: 202 + Content-Location, polling, NDJSON behind the same token,
every line a valid R4 resource, deleted after their time; bad requests get an
OperationOutcome."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from fhir.resources.R4B import get_fhir_model_class

from acuclinic.audit.models import AuditEntry
from acuclinic.interop import export
from acuclinic.interop.models import ExportJob
from acuclinic.notifications.worker import Worker
from acuclinic.people import roles
from acuclinic.testing import factories
from acuclinic.testing.api_client import api_token

pytestmark = pytest.mark.django_db(transaction=True)
ASYNC = {"Prefer": "respond-async"}


@pytest.fixture(autouse=True)
def export_dir(settings, tmp_path):
    settings.ACUCLINIC_EXPORT_DIR = tmp_path / "exports"
    return settings.ACUCLINIC_EXPORT_DIR


def client_for(user):
    client = Client()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {api_token(user)}"
    return client


@pytest.fixture
def clinic():
    factories.build_clinic()
    prac = factories.practitioner("export-prac")
    patients = [factories.patient() for _ in range(3)]
    for hour, p in enumerate(patients, start=9):
        factories.appointment(patient=p, practitioner=prac, start=factories.next_weekday_at(hour))
    return patients


def run_worker():
    Worker(jobs=[], interval=0).run(batch=True)


def test_system_export_runs_in_the_worker_and_serves_ndjson(clinic, export_dir):
    admin = factories.staff_user("export-admin", role=roles.ADMIN)
    api = client_for(admin)
    kickoff = api.get("/fhir/R4/$export", headers=ASYNC)
    assert kickoff.status_code == 202
    status_url = kickoff["Content-Location"]
    assert "/fhir/R4/$export-status/" in status_url

    pending = api.get(status_url)
    assert pending.status_code == 202 and pending["X-Progress"]
    run_worker()
    done = api.get(status_url)
    assert done.status_code == 200
    manifest = done.json()
    assert manifest["requiresAccessToken"] is True
    by_type = {o["type"]: o for o in manifest["output"]}
    assert by_type["Patient"]["count"] == 3 and by_type["Appointment"]["count"] == 3
    assert "Encounter" in by_type  # the admin may read clinical resources

    body = b"".join(api.get(by_type["Patient"]["url"]).streaming_content).decode()
    lines = [json.loads(line) for line in body.splitlines()]
    assert len(lines) == 3
    for line in lines:
        get_fhir_model_class(line["resourceType"]).model_validate(line)
    for o in manifest["output"]:
        response = api.get(o["url"])
        assert response["Content-Type"] == "application/fhir+ndjson"
        for line in b"".join(response.streaming_content).decode().splitlines():
            resource = json.loads(line)
            get_fhir_model_class(resource["resourceType"]).model_validate(resource)

    # Behind the same authentication: not for anyone else, nor without a token.
    other = client_for(factories.staff_user("other-admin", role=roles.ADMIN))
    assert other.get(by_type["Patient"]["url"]).status_code == 404
    assert Client().get(by_type["Patient"]["url"]).status_code == 401
    # The patients whose records left are audited.
    assert AuditEntry.objects.filter(detail__startswith="FHIR bulk export").count() == 3

    # After their time the files go, and the status says so.
    job = ExportJob.objects.get()
    assert (export_dir / job.id / "Patient.ndjson").exists()
    export.prune_expired(now=timezone.now() + export.KEEP + timedelta(minutes=1))
    assert not (export_dir / job.id).exists()
    assert api.get(status_url).status_code == 404


def test_reception_exports_only_what_it_may_read(clinic):
    desk = client_for(factories.staff_user("export-desk", role=roles.RECEPTION))
    refused = desk.get("/fhir/R4/Patient/$export", {"_type": "Patient,Encounter"}, headers=ASYNC)
    assert refused.status_code == 403 and "Encounter" in refused.json()["issue"][0]["diagnostics"]
    kickoff = desk.get("/fhir/R4/Patient/$export", headers=ASYNC)
    assert kickoff.status_code == 202
    run_worker()
    types = {o["type"] for o in desk.get(kickoff["Content-Location"]).json()["output"]}
    assert types == {"Patient", "Appointment", "Invoice"}


@pytest.mark.parametrize(
    ("params", "headers", "status", "says"),
    [
        ({}, {}, 400, "respond-async"),
        ({"_since": "yesterday"}, ASYNC, 400, "not a FHIR date"),
        ({"_type": "Claim"}, ASYNC, 400, "Cannot export Claim"),
        ({"_outputFormat": "text/csv"}, ASYNC, 400, "Only application/fhir+ndjson"),
        ({"_elements": "id"}, ASYNC, 400, "does not support _elements"),
    ],
)
def test_bad_export_requests_get_an_operation_outcome(clinic, params, headers, status, says):
    api = client_for(factories.staff_user("export-admin2", role=roles.ADMIN))
    response = api.get("/fhir/R4/$export", params, headers=headers)
    assert response.status_code == status
    body = response.json()
    assert body["resourceType"] == "OperationOutcome" and says in body["issue"][0]["diagnostics"]
    assert not ExportJob.objects.exists()


def test_cancel_deletes_the_job(clinic, export_dir):
    api = client_for(factories.staff_user("export-admin3", role=roles.ADMIN))
    status_url = api.get("/fhir/R4/$export", {"_type": "Patient"}, headers=ASYNC)[
        "Content-Location"
    ]
    assert api.delete(status_url).status_code == 202
    assert not ExportJob.objects.exists()
    run_worker()  # the queued task finds nothing to do
    assert not export_dir.exists() or not any(export_dir.iterdir())


def test_exported_resources_are_those_the_api_serves(clinic):
    # The export once read without the clinic, so its PractitionerRoles named no
    # organisation where the API's do.
    api = client_for(factories.staff_user("export-admin4", role=roles.ADMIN))
    kickoff = api.get("/fhir/R4/$export", {"_type": "PractitionerRole,Patient"}, headers=ASYNC)
    run_worker()
    for output in api.get(kickoff["Content-Location"]).json()["output"]:
        body = b"".join(api.get(output["url"]).streaming_content).decode()
        for line in body.splitlines():
            resource = json.loads(line)
            served = api.get(f"/fhir/R4/{resource['resourceType']}/{resource['id']}").json()
            assert resource == served
            if resource["resourceType"] == "PractitionerRole":
                assert served["organization"]["reference"].startswith("Organization/")

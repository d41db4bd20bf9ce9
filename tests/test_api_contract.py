"""The API keeps its published contract: schemathesis against /api/v1/openapi.json.

For every operation in the OpenAPI document, requests generated from the document (both
valid ones and ones that break it) are sent in-process through Django's WSGI handler,
each as every role — clinic admin, practitioner, reception, a member of staff with no
role, and nobody — by API token. Every response must be no server error, carry a status
code the document declares for that operation, and match the declared body (every
field declared, times with their offset, null only where the document allows it).

Where an operation's address names a patient, appointment, practitioner, location or
service, one round also aims it at a real one, so the 2xx bodies are checked, not just
the 404s. Bounded and derandomised: a failure repeats on the next run.
"""

from contextlib import contextmanager

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    negative_data_rejection,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from acuclinic.api import api
from acuclinic.clinic.models import Location, Service
from acuclinic.testing import factories
from acuclinic.testing.api_client import BASE, api_token
from acuclinic.testing.module_db import module_transaction

# Small per operation and role so the whole file stays well under a minute on one core;
# derandomised so a failure found once is found again.
EXAMPLES = {GenerationMode.POSITIVE: 2, GenerationMode.NEGATIVE: 2}
ROLES = ("admin", "practitioner", "reception", "outsider", "anonymous")
# What the contract promises. Not positive_data_acceptance: a request the document
# allows may still break a clinical or booking rule no JSON Schema can state (a room
# already taken, a needling service that is not acupuncture), and is refused with 409/422.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

OPERATIONS = [
    f"{method.upper()} {path}"
    for path, methods in api.get_openapi_schema(path_prefix=BASE)["paths"].items()
    for method in methods
]


@contextmanager
def _connection_kept_between_requests():
    # Django closes the database connection when a request starts and ends unless it is
    # in autocommit; inside a test's transaction that would throw the test data away.
    # Django's own test client does the same (django.test.client.ClientHandler).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """A small clinic with one user per role, each with a token, and real rows to aim at."""
    with module_transaction(django_db_blocker), django_db_blocker.unblock():
        factories.build_clinic()
        practitioner = factories.practitioner("prac", qualified_medical=True)
        users = {
            "admin": factories.staff_user("admin", role="Clinic admin"),
            "practitioner": practitioner.user,
            "reception": factories.staff_user("reception", role="Reception"),
            "outsider": factories.staff_user("outsider", role=None),
        }
        patient = factories.patient()
        factories.clinical_summary(patient, by=practitioner.user, history="Low back pain")
        factories.safety_questionnaire_on_file(patient, by=practitioner.user)
        visit = factories.appointment(
            patient=patient, practitioner=practitioner, start=factories.next_weekday_at(10)
        )
        headers = {role: {"Authorization": f"Bearer {api_token(u)}"} for role, u in users.items()}
        headers["anonymous"] = {}
        real_ids = {
            "patient_id": patient.pk,
            "appointment_id": visit.pk,
            "practitioner_id": practitioner.pk,
            "location_id": Location.objects.order_by("pk").first().pk,
            "service_id": Service.objects.order_by("pk").first().pk,
        }
        with _connection_kept_between_requests():
            schema = schemathesis.openapi.from_wsgi(f"{BASE}/openapi.json", WSGIHandler())
            yield schema, headers, real_ids


def _run(operation, strategy, headers, examples):
    @settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def check(case):
        for role in ROLES:
            response = case.call(headers=headers[role])
            case.validate_response(response, checks=CHECKS, headers=headers[role])

    check()


@pytest.mark.parametrize("label", OPERATIONS)
def test_every_operation_keeps_its_contract_for_every_role(world, db, label):
    schema, headers, real_ids = world
    method, path = label.split(" ", 1)
    operation = schema[path][method]
    for mode, examples in EXAMPLES.items():
        _run(operation, operation.as_strategy(generation_mode=mode), headers, examples)
    aimed = {p.name: real_ids[p.name] for p in operation.path_parameters if p.name in real_ids}
    if aimed:
        strategy = operation.as_strategy(path_parameters=aimed)
        _run(operation, strategy, headers, EXAMPLES[GenerationMode.POSITIVE])


def test_every_operation_in_the_document_is_tested():
    # The list is read from the document itself, so a new endpoint is tested without
    # anyone adding it here; this guards against the list coming out empty.
    assert len(OPERATIONS) == len(set(OPERATIONS)) >= 100

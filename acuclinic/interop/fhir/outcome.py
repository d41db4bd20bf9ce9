"""Every failure on the FHIR API as an OperationOutcome with the right status."""

import json

from django.http import HttpResponse

CONTENT_TYPE = "application/fhir+json; charset=utf-8"


def fhir_response(body: dict, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type=CONTENT_TYPE,
    )
    # Personal data: never kept by a browser or a proxy.
    response["Cache-Control"] = "no-store"
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def operation_outcome(status: int, code: str, message: str, headers=None) -> HttpResponse:
    """``code`` is from the FHIR issue-type value set (invalid, not-found, forbidden…)."""
    body = {
        "resourceType": "OperationOutcome",
        "issue": [
            {
                "severity": "error" if status < 500 else "fatal",
                "code": code,
                "diagnostics": message,
            }
        ],
    }
    return fhir_response(body, status, headers)

"""The CapabilityStatement, written from the registry: exactly what the server does."""

from acuclinic.interop.fhir import slots
from acuclinic.interop.fhir.registry import KINDS

# FHIR Bulk Data Access IG: system and Patient-level $export (the async pattern).
BULK = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/"
SOFTWARE_VERSION = "0.1.0"
RELEASE_DATE = "2026-12-06"


def statement(base_url: str) -> dict:
    resources = []
    for kind in KINDS.values():
        entry = {
            "type": kind.name,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": name, "type": kind_type} for name, kind_type in kind.search_params.items()
            ],
        }
        if kind.name == "Patient":
            entry["operation"] = [
                {"name": "export", "definition": BULK + "patient-export"},
            ]
        resources.append(entry)
    resources.append(
        {
            "type": "Slot",
            "interaction": [{"code": "search-type"}],
            "searchParam": [
                {"name": name, "type": kind_type} for name, kind_type in slots.PARAMS.items()
            ],
        }
    )
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": RELEASE_DATE,
        "kind": "instance",
        "software": {"name": "acuclinic", "version": SOFTWARE_VERSION},
        "implementation": {
            "description": "acuclinic FHIR R4 API (read and search)",
            "url": base_url,
        },
        "fhirVersion": "4.0.1",
        "format": ["json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Authenticate with an API token (Authorization: Bearer) made on the "
                    "API tokens page, with the same role rules as /api/v1/. Search results "
                    "page through Bundle next links (_count, at most 500)."
                ),
                "security": {
                    "service": [{"text": "Bearer API token"}],
                    "description": "The tokens and role rules of /api/v1/.",
                },
                "resource": resources,
                "operation": [{"name": "export", "definition": BULK + "export"}],
            }
        ],
    }

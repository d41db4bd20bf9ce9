"""The clinic's own code systems, and the standard codes that are verified (data/codes.toml)."""

import tomllib
from functools import cache
from pathlib import Path

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "codes.toml"
LOCAL = "urn:acuclinic:codesystem:"
LOINC = "http://loinc.org"
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"


def local_system(name: str) -> str:
    return LOCAL + name


def local(name: str, code: str, display: str) -> dict:
    """A CodeableConcept in one of the clinic's own code systems, with its text."""
    return {
        "coding": [{"system": local_system(name), "code": code, "display": display}],
        "text": display,
    }


@cache
def _table() -> dict:
    with DATA_FILE.open("rb") as fh:
        return tomllib.load(fh)


def verified_loinc(key: str) -> dict | None:
    """The LOINC coding for ``key`` if the data file marks it verified; else None."""
    entry = _table().get("loinc", {}).get(key)
    if not entry or not entry.get("verified"):
        return None
    return {"system": LOINC, "code": entry["code"], "display": entry["display"]}


def verified_snomed(key: str) -> dict | None:
    entry = _table().get("snomed", {}).get(key)
    if not entry or not entry.get("verified"):
        return None
    return {"system": "http://snomed.info/sct", "code": entry["code"], "display": entry["display"]}

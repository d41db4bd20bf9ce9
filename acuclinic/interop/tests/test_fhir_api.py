"""The FHIR R4 API over the demo clinic: every resource it returns validates against the
R4(B) models of fhir.resources; searches filter and page; every failure is an
OperationOutcome; reception reads only the non-clinical resources."""

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from fhir.resources.R4B import get_fhir_model_class

from acuclinic.audit.models import AuditEntry
from acuclinic.demo.spec import DemoSpec
from acuclinic.interop.fhir.registry import KINDS
from acuclinic.people import roles
from acuclinic.scheduling.models import Appointment
from acuclinic.testing.api_client import api_token
from acuclinic.testing.factories import staff_user
from acuclinic.testing.module_db import module_demo
from acuclinic.treatment.models import SessionNote

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 4, 15)
# One month of history at scale 1: every resource type has rows, and the whole data set
# is read and validated in a few seconds.
SPEC = DemoSpec.at_scale(1, today=TODAY, months_back=1)

pytestmark = pytest.mark.django_db
demo = module_demo(SPEC)

NON_CLINICAL = {
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Organization",
    "Location",
    "HealthcareService",
    "Schedule",
    "Appointment",
    "Device",
    "Invoice",
}


class Fhir:
    def __init__(self, user=None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {api_token(user)}"} if user else {}

    def get(self, path, params=None):
        url = path if path.startswith("http") else "/fhir/R4/" + path
        return self.client.get(url, params or {}, headers=self.headers)


@pytest.fixture
def admin(demo):
    return Fhir(staff_user("fhir-admin", role=roles.ADMIN))


@pytest.fixture
def reception(demo):
    return Fhir(staff_user("fhir-desk", role=roles.RECEPTION))


def valid(body: dict) -> dict:
    get_fhir_model_class(body["resourceType"]).model_validate(body)
    return body


def outcome(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/fhir+json")
    body = valid(response.json())
    assert body["resourceType"] == "OperationOutcome"
    return body["issue"][0]["diagnostics"]


def every(api: Fhir, kind: str, **params) -> list[dict]:
    """Every resource of ``kind``, following the Bundle's next links. Each Bundle is
    validated, and with it each resource in it: fhir.resources validates an entry's
    resource with the model of its resourceType, as ``valid`` does."""
    found = []
    response = api.get(kind, {"_count": 500, **params})
    while True:
        assert response.status_code == 200, response.content
        bundle = valid(response.json())
        found += [e["resource"] for e in bundle.get("entry", [])]
        nxt = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        if not nxt:
            assert len(found) == bundle["total"]
            return found
        response = api.get(nxt[0])


@pytest.fixture
def invoices(demo):
    """An issued invoice with VAT and a draft, beside the demo clinic's own invoices."""
    from django.db.models import Max
    from django.utils import timezone

    from acuclinic.billing.models import Invoice, InvoiceLine
    from acuclinic.clinic.models import Clinic
    from acuclinic.people.models import Patient

    clinic, patient = Clinic.objects.first(), Patient.objects.first()
    issued = Invoice.objects.create(
        clinic=clinic,
        patient=patient,
        status="issued",
        number=(Invoice.objects.filter(clinic=clinic).aggregate(n=Max("number"))["n"] or 0) + 1,
        issued_at=timezone.now(),
        total_pence=6000,
        vat_pence=1000,
    )
    InvoiceLine.objects.create(
        invoice=issued,
        description="Acupuncture (not VAT-exempt)",
        amount_pence=6000,
        vat_treatment="standard",
        vat_rate=20,
        vat_pence=1000,
    )
    Invoice.objects.create(clinic=clinic, patient=patient, total_pence=0)
    return issued


def test_every_resource_of_the_demo_clinic_validates_as_fhir_r4(admin, invoices):
    counts = {}
    for kind in KINDS:
        # Validated in their Bundles, by every(); once is enough (it took seconds).
        resources = every(admin, kind)
        for body in resources:
            assert body["resourceType"] == kind
        counts[kind] = len(resources)
        # A read returns the same resource as the search.
        first = resources[0]
        read = admin.get(f"{kind}/{first['id']}")
        assert read.status_code == 200
        assert read["Content-Type"] == "application/fhir+json; charset=utf-8"
        assert valid(read.json()) == first
    assert all(counts.values()), counts


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_page_of_results_costs_the_same_queries_however_long(admin, kind):
    """A search page is read, rendered and audited in the same number of queries for 3
    resources as for 30: nothing is read again for each resource (the audit entry's
    description of it named its patient by a query of its own)."""

    def queries(count: int) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as captured:
            response = admin.get(kind, {"_count": count})
        assert response.status_code == 200, response.content
        return len(response.json().get("entry", [])), len(captured)

    queries(1)  # the token's first use of the minute is recorded: not part of a search
    few, few_queries = queries(3)
    many, many_queries = queries(30)
    assert many_queries == few_queries, f"{few} {kind}: {few_queries}; {many}: {many_queries}"


def test_capability_statement_lists_exactly_what_is_served(admin):
    body = valid(admin.get("metadata").json())
    served = body["rest"][0]["resource"]
    assert [op["name"] for op in body["rest"][0]["operation"]] == ["export"]
    assert [r["type"] for r in served] == [*list(KINDS), "Slot"]
    appointment = next(r for r in served if r["type"] == "Appointment")
    assert {p["name"] for p in appointment["searchParam"]} == {
        "_id",
        "_count",
        "patient",
        "date",
        "_lastUpdated",
        "status",
    }
    # A parameter the statement does not list is refused.
    org = next(r for r in served if r["type"] == "Organization")
    assert "date" not in {p["name"] for p in org["searchParam"]}
    outcome(admin.get("Organization", {"date": "2026"}), 400)


def test_codes_pain_is_loinc_and_nothing_unverified_is_sent_as_standard(admin):
    observations = every(admin, "Observation")
    pain = [o for o in observations if o["code"]["coding"][-1]["code"] == "nprs"]
    assert pain and all(o["code"]["coding"][0]["code"] == "72514-3" for o in pain)
    others = [o for o in observations if o["code"]["coding"][-1]["code"] != "nprs"]
    assert others and all(len(o["code"]["coding"]) == 1 for o in others)
    assert all(
        c["system"].startswith("urn:acuclinic:") for o in others for c in o["code"]["coding"]
    )
    for proc in every(admin, "Procedure", _count=50):
        systems = {c["system"] for c in proc["code"]["coding"]}
        assert systems == {"urn:acuclinic:codesystem:procedure"}
        assert proc["code"]["text"]


def test_search_by_patient_date_status_and_last_updated(admin):
    appt = Appointment.objects.filter(status="completed").order_by("start").first()
    found = every(admin, "Appointment", patient=f"Patient/{appt.patient_id}")
    expected = Appointment.objects.filter(patient_id=appt.patient_id).count()
    assert len(found) == expected
    assert {ref for a in found for ref in [a["participant"][0]["actor"]["reference"]]} == {
        f"Patient/{appt.patient_id}"
    }
    march = every(admin, "Appointment", date=["ge2026-03-01", "lt2026-04-01"], status="fulfilled")
    assert march and all(
        a["start"] >= "2026-03-01" and a["start"] < "2026-04-01" and a["status"] == "fulfilled"
        for a in march
    )
    assert len(march) == len(
        [
            a
            for a in Appointment.objects.filter(status="completed")
            if date(2026, 3, 1) <= a.start.astimezone(LONDON).date() < date(2026, 4, 1)
        ]
    )
    notes = every(admin, "Encounter", date="2026-03")
    assert notes
    assert len(notes) == SessionNote.objects.filter(session_date__month=3).count()
    assert every(admin, "Patient", _lastUpdated="lt2000-01-01") == []
    assert len(every(admin, "Patient", _id=f"{appt.patient_id}")) == 1


def test_count_pages_through_next_links(admin):
    first = admin.get("Patient", {"_count": 7}).json()
    assert len(first["entry"]) == 7 and first["total"] > 14
    nxt = next(link["url"] for link in first["link"] if link["relation"] == "next")
    second = admin.get(nxt).json()
    assert {e["resource"]["id"] for e in first["entry"]}.isdisjoint(
        e["resource"]["id"] for e in second["entry"]
    )
    assert len(second["entry"]) == 7


@pytest.mark.parametrize(
    ("path", "params", "status", "says"),
    [
        ("Patient", {"name": "Smith"}, 400, "cannot be searched by name"),
        ("Appointment", {"date": "03/03/2026"}, 400, "not a FHIR date"),
        ("Appointment", {"date": "ge2026-02-30"}, 400, "not a real date"),
        ("Appointment", {"date": "ne2026-02-01"}, 400, "prefix"),
        ("Appointment", {"status": "bogus"}, 400, "not a Appointment status"),
        ("Patient", {"_count": "0"}, 400, "_count"),
        ("Patient", {"_count": "lots"}, 400, "_count"),
        ("Patient/999999", {}, 404, "no Patient"),
        ("Patient/abc", {}, 404, "no Patient"),
        ("Claim", {}, 404, "does not serve"),
        ("Patient/1/_history", {}, 404, "nothing at"),
    ],
)
def test_bad_requests_get_an_operation_outcome(admin, path, params, status, says):
    assert says in outcome(admin.get(path, params), status)


def test_without_a_valid_token_the_answer_is_401(demo):
    assert "Authentication required" in outcome(Fhir().get("Patient"), 401)
    bad = Client().get("/fhir/R4/Patient", headers={"Authorization": "Bearer acu_nonsense"})
    assert "not valid" in outcome(bad, 401)
    # The capability statement holds no personal data: anyone may read it.
    assert Client().get("/fhir/R4/metadata").status_code == 200


def test_invoices_in_pounds_with_their_vat(admin, invoices):
    body = valid(admin.get(f"Invoice/{invoices.pk}").json())
    assert body["status"] == "issued"
    assert body["identifier"][0]["value"] == f"INV-{invoices.number:06d}"
    assert body["totalGross"] == {"value": 60.0, "currency": "GBP"}
    assert body["totalNet"]["value"] == 50.0
    assert [p["amount"]["value"] for p in body["lineItem"][0]["priceComponent"]] == [50.0, 10.0]
    drafts = every(admin, "Invoice", status="draft")
    assert drafts and all(d["status"] == "draft" for d in drafts)
    assert str(invoices.pk) not in {d["id"] for d in drafts}


def test_safety_flags_are_flag_resources(admin):
    flags = every(admin, "Flag")
    active = [f for f in flags if f["status"] == "active"]
    assert active and all(f["code"]["text"].startswith("Safety flags: ") for f in active)
    assert all(
        c["system"] == "urn:acuclinic:codesystem:safety-rule"
        for f in active
        for c in f["code"]["coding"]
    )


def test_free_slots_are_searched_by_schedule_service_and_start(reception):
    from django.utils import timezone

    from acuclinic.clinic.models import Service
    from acuclinic.people.models import Practitioner

    prac = Practitioner.objects.order_by("pk").first()
    service = Service.objects.filter(needling="").order_by("pk").first()
    first = timezone.localdate() + timedelta(days=7)
    params = {
        "schedule": f"Schedule/{prac.pk}",
        "service-type": str(service.pk),
        "start": [f"ge{first}", f"lt{first + timedelta(days=7)}"],
        "_count": 5,
    }
    response = reception.get("Slot", params)
    assert response.status_code == 200, response.content
    bundle = valid(response.json())
    assert bundle["total"] > 5 and len(bundle["entry"]) == 5
    assert any(link["relation"] == "next" for link in bundle["link"])
    for entry in bundle["entry"]:
        slot = valid(entry["resource"])
        assert slot["schedule"]["reference"] == f"Schedule/{prac.pk}"
        assert str(first) <= slot["start"][:10] < str(first + timedelta(days=8))
    assert "need schedule" in outcome(reception.get("Slot", {"start": "ge2026"}), 400)
    assert "at most 31 days" in outcome(
        reception.get(
            "Slot", {**params, "start": [f"ge{first}", f"lt{first + timedelta(days=60)}"]}
        ),
        400,
    )
    assert "not stored" in outcome(reception.get("Slot/1-2-3"), 404)


def test_reception_reads_only_the_non_clinical_resources(reception):
    for kind in KINDS:
        response = reception.get(kind, {"_count": 1})
        if kind in NON_CLINICAL:
            assert response.status_code == 200, kind
        else:
            assert "does not allow" in outcome(response, 403), kind


def test_reception_sees_no_qualifications_an_admin_does(admin, reception):
    def quals(api):
        return [q for p in every(api, "Practitioner") for q in p.get("qualification", [])]

    assert quals(reception) == []
    assert quals(admin)


def test_reads_of_a_patients_record_are_audited(admin):
    note = SessionNote.objects.first()
    before = AuditEntry.objects.filter(patient_id=note.patient_id, action="view").count()
    assert admin.get(f"Encounter/{note.pk}").status_code == 200
    entries = AuditEntry.objects.filter(patient_id=note.patient_id, action="view")
    assert entries.count() == before + 1
    assert entries.first().detail == "FHIR Encounter"


def test_only_reads_are_allowed(admin):
    response = admin.client.post("/fhir/R4/Patient", {}, headers=admin.headers)
    assert "only reads" in outcome(response, 405)
    assert "only reads" in outcome(admin.client.delete("/fhir/R4/Patient/1"), 405)

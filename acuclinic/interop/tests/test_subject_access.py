"""Subject access requests: the register with its due dates, the zip with the readable
record, the FHIR Bundle and the audit of who viewed it; producing it is audited."""

import io
import json
import zipfile
from datetime import date

import pytest
from django.urls import reverse
from fhir.resources.R4B import get_fhir_model_class

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Clinic
from acuclinic.interop.models import SubjectAccessRequest
from acuclinic.interop.sar_dates import one_month_after
from acuclinic.people import roles
from acuclinic.testing import factories


@pytest.mark.parametrize(
    ("received", "due"),
    [
        (date(2026, 3, 3), date(2026, 4, 3)),  # a Friday
        (date(2026, 1, 31), date(2026, 3, 2)),  # no 31 Feb; 28 Feb is a Saturday
        (date(2026, 12, 15), date(2027, 1, 15)),
        (date(2026, 4, 4), date(2026, 5, 4)),
        (date(2026, 2, 28), date(2026, 3, 30)),  # 28 Mar is a Saturday
    ],
)
def test_due_one_calendar_month_later_on_a_working_day(received, due):
    assert one_month_after(received) == due


@pytest.fixture
def admin(db):
    factories.build_clinic()
    return factories.staff_user("dpo-admin", role=roles.ADMIN)


@pytest.mark.django_db
def test_admin_records_a_request_and_downloads_the_whole_record(client, admin):
    prac = factories.practitioner("sar-prac")
    patient = factories.patient(given_name="Hester", family_name="Pennyworth")
    factories.clinical_summary(patient, by=prac.user, history="Aching lower back since June")
    factories.works_when_open(prac, since=date(2026, 1, 1))
    factories.signed_session(patient, prac, day=date(2026, 2, 2), pain=6)
    from acuclinic.billing.models import Invoice

    Invoice.objects.create(
        clinic=Clinic.objects.first(), patient=patient, total_pence=4550, vat_pence=0
    )
    viewer = factories.staff_user("nosy-desk", role=roles.RECEPTION)
    client.force_login(viewer)
    client.get(reverse("patient_detail", args=[patient.pk]))  # a view to be reported

    client.force_login(admin)
    page = client.get(reverse("sar_list"))
    assert page.status_code == 200 and "No requests recorded" in page.text
    response = client.post(
        reverse("sar_new"),
        {"patient": patient.pk, "received_on": "2026-03-03", "requested_by": ""},
    )
    assert response.status_code == 302
    sar = SubjectAccessRequest.objects.get()
    assert sar.due_on == date(2026, 4, 3)
    page = client.get(reverse("sar_list"))
    assert "Hester Pennyworth" in page.text and "Fri 3 Apr 2026" in page.text
    assert "overdue" in page.text

    response = client.post(reverse("sar_download", args=[sar.pk]))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert set(archive.namelist()) == {"record.html", "record.fhir.json", "audit.csv"}
    html = archive.read("record.html").decode()
    assert "Health record of Hester Pennyworth" in html
    assert "Aching lower back since June" in html
    assert "Mon 2 Feb 2026" in html  # the session note
    assert "nosy-desk" in html  # who viewed it
    assert "£45.50" in html  # the invoice
    assert "whole record exported" in html  # this production, too
    bundle = json.loads(archive.read("record.fhir.json"))
    get_fhir_model_class("Bundle").model_validate(bundle)
    types = {e["resource"]["resourceType"] for e in bundle["entry"]}
    assert {"Patient", "Condition", "Appointment", "Encounter", "Procedure"} <= types
    for entry in bundle["entry"]:
        get_fhir_model_class(entry["resource"]["resourceType"]).model_validate(entry["resource"])
    assert "nosy-desk" in archive.read("audit.csv").decode()

    sar.refresh_from_db()
    assert sar.produced_by == admin and sar.produced_at
    assert AuditEntry.objects.filter(
        patient_id=patient.pk, actor=admin, detail__contains="whole record exported"
    ).exists()
    assert "overdue" not in client.get(reverse("sar_list")).text


@pytest.mark.django_db
def test_bad_requests_are_refused_with_a_message(client, admin):
    client.force_login(admin)
    response = client.post(reverse("sar_new"), {"patient": 99999, "received_on": "2026-03-03"})
    assert "There is no patient with this record number" in response.text
    patient = factories.patient()
    response = client.post(reverse("sar_new"), {"patient": patient.pk, "received_on": "2999-01-01"})
    assert "cannot be in the future" in response.text
    assert not SubjectAccessRequest.objects.exists()


@pytest.mark.django_db
def test_the_record_holds_every_referral_letter_word_for_word(admin):
    from acuclinic.interop.sar import sar_archive, sar_register
    from acuclinic.safety.services import referral_issue

    prac = factories.practitioner("sar-referrer")
    patient = factories.patient(given_name="Ada", family_name="Quill")
    factories.safety_questionnaire(
        patient, by=prac.user, ces_saddle_numbness=True, ces_bladder_bowel=True
    )
    letter = referral_issue(patient, destination="ae", user=prac.user)
    sar = sar_register(patient=patient, received_on=date(2026, 3, 3), requested_by="", user=admin)

    archive = zipfile.ZipFile(io.BytesIO(sar_archive(sar, user=admin, base_url="http://t")))
    html = archive.read("record.html").decode()
    assert "Referral letters" in html
    assert "To A&amp;E" in html or "To A&E" in html
    first_line = next(line for line in letter.text.splitlines() if line.strip())
    assert first_line.replace("&", "&amp;") in html or first_line in html

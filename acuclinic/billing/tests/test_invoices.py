"""Prices, invoices, numbering, credit notes, VAT."""

from datetime import timedelta

import pytest
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.billing import services
from acuclinic.billing.choices import Concession, InvoiceStatus, LineVat, VatTreatment
from acuclinic.billing.models import Immutable, Invoice, PatientAccount, Price, ServiceVat
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db


def test_the_most_specific_price_in_force_on_the_day_applies(patient, practitioner, medical):
    today = timezone.localdate()
    other = factories.practitioner("junior", qualified_medical=True)
    assert services.price_for(medical, practitioner, patient, today) == 5000
    Price.objects.create(
        service=medical, effective_from=today - timedelta(days=10), price_pence=5200
    )
    Price.objects.create(
        service=medical, practitioner=practitioner, effective_from=today, price_pence=6000
    )
    Price.objects.create(
        service=medical, concession=Concession.STUDENT, effective_from=today, price_pence=4000
    )
    Price.objects.create(  # not yet in force
        service=medical, effective_from=today + timedelta(days=1), price_pence=9900
    )
    assert services.price_for(medical, practitioner, patient, today) == 6000
    assert services.price_for(medical, other, patient, today) == 5200
    assert services.price_for(medical, other, patient, today - timedelta(days=11)) == 5000
    PatientAccount.objects.create(patient=patient, concession=Concession.STUDENT)
    assert services.price_for(medical, other, patient, today) == 4000


def test_a_price_change_never_alters_an_issued_invoice(invoice, medical):
    Price.objects.create(
        service=medical, effective_from=timezone.localdate() - timedelta(days=30), price_pence=9000
    )
    invoice.refresh_from_db()
    assert invoice.total_pence == 5000
    assert invoice.lines.get().amount_pence == 5000


def test_invoices_are_numbered_in_one_sequence_with_credit_notes(visit, patient, clinic):
    first = services.invoice_visit(visit)
    second = services.raise_invoice(
        patient=patient,
        clinic=clinic,
        lines=[{"description": "Report for the insurer", "amount_pence": 3500}],
    )
    note = services.credit_invoice(first, reason="wrong service")
    assert [first.number, second.number, note.number] == [1, 2, 3]
    assert (first.reference, note.reference) == ("INV-000001", "CN-000003")


def test_an_issued_invoice_is_never_changed_or_deleted(invoice):
    invoice = Invoice.objects.get(pk=invoice.pk)
    invoice.total_pence = 1
    with pytest.raises(Immutable):
        invoice.save()
    with pytest.raises(Immutable):
        Invoice.objects.get(pk=invoice.pk).delete()
    line = invoice.lines.get()
    line.amount_pence = 1
    with pytest.raises(Immutable):
        line.save()
    with pytest.raises(Conflict) as exc:
        services.add_line(invoice, description="More", amount_pence=100)
    assert exc.value.code == "invoice_issued"
    with pytest.raises(Conflict):
        services.discard_draft(invoice)


def test_a_draft_can_be_discarded_and_takes_no_number(patient, clinic):
    draft = services.create_draft(patient=patient, clinic=clinic)
    services.add_line(draft, description="Letter", amount_pence=1500)
    services.discard_draft(draft)
    assert not Invoice.objects.filter(pk=draft.pk).exists()
    issued = services.raise_invoice(
        patient=patient, clinic=clinic, lines=[{"description": "Letter", "amount_pence": 1500}]
    )
    assert issued.number == 1


def test_a_visit_is_invoiced_once_and_never_when_cancelled(visit, patient, practitioner):
    services.invoice_visit(visit)
    with pytest.raises(Conflict) as exc:
        services.invoice_visit(visit)
    assert exc.value.code == "already_invoiced"
    cancelled = factories.appointment(
        patient=patient,
        practitioner=practitioner,
        start=factories.next_weekday_at(12, days_ahead=-8),
        status=AppointmentStatus.CANCELLED,
        cancelled_at=timezone.now(),
        cancelled_by="patient",
    )
    before = Invoice.objects.count()
    with pytest.raises(Conflict) as exc:
        services.invoice_visit(cancelled)
    assert exc.value.code == "visit_not_given"
    assert Invoice.objects.count() == before


@pytest.mark.parametrize(
    "lines, field",
    [
        ([], "lines"),
        ([{"description": "", "amount_pence": 100}], "lines.0.description"),
        ([{"description": "x", "amount_pence": -5}], "lines.0.amount_pence"),
        ([{"description": "x", "amount_pence": 10**9}], "lines.0.amount_pence"),
        (
            [{"description": "x", "amount_pence": 10}, {"description": "y", "amount_pence": 0}],
            "lines.1.amount_pence",
        ),
    ],
)
def test_bad_lines_are_refused_and_nothing_is_written(patient, clinic, lines, field):
    with pytest.raises(InvalidRequest) as exc:
        services.raise_invoice(patient=patient, clinic=clinic, lines=lines)
    assert exc.value.field == field
    assert not Invoice.objects.exists()


def test_credit_note_references_the_invoice_and_never_exceeds_it(invoice):
    with pytest.raises(InvalidRequest) as exc:
        services.credit_invoice(invoice, reason="")
    assert exc.value.code == "reason_required"
    part = services.credit_invoice(invoice, amount_pence=2000, reason="discount agreed")
    assert part.credits == invoice and part.total_pence == 2000
    assert services.due_on(invoice) == 3000
    with pytest.raises(Conflict) as exc:
        services.credit_invoice(invoice, amount_pence=3001, reason="too much")
    assert exc.value.code == "credit_exceeds_invoice"
    services.credit_invoice(invoice, reason="rest")
    with pytest.raises(Conflict) as exc:
        services.credit_invoice(invoice, reason="again")
    assert exc.value.code == "invoice_credited"
    assert Invoice.objects.filter(credits=invoice).count() == 2
    assert (
        AuditEntry.objects.filter(
            object_type="billing.invoice", detail__contains="credited"
        ).count()
        == 2
    )


def test_no_vat_when_the_clinic_is_not_vat_registered(invoice):
    line = invoice.lines.get()
    assert (line.vat_treatment, line.vat_pence, invoice.vat_pence) == (LineVat.NOT_REGISTERED, 0, 0)


def test_a_registered_physiotherapist_is_exempt_an_acupuncturist_is_standard_rated(
    vat_registered, patient, practitioner, acupuncturist, clinic
):
    from acuclinic.clinic.models import Service

    traditional = Service.objects.get(name="Traditional acupuncture")  # £55.00
    physio_visit = factories.appointment(
        patient=patient,
        practitioner=practitioner,
        start=factories.next_weekday_at(9, days_ahead=-8),
        status=AppointmentStatus.ARRIVED,
    )
    acu_visit = factories.appointment(
        patient=patient,
        practitioner=acupuncturist,
        service=traditional,
        start=factories.next_weekday_at(11, days_ahead=-8),
        status=AppointmentStatus.ARRIVED,
    )
    exempt = services.invoice_visit(physio_visit)
    taxed = services.invoice_visit(acu_visit)
    assert exempt.lines.get().vat_treatment == LineVat.EXEMPT and exempt.vat_pence == 0
    line = taxed.lines.get()
    assert (line.vat_treatment, line.vat_rate, line.vat_pence) == (LineVat.STANDARD, 20, 917)
    assert (taxed.total_pence, taxed.vat_pence) == (5500, 917)
    assert taxed.clinic_details["vat_number"] == "GB123456789"
    # A service marked exempt is exempt whoever gives it.
    ServiceVat.objects.create(service=traditional, treatment=VatTreatment.EXEMPT)
    treatment, rate = services.vat_for(traditional, acupuncturist, timezone.localdate(), True)
    assert (treatment, rate) == (LineVat.EXEMPT, 0)


def test_the_invoice_records_the_practitioners_registrations(invoice, practitioner):
    details = invoice.lines.get().practitioner_details
    assert "Physiotherapist" in details and f"HCPC PH{practitioner.pk:05d}" in details
    assert f"AACP M{practitioner.pk:05d}" in details
    assert invoice.status == InvoiceStatus.ISSUED and invoice.clinic_details["name"]

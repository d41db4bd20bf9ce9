"""Billing follows the diary: attended visits invoiced, policy fees, booking-time setting."""

import pytest
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.billing import services
from acuclinic.billing.choices import InvoiceKind, InvoicePurpose, InvoiceWhen
from acuclinic.billing.models import Invoice
from acuclinic.core.errors import Conflict, InvalidRequest
from acuclinic.scheduling import services as diary
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(patient, practitioner):
    return factories.appointment(
        patient=patient,
        practitioner=practitioner,
        start=factories.next_weekday_at(10, days_ahead=-8),
    )


def test_marking_a_visit_arrived_raises_its_invoice_once(booked):
    diary.appointment_set_status(booked, status="arrived")
    diary.appointment_set_status(booked, status="booked")
    diary.appointment_set_status(booked, status="arrived")
    diary.appointment_set_status(booked, status="completed")
    invoice = Invoice.objects.get(appointment=booked)
    assert (invoice.purpose, invoice.number, invoice.total_pence) == ("visit", 1, 5000)


def test_a_clinic_can_invoice_at_booking_and_a_cancellation_credits_it(
    clinic, patient, practitioner
):
    settings = services.settings_for(clinic)
    settings.invoice_when = InvoiceWhen.BOOKED
    settings.save()
    from acuclinic.clinic.models import Room, Service

    visit = diary.appointment_book(
        patient=patient,
        practitioner=practitioner,
        room=Room.objects.first(),
        service=Service.objects.get(name="Medical acupuncture"),
        start=factories.next_weekday_at(10, days_ahead=14),
    )
    invoice = Invoice.objects.get(appointment=visit, kind=InvoiceKind.INVOICE)
    diary.appointment_cancel(visit, cancelled_by="clinic")
    note = Invoice.objects.get(credits=invoice)
    assert note.total_pence == invoice.total_pence and services.due_on(invoice) == 0


def test_a_did_not_attend_fee_is_charged_and_can_be_waived_with_a_reason(clinic, booked):
    settings = services.settings_for(clinic)
    settings.dna_fee_percent = 50
    settings.save()
    diary.appointment_set_status(booked, status="dna")
    fee = Invoice.objects.get(appointment=booked, purpose=InvoicePurpose.DNA_FEE)
    assert fee.total_pence == 2500 and "Did-not-attend fee" in fee.lines.get().description
    with pytest.raises(InvalidRequest):
        services.waive_fee(fee, reason=" ")
    note = services.waive_fee(fee, reason="hospital admission")
    assert services.due_on(fee) == 0 and "hospital admission" in note.reason
    assert AuditEntry.objects.filter(detail__contains="fee waived: hospital admission").exists()
    visit_invoice = Invoice.objects.filter(appointment=booked, purpose="visit").first()
    with pytest.raises(Conflict) as exc:
        services.waive_fee(visit_invoice or fee, reason="x")
    assert exc.value.code in {"not_a_fee", "invoice_credited"}


def test_a_late_cancellation_fee_is_a_fixed_amount_when_set(clinic, patient, practitioner):
    settings = services.settings_for(clinic)
    settings.late_cancel_fee_pence = 2000
    settings.save()
    soon = factories.appointment(
        patient=patient,
        practitioner=practitioner,
        start=timezone.now() + timezone.timedelta(hours=2),
    )
    diary.appointment_cancel(soon, cancelled_by="patient")
    fee = Invoice.objects.get(appointment=soon, purpose=InvoicePurpose.LATE_CANCEL_FEE)
    assert fee.total_pence == 2000


def test_no_fee_without_a_policy(booked):
    diary.appointment_set_status(booked, status="dna")
    assert not Invoice.objects.filter(appointment=booked).exists()


def test_a_free_visit_is_marked_arrived_and_not_invoiced(booked):
    from acuclinic.billing.models import Price

    Price.objects.create(
        service=booked.service,
        effective_from=timezone.localdate() - timezone.timedelta(days=30),
        price_pence=0,
    )
    diary.appointment_set_status(booked, status="arrived")
    assert not Invoice.objects.filter(appointment=booked).exists()


def test_invoicing_at_booking_with_a_prepaid_course_draws_it_at_arrival(
    clinic, patient, practitioner
):
    from acuclinic.billing import courses
    from acuclinic.billing.models import CourseBlock

    settings = services.settings_for(clinic)
    settings.invoice_when = InvoiceWhen.BOOKED
    settings.save()
    block = CourseBlock.objects.create(clinic=clinic, name="Six", sessions=6, price_pence=24000)
    course = courses.sell(patient=patient, block=block)
    services.record_payment(
        patient=patient, invoice=course.invoice, amount_pence=24000, method="card"
    )
    visit = factories.appointment(
        patient=patient,
        practitioner=practitioner,
        start=factories.next_weekday_at(9, days_ahead=-8),
    )
    diary.appointment_set_status(visit, status="arrived")
    course.refresh_from_db()
    assert course.used == 1 and not Invoice.objects.filter(appointment=visit).exists()

"""The demo clinic's money: every visit given so far invoiced and (nearly always) paid,
a few recent invoices still owed (for the aged-debt report), a prepaid course on sale,
two insurers and the clinic's fees. Synthetic and deterministic; written in bulk."""

import random
from datetime import timedelta

from django.db.models import Max
from django.utils import timezone

from acuclinic.billing import services
from acuclinic.billing.choices import (
    InvoiceKind,
    InvoicePurpose,
    InvoiceStatus,
    LineVat,
    PaymentMethod,
)
from acuclinic.billing.models import (
    CourseBlock,
    Insurer,
    Invoice,
    InvoiceLine,
    InvoiceSequence,
    Outstanding,
    Payment,
)
from acuclinic.demo.spec import DemoSpec
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment

BATCH = 2000
# How the front desk is paid, in proportion.
METHODS = [
    (PaymentMethod.CARD, 70),
    (PaymentMethod.CASH, 12),
    (PaymentMethod.BANK_TRANSFER, 13),
    (PaymentMethod.INSURER, 5),
]
# Invoices of the last few months left unpaid, for the aged-debt report.
UNPAID_SHARE = 0.06
UNPAID_WITHIN_DAYS = 120


def build_billing(spec: DemoSpec, rng: random.Random, clinic) -> int:
    """Invoice and pay every visit given; returns how many invoices were issued."""
    the_clinic = clinic.clinic
    settings = services.settings_for(the_clinic)
    settings.dna_fee_percent = 50
    settings.save()
    CourseBlock.objects.create(
        clinic=the_clinic,
        name="Six sessions of acupuncture",
        sessions=6,
        price_pence=6 * 4500,
        valid_days=180,
        bookable_online=True,
    )
    for name, address in [
        ("Northway Health", "1 Harbour Street, Leeds LS1 4XX"),
        ("Meridian Mutual", "20 Quay Road, Bristol BS1 9ZZ"),
    ]:
        Insurer.objects.create(name=name, address=address, instructions="Quote the member number.")
    details = services.clinic_details(the_clinic)
    visits = (
        Appointment.objects.filter(
            status__in=[AppointmentStatus.ARRIVED, AppointmentStatus.COMPLETED]
        )
        .select_related("service", "practitioner__user", "room__location")
        .prefetch_related("practitioner__credentials")
        .order_by("start", "pk")
    )
    who: dict[int, str] = {}
    methods, weights = zip(*METHODS, strict=True)
    number = (
        InvoiceSequence.objects.filter(clinic=the_clinic).aggregate(m=Max("last_number"))["m"] or 0
    )
    cutoff = spec.today - timedelta(days=UNPAID_WITHIN_DAYS)
    batch: list[Appointment] = []
    issued = 0

    def flush():
        nonlocal number, issued
        invoices, plans = [], []
        for visit in batch:
            number += 1
            day = visit.start.astimezone(visit.room.location.tz).date()
            price = visit.service.price_pence
            invoices.append(
                Invoice(
                    clinic=the_clinic,
                    kind=InvoiceKind.INVOICE,
                    status=InvoiceStatus.ISSUED,
                    purpose=InvoicePurpose.VISIT,
                    number=number,
                    patient_id=visit.patient_id,
                    appointment=visit,
                    issued_at=visit.end,
                    issued_month=timezone.localtime(visit.end).date().replace(day=1),
                    due_date=day + timedelta(days=settings.payment_terms_days),
                    total_pence=price,
                    vat_pence=0,
                    clinic_details=details,
                )
            )
            unpaid = day >= cutoff and rng.random() < UNPAID_SHARE
            plans.append((visit, day, price, unpaid, rng.choices(methods, weights)[0]))
        Invoice.objects.bulk_create(invoices, batch_size=BATCH)
        lines, payments, owed = [], [], []
        for invoice, (visit, day, price, unpaid, method) in zip(invoices, plans, strict=True):
            if visit.practitioner_id not in who:
                who[visit.practitioner_id] = services.practitioner_details(visit.practitioner, day)
            lines.append(
                InvoiceLine(
                    invoice=invoice,
                    description=f"{visit.service.name}, {day:%a} {day.day} {day:%b %Y}",
                    service_id=visit.service_id,
                    appointment=visit,
                    practitioner_id=visit.practitioner_id,
                    practitioner_details=who[visit.practitioner_id],
                    session_date=day,
                    amount_pence=price,
                    vat_treatment=LineVat.NOT_REGISTERED,
                )
            )
            if unpaid:
                owed.append(
                    Outstanding(
                        invoice=invoice,
                        patient_id=visit.patient_id,
                        issued_at=visit.end,
                        owed_pence=price,
                    )
                )
            else:
                payments.append(
                    Payment(
                        clinic=the_clinic,
                        patient_id=visit.patient_id,
                        invoice=invoice,
                        method=method,
                        amount_pence=price,
                        practitioner_id=visit.practitioner_id,
                        received_at=visit.end + timedelta(minutes=5),
                    )
                )
        InvoiceLine.objects.bulk_create(lines, batch_size=BATCH)
        Payment.objects.bulk_create(payments, batch_size=BATCH)
        Outstanding.objects.bulk_create(owed, batch_size=BATCH)
        issued += len(invoices)
        batch.clear()

    for visit in visits.iterator(chunk_size=BATCH):
        batch.append(visit)
        if len(batch) >= BATCH:
            flush()
    if batch:
        flush()
    InvoiceSequence.objects.update_or_create(clinic=the_clinic, defaults={"last_number": number})
    return issued

"""The billing pages: take a payment at the desk, the printable invoice, its PDF and
email, admin corrections, the takings."""

import pytest
from django.urls import reverse

from acuclinic.audit.models import AuditEntry
from acuclinic.billing import services
from acuclinic.billing.models import Invoice, Payment
from acuclinic.notifications.models import Message

pytestmark = pytest.mark.django_db


def test_reception_takes_a_part_payment_and_the_invoice_shows_what_is_owed(
    client, reception_user, invoice
):
    client.force_login(reception_user)
    url = reverse("billing_patient", args=[invoice.patient.pk])
    page = client.get(url)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    key = page.context["pay_form"].initial["key"]
    data = {"invoice": invoice.pk, "method": "cash", "amount": "20.00", "reference": "", "key": key}
    response = client.post(reverse("billing_payment_add", args=[invoice.patient.pk]), data)
    assert response.status_code == 302
    client.post(reverse("billing_payment_add", args=[invoice.patient.pk]), data)  # again
    assert Payment.objects.count() == 1
    page = client.get(reverse("billing_invoice", args=[invoice.pk])).content.decode()
    assert "INV-000001" in page and "Still owed" in page and "£30.00" in page
    assert "Cash" in page and "HCPC PH" in page and "Riverside Physio" in page
    # Reception cannot correct or refund.
    assert "Correct with a credit note" not in page and "Refund the" not in page


def test_a_bad_amount_is_shown_on_the_form_and_nothing_is_written(client, reception_user, invoice):
    client.force_login(reception_user)
    for amount in ("-5", "abc", "0", "60000000"):
        data = {"invoice": invoice.pk, "method": "card", "amount": amount, "key": f"k{amount}"}
        response = client.post(reverse("billing_payment_add", args=[invoice.patient.pk]), data)
        assert response.status_code == 400
        assert response.context["pay_form"].errors
    assert not Payment.objects.exists()


def test_the_pdf_and_the_email_through_the_outbox(client, reception_user, invoice):
    client.force_login(reception_user)
    response = client.get(reverse("billing_invoice_pdf", args=[invoice.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    client.post(reverse("billing_invoice_email", args=[invoice.pk]))
    message = Message.objects.get(kind="billing_document")
    assert message.recipient == invoice.patient.email and "INV-000001" in message.subject
    attachment = message.attachments.get()
    assert attachment.filename == "INV-000001.pdf" and bytes(attachment.content).startswith(b"%PDF")


def test_an_admin_credits_and_refunds_with_reasons_audited(client, admin_user, invoice):
    services.record_payment(
        patient=invoice.patient, invoice=invoice, amount_pence=5000, method="card"
    )
    payment = Payment.objects.get()
    client.force_login(admin_user)
    page = client.get(reverse("billing_invoice", args=[invoice.pk])).content.decode()
    assert "Receipt INV-000001" in page and "Refund the" in page
    client.post(
        reverse("billing_refund", args=[payment.pk]), {"reason": "goodwill", "amount": "10"}
    )
    client.post(
        reverse("billing_invoice_credit", args=[invoice.pk]),
        {"reason": "wrong price", "amount": "5"},
    )
    assert Payment.objects.filter(kind="refund", amount_pence=1000).exists()
    assert Invoice.objects.filter(credits=invoice, total_pence=500).exists()
    details = list(AuditEntry.objects.values_list("detail", flat=True))
    assert any("goodwill" in d for d in details) and any("wrong price" in d for d in details)


def test_reception_cannot_refund_and_nothing_is_written(client, reception_user, invoice):
    [payment] = services.record_payment(
        patient=invoice.patient, invoice=invoice, amount_pence=5000, method="card"
    )
    client.force_login(reception_user)
    response = client.post(
        reverse("billing_refund", args=[payment.pk]), {"reason": "x", "amount": "10"}
    )
    assert response.status_code == 403
    assert not Payment.objects.filter(kind="refund").exists()


def test_takings_by_method_and_practitioner_and_a_practitioner_sees_only_their_own(
    client, admin_user, invoice, practitioner, patient, clinic
):
    services.record_payment(patient=patient, invoice=invoice, amount_pence=3000, method="cash")
    services.record_payment(patient=patient, invoice=invoice, amount_pence=2000, method="card")
    services.record_payment(patient=patient, amount_pence=700, method="cash")  # on account
    client.force_login(admin_user)
    page = client.get(reverse("billing_takings")).content.decode()
    assert "£57.00" in page and "£37.00" in page  # total; cash in the till
    client.force_login(practitioner.user)
    page = client.get(reverse("billing_takings")).content.decode()
    assert "Your takings" in page and "£50.00" in page and "£57.00" not in page


def test_the_pdf_carries_the_clinics_logo(client, reception_user, invoice):
    from acuclinic.clinic import logo
    from acuclinic.clinic.tests.test_logo import image_bytes

    client.force_login(reception_user)
    plain = client.get(reverse("billing_invoice_pdf", args=[invoice.pk])).content
    logo.logo_set(invoice.clinic, image_bytes("PNG", (300, 90)))

    branded = client.get(reverse("billing_invoice_pdf", args=[invoice.pk])).content

    assert b"/Subtype /Image" not in plain
    assert b"/Subtype /Image" in branded

"""A deposit or full payment at online booking, through the payment provider (Stripe
Checkout's own library against a fake HTTP client; webhook events signed here). No test
reaches the internet. Without provider settings, booking online asks for nothing."""

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse

from acuclinic.billing import online as billing_online
from acuclinic.billing import services as billing
from acuclinic.billing.models import BillingSettings, CheckoutSession, Invoice, Payment
from acuclinic.billing.tests.test_online import STRIPE, completed, fake, post_webhook  # noqa: F401
from acuclinic.online_booking.tests import helpers as h
from acuclinic.scheduling import services
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment

pytestmark = pytest.mark.django_db


def _asks(clinic, pays: str, deposit: int = 0, **more) -> None:
    BillingSettings.objects.update_or_create(
        clinic=clinic,
        defaults={"online_booking_pays": pays, "online_deposit_pence": deposit, **more},
    )


@override_settings(**STRIPE)
def test_full_payment_at_online_booking_is_kept_as_credit_for_the_visit(
    client,
    clinic,
    practitioner,
    fake,  # noqa: F811
):
    _asks(clinic, "full")
    price = h.service().price_pence
    response = h.book(client, h.a_weekday_at(10))
    assert response.status_code == 302
    assert response["Location"].startswith("https://checkout.stripe.test/")
    appointment = Appointment.objects.get()
    assert appointment.status == AppointmentStatus.BOOKED
    session = CheckoutSession.objects.get()
    assert (session.appointment, session.amount_pence) == (appointment, price)
    assert "being confirmed" in client.get(_done(appointment, "1")).content.decode()
    sent = fake.sent[0][2]
    assert f"[unit_amount]={price}" in sent and "success_url" in sent
    assert post_webhook(client, completed(amount=price)).status_code == 200
    assert post_webhook(client, completed(amount=price)).status_code == 200  # a retry
    payment = Payment.objects.get()
    assert (payment.method, payment.amount_pence, payment.invoice) == ("online_card", price, None)
    assert billing.credit_available(appointment.patient) == price
    assert billing_online.unpaid_at_booking(appointment.patient) == []
    # Attended: the visit's invoice is paid from that credit.
    with time_machine.travel(appointment.start, tick=False):
        services.appointment_set_status(appointment, status=AppointmentStatus.ARRIVED)
    invoice = Invoice.objects.get(appointment=appointment)
    assert billing.due_on(invoice) == 0
    assert billing.credit_available(appointment.patient) == 0
    done = client.get(_done(appointment, "1"))
    assert "your card payment has been taken" in done.content.decode()


def _done(appointment, paid: str) -> str:
    from acuclinic.online_booking import services as online

    return reverse("online_done", args=[online.done_token(appointment)]) + f"?paid={paid}"


@override_settings(**STRIPE)
def test_a_deposit_is_paid_against_the_visits_invoice_when_invoiced_at_booking(
    client,
    clinic,
    practitioner,
    fake,  # noqa: F811
):
    _asks(clinic, "deposit", 2000, invoice_when="booked")
    response = h.book(client, h.a_weekday_at(10))
    assert response["Location"].startswith("https://checkout.")
    appointment = Appointment.objects.get()
    invoice = Invoice.objects.get(appointment=appointment)
    assert CheckoutSession.objects.get().amount_pence == 2000
    assert post_webhook(client, completed(amount=2000)).status_code == 200
    assert Payment.objects.get().invoice == invoice
    assert billing.due_on(invoice) == invoice.total_pence - 2000


@override_settings(**STRIPE)
def test_an_abandoned_checkout_leaves_the_visit_booked_and_owing_shown_to_the_desk(
    client,
    clinic,
    practitioner,
    reception_user,
    fake,  # noqa: F811
):
    _asks(clinic, "deposit", 2000)
    h.book(client, h.a_weekday_at(10))
    appointment = Appointment.objects.get()
    page = client.get(_done(appointment, "0")).content.decode()
    assert "You are booked" in page and "Your payment of £20.00 was not taken" in page
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED
    assert not Payment.objects.exists()
    client.force_login(reception_user)
    account = client.get(reverse("billing_patient", args=[appointment.patient.pk]))
    assert "Not paid when booked online" in account.content.decode()
    assert "£20.00 asked for" in account.content.decode()
    services.appointment_cancel(appointment)
    assert billing_online.unpaid_at_booking(appointment.patient) == []


def test_without_provider_settings_online_booking_asks_for_nothing(client, clinic, practitioner):
    _asks(clinic, "full")
    response = h.book(client, h.a_weekday_at(10))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("online_start"))
    assert "You are booked" in client.get(response["Location"]).content.decode()
    assert not CheckoutSession.objects.exists()


@override_settings(**STRIPE)
def test_a_provider_failure_leaves_the_booking_made(client, clinic, practitioner, monkeypatch):
    _asks(clinic, "full")

    def down(self, **kwargs):
        raise ConnectionError("provider down")

    monkeypatch.setattr(billing_online.StripeCheckout, "start", down)
    response = h.book(client, h.a_weekday_at(10))
    assert response.status_code == 302 and "paid=0" in response["Location"]
    assert Appointment.objects.get().status == AppointmentStatus.BOOKED
    assert not CheckoutSession.objects.exists()

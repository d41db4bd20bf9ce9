"""Online card payment through Stripe Checkout: the library's own request and signature
code runs, against a fake HTTP client and events signed here with a test secret. No
test reaches the internet."""

import hashlib
import hmac
import json
import time

import pytest
from django.test import override_settings
from django.urls import reverse
from stripe._http_client import HTTPClient

from acuclinic.billing import online, services
from acuclinic.billing.models import CheckoutSession, PayLink, Payment
from acuclinic.notifications.models import Message

pytestmark = pytest.mark.django_db

SECRET = "whsec_test_secret"
STRIPE = {"STRIPE_SECRET_KEY": "sk_test_123", "STRIPE_WEBHOOK_SECRET": SECRET}


class FakeStripe(HTTPClient):
    """Answers the Checkout session request as Stripe would; remembers what was sent."""

    name = "fake"

    def __init__(self):
        super().__init__()
        self.sent = []

    def request(self, method, url, headers, post_data=None, *, _usage=None):
        self.sent.append((method, url, post_data))
        body = {
            "id": "cs_test_abc123",
            "object": "checkout.session",
            "url": "https://checkout.stripe.test/c/pay/cs_test_abc123",
        }
        return json.dumps(body), 200, {}

    def close(self):
        pass


def signed(event: dict, secret: str = SECRET) -> tuple[bytes, str]:
    body = json.dumps(event)
    stamp = int(time.time())
    mac = hmac.new(secret.encode(), f"{stamp}.{body}".encode(), hashlib.sha256).hexdigest()
    return body.encode(), f"t={stamp},v1={mac}"


def completed(session_id="cs_test_abc123", amount=5000, currency="gbp") -> dict:
    return {
        "id": "evt_1",
        "object": "event",
        "type": "checkout.session.completed",
        "data": {
            "object": {
                "id": session_id,
                "object": "checkout.session",
                "payment_status": "paid",
                "amount_total": amount,
                "currency": currency,
            }
        },
    }


@pytest.fixture
def fake(monkeypatch):
    client = FakeStripe()
    real = online.StripeCheckout.__init__

    def init(self, secret_key, webhook_secret, *, http_client=None):
        real(self, secret_key, webhook_secret, http_client=client)

    monkeypatch.setattr(online.StripeCheckout, "__init__", init)
    return client


def post_webhook(client, event, secret=SECRET):
    body, signature = signed(event, secret)
    return client.post(
        reverse("billing_stripe_webhook"),
        body,
        content_type="application/json",
        headers={"Stripe-Signature": signature},
    )


@override_settings(**STRIPE)
def test_a_patient_pays_online_and_the_verified_webhook_records_it_once(
    client, reception_user, invoice, fake
):
    staff = client
    staff.force_login(reception_user)
    staff.post(reverse("billing_invoice_email", args=[invoice.pk]))
    body = Message.objects.get(kind="billing_document").body
    url = next(word for word in body.split() if "/billing/pay/" in word)
    token = url.rstrip("/").rsplit("/", 1)[1]
    assert not PayLink.objects.filter(digest=token).exists()  # only its digest is kept
    staff.logout()
    page = client.get(reverse("billing_pay", args=[token]))
    assert "Pay £50.00 by card" in page.content.decode()
    response = client.post(reverse("billing_pay", args=[token]))
    assert response.status_code == 302 and response["Location"].startswith("https://checkout.")
    method, address, sent = fake.sent[0]
    assert method == "post" and address.endswith("/v1/checkout/sessions")
    assert "[unit_amount]=5000" in sent and "[currency]=gbp" in sent
    assert CheckoutSession.objects.get().amount_pence == 5000
    assert post_webhook(client, completed()).status_code == 200
    assert post_webhook(client, completed()).status_code == 200  # Stripe retries
    payment = Payment.objects.get()
    assert (payment.method, payment.amount_pence) == ("online_card", 5000)
    assert services.due_on(invoice) == 0


@override_settings(**STRIPE)
def test_a_forged_or_unknown_webhook_records_nothing(client, invoice, fake):
    assert post_webhook(client, completed(), secret="whsec_wrong").status_code == 400
    response = client.post(
        reverse("billing_stripe_webhook"), b"{}", content_type="application/json"
    )
    assert response.status_code == 400
    assert post_webhook(client, completed(session_id="cs_never_started")).status_code == 404
    assert not Payment.objects.exists()


def test_without_settings_there_is_no_online_payment(client, invoice):
    token = online.make_link(invoice)
    page = client.get(reverse("billing_pay", args=[token])).content.decode()
    assert "Online payment is not available" in page
    assert client.post(reverse("billing_pay", args=[token])).status_code == 200
    assert post_webhook(client, completed()).status_code == 404
    assert not CheckoutSession.objects.exists() and not Payment.objects.exists()
    assert client.get(reverse("billing_pay", args=["nonsense"])).status_code == 404


@override_settings(**STRIPE)
def test_a_patient_buys_a_course_online_and_it_is_sold_when_paid(client, patient, clinic, fake):
    from acuclinic.billing.models import CourseBlock, PrepaidCourse
    from acuclinic.portal import testing as portal_testing

    block = CourseBlock.objects.create(
        clinic=clinic, name="Six sessions", sessions=6, price_pence=24000, bookable_online=True
    )
    portal_testing.sign_in(client, patient)
    home = client.get(reverse("portal_home")).content.decode()
    assert "Buy Six sessions (6 sessions) online" in home
    response = client.post(reverse("portal_buy_course", args=[block.pk]))
    assert response.status_code == 302 and response["Location"].startswith("https://checkout.")
    assert not PrepaidCourse.objects.exists()  # abandoned here, nothing would be owed
    assert post_webhook(client, completed(amount=24000)).status_code == 200
    assert post_webhook(client, completed(amount=24000)).status_code == 200  # a retry
    course = PrepaidCourse.objects.get()
    assert course.patient == patient and services.due_on(course.invoice) == 0
    assert Payment.objects.get().method == "online_card"

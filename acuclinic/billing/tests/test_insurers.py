"""Visits under a health-insurance policy: the insurer and the excess billed apart, the
authorised sessions counted down and never billed past."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from acuclinic.billing import insurers, queries, services
from acuclinic.billing.models import InsurancePolicy, Insurer, Invoice
from acuclinic.core.errors import Conflict
from acuclinic.scheduling import services as diary
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy(patient):
    insurer = Insurer.objects.create(name="Bupa", address="1 Insurer Way, London")
    today = timezone.localdate()
    return InsurancePolicy.objects.create(
        patient=patient,
        insurer=insurer,
        membership_number="BU123",
        preauthorisation_code="PA-9",
        sessions_authorised=2,
        excess_pence=7000,
        valid_from=today - timedelta(days=60),
        valid_until=today + timedelta(days=300),
    )


def _arrive(patient, practitioner, hour):
    visit = factories.appointment(
        patient=patient,
        practitioner=practitioner,
        start=factories.next_weekday_at(hour, days_ahead=-8),
    )
    diary.appointment_set_status(visit, status="arrived")
    return visit


def test_the_excess_is_billed_to_the_patient_and_the_rest_to_the_insurer(
    policy, patient, practitioner
):
    first = _arrive(patient, practitioner, 9)  # £50: all of it within the £70 excess
    second = _arrive(patient, practitioner, 10)  # £20 excess left, £30 to the insurer
    parts = lambda v: sorted(  # noqa: E731
        (i.purpose, i.total_pence, i.policy_id) for i in Invoice.objects.filter(appointment=v)
    )
    assert parts(first) == [("excess", 5000, None)]
    assert parts(second) == [("excess", 2000, None), ("visit", 3000, policy.pk)]
    policy.refresh_from_db()
    assert (policy.sessions_used, policy.excess_used_pence) == (2, 7000)
    # The patient owes only their excess; the insurer's part is the insurer's debt.
    assert queries.balance(patient) == 7000
    assert insurers.insurer_debt() == [("Bupa", 3000)]


def test_billing_past_the_authorised_sessions_is_refused(policy, patient, practitioner):
    policy.sessions_used = 2
    policy.save()
    visit = factories.appointment(
        patient=patient,
        practitioner=practitioner,
        start=factories.next_weekday_at(9, days_ahead=-8),
    )
    before = Invoice.objects.count()
    with pytest.raises(Conflict) as exc:
        insurers.bill_visit(visit, policy)
    assert exc.value.code == "authorisation_used_up"
    assert Invoice.objects.count() == before
    # Marked arrived anyway: the patient is billed in full, not the insurer.
    diary.appointment_set_status(visit, status="arrived")
    assert [(i.purpose, i.policy_id) for i in Invoice.objects.filter(appointment=visit)] == [
        ("visit", None)
    ]


def test_the_insurers_invoice_names_the_cover_and_the_diary_warns_before_the_last(
    client, reception_user, policy, patient, practitioner
):
    policy.excess_pence = 0
    policy.save()
    visit = _arrive(patient, practitioner, 9)
    invoice = Invoice.objects.get(appointment=visit)
    client.force_login(reception_user)
    page = client.get(reverse("billing_invoice", args=[invoice.pk])).content.decode()
    assert "Bill to:" in page and "Bupa" in page and "BU123" in page and "PA-9" in page
    upcoming = factories.appointment(
        patient=patient, practitioner=practitioner, start=factories.next_weekday_at(10)
    )
    day = timezone.localtime(upcoming.start).date().isoformat()
    assert "Last insured session" in client.get(reverse("diary"), {"date": day}).content.decode()
    services.record_payment(patient=patient, invoice=invoice, amount_pence=5000, method="insurer")
    assert insurers.insurer_debt() == []


def test_a_policy_with_bad_dates_is_refused_on_the_form(client, reception_user, patient, policy):
    client.force_login(reception_user)
    data = {
        "insurer": policy.insurer_id,
        "membership_number": "X1",
        "sessions_authorised": "6",
        "valid_from": "2026-05-01",
        "valid_until": "2026-04-01",
        "excess": "-5",
    }
    response = client.post(reverse("billing_policy_add", args=[patient.pk]), data)
    assert response.status_code == 400
    assert set(response.context["policy_form"].errors) == {"valid_until", "excess"}
    assert InsurancePolicy.objects.count() == 1

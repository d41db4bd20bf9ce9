"""Retention: the rules (8 years; 25th or 26th birthday), the report of records past
retention, anonymisation after a confirmation step with the audit kept whole, and erasure
requests refused, with the reason, while the duty to keep applies."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.urls import reverse

from acuclinic.audit.models import AuditEntry
from acuclinic.interop import retention
from acuclinic.interop.models import Anonymisation
from acuclinic.interop.retention_rules import Rules, duty
from acuclinic.people import roles
from acuclinic.people.models import Patient
from acuclinic.testing import factories


@pytest.mark.parametrize(
    ("born", "last", "until", "why"),
    [
        (date(1970, 5, 1), date(2015, 3, 2), date(2023, 3, 2), "8 years after"),
        (date(2010, 5, 1), date(2015, 3, 2), date(2035, 5, 1), "25th birthday"),
        (date(1997, 5, 1), date(2015, 3, 2), date(2023, 5, 1), "26th birthday (17 at the end"),
        (date(1998, 1, 1), date(2015, 12, 31), date(2024, 1, 1), "26th birthday"),
        # 18 on the day of the last contact: an adult.
        (date(1997, 12, 31), date(2015, 12, 31), date(2023, 12, 31), "8 years after"),
        (date(2000, 2, 29), date(2004, 2, 29), date(2025, 2, 28), "25th birthday"),
    ],
)
def test_retention_rules(born, last, until, why):
    d = duty(born, last)
    assert d.keep_until == until and why in d.reason


def test_a_clinic_may_keep_records_longer():
    assert duty(date(1970, 5, 1), date(2015, 3, 2), Rules(adult_years=10)).keep_until == date(
        2025, 3, 2
    )


@pytest.fixture
def admin(db):
    factories.build_clinic()
    return factories.staff_user("records-admin", role=roles.ADMIN)


def _registered(patient, when: datetime):
    Patient.objects.filter(pk=patient.pk).update(created_at=when)
    return patient


@pytest.mark.django_db
def test_report_and_anonymise_after_confirmation(client, admin):
    old = _registered(
        factories.patient(
            given_name="Ebenezer",
            family_name="Oldfield",
            date_of_birth=date(1950, 6, 7),
            email="eb@example.test",
            nhs_number="4000000012",
        ),
        datetime(2012, 1, 10, tzinfo=UTC),
    )
    recent = factories.patient(given_name="Nell", family_name="Newcombe")
    client.force_login(admin)
    page = client.get(reverse("retention_report"))
    assert "Ebenezer Oldfield" in page.text and "Nell Newcombe" not in page.text
    assert "Records Management Code of Practice" in page.text

    confirm = client.post(reverse("retention_anonymise"), {"patient": [old.pk]})
    assert "This cannot be undone" in confirm.text
    old.refresh_from_db()
    assert old.family_name == "Oldfield"  # nothing yet: the confirmation comes first

    before = list(AuditEntry.objects.order_by("id").values_list("id", "object_repr"))
    done = client.post(reverse("retention_anonymise"), {"patient": [old.pk], "confirm": "yes"})
    assert done.status_code == 302
    old.refresh_from_db()
    assert (old.given_name, old.email, old.nhs_number) == ("Anonymised", "", "")
    assert old.date_of_birth == date(1950, 1, 1) and old.sex  # kept for the reports
    assert Anonymisation.objects.filter(patient=old).exists()
    # The audit entries stay as they were; one more says what was done.
    after = list(AuditEntry.objects.order_by("id").values_list("id", "object_repr"))
    assert after[: len(before)] == before
    entry = AuditEntry.objects.filter(patient_id=old.pk, detail="anonymised: past retention").get()
    assert "nhs_number" in entry.changed_fields and "Oldfield" not in entry.object_repr
    assert "Ebenezer" not in client.get(reverse("retention_report")).text

    # A record still within retention cannot be anonymised, even by a forged request.
    client.post(reverse("retention_anonymise"), {"patient": [recent.pk], "confirm": "yes"})
    recent.refresh_from_db()
    assert recent.family_name == "Newcombe"


@pytest.mark.django_db
def test_erasure_refused_while_retention_applies_saying_why(client, admin):
    recent = factories.patient(given_name="Nell", family_name="Newcombe")
    client.force_login(admin)
    page = client.post(reverse("erasure_request"), {"patient": recent.pk, "confirm": "yes"})
    assert "Erasure refused for Nell Newcombe" in page.text
    assert "must keep this record until" in page.text and "8 years after" in page.text
    recent.refresh_from_db()
    assert recent.family_name == "Newcombe"

    old = _registered(
        factories.patient(family_name="Oldfield", date_of_birth=date(1961, 2, 3)),
        datetime(2010, 1, 1, tzinfo=UTC),
    )
    confirm = client.post(reverse("erasure_request"), {"patient": old.pk})
    assert "Past retention" in confirm.text
    client.post(reverse("erasure_request"), {"patient": old.pk, "confirm": "yes"})
    old.refresh_from_db()
    assert old.given_name == "Anonymised"
    assert Anonymisation.objects.get(patient=old).reason == "the patient's erasure request"


@pytest.mark.django_db
def test_periods_cannot_go_below_the_code(client, admin):
    client.force_login(admin)
    page = client.post(
        reverse("retention_policy"),
        {"adult_years": 5, "child_until_age": 25, "child_until_age_if_17": 26},
    )
    assert "at least 8" in page.text
    client.post(
        reverse("retention_policy"),
        {"adult_years": 10, "child_until_age": 25, "child_until_age_if_17": 26},
    )
    assert retention.policy().adult_years == 10


@pytest.mark.django_db
def test_the_report_finds_by_last_contact_in_statements_that_do_not_grow(
    admin, django_assert_num_queries
):
    # Only a patient quiet for the whole adult period can be past retention, so the
    # database leaves the others out; the report must find exactly what working out every
    # patient's duty would, in the same statements for two patients as for twenty.
    practitioner = factories.practitioner("retention-prac")
    today = date.today()

    def long_ago_with_a_visit(days_ago: int | None, status: str = "completed"):
        patient = _registered(factories.patient(), datetime(2010, 1, 1, tzinfo=UTC))
        if days_ago is not None:
            start = datetime.combine(today - timedelta(days=days_ago), time(10), tzinfo=UTC)
            factories.appointment(
                patient=patient, practitioner=practitioner, start=start, status=status
            )
        return patient

    eight_years = (today - date(today.year - 8, today.month, min(today.day, 28))).days
    due = {
        long_ago_with_a_visit(None).pk,
        long_ago_with_a_visit(eight_years + 5).pk,
        long_ago_with_a_visit(30, status="dna").pk,  # a missed visit is no contact
    }
    long_ago_with_a_visit(eight_years - 5)
    long_ago_with_a_visit(30)
    factories.patient()  # registered today

    def everyone_past_retention():
        r = retention.rules()
        return {
            p.pk
            for p in retention.with_last_contact()
            if duty(p.date_of_birth, retention._last_contact(p), r).keep_until < today
        }

    assert everyone_past_retention() == due
    with django_assert_num_queries(2) as few:
        assert {d.patient.pk for d in retention.past_retention(today)} == due
    for _ in range(18):
        factories.patient()
    with django_assert_num_queries(len(few.captured_queries)):
        assert {d.patient.pk for d in retention.past_retention(today)} == due

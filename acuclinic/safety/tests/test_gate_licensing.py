"""The needling gate where the council licenses acupuncture: the practitioner's and the
premises' registration or licence are conditions like any other credential, each failure
a plain sentence naming what is missing; and the practitioner's own notice says so."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from acuclinic.clinic.models import Location, Service
from acuclinic.people.choices import CredentialKind, Profession
from acuclinic.people.models import Credential
from acuclinic.safety import services
from acuclinic.safety.services import needling_gate
from acuclinic.testing import factories

COUNCIL = "Testford Borough Council"
BOROUGH = "London Borough of Testford"


@pytest.fixture
def location(clinic):
    return Location.objects.get(name="Riverside")


@pytest.fixture
def acupuncturist(clinic):
    return factories.practitioner(
        "rosie", profession=Profession.ACUPUNCTURIST, qualified_traditional=True
    )


@pytest.fixture
def visit(patient, acupuncturist):
    """A traditional acupuncture visit, booked before any licensing was set, with the
    patient screened, consenting and asked about changes."""
    visit = factories.appointment(
        patient=patient,
        practitioner=acupuncturist,
        service=Service.objects.get(name="Traditional acupuncture"),
    )
    user = acupuncturist.user
    factories.safety_questionnaire(patient, by=user)
    factories.consent(patient, taken_by=acupuncturist, modality="traditional")
    services.visit_no_changes_confirm(visit, user=user)
    return visit


@pytest.fixture
def day(visit):
    return timezone.localtime(visit.start).date()


def test_the_gate_is_open_where_the_council_licenses_nothing(visit, day):
    assert needling_gate(visit, today=day).allowed


def test_without_either_registration_the_gate_names_both(visit, day, location, acupuncturist):
    factories.license_location(location, council=COUNCIL, premises_from=False)
    verdict = needling_gate(visit, today=day)
    assert verdict.codes == ["credentials_lapsed", "credentials_lapsed"]
    assert [f.message for f in verdict.failures] == [
        f"{acupuncturist.name} has no {COUNCIL} acupuncture registration valid on {day:%-d %b %Y}.",
        f"The premises at Riverside have no {COUNCIL} acupuncture premises registration "
        f"valid on {day:%-d %b %Y}.",
    ]


def test_with_both_registrations_the_gate_opens(visit, day, location, acupuncturist):
    factories.license_location(location, council=COUNCIL)
    factories.council_credential(acupuncturist, COUNCIL)
    assert needling_gate(visit, today=day).allowed


def test_a_london_licence_that_has_ended_closes_the_gate(visit, day, location, acupuncturist):
    factories.license_location(
        location, regime="llaa_1991", council=BOROUGH, premises_until=day + timedelta(days=200)
    )
    factories.council_credential(acupuncturist, BOROUGH, valid_until=day - timedelta(days=1))
    verdict = needling_gate(visit, today=day)
    assert [f.message for f in verdict.failures] == [
        f"{acupuncturist.name} has no {BOROUGH} special treatment licence or therapist "
        f"registration valid on {day:%-d %b %Y}."
    ]


def test_a_doctor_is_exempt_under_section_14(patient, location, clinic):
    doctor = factories.practitioner("doc", profession=Profession.DOCTOR, qualified_medical=True)
    Credential.objects.create(
        practitioner=doctor,
        kind=CredentialKind.REGISTRATION,
        body="GMC",
        number="7012345",
        valid_from=timezone.localdate() - timedelta(days=365),
        valid_until=timezone.localdate() + timedelta(days=365),
    )
    factories.license_location(location, council=COUNCIL, premises_from=False)
    visit = factories.appointment(patient=patient, practitioner=doctor)
    factories.safety_questionnaire(patient, by=doctor.user)
    factories.consent(patient, taken_by=doctor)
    services.visit_no_changes_confirm(visit, user=doctor.user)
    assert needling_gate(visit, today=timezone.localtime(visit.start).date()).allowed


def test_the_practitioners_notice_names_what_is_missing_where_they_work(
    client, location, acupuncturist
):
    factories.license_location(location, council=COUNCIL, premises_from=False)
    client.force_login(acupuncturist.user)
    page = client.get(reverse("diary")).content.decode()
    today = f"{timezone.localdate():%-d %b %Y}"
    assert (
        "You cannot be booked for acupuncture or needle at Riverside: no "
        f"{COUNCIL} acupuncture registration valid on {today}." in page
    )
    assert "the premises at Riverside have no" in page


def test_a_baab_membership_is_named_in_the_notice_and_left_out_of_expiry_reminders(
    client, acupuncturist
):
    membership = Credential.objects.get(practitioner=acupuncturist, kind="membership")
    membership.body = "BAAB"
    membership.valid_until = timezone.localdate() + timedelta(days=10)
    membership.save()
    client.force_login(acupuncturist.user)
    page = client.get(reverse("diary")).content.decode()
    assert "the BAAB membership on file does not count" in page
    assert "(BAAB " not in page  # no "ends in 10 days" line: renewing it would not help

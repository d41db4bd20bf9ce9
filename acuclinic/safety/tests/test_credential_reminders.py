"""A practitioner is reminded of their own credentials running out: a notice at the top of
every page they open, and the list of whom to email that the background worker sends."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from acuclinic.core.formats import format_date
from acuclinic.people.choices import CredentialKind
from acuclinic.people.models import Credential
from acuclinic.safety.services import credentials_expiring
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db


def ends_in(practitioner, days: int, kind: str = CredentialKind.INSURANCE) -> Credential:
    credential = Credential.objects.get(practitioner=practitioner, kind=kind)
    credential.valid_until = timezone.localdate() + timedelta(days=days)
    credential.save()
    return credential


def renew(credential: Credential) -> None:
    Credential.objects.create(
        practitioner=credential.practitioner,
        kind=credential.kind,
        body=credential.body,
        number=credential.number,
        valid_from=credential.valid_until + timedelta(days=1),
        valid_until=credential.valid_until + timedelta(days=366),
    )


def diary_as(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("diary"))
    assert response.status_code == 200
    return response.content.decode()


# ── The notice ───────────────────────────────────────────────────────────────────────


def test_a_practitioner_sees_their_own_credential_ending_within_30_days_on_their_diary(
    client, practitioner
):
    insurance = ends_in(practitioner, 12)

    page = diary_as(client, practitioner.user)

    assert "Your credentials" in page
    assert (
        f"Your professional indemnity insurance (Test Mutual {insurance.number}) ends on "
        f"{format_date(insurance.valid_until)}, in 12 days." in page
    )
    assert reverse("safety_expiring_credentials") in page


def test_the_notice_follows_them_to_other_pages(client, practitioner, patient):
    ends_in(practitioner, 3, kind=CredentialKind.REGISTRATION)
    client.force_login(practitioner.user)
    page = client.get(reverse("patient_detail", args=[patient.pk])).content.decode()
    assert "Your professional registration (HCPC" in page


def test_on_its_last_day_the_notice_says_today(client, practitioner):
    ends_in(practitioner, 0)
    assert "ends today," in diary_as(client, practitioner.user)


def test_no_notice_while_every_credential_runs_for_more_than_30_days(client, practitioner):
    ends_in(practitioner, 31)
    assert "Your credentials" not in diary_as(client, practitioner.user)


def test_a_renewal_on_file_silences_the_notice(client, practitioner):
    renew(ends_in(practitioner, 10))
    assert "Your credentials" not in diary_as(client, practitioner.user)


def test_a_lapsed_credential_says_they_cannot_be_booked_to_needle(client, practitioner):
    ends_in(practitioner, -1)
    page = diary_as(client, practitioner.user)
    assert "You cannot be booked for acupuncture or needle: no professional indemnity" in page


def test_nobody_else_sees_a_practitioner_s_notice(client, practitioner, users):
    ends_in(practitioner, 5)
    for role in ("admin", "reception"):
        assert "Your credentials" not in diary_as(client, users[role]), role
    colleague = factories.practitioner("colleague", qualified_medical=True)
    assert "Your credentials" not in diary_as(client, colleague.user)


def test_signed_out_pages_show_no_notice(client, practitioner):
    ends_in(practitioner, 5)
    page = client.get(reverse("login")).content.decode()
    assert "Your credentials" not in page


# ── Whom to email ────────────────────────────────────────────────────────────────────


def test_credentials_expiring_lists_each_practitioner_once_with_every_credential_soonest_first(
    clinic,
):
    soon = factories.practitioner("soon", qualified_medical=True)
    later = factories.practitioner("later", qualified_medical=True)
    factories.practitioner("fine", qualified_medical=True)
    ends_in(soon, 4)
    ends_in(soon, 20, kind=CredentialKind.MEMBERSHIP)
    ends_in(later, 25)

    reminders = credentials_expiring()

    assert [(r.practitioner, r.email, r.days_left) for r in reminders] == [
        (soon, soon.user.email, 4),
        (later, later.user.email, 25),
    ]
    assert [(e.credential.kind, e.days_left) for e in reminders[0].expiring] == [
        (CredentialKind.INSURANCE, 4),
        (CredentialKind.MEMBERSHIP, 20),
    ]


def test_credentials_expiring_takes_the_window_and_the_day(practitioner):
    ends_in(practitioner, 20)
    assert credentials_expiring(within_days=7) == []
    assert len(credentials_expiring(within_days=20)) == 1
    a_week_on = timezone.localdate() + timedelta(days=14)
    assert credentials_expiring(within_days=7, today=a_week_on)[0].days_left == 6


def test_credentials_expiring_leaves_out_renewed_credentials_and_those_it_cannot_email(
    clinic,
):
    renewed = factories.practitioner("renewed", qualified_medical=True)
    renew(ends_in(renewed, 9))
    no_email = factories.practitioner("noemail", qualified_medical=True)
    ends_in(no_email, 9)
    no_email.user.email = ""
    no_email.user.save()
    left = factories.practitioner("left", qualified_medical=True)
    ends_in(left, 9)
    left.user.is_active = False
    left.user.save()

    assert credentials_expiring() == []


@pytest.mark.parametrize("bad", [-1, 2.5, True, "30"])
def test_credentials_expiring_refuses_a_window_that_is_not_whole_days(bad, db):
    with pytest.raises(ValueError, match="whole number of days"):
        credentials_expiring(within_days=bad)

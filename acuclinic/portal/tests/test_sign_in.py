"""Signing in by emailed one-time link: asking for one, using it once, and every way a
link or a request can be refused."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.notifications import delivery
from acuclinic.notifications.choices import MessageStatus
from acuclinic.notifications.models import Message
from acuclinic.portal import services
from acuclinic.portal.access import PATIENT_KEY
from acuclinic.portal.models import LinkRequest, SignInLink
from acuclinic.portal.tests.conftest import ask_for_link, emailed_links, sign_in_form
from acuclinic.testing import factories

SENT = "If <strong>{email}</strong> and the date of birth you gave match our records"


def _signed_in_as(client):
    return client.session.get(PATIENT_KEY)


# Asking for a link ---------------------------------------------------------------------


def test_a_patient_asks_for_a_link_and_it_is_emailed_to_them_through_the_outbox(client, mira):
    response = client.post(reverse("portal_sign_in"), sign_in_form(mira))
    assert SENT.format(email=mira.email) in response.content.decode()
    message = Message.objects.get(kind="portal_sign_in")
    assert message.recipient == "mira.okafor@example.test"
    assert message.patient == mira
    assert message.subject == "Your sign-in link for Riverside Physio"
    assert "Hello Mira," in message.body
    assert "works once, for 20 minutes" in message.body
    assert len(emailed_links(mira)) == 1


def test_the_email_goes_out_through_the_mail_server(client, mira, mailoutbox):
    client.post(reverse("portal_sign_in"), sign_in_form(mira))
    message = Message.objects.get(kind="portal_sign_in")
    assert delivery.deliver(message.pk) == "sent"
    assert mailoutbox[0].to == ["mira.okafor@example.test"]
    assert "/portal/sign-in/" in mailoutbox[0].body


def test_the_page_says_the_same_whether_or_not_anyone_matched(client, mira):
    known = client.post(reverse("portal_sign_in"), sign_in_form(mira))
    stranger = client.post(
        reverse("portal_sign_in"), sign_in_form(mira, email="nobody@example.test")
    )
    assert known.status_code == stranger.status_code == 200
    assert known.content.decode().replace(mira.email, "X") == stranger.content.decode().replace(
        "nobody@example.test", "X"
    )
    assert Message.objects.filter(kind="portal_sign_in").count() == 1


def test_the_date_of_birth_must_match_as_well_as_the_email(client, mira):
    wrong_year = str(mira.date_of_birth.year - 1)
    response = client.post(reverse("portal_sign_in"), sign_in_form(mira, year=wrong_year))
    assert SENT.format(email=mira.email) in response.content.decode()
    assert not Message.objects.exists()
    assert not SignInLink.objects.exists()
    entry = AuditEntry.objects.get(action="login_failed")
    assert entry.via == "portal"
    assert "no patient has that email and date of birth" in entry.detail


def test_the_email_is_matched_whatever_its_case_and_spacing(client, mira):
    client.post(reverse("portal_sign_in"), sign_in_form(mira, email="  Mira.OKAFOR@Example.test "))
    assert len(emailed_links(mira)) == 1


def test_two_patients_sharing_an_email_and_birthday_each_get_their_own_link(client, mira):
    twin = factories.patient(
        given_name="Nia", family_name="Okafor", email=mira.email, date_of_birth=mira.date_of_birth
    )
    client.post(reverse("portal_sign_in"), sign_in_form(mira))
    assert len(emailed_links(mira)) == len(emailed_links(twin)) == 1
    assert "Hello Nia," in Message.objects.get(patient=twin).body


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"email": ""}, "Enter the email address the clinic has for you."),
        ({"email": "mira at example"}, "Enter an email address like name@example.com."),
        ({"day": ""}, "Enter your date of birth as three numbers, for example 27 3 1985."),
        ({"month": "13"}, "Enter your date of birth as three numbers, for example 27 3 1985."),
        ({"year": "eighty"}, "Enter your date of birth as three numbers, for example 27 3 1985."),
        ({"day": "31", "month": "2", "year": "1980"}, "That date does not exist."),
        ({"year": "2999"}, "Your date of birth must be in the past."),
    ],
)
def test_bad_input_on_the_sign_in_form_is_named_and_nothing_is_sent(client, mira, overrides, error):
    response = client.post(reverse("portal_sign_in"), sign_in_form(mira, **overrides))
    assert response.status_code == 200
    assert error in response.content.decode()
    assert "There is a problem" in response.content.decode()
    assert not Message.objects.exists()
    assert not LinkRequest.objects.exists()


# Rate limits ---------------------------------------------------------------------------


def test_a_sixth_request_for_one_email_within_the_hour_is_refused(client, mira):
    for _ in range(5):
        client.post(reverse("portal_sign_in"), sign_in_form(mira))
    response = client.post(reverse("portal_sign_in"), sign_in_form(mira))
    assert response.status_code == 429
    assert "Too many sign-in links have been asked for" in response.content.decode()
    assert "0161 496 0000" in response.content.decode()
    assert len(emailed_links(mira)) == 5


def test_the_limit_per_email_does_not_care_how_the_address_is_typed(client, mira):
    for spelling in ["mira.okafor@example.test", "MIRA.OKAFOR@EXAMPLE.TEST"] * 3:
        response = client.post(reverse("portal_sign_in"), sign_in_form(mira, email=spelling))
    assert response.status_code == 429


def test_many_addresses_from_one_connection_are_refused_after_twenty(client, mira):
    for n in range(20):
        client.post(
            reverse("portal_sign_in"),
            sign_in_form(mira, email=f"guess{n}@example.test"),
            REMOTE_ADDR="203.0.113.9",
        )
    response = client.post(reverse("portal_sign_in"), sign_in_form(mira), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429
    assert not Message.objects.exists()
    # Someone else, elsewhere, is not held up.
    elsewhere = client.post(
        reverse("portal_sign_in"), sign_in_form(mira), REMOTE_ADDR="198.51.100.4"
    )
    assert elsewhere.status_code == 200
    assert len(emailed_links(mira)) == 1


def test_the_limit_lifts_an_hour_later_and_old_requests_are_deleted(client, mira):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _ in range(6):
            client.post(reverse("portal_sign_in"), sign_in_form(mira))
    with time_machine.travel(start + timedelta(minutes=61), tick=False):
        response = client.post(reverse("portal_sign_in"), sign_in_form(mira))
    assert response.status_code == 200
    assert LinkRequest.objects.count() == 1


# Using the link ------------------------------------------------------------------------


def test_opening_the_link_does_not_use_it_the_sign_in_button_does(client, mira):
    path = ask_for_link(client, mira)
    page = client.get(path)
    assert page.status_code == 200
    assert "Sign in to your patient portal" in page.content.decode()
    assert SignInLink.objects.get().used_at is None
    assert _signed_in_as(client) is None

    response = client.post(path)
    assert response["Location"] == reverse("portal_home")
    assert _signed_in_as(client) == mira.pk
    assert SignInLink.objects.get().used_at is not None
    entry = AuditEntry.objects.get(action="login")
    assert (entry.patient_id, entry.via) == (mira.pk, "portal")


def test_the_token_is_stored_only_as_a_digest(client, mira):
    path = ask_for_link(client, mira)
    token = path.rstrip("/").rsplit("/", 1)[1]
    link = SignInLink.objects.get()
    assert token not in link.token_digest
    assert link.token_digest == services._digest(token)


def test_a_used_link_gets_a_clear_page_and_changes_nothing(client, mira):
    path = ask_for_link(client, mira)
    client.post(path)
    client.post(reverse("portal_sign_out"))
    used_at = SignInLink.objects.get().used_at

    for response in (client.get(path), client.post(path)):
        assert response.status_code == 410
        page = response.content.decode()
        assert "This link has already been used" in page
        assert "Ask for a new link" in page
        assert reverse("portal_sign_in") in page
    assert _signed_in_as(client) is None
    assert SignInLink.objects.get().used_at == used_at
    assert AuditEntry.objects.filter(action="login").count() == 1
    assert (
        AuditEntry.objects.get(action="login_failed").detail == "portal sign-in refused: link_used"
    )


def test_a_link_older_than_20_minutes_has_run_out(client, mira):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        path = ask_for_link(client, mira)
    with time_machine.travel(start + timedelta(minutes=19), tick=False):
        assert client.get(path).status_code == 200
    with time_machine.travel(start + timedelta(minutes=20), tick=False):
        response = client.post(path)
    assert response.status_code == 410
    assert "This link has run out" in response.content.decode()
    assert "Links work for 20 minutes" in response.content.decode()
    assert _signed_in_as(client) is None
    assert SignInLink.objects.get().used_at is None


def test_an_unknown_link_is_not_found_and_signs_nobody_in(client, mira):
    response = client.post(reverse("portal_link", args=["not-a-real-token"]))
    assert response.status_code == 404
    assert "This link is not recognised" in response.content.decode()
    assert _signed_in_as(client) is None


def test_a_link_sent_to_an_address_the_clinic_has_since_changed_no_longer_works(client, mira):
    path = ask_for_link(client, mira)
    mira.email = "mira.new@example.test"
    mira.save()
    assert client.post(path).status_code == 410
    assert _signed_in_as(client) is None


def test_each_link_signs_in_only_its_own_patient(client, mira, other_patient):
    path = ask_for_link(client, other_patient)
    client.post(path)
    assert _signed_in_as(client) == other_patient.pk


def test_a_staff_member_signed_in_cannot_use_a_patients_link(client, mira, reception_user):
    path = ask_for_link(client, mira)
    client.force_login(reception_user)
    response = client.post(path)
    assert response["Location"] == reverse("portal_sign_in")
    assert SignInLink.objects.get().used_at is None
    assert _signed_in_as(client) is None
    page = client.get(response["Location"]).content.decode()
    assert "You are signed in to the clinic&#x27;s staff pages in this browser" in page


def test_signing_in_starts_a_new_session(client, mira):
    path = ask_for_link(client, mira)
    before = client.session.session_key
    client.post(path)
    assert client.session.session_key != before


def test_signing_out_ends_the_session_and_is_audited(client, mira):
    client.post(ask_for_link(client, mira))
    response = client.post(reverse("portal_sign_out"))
    assert response["Location"] == reverse("portal_sign_in")
    assert _signed_in_as(client) is None
    assert client.get(reverse("portal_home"))["Location"] == reverse("portal_sign_in")
    entry = AuditEntry.objects.get(action="logout")
    assert (entry.patient_id, entry.via) == (mira.pk, "portal")


def test_signing_out_needs_a_post(client, mira):
    client.post(ask_for_link(client, mira))
    assert client.get(reverse("portal_sign_out")).status_code == 405
    assert _signed_in_as(client) == mira.pk


# The outbox does not send a link that can no longer be used ------------------------------


def test_the_outbox_cancels_a_link_that_was_used_before_it_went(client, mira):
    client.post(ask_for_link(client, mira))
    message = Message.objects.get(kind="portal_sign_in")
    assert delivery.deliver(message.pk) == "cancelled"
    message.refresh_from_db()
    assert message.status == MessageStatus.CANCELLED
    assert message.reason == "The patient has already signed in with this link."


def test_the_outbox_cancels_a_link_that_ran_out_before_it_went(client, mira):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        ask_for_link(client, mira)
    message = Message.objects.get(kind="portal_sign_in")
    with time_machine.travel(start + timedelta(minutes=25), tick=False):
        assert delivery.deliver(message.pk) == "cancelled"
    message.refresh_from_db()
    assert "ran out before it could be sent" in message.reason


def test_an_empty_sign_in_form_sent_names_what_is_missing(client, mira):
    response = client.post(reverse("portal_sign_in"), {})
    assert "There is a problem" in response.content.decode()
    assert "Enter the email address the clinic has for you." in response.content.decode()
    assert not Message.objects.exists()
    assert not LinkRequest.objects.exists()


def test_the_outbox_keeps_the_email_with_the_link_withheld_and_it_is_put_in_as_it_goes(
    client, mira, mailoutbox
):
    captured = []
    services.sign_in_link_request(
        email=mira.email,
        date_of_birth=mira.date_of_birth,
        client_address="10.0.0.1",
        url_for=lambda token: (
            captured.append(token) or f"https://clinic.test/portal/sign-in/{token}/"
        ),
    )
    token = captured[0]
    message = Message.objects.get(kind="portal_sign_in")
    assert token not in message.body
    assert "https://clinic.test/portal/sign-in/link-withheld/" in message.body
    link = SignInLink.objects.get()
    assert token not in (link.nonce, link.token_digest)
    assert delivery.deliver(message.pk) == "sent"
    assert f"https://clinic.test/portal/sign-in/{token}/" in mailoutbox[0].body
    message.refresh_from_db()
    assert token not in message.body
    # The link works.
    assert client.get(f"/portal/sign-in/{token}/").status_code in (200, 302)

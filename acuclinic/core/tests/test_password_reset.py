"""A forgotten password is reset by a link emailed to the account's address; a new
password must not be made of the person's own details or the clinic's name; asking for
links too often is refused, alike for addresses with and without an account."""

import re

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.urls import reverse

from acuclinic.audit.models import AuditAction, AuditEntry
from acuclinic.testing import factories


@pytest.fixture
def zara(clinic):
    user = factories.staff_user("zshah", role="Reception")
    user.first_name, user.last_name, user.email = "Zara", "Shah", "zara.shah@example.test"
    user.save()
    return user


@pytest.mark.parametrize(
    "password",
    ["zara shah reception", "Shah.Zara.2026!", "zshah reception 99", "riverside physio 1"],
)
def test_a_password_made_of_your_details_or_the_clinics_name_is_refused(zara, password):
    with pytest.raises(ValidationError) as caught:
        validate_password(password, zara)
    assert "password_personal_details" in {e.code for e in caught.value.error_list}


def test_a_password_of_other_words_is_accepted(zara):
    validate_password("plum orchard lantern 73", zara)


def test_a_forgotten_password_is_reset_by_an_emailed_link_that_works_once(client, zara, mailoutbox):
    client.post(reverse("password_reset"), {"email": "ZARA.SHAH@example.test"})
    assert len(mailoutbox) == 1
    link = re.search(r"http://testserver(/password/reset/\S+/\S+/)", mailoutbox[0].body).group(1)
    form = client.get(link, follow=True)
    set_url = form.redirect_chain[-1][0]
    weak = client.post(
        set_url, {"new_password1": "zara shah reception", "new_password2": "zara shah reception"}
    )
    assert "made mostly of your name" in weak.content.decode()
    done = client.post(
        set_url,
        {"new_password1": "plum orchard lantern 73", "new_password2": "plum orchard lantern 73"},
    )
    assert done["Location"] == reverse("password_reset_complete")
    zara.refresh_from_db()
    assert zara.check_password("plum orchard lantern 73")
    assert "has been used or has run out" in client.get(link, follow=True).content.decode()


def test_an_unknown_address_gets_the_same_page_and_no_email(client, clinic, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.test"})
    assert response["Location"] == reverse("password_reset_done")
    assert mailoutbox == []


THROTTLED = "Too many requests for a reset link from this computer or for this email address"


@pytest.fixture
def low_reset_limits(settings):
    settings.ACUCLINIC_RESET_RATE_PER_ADDRESS = 4
    settings.ACUCLINIC_RESET_RATE_PER_EMAIL = 2
    cache.clear()
    yield
    cache.clear()


def _ask(client, email, address="10.0.0.1"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=address)


@pytest.mark.parametrize("email", ["zara.shah@example.test", "nobody@example.test"])
def test_asking_too_often_for_one_email_is_refused_alike_whether_or_not_it_has_an_account(
    client, zara, mailoutbox, low_reset_limits, email
):
    with time_machine.travel("2026-03-03 10:20:00Z", tick=False) as clock:
        assert [_ask(client, email, f"10.0.0.{n}").status_code for n in (1, 2)] == [302, 302]
        sent = len(mailoutbox)
        # From another computer too: the email itself has been asked for enough.
        refused = _ask(client, email.upper(), "10.0.0.3")
        assert refused.status_code == 429
        assert refused["Retry-After"] == "2400"
        page = refused.content.decode()
        assert THROTTLED in page and "Try again in 40 minutes" in page
        assert len(mailoutbox) == sent  # no more mail
        entry = AuditEntry.objects.filter(object_type="password_reset").get()
        assert entry.action == AuditAction.DENIED
        assert f"email tried: {email.upper()}" in entry.detail
        # The next hour it may be asked for again.
        clock.shift(2400)
        assert _ask(client, email).status_code == 302


def test_the_refusal_reads_the_same_for_an_account_and_for_no_account(
    client, zara, low_reset_limits
):
    with time_machine.travel("2026-03-03 10:00:00Z", tick=False):
        pages = []
        for email in ("zara.shah@example.test", "nobody@example.test"):
            for _ in range(2):
                _ask(client, email)
            page = _ask(client, email).content.decode()
            # Alike but for the email typed and the CSRF tokens (64 random characters).
            pages.append(re.sub(r"\b\w{64}\b", "TOKEN", page).replace(email, "EMAIL"))
    assert pages[0] == pages[1]


def test_one_computer_asking_for_many_addresses_is_refused(
    client, zara, mailoutbox, low_reset_limits
):
    with time_machine.travel("2026-03-03 10:00:00Z", tick=False):
        codes = [_ask(client, f"guess{n}@example.test").status_code for n in range(4)]
        assert codes == [302] * 4
        assert _ask(client, "zara.shah@example.test").status_code == 429
        assert mailoutbox == []
        assert "too many for this address" in (
            AuditEntry.objects.get(object_type="password_reset").detail
        )
        # Another computer still gets its link.
        assert _ask(client, "zara.shah@example.test", "10.9.9.9").status_code == 302
        assert len(mailoutbox) == 1

"""A forgotten password is reset by a link emailed to the account's address; a new
password must not be made of the person's own details or the clinic's name."""

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

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

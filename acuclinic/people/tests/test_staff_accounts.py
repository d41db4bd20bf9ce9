"""Clinic admins run staff accounts in the browser: the access review, invitations by
email, roles, and disabling a leaver, whose sessions and API tokens stop at once."""

import re

from django.test import Client
from django.urls import reverse

from acuclinic.audit.models import AuditEntry
from acuclinic.people.models import ApiToken, User
from acuclinic.testing.api_client import JsonClient, api_token

STAFF = reverse("staff_list")


def test_the_access_review_lists_who_can_do_what_and_when_they_last_signed_in(
    client, admin_user, reception_user
):
    client.force_login(admin_user)
    page = client.get(STAFF).content.decode()
    assert "What each role can do" in page
    assert "reception" in page and "Never" in page
    assert "no clinical records" in page


def test_only_admins_open_the_staff_page(client, reception_user):
    client.force_login(reception_user)
    assert client.get(STAFF).status_code == 403


def test_an_invited_member_of_staff_sets_their_password_from_the_email(
    client, admin_user, mailoutbox
):
    client.force_login(admin_user)
    response = client.post(
        STAFF,
        {
            "first_name": "Nadia",
            "last_name": "Okoro",
            "email": "nadia@example.test",
            "username": "nokoro",
            "role": "Practitioner",
        },
    )
    assert response.status_code == 302
    nadia = User.objects.get(username="nokoro")
    assert nadia.role == "Practitioner" and not nadia.has_usable_password()
    link = re.search(r"http://testserver(/password/reset/\S+/\S+/)", mailoutbox[0].body).group(1)
    invited = Client()
    set_url = invited.get(link, follow=True).redirect_chain[-1][0]
    invited.post(
        set_url,
        {"new_password1": "plum orchard lantern 73", "new_password2": "plum orchard lantern 73"},
    )
    assert (
        invited.post(
            reverse("login"), {"username": "nokoro", "password": "plum orchard lantern 73"}
        ).status_code
        == 302
    )
    assert AuditEntry.objects.filter(detail="staff account invited as Practitioner").exists()


def test_an_admin_changes_a_role_but_not_their_own(client, admin_user, reception_user):
    client.force_login(admin_user)
    client.post(
        reverse("staff_change", args=[reception_user.pk]),
        {"action": "role", "role": "Practitioner"},
    )
    assert User.objects.get(pk=reception_user.pk).role == "Practitioner"
    own = client.post(
        reverse("staff_change", args=[admin_user.pk]),
        {"action": "role", "role": "Reception"},
        follow=True,
    )
    assert "Ask another clinic admin" in own.content.decode()
    assert User.objects.get(pk=admin_user.pk).role == "Clinic admin"


def test_disabling_a_leaver_ends_their_sessions_and_tokens_at_once(
    client, admin_user, reception_user
):
    leaver_browser = Client()
    leaver_browser.force_login(reception_user)
    assert leaver_browser.get("/diary/").status_code == 200
    token = api_token(reception_user)
    client.force_login(admin_user)
    client.post(reverse("staff_change", args=[reception_user.pk]), {"action": "disable"})
    assert leaver_browser.get("/diary/").status_code == 302
    assert JsonClient(token=token).get("/patients").status_code == 401
    assert not ApiToken.objects.filter(user=reception_user, revoked_at__isnull=True).exists()
    entry = AuditEntry.objects.filter(object_type="people.user", changed_fields=["is_active"]).get()
    assert entry.detail == "disabled: 1 sessions ended, 1 API tokens revoked"


def _edit(client, person, **changes):
    data = {"first_name": person.first_name, "last_name": person.last_name, "email": person.email}
    return client.post(reverse("staff_edit", args=[person.pk]), data | changes)


def test_an_admin_corrects_a_name_and_email_and_the_old_address_is_told(
    client, admin_user, reception_user, mailoutbox
):
    reception_user.email = "zara@old.example.test"
    reception_user.save()
    client.force_login(admin_user)
    form = client.get(reverse("staff_edit", args=[reception_user.pk])).content.decode()
    assert 'value="zara@old.example.test"' in form
    response = _edit(client, reception_user, last_name="Shah-Patel", email="zara@new.example.test")
    assert response["Location"] == STAFF
    reception_user.refresh_from_db()
    assert (reception_user.last_name, reception_user.email) == (
        "Shah-Patel",
        "zara@new.example.test",
    )
    [told] = mailoutbox
    assert told.to == ["zara@old.example.test"]
    assert "changed the email address" in told.body
    assert "zara@new.example.test" not in told.body
    entry = AuditEntry.objects.filter(object_id=str(reception_user.pk), detail="staff details")
    assert sorted(entry.get().changed_fields) == ["email", "last_name"]
    assert "zara@new.example.test" in client.get(STAFF).content.decode()


def test_a_name_change_alone_sends_no_email(client, admin_user, reception_user, mailoutbox):
    client.force_login(admin_user)
    _edit(client, reception_user, first_name="Zahra")
    assert User.objects.get(pk=reception_user.pk).first_name == "Zahra"
    assert mailoutbox == []


def test_an_email_another_account_uses_is_refused_and_nothing_changes(
    client, admin_user, reception_user, practitioner_user, mailoutbox
):
    practitioner_user.email = "dr.lee@example.test"
    practitioner_user.save()
    before = User.objects.get(pk=reception_user.pk)
    client.force_login(admin_user)
    refused = _edit(client, reception_user, last_name="Changed", email="DR.LEE@example.test")
    assert refused.status_code == 400
    assert "A staff account already uses that email." in refused.content.decode()
    after = User.objects.get(pk=reception_user.pk)
    assert (after.last_name, after.email) == (before.last_name, before.email)
    assert mailoutbox == []
    assert not AuditEntry.objects.filter(detail="staff details").exists()


def test_a_blank_name_or_bad_email_is_refused(client, admin_user, reception_user):
    client.force_login(admin_user)
    refused = _edit(client, reception_user, first_name="", email="not an email")
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "This field is required." in page and "Enter a valid email address." in page


def test_only_admins_edit_staff_details(client, reception_user, practitioner_user):
    for user in (reception_user, practitioner_user):
        client.force_login(user)
        url = reverse("staff_edit", args=[reception_user.pk])
        assert client.get(url).status_code == 403
        assert _edit(client, reception_user, last_name="Hacked").status_code == 403
    assert User.objects.get(pk=reception_user.pk).last_name != "Hacked"

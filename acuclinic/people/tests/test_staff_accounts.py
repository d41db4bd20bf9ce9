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

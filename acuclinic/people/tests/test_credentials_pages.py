"""Practitioners in the clinic set-up pages and the API (issue 15, point 6): a clinic
admin sees each practitioner's registration and what ends soon, records a renewal from
the browser (not only the shell), and edits the profile and services offered; nobody
else can; bad input changes nothing; the page says a lapsed licence stops bookings."""

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Service
from acuclinic.people.models import Credential, Practitioner
from acuclinic.testing import factories
from acuclinic.testing.api_client import as_user


def _renewal(**overrides) -> dict:
    today = timezone.localdate()
    data = {
        "credential-kind": "registration",
        "credential-body": "HCPC",
        "credential-number": "PH12345",
        "credential-valid_from": (today - timedelta(days=1)).isoformat(),
        "credential-valid_until": (today + timedelta(days=730)).isoformat(),
    }
    data.update({f"credential-{k}": v for k, v in overrides.items()})
    return data


def test_the_list_shows_registrations_and_what_ends_soon(client, admin_user):
    soon = timezone.localdate() + timedelta(days=10)
    ending = factories.practitioner("ending", valid_until=soon)
    client.force_login(admin_user)

    page = client.get(reverse("practitioner_list")).content.decode()

    assert f"HCPC PH{ending.pk:05d}" in page
    assert f"ends {soon:%a} {soon.day} {soon:%b %Y}" in page
    assert "(10 days)" in page
    assert "cannot be booked" in page  # the rule, said on the page


def test_an_admin_records_a_renewed_hcpc_registration_in_the_browser(client, admin_user):
    soon = timezone.localdate() + timedelta(days=10)
    prac = factories.practitioner("ending", valid_until=soon)
    client.force_login(admin_user)

    response = client.post(reverse("credential_add", args=[prac.pk]), _renewal())

    assert response.status_code == 302
    assert prac.credentials.filter(body="HCPC").count() == 2
    page = client.get(reverse("practitioner_detail", args=[prac.pk])).content.decode()
    assert "Renewed" in page
    assert AuditEntry.objects.filter(object_type="people.credential", action="create").exists()


def test_a_bad_credential_is_refused_on_its_field_and_nothing_is_written(client, admin_user):
    prac = factories.practitioner("prac2")
    before = prac.credentials.count()
    client.force_login(admin_user)

    bad_number = client.post(reverse("credential_add", args=[prac.pk]), _renewal(number="12345"))
    no_end = client.post(reverse("credential_add", args=[prac.pk]), _renewal(valid_until=""))
    baab = client.post(
        reverse("credential_add", args=[prac.pk]), _renewal(kind="membership", body="BAAB")
    )

    assert bad_number.status_code == no_end.status_code == baab.status_code == 400
    assert "An HCPC physiotherapist number looks like PH12345." in bad_number.content.decode()
    assert "Give the end date" in no_end.content.decode()
    assert "not a membership body" in baab.content.decode()
    assert prac.credentials.count() == before


def test_a_lapsed_practitioner_page_says_they_cannot_be_booked(client, admin_user):
    prac = factories.practitioner("lapsed")
    Credential.objects.filter(practitioner=prac, kind="insurance").update(
        valid_until=timezone.localdate() - timedelta(days=1)
    )
    client.force_login(admin_user)

    page = client.get(reverse("practitioner_detail", args=[prac.pk])).content.decode()

    assert "Cannot be booked for acupuncture today" in page
    assert "no professional indemnity insurance valid on" in page
    assert "Ended" in page


def test_an_admin_adds_a_practitioner_to_a_staff_account_and_sets_the_services(client, admin_user):
    account = factories.staff_user(
        "newbie", role="Practitioner", first_name="Nia", last_name="Cole"
    )
    follow_up = Service.objects.get(name="Follow-up")
    traditional = Service.objects.get(name="Traditional acupuncture")
    client.force_login(admin_user)

    added = client.post(
        reverse("practitioner_new"),
        {"user": account.pk, "profession": "acupuncturist", "qualified_traditional": "on"},
    )
    prac = Practitioner.objects.get(user=account)
    saved = client.post(
        reverse("practitioner_detail", args=[prac.pk]),
        {
            "profession": "acupuncturist",
            "qualified_traditional": "on",
            "profile": "BAcC member; speaks Welsh.",
            "services": [follow_up.pk, traditional.pk],
            "is_active": "on",
        },
    )
    medical = client.post(
        reverse("practitioner_detail", args=[prac.pk]),
        {
            "profession": "acupuncturist",
            "qualified_traditional": "on",
            "services": [Service.objects.get(name="Medical acupuncture").pk],
            "is_active": "on",
        },
    )

    assert added.status_code == 302 and saved.status_code == 302
    prac.refresh_from_db()
    assert prac.profile == "BAcC member; speaks Welsh."
    assert set(prac.services.all()) == {follow_up, traditional}
    assert medical.status_code == 400
    assert "not qualified in the acupuncture of: Medical acupuncture" in medical.content.decode()
    assert set(prac.services.all()) == {follow_up, traditional}


def test_only_clinic_admins_open_the_practitioner_pages(
    client, reception_user, practitioner_user, practitioner
):
    for user in (reception_user, practitioner_user):
        client.force_login(user)
        assert client.get(reverse("practitioner_list")).status_code == 403
        refused = client.post(reverse("credential_add", args=[practitioner.pk]), _renewal())
        assert refused.status_code == 403
    assert practitioner.credentials.filter(number="PH12345").count() == 0


def test_the_api_adds_a_practitioner_and_changes_the_profile(admin_user, reception_user, clinic):
    account = factories.staff_user("newbie", role="Practitioner")
    follow_up = Service.objects.get(name="Follow-up")
    api = as_user(admin_user)

    added = api.post(
        "/practitioners",
        {"user_id": account.pk, "profession": "physiotherapist", "qualified_medical": True},
    )
    again = api.post("/practitioners", {"user_id": account.pk, "profession": "physiotherapist"})
    prac_id = added.json()["id"]
    changed = api.patch(
        f"/practitioners/{prac_id}", {"profile": "Sports injuries.", "services": [follow_up.pk]}
    )
    unknown = api.patch(f"/practitioners/{prac_id}", {"services": [999999]})
    reception = as_user(reception_user).patch(f"/practitioners/{prac_id}", {"profile": "x"})

    assert added.status_code == 201
    assert added.json()["credentials_valid_today"] is False
    assert again.status_code == 409 and again.json()["code"] == "already_practitioner"
    assert changed.json()["profile"] == "Sports injuries."
    assert changed.json()["services_offered"] == [{"id": follow_up.pk, "name": "Follow-up"}]
    assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_service"
    assert reception.status_code == 403
    assert Practitioner.objects.get(pk=prac_id).profile == "Sports injuries."

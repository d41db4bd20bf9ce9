"""Setting the clinic up in the browser and the API (issue 15, point 6): its details,
used on every page; services with their length and base price; bad values refused with
nothing written; every change audited."""

from django.urls import reverse

from acuclinic.audit.models import AuditEntry
from acuclinic.clinic.models import Clinic, Service
from acuclinic.testing.api_client import as_user

NEW_SERVICE = {
    "name": "Cupping",
    "modality": "follow_up",
    "needling": "",
    "duration_minutes": "40",
    "turnover_minutes": "5",
    "price": "42.50",
    "description": "",
    "is_active": "on",
    "bookable_online": "on",
}


def test_an_admin_renames_the_clinic_and_every_page_says_the_new_name(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("clinic_details"),
        {"name": "Ashbridge Acupuncture", "phone": "0113 496 0000", "email": "", "website": ""},
    )

    assert response.status_code == 302
    page = client.get(reverse("service_list")).content.decode()
    assert "· Ashbridge Acupuncture</title>" in page
    entry = AuditEntry.objects.get(object_type="clinic.clinic", action="change")
    assert set(entry.changed_fields) == {"name", "phone"}


def test_an_admin_adds_a_service_with_its_price_in_pounds(client, admin_user):
    client.force_login(admin_user)

    response = client.post(reverse("service_new"), NEW_SERVICE)

    assert response.status_code == 302
    service = Service.objects.get(name="Cupping")
    assert (service.duration_minutes, service.turnover_minutes, service.price_pence) == (
        40,
        5,
        4250,
    )
    assert "£42.50" in client.get(reverse("service_list")).content.decode()
    edit = client.get(reverse("service_edit", args=[service.pk])).content.decode()
    assert 'value="42.50"' in edit


def test_a_duplicate_name_or_a_bad_length_is_refused_on_its_field(client, admin_user):
    client.force_login(admin_user)

    same = client.post(reverse("service_new"), {**NEW_SERVICE, "name": "follow-up"})
    long = client.post(reverse("service_new"), {**NEW_SERVICE, "duration_minutes": "300"})

    assert same.status_code == 400
    assert "already a service with that name" in same.content.decode()
    assert long.status_code == 400
    assert not Service.objects.filter(name="Cupping").exists()


def test_the_api_changes_the_details_and_adds_and_reprices_services(admin_user, clinic):
    api = as_user(admin_user)

    details = api.patch("/clinic", {"phone": "0113 496 0099"})
    added = api.post(
        "/services",
        {"name": "Cupping", "modality": "follow_up", "duration_minutes": 30, "price_pence": 4000},
    )
    repriced = api.patch(f"/services/{added.json()['id']}", {"price_pence": 4500})
    refused = api.patch(f"/services/{added.json()['id']}", {"duration_minutes": 2})

    assert details.status_code == 200 and Clinic.objects.get().phone == "0113 496 0099"
    assert added.status_code == 201
    assert repriced.json()["price_pence"] == 4500
    assert refused.status_code == 422
    assert refused.json()["code"] == "invalid_duration_minutes"
    assert Service.objects.get(name="Cupping").duration_minutes == 30


def test_a_treatment_service_needles_in_its_own_kind_whatever_the_needling_box_says(
    client, admin_user
):
    client.force_login(admin_user)

    response = client.post(
        reverse("service_new"), {**NEW_SERVICE, "name": "Electro", "modality": "medical"}
    )

    assert response.status_code == 302
    assert Service.objects.get(name="Electro").needling == "medical"

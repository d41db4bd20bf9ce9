"""Every page carries the clinic's own name and icon, and /favicon.ico is not a 404."""

from django.contrib.staticfiles import finders
from django.urls import reverse

from acuclinic.clinic.models import Clinic


def test_staff_pages_carry_the_clinic_s_name_and_icon(client, reception_user):
    Clinic.objects.update(name="Ashbridge Acupuncture", phone="0113 496 0000")
    client.force_login(reception_user)

    page = client.get(reverse("patient_list")).content.decode()

    assert "· Ashbridge Acupuncture</title>" in page
    assert 'class="brand" href="/">Ashbridge Acupuncture</a>' in page
    assert "0113 496 0000" in page
    assert 'rel="icon" href="/static/clinic/favicon.svg"' in page


def test_favicon_ico_leads_to_the_icon(client, clinic):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"] == "/static/clinic/favicon.svg"
    assert finders.find("clinic/favicon.svg")


def test_public_pages_carry_the_icon(client, clinic):
    page = client.get(reverse("online_start")).content.decode()
    assert 'rel="icon" href="/static/clinic/favicon.svg"' in page

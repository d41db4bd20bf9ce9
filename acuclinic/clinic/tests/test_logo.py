"""The clinic's logo (issue 15, point 6): a clinic admin uploads a PNG or JPEG in the
clinic details; anything else is refused with a clear message and nothing changes; it
shows in every page's header, in emails and on PDF invoices; anyone can fetch it."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from acuclinic.clinic import logo
from acuclinic.clinic.models import Clinic
from acuclinic.testing.api_client import BASE, as_user

DETAILS = {"name": "Riverside Physio", "phone": "0161 496 0000", "email": "", "website": ""}


def image_bytes(kind: str = "PNG", size=(120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (31, 111, 139)).save(out, kind)
    return out.getvalue()


def _upload(data: bytes, name: str = "logo.png", content_type: str = "image/png"):
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_an_admin_uploads_a_logo_and_every_page_shows_it(client, admin_user, reception_user):
    client.force_login(admin_user)

    saved = client.post(reverse("clinic_details"), {**DETAILS, "logo": _upload(image_bytes())})

    clinic = Clinic.objects.get()
    assert saved.status_code == 302 and clinic.logo_type == "image/png"
    client.force_login(reception_user)
    page = client.get(reverse("diary")).content.decode()
    assert f'<img class="brand-logo" src="{clinic.logo_path}" alt="">' in page
    client.logout()
    served = client.get(clinic.logo_path)
    assert served.status_code == 200
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert bytes(served.content) == bytes(clinic.logo)


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>",
            "l.svg",
            "must be a PNG or JPEG image",
        ),
        (b"\x89PNG\r\n\x1a\n" + b"not really an image", "l.png", "not a readable PNG or JPEG"),
        (b"GIF89a" + b"\x00" * 20, "l.gif", "must be a PNG or JPEG image"),
        (b"\xff\xd8\xff" + b"\x00" * (logo.MAX_BYTES + 1), "big.jpg", "the most is 512 KB"),
    ],
)
def test_a_bad_file_is_refused_with_its_reason_and_nothing_changes(
    client, admin_user, data, name, message
):
    client.force_login(admin_user)

    response = client.post(
        reverse("clinic_details"), {**DETAILS, "name": "Renamed", "logo": _upload(data, name)}
    )

    assert response.status_code == 400
    assert message in response.content.decode()
    clinic = Clinic.objects.get()
    assert (clinic.name, clinic.logo_digest) == ("Riverside Physio", "")


def test_a_huge_image_is_refused_by_its_size_in_pixels():
    with pytest.raises(Exception, match="the most is 2000 on each side"):
        logo.check(image_bytes("PNG", size=(2400, 100)))


def test_the_logo_is_in_the_reminder_email_and_on_the_invoice_pdf(clinic):
    from django.template.loader import render_to_string

    logo.logo_set(clinic, image_bytes("JPEG"))
    clinic.refresh_from_db()

    html = render_to_string("scheduling/reminders/email.html", {"clinic": clinic, "location": None})

    assert f'<img src="{clinic.logo_url}" alt="Riverside Physio"' in html
    assert clinic.logo_url.startswith("http")


def test_only_admins_change_the_logo_through_the_api(admin_user, reception_user, clinic):
    def upload(user, data, name="logo.png"):
        api = as_user(user)
        return api.client.post(
            BASE + "/clinic/logo", {"logo": _upload(data, name)}, headers=api.headers
        )

    refused = upload(reception_user, image_bytes())
    bad = upload(admin_user, b"plain text")
    good = upload(admin_user, image_bytes("JPEG"), "logo.jpg")
    removed = as_user(admin_user).delete("/clinic/logo")

    assert refused.status_code == 403
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_logo"
    assert good.status_code == 200 and "/clinic/logo/" in good.json()["logo_url"]
    assert removed.status_code == 200 and removed.json()["logo_url"] == ""
    assert Clinic.objects.get().logo_digest == ""

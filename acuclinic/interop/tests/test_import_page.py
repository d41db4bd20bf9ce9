"""The import page: upload, the worker's dry run with progress on the page, then the real
run on one click; a file with errors cannot be imported."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from acuclinic.interop.importing import jobs
from acuclinic.interop.models import ImportJob
from acuclinic.notifications.worker import Worker
from acuclinic.people import roles
from acuclinic.people.models import Patient
from acuclinic.testing import factories

pytestmark = pytest.mark.django_db(transaction=True)
CLINIKO = (Path(__file__).parent / "data" / "cliniko_patients.csv").read_bytes()


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    settings.ACUCLINIC_IMPORT_DIR = tmp_path / "imports"


@pytest.fixture
def admin_client(client):
    factories.build_clinic()
    client.force_login(factories.staff_user("import-admin", role=roles.ADMIN))
    return client


def upload(client, data: bytes, system="cliniko"):
    response = client.post(
        reverse("import_upload"),
        {"system": system, "file": SimpleUploadedFile("export.csv", data, "text/csv")},
    )
    assert response.status_code == 302, response.content
    return response["Location"]


def work():
    Worker(jobs=[], interval=0).run(batch=True)


def test_upload_check_then_import_with_progress(admin_client):
    page = upload(admin_client, CLINIKO)
    waiting = admin_client.get(page)
    assert 'hx-trigger="every 1s"' in waiting.text and "<progress" in waiting.text
    work()
    job = ImportJob.objects.get()
    assert jobs.progress(job.pk) == {"stage": "checked", "done": 5, "total": 5}
    checked = admin_client.get(page, headers={"HX-Request": "true"})
    assert "every 1s" not in checked.text  # done: the page stops polling
    assert "Would create 5 patients" in checked.text
    assert Patient.objects.count() == 0

    admin_client.post(reverse("import_commit", args=[job.pk]))
    work()
    done = admin_client.get(page)
    assert "Imported." in done.text and Patient.objects.count() == 5


def test_a_file_with_errors_lists_them_and_cannot_be_imported(admin_client):
    page = upload(admin_client, CLINIKO.replace(b"03/11/1962", b"1962-11-03"))
    work()
    checked = admin_client.get(page)
    assert "1 row with errors" in checked.text and "is not a date like" in checked.text
    assert "Import 4 patients" not in checked.text
    job = ImportJob.objects.get()
    admin_client.post(reverse("import_commit", args=[job.pk]))
    work()
    assert Patient.objects.count() == 0


def test_uploads_not_imported_are_deleted_after_a_day(admin_client, settings):
    from datetime import timedelta

    from django.utils import timezone

    upload(admin_client, CLINIKO)
    job = ImportJob.objects.get()
    stored = settings.ACUCLINIC_IMPORT_DIR / f"{job.pk}.csv"
    assert stored.exists()
    assert jobs.prune_uploads() == ""  # not a day old yet
    jobs.prune_uploads(now=timezone.now() + jobs.KEEP_UPLOADS + timedelta(minutes=1))
    assert not stored.exists()


def test_an_unreadable_file_says_why(admin_client):
    page = upload(admin_client, b"\xff\xfe junk")
    work()
    assert "not UTF-8" in admin_client.get(page).text

"""Imports run by the worker, with their progress in a small file the page polls (the
import's own transaction holds its rows until it commits, so progress cannot go through
the database)."""

import json
import secrets
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from acuclinic.interop.importing import csvrows, patients
from acuclinic.interop.models import ImportJob

KEEP_ERRORS = 500
# An uploaded file holds personal data: it is deleted once imported, or after this long.
KEEP_UPLOADS = timedelta(hours=24)


def import_dir() -> Path:
    return Path(getattr(settings, "ACUCLINIC_IMPORT_DIR", Path(settings.VAR_DIR) / "imports"))


def _data_path(job: ImportJob) -> Path:
    return import_dir() / f"{job.id}.csv"


def _progress_path(job_id: str) -> Path:
    return import_dir() / f"{job_id}.progress.json"


def progress(job_id: str) -> dict:
    try:
        return json.loads(_progress_path(job_id).read_text())
    except (OSError, ValueError):
        return {"stage": "waiting", "done": 0, "total": 0}


def upload(*, system: str, file_name: str, data: bytes, user) -> ImportJob:
    if system not in csvrows.mappings():
        raise csvrows.ImportFileError(f"No mapping for “{system}”.")
    import_dir().mkdir(parents=True, exist_ok=True)
    with transaction.atomic():
        job = ImportJob.objects.create(
            id=secrets.token_hex(16), system=system, file_name=file_name[:200], uploaded_by=user
        )
        _data_path(job).write_bytes(data)
        transaction.on_commit(lambda: run_import_task.enqueue(job.id))
    return job


def commit(job: ImportJob) -> None:
    """Queue the real run of a file whose dry run found no errors."""
    with transaction.atomic():
        ImportJob.objects.filter(pk=job.pk).update(
            dry_run=False, status=ImportJob.Status.QUEUED, finished_at=None
        )
        transaction.on_commit(lambda: run_import_task.enqueue(job.id))


@task()
def run_import_task(job_id: str) -> str:
    job = ImportJob.objects.filter(pk=job_id).first()
    if job is None or job.status != ImportJob.Status.QUEUED:
        return "nothing to do"
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    path = _progress_path(job.id)

    def report(stage: str, done: int, total: int) -> None:
        path.write_text(json.dumps({"stage": stage, "done": done, "total": total}))

    job.finished_at = timezone.now()
    try:
        plan = patients.import_patients(
            _data_path(job).read_bytes(), job.system, dry_run=job.dry_run, progress=report
        )
    except csvrows.ImportFileError as exc:
        job.status, job.summary = ImportJob.Status.FAILED, str(exc)[:300]
    except patients.ImportRefused as exc:
        _record(job, exc.plan)
        job.status, job.summary = ImportJob.Status.REFUSED, str(exc)[:300]
    else:
        _record(job, plan)
        job.status = ImportJob.Status.CHECKED if job.dry_run else ImportJob.Status.IMPORTED
        job.summary = plan.summary()
    job.save()
    if job.status == ImportJob.Status.IMPORTED:
        _data_path(job).unlink(missing_ok=True)  # personal data: not kept once imported
    return job.summary


def _record(job: ImportJob, plan: patients.Plan) -> None:
    job.creates = plan.count("create")
    job.matches = plan.count("match")
    job.error_count = len(plan.errors)
    job.errors = [
        {"line": o.line, "name": o.name, "detail": o.detail} for o in plan.errors[:KEEP_ERRORS]
    ]


def prune_uploads(now=None) -> str:
    """The worker's periodic job: delete uploaded files (and progress) past KEEP_UPLOADS;
    their import can no longer be run and must be uploaded again."""
    now = now or timezone.now()
    gone = 0
    for job in ImportJob.objects.filter(created_at__lt=now - KEEP_UPLOADS):
        for path in (_data_path(job), _progress_path(job.pk)):
            if path.exists():
                path.unlink()
                gone += 1
    return f"deleted {gone} old import files" if gone else ""

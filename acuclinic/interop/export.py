"""FHIR Bulk Data export (``$export``): asked for over HTTP, run by the worker, read back as
NDJSON files behind the same authentication, deleted after ``KEEP``.

Each resource type is streamed from the database to its file a chunk at a time, so memory
does not grow with the clinic. Every patient whose records went into an export is audited
(one entry each, in bulk).
"""

import json
import os
import secrets
import shutil
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.interop.fhir.registry import KINDS, Reader
from acuclinic.interop.models import ExportJob
from acuclinic.people.models import Patient

KEEP = timedelta(hours=int(os.environ.get("ACUCLINIC_EXPORT_KEEP_HOURS", "24")))
CHUNK = 500


def export_dir() -> Path:
    return Path(getattr(settings, "ACUCLINIC_EXPORT_DIR", Path(settings.VAR_DIR) / "exports"))


def job_dir(job: ExportJob) -> Path:
    return export_dir() / job.id


def start(*, user, level: str, types: list[str], since, request_url: str) -> ExportJob:
    with transaction.atomic():
        job = ExportJob.objects.create(
            id=secrets.token_hex(16),
            requested_by=user,
            level=level,
            types=types,
            since=since,
            request_url=request_url[:500],
        )
        transaction.on_commit(lambda: run_export_task.enqueue(job.id))
    return job


@task()
def run_export_task(job_id: str) -> str:
    job = ExportJob.objects.filter(pk=job_id).first()
    if job is None or job.status != ExportJob.Status.QUEUED:
        return "nothing to do"
    try:
        run(job)
    except Exception as exc:  # the client is told, by the status endpoint
        ExportJob.objects.filter(pk=job.pk).update(
            status=ExportJob.Status.FAILED, error=str(exc)[:500], finished_at=timezone.now()
        )
        shutil.rmtree(job_dir(job), ignore_errors=True)
        raise
    return f"exported {sum(o['count'] for o in job.output)} resources"


def run(job: ExportJob) -> None:
    ExportJob.objects.filter(pk=job.pk).update(status=ExportJob.Status.RUNNING)
    folder = job_dir(job)
    folder.mkdir(parents=True, exist_ok=True)
    # As the API reads it, so an exported PractitionerRole names its organisation too.
    reader = Reader.of(job.requested_by)
    patients: set[int] = set()
    output = []
    for number, name in enumerate(job.types, start=1):
        kind = KINDS[name]
        rows = kind.queryset().order_by("pk")
        if job.since and kind.last_updated:
            rows = rows.filter(**{f"{kind.last_updated}__gt": job.since})
        count = 0
        with (folder / f"{name}.ndjson").open("w", encoding="utf-8") as fh:
            for obj in rows.iterator(chunk_size=CHUNK):
                fh.write(json.dumps(kind.render(obj, reader), ensure_ascii=False))
                fh.write("\n")
                count += 1
                if kind.about_patient:
                    patients.add(obj.pk if name == "Patient" else obj.patient_id)
        output.append({"type": name, "count": count})
        ExportJob.objects.filter(pk=job.pk).update(
            progress=f"{number} of {len(job.types)} resource types"
        )
    with transaction.atomic():
        ids = sorted(patients)
        for start_at in range(0, len(ids), 1000):
            chunk = Patient.objects.filter(pk__in=ids[start_at : start_at + 1000])
            audit.record_many(
                AuditAction.VIEW,
                list(chunk),
                detail=f"FHIR bulk export {job.id[:8]}",
                user=job.requested_by,
            )
        now = timezone.now()
        job.output = output
        job.status = ExportJob.Status.DONE
        job.finished_at = now
        job.expires_at = now + KEEP
        job.progress = "done"
        job.save()


def cancel(job: ExportJob) -> None:
    shutil.rmtree(job_dir(job), ignore_errors=True)
    job.delete()


def prune_expired(now=None) -> str:
    """The worker's periodic job: delete exports past their time, files and all."""
    now = now or timezone.now()
    gone = 0
    for job in ExportJob.objects.filter(expires_at__lt=now):
        cancel(job)
        gone += 1
    return f"deleted {gone} expired exports" if gone else ""

"""FHIR Bulk Data ``$export`` (the async request pattern of the Bulk Data IG v2):

- ``GET /fhir/R4/$export`` or ``/fhir/R4/Patient/$export`` with ``Prefer: respond-async``
  → ``202 Accepted`` with ``Content-Location`` naming the status URL;
- ``GET`` the status URL → ``202`` with ``X-Progress`` while the worker runs, then ``200``
  with the manifest (``output``: one NDJSON file per type), or an OperationOutcome;
  ``DELETE`` it to cancel (or to delete the files once read);
- ``GET`` each file with the same token; files are deleted after ``export.KEEP``.
"""

from django.http import FileResponse, HttpResponse
from django.utils import timezone

from acuclinic.interop import export
from acuclinic.interop.fhir.outcome import fhir_response, operation_outcome
from acuclinic.interop.fhir.registry import KINDS
from acuclinic.interop.fhir.search_params import SearchError, date_interval
from acuclinic.interop.fhir.views import LONDON, _caller
from acuclinic.interop.models import ExportJob

NDJSON = "application/fhir+ndjson"
ALLOWED_PARAMS = {"_type", "_since", "_outputFormat"}


def _types(request, user, level: str):
    """The resource types to export, or an OperationOutcome saying why not."""
    eligible = [k for k in KINDS.values() if level == "system" or k.patient or k.name == "Patient"]
    asked = request.GET.get("_type")
    if asked:
        names = [n.strip() for n in asked.split(",") if n.strip()]
        unknown = [n for n in names if n not in {k.name for k in eligible}]
        if unknown:
            return None, operation_outcome(
                400, "not-supported", f"Cannot export {', '.join(unknown)} at this level."
            )
        chosen = [KINDS[n] for n in names]
        refused = [k.name for k in chosen if not user.has_perms(k.perms)]
        if refused:
            return None, operation_outcome(
                403, "forbidden", f"Your role does not allow reading {', '.join(refused)}."
            )
    else:
        chosen = [k for k in eligible if user.has_perms(k.perms)]
    return [k.name for k in chosen], None


def _start(request, level: str):
    if request.method != "GET":
        return operation_outcome(405, "not-supported", "Start an export with GET.")
    user, failure = _caller(request)
    if failure:
        return failure
    if "respond-async" not in request.headers.get("Prefer", ""):
        return operation_outcome(
            400, "invalid", "A bulk export runs in the background: send “Prefer: respond-async”."
        )
    unknown = set(request.GET) - ALLOWED_PARAMS
    if unknown:
        return operation_outcome(
            400, "not-supported", f"$export does not support {', '.join(sorted(unknown))}."
        )
    fmt = request.GET.get("_outputFormat", NDJSON)
    if fmt not in (NDJSON, "application/ndjson", "ndjson"):
        return operation_outcome(400, "not-supported", f"Only {NDJSON} is produced.")
    since = None
    if request.GET.get("_since"):
        try:
            since, _ = date_interval(request.GET["_since"], LONDON)
        except SearchError as exc:
            return operation_outcome(400, "invalid", f"_since: {exc}")
    types, failure = _types(request, user, level)
    if failure:
        return failure
    job = export.start(
        user=user, level=level, types=types, since=since, request_url=request.build_absolute_uri()
    )
    status_url = request.build_absolute_uri(f"/fhir/R4/$export-status/{job.id}")
    response = HttpResponse(status=202)
    response["Content-Location"] = status_url
    return response


def system_export(request):
    return _start(request, "system")


def patient_export(request):
    return _start(request, "patient")


def _own_job(request, job_id: str):
    user, failure = _caller(request)
    if failure:
        return None, failure
    job = ExportJob.objects.filter(pk=job_id, requested_by=user).first()
    if job is None or (job.expires_at and job.expires_at < timezone.now()):
        return None, operation_outcome(
            404, "not-found", "There is no such export: it is unknown, someone else's, or expired."
        )
    return job, None


def export_status(request, job_id: str):
    job, failure = _own_job(request, job_id)
    if failure:
        return failure
    if request.method == "DELETE":
        export.cancel(job)
        return HttpResponse(status=202)
    if request.method != "GET":
        return operation_outcome(405, "not-supported", "Use GET or DELETE.")
    if job.status in (ExportJob.Status.QUEUED, ExportJob.Status.RUNNING):
        response = HttpResponse(status=202)
        response["X-Progress"] = job.progress or job.get_status_display()
        response["Retry-After"] = "5"
        return response
    if job.status == ExportJob.Status.FAILED:
        return operation_outcome(500, "exception", f"The export failed: {job.error}")
    base = request.build_absolute_uri(f"/fhir/R4/$export-file/{job.id}")
    manifest = {
        "transactionTime": job.finished_at.isoformat(),
        "request": job.request_url,
        "requiresAccessToken": True,
        "output": [
            {"type": o["type"], "url": f"{base}/{o['type']}.ndjson", "count": o["count"]}
            for o in job.output
        ],
        "error": [],
    }
    response = fhir_response(manifest)
    response["Content-Type"] = "application/json"
    response["Expires"] = job.expires_at.strftime("%a, %d %b %Y %H:%M:%S GMT")
    return response


def export_file(request, job_id: str, resource_type: str):
    job, failure = _own_job(request, job_id)
    if failure:
        return failure
    path = export.job_dir(job) / f"{resource_type}.ndjson"
    if job.status != ExportJob.Status.DONE or resource_type not in job.types or not path.exists():
        return operation_outcome(404, "not-found", f"This export has no {resource_type} file.")
    response = FileResponse(path.open("rb"), content_type=NDJSON)
    response["Cache-Control"] = "no-store"
    return response

"""The subject access request register (clinic admins): record a request, produce the zip."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.interop import retention, retention_rules, sar
from acuclinic.interop.forms import (
    ErasureForm,
    ImportForm,
    RetentionPolicyForm,
    SubjectAccessRequestForm,
)
from acuclinic.interop.importing import csvrows, jobs
from acuclinic.interop.models import ImportJob, SubjectAccessRequest
from acuclinic.people.models import Patient

# The archive holds the audit trail and the clinical record: the admin's view of both.
SAR_PERMS = ("audit.view_auditentry", "people.view_clinical")


def _register(request, form):
    requests = SubjectAccessRequest.objects.select_related("patient", "produced_by")
    return render(
        request,
        "interop/sar_list.html",
        {"form": form, "requests": requests, "today": timezone.localdate(), "nav": "sar"},
    )


@staff_view(*SAR_PERMS)
def sar_list(request):
    return _register(request, SubjectAccessRequestForm())


@staff_view(*SAR_PERMS)
@require_POST
def sar_new(request):
    form = SubjectAccessRequestForm(request.POST)
    if form.is_valid():
        try:
            made = sar.sar_register(**form.cleaned_data, user=request.user)
        except ServiceError as exc:
            form.add_error(exc.field, exc.message)
        else:
            messages.success(
                request,
                f"Recorded the request from {made.patient.full_name}: due "
                f"{made.due_on:%a %-d %b %Y}.",
            )
            return redirect("sar_list")
    return _register(request, form)


@staff_view(*SAR_PERMS)
@require_POST
def sar_download(request, pk: int):
    request_ = get_object_or_404(SubjectAccessRequest.objects.select_related("patient"), pk=pk)
    data = sar.sar_archive(
        request_, user=request.user, base_url=request.build_absolute_uri("/fhir/R4")
    )
    response = HttpResponse(data, content_type="application/zip")
    name = f"subject-access-{request_.pk}-{timezone.localdate():%Y-%m-%d}.zip"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


# -- retention --------------------------------------------------------------------------


def _retention_page(request, *, policy_form=None, erasure_form=None, status=200):
    current = retention.policy()
    return render(
        request,
        "interop/retention.html",
        {
            "policy_form": policy_form or RetentionPolicyForm(instance=current),
            "erasure_form": erasure_form or ErasureForm(),
            "due": retention.past_retention(),
            "source": retention_rules.SOURCE,
            "nav": "retention",
        },
        status=status,
    )


@staff_view(*SAR_PERMS)
def retention_report(request):
    return _retention_page(request)


@staff_view(*SAR_PERMS, "people.change_patient")
@require_POST
def retention_policy(request):
    form = RetentionPolicyForm(request.POST, instance=retention.policy())
    if not form.is_valid():
        return _retention_page(request, policy_form=form)
    form.save()
    messages.success(request, "Saved the retention periods.")
    return redirect("retention_report")


def _patient_ids(request) -> list[int]:
    return sorted({int(v) for v in request.POST.getlist("patient") if v.isdigit()})


@staff_view(*SAR_PERMS, "people.change_patient")
@require_POST
def retention_anonymise(request):
    ids = _patient_ids(request)
    if not ids:
        messages.error(request, "Choose at least one record to anonymise.")
        return redirect("retention_report")
    if request.POST.get("confirm") != "yes":
        chosen = Patient.objects.filter(pk__in=ids).order_by("family_name")
        return render(
            request,
            "interop/anonymise_confirm.html",
            {"patients": chosen, "action": "retention_anonymise", "nav": "retention"},
        )
    try:
        done = retention.anonymise(ids, user=request.user, reason="past retention")
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Anonymised {done} record{'s' if done != 1 else ''}.")
    return redirect("retention_report")


@staff_view(*SAR_PERMS, "people.change_patient")
@require_POST
def erasure_request(request):
    form = ErasureForm(request.POST)
    if not form.is_valid():
        return _retention_page(request, erasure_form=form)
    patient = form.cleaned_data["patient"]
    allowed, why = retention.erasure_check(patient)
    if not allowed:
        form.add_error("patient", f"Erasure refused for {patient.full_name}. {why}")
        return _retention_page(request, erasure_form=form)
    if request.POST.get("confirm") != "yes":
        return render(
            request,
            "interop/anonymise_confirm.html",
            {"patients": [patient], "why": why, "action": "erasure_request", "nav": "retention"},
        )
    try:
        retention.erase(patient, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "The record was anonymised at the patient's request.")
    return redirect("retention_report")


# -- moving in ---------------------------------------------------------------------------

IMPORT_PERMS = ("people.add_patient", "audit.view_auditentry")


@staff_view(*IMPORT_PERMS)
def import_page(request, form=None):
    return render(
        request,
        "interop/import.html",
        {
            "form": form or ImportForm(),
            "jobs": ImportJob.objects.select_related("uploaded_by")[:20],
            "nav": "import",
        },
    )


@staff_view(*IMPORT_PERMS)
@require_POST
def import_upload(request):
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > csvrows.MAX_BYTES:
            form.add_error("file", "The file is over 100 MB: split it.")
        else:
            job = jobs.upload(
                system=form.cleaned_data["system"],
                file_name=upload.name,
                data=upload.read(),
                user=request.user,
            )
            return redirect("import_job", pk=job.pk)
    return import_page(request, form)


def _job(request, pk: str) -> ImportJob:
    return get_object_or_404(ImportJob, pk=pk)


@staff_view(*IMPORT_PERMS)
def import_job(request, pk: str):
    job = _job(request, pk)
    template = "interop/import_progress.html" if request.htmx else "interop/import_job.html"
    return render(
        request,
        template,
        {"job": job, "progress": jobs.progress(job.pk), "nav": "import"},
    )


@staff_view(*IMPORT_PERMS)
@require_POST
def import_commit(request, pk: str):
    job = _job(request, pk)
    if job.status != ImportJob.Status.CHECKED or job.error_count:
        messages.error(request, "Only a file whose dry run found no errors can be imported.")
    else:
        jobs.commit(job)
    return redirect("import_job", pk=job.pk)

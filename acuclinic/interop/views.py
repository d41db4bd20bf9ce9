"""The subject access request register (clinic admins): record a request, produce the zip."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.interop import sar
from acuclinic.interop.forms import SubjectAccessRequestForm
from acuclinic.interop.models import SubjectAccessRequest

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

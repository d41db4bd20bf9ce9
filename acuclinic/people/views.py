from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.forms import apply_service_error
from acuclinic.people import queries, services
from acuclinic.people.forms import ClinicalSummaryForm, PatientForm, PatientSearchForm
from acuclinic.people.models import ClinicalSummary, Patient

SEARCH_LIMIT = 50


def _booking_pick(value: str | None) -> str | None:
    """The booking form's address that search results link back to, or None.

    It arrives in the query string, so anything but our own booking form is dropped:
    otherwise a crafted link could make "Book for …" lead to another site or a script.
    """
    prefix = reverse("appointment_new") + "?"
    return value if value and value.startswith(prefix) else None


@staff_view("people.view_patient")
def patient_list(request):
    form = PatientSearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"]:
        results = list(queries.search_patients(form.cleaned_data["q"])[: SEARCH_LIMIT + 1])
        # Which records were listed is audited; the words typed are not kept.
        audit.record(
            AuditAction.SEARCH, object_type="people.patient", detail=f"{len(results)} found"
        )
        audit.patient_records_read(min(len(results), SEARCH_LIMIT))
    template = "people/_results.html" if request.htmx else "people/patient_list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "results": results[:SEARCH_LIMIT] if results is not None else None,
            "more": results is not None and len(results) > SEARCH_LIMIT,
            "nav": "patients",
            "pick": _booking_pick(request.GET.get("pick")),
        },
    )


@staff_view("people.view_patient")
def patient_detail(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    # The record's parts each audit their read; one write for all of them.
    with audit.gathered():
        services.patient_viewed(patient)
        summary = None
        if request.user.has_perm("people.view_clinical"):
            summary = (
                ClinicalSummary.objects.filter(patient=patient).select_related("updated_by").first()
            )
        return render(
            request,
            "people/patient_detail.html",
            {
                "patient": patient,
                "summary": summary,
                "age": patient.age_on(timezone.localdate()),
                "nav": "patients",
            },
        )


@staff_view("people.add_patient")
def patient_create(request):
    form = PatientForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_create(**form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"{patient.full_name} added.")
            return redirect("patient_detail", pk=patient.pk)
    return render(request, "people/patient_form.html", {"form": form, "nav": "patients"})


@staff_view("people.change_patient")
def patient_edit(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    form = PatientForm(request.POST or None, instance=patient)
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(Patient.objects.get(pk=pk), **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, "Details saved.")
            return redirect("patient_detail", pk=pk)
    return render(
        request, "people/patient_form.html", {"form": form, "patient": patient, "nav": "patients"}
    )


@staff_view("people.view_clinical", "people.change_clinicalsummary")
def clinical_summary_edit(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    summary = ClinicalSummary.objects.filter(patient=patient).first()
    initial = (
        {"presenting_condition": summary.presenting_condition, "history": summary.history}
        if summary
        else None
    )
    if summary and request.method == "GET":
        audit.record(AuditAction.VIEW, summary)
    form = ClinicalSummaryForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        services.clinical_summary_save(patient, user=request.user, **form.cleaned_data)
        messages.success(request, "Clinical summary saved.")
        return redirect("patient_detail", pk=pk)
    return render(
        request, "people/clinical_form.html", {"form": form, "patient": patient, "nav": "patients"}
    )

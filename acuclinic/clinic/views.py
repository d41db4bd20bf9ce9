"""The clinic's booking rules page (clinic admins)."""

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from acuclinic.clinic import booking_rules, cancellation, logo, setup
from acuclinic.clinic.forms import BookingRulesForm, ClinicDetailsForm, ServiceForm
from acuclinic.clinic.models import Clinic, Service
from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.forms import apply_service_error


@staff_view("clinic.change_clinic")
def booking_rules_page(request):
    clinic = Clinic.objects.order_by("pk").first()
    if clinic is None:
        raise Http404("No clinic")
    form = BookingRulesForm(request.POST or None, initial=booking_rules.current(clinic))
    if request.method == "POST" and form.is_valid():
        try:
            booking_rules.booking_rules_update(clinic, user=request.user, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, "Booking rules saved. They apply from now on.")
            return redirect("booking_rules")
    return render(
        request,
        "clinic/booking_rules.html",
        {
            "form": form,
            "clinic": clinic,
            "patient_rule": cancellation.policy(clinic.cancellation_notice_hours),
            "nav": "clinic_setup",
        },
        status=400 if request.method == "POST" else 200,
    )


def _the_clinic() -> Clinic:
    clinic = Clinic.objects.defer("logo").order_by("pk").first()
    if clinic is None:
        raise Http404("No clinic")
    return clinic


@staff_view("clinic.change_clinic")
def clinic_details_page(request):
    clinic = _the_clinic()
    initial = {name: getattr(clinic, name) for name in setup.CLINIC_DETAILS}
    form = ClinicDetailsForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            # One transaction: a refused logo leaves the details unsaved too.
            with transaction.atomic():
                setup.clinic_details_update(clinic, user=request.user, **form.details())
                upload = form.cleaned_data.get("logo")
                if upload:
                    logo.logo_set(clinic, upload.read(), user=request.user)
                elif form.cleaned_data.get("remove_logo"):
                    logo.logo_remove(clinic, user=request.user)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, "Clinic details saved: pages and emails use them now.")
            return redirect("clinic_details")
    return render(
        request,
        "clinic/details.html",
        {"form": form, "clinic": clinic, "nav": "clinic_setup"},
        status=400 if request.method == "POST" else 200,
    )


def clinic_logo(request, digest: str):
    """The clinic's logo, public branding: anyone may fetch it (the sign-in page and
    emails show it). Only an image checked on upload is ever stored, and it is sent as
    that image and nothing else."""
    clinic = Clinic.objects.filter(logo_digest=digest).only("logo", "logo_type").first()
    if clinic is None or not clinic.logo:
        raise Http404("No such logo")
    response = HttpResponse(bytes(clinic.logo), content_type=clinic.logo_type)
    # The address changes with the image, so it can be cached for good.
    response["Cache-Control"] = "public, max-age=31536000, immutable"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Content-Disposition"] = 'inline; filename="logo"'
    return response


@staff_view("clinic.view_service")
def service_list(request):
    return render(
        request,
        "clinic/services.html",
        {"services": Service.objects.order_by("-is_active", "name"), "nav": "clinic_setup"},
    )


@staff_view("clinic.change_service")
def service_edit(request, pk: int | None = None):
    clinic = _the_clinic()
    service = get_object_or_404(Service, pk=pk) if pk is not None else None
    initial = ServiceForm.initial_for(service) if service else None
    form = ServiceForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = setup.service_save(
                service, clinic=clinic, user=request.user, **form.service_fields()
            )
        except ServiceError as exc:
            apply_service_error(form, exc, aliases={"price_pence": "price"})
        else:
            messages.success(request, f"Saved {saved.name}.")
            return redirect("service_list")
    return render(
        request,
        "clinic/service_form.html",
        {"form": form, "service": service, "nav": "clinic_setup"},
        status=400 if request.method == "POST" else 200,
    )

"""The clinic's booking rules page (clinic admins)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from acuclinic.clinic import booking_rules, cancellation
from acuclinic.clinic.forms import BookingRulesForm
from acuclinic.clinic.models import Clinic
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
            "nav": "working_time",
        },
        status=400 if request.method == "POST" else 200,
    )

"""Practitioners in the clinic set-up pages (clinic admins): who they are, their
registration, what they offer, and their credentials — record a renewal, see what ends
soon. Staff accounts themselves (invite, role, disable) are on /account/staff/.
Thin: parse, call people.credentials_setup or people.services, render."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.forms import apply_service_error
from acuclinic.people import credentials_setup as setup
from acuclinic.people import services
from acuclinic.people.credentials_forms import CredentialForm, NewPractitionerForm, ProfileForm
from acuclinic.people.models import Practitioner

NAV = "clinic_setup"
VIEW = ("people.view_practitioner", "people.view_credential")


def _practitioners():
    return Practitioner.objects.select_related("user").prefetch_related("credentials", "services")


@staff_view(*VIEW)
def practitioner_list(request):
    today = timezone.localdate()
    rows = []
    for p in _practitioners().order_by("-is_active", "user__last_name", "user__first_name"):
        states = setup.credential_states(p, today=today)
        rows.append(
            {
                "practitioner": p,
                "registration": setup.registration_on_file(p, today=today),
                "problems": p.credential_problems(today),
                "ending": [s for s in states if s.state == "ends soon"],
            }
        )
    return render(
        request,
        "people/practitioners.html",
        {
            "rows": rows,
            "days": setup.EXPIRY_WARNING_DAYS,
            "lapsed_rule": setup.LAPSED_RULE,
            "nav": NAV,
        },
    )


@staff_view(*VIEW, "people.add_practitioner")
def practitioner_new(request):
    form = NewPractitionerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        user = fields.pop("user")
        try:
            practitioner = setup.practitioner_add(user, by=request.user, **fields)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request,
                f"{practitioner.name} is a practitioner. Record their registration, "
                "acupuncture body membership and insurance: they cannot be booked for "
                "acupuncture without them.",
            )
            return redirect("practitioner_detail", pk=practitioner.pk)
    return render(
        request,
        "people/practitioner_new.html",
        {"form": form, "nav": NAV},
        status=400 if request.method == "POST" else 200,
    )


def _detail(request, practitioner, *, form=None, credential_form=None, status=200):
    today = timezone.localdate()
    return render(
        request,
        "people/practitioner_detail.html",
        {
            "practitioner": practitioner,
            "form": form or ProfileForm(initial=ProfileForm.initial_for(practitioner)),
            "credential_form": credential_form or CredentialForm(prefix="credential"),
            "states": setup.credential_states(practitioner, today=today),
            "registration": setup.registration_on_file(practitioner, today=today),
            "problems": practitioner.credential_problems(today),
            "offered": setup.services_offered(practitioner),
            "lapsed_rule": setup.LAPSED_RULE,
            "days": setup.EXPIRY_WARNING_DAYS,
            "nav": NAV,
        },
        status=status,
    )


@staff_view(*VIEW, "people.change_practitioner")
def practitioner_detail(request, pk: int):
    practitioner = get_object_or_404(_practitioners(), pk=pk)
    if request.method != "POST":
        return _detail(request, practitioner)
    form = ProfileForm(request.POST)
    if form.is_valid():
        fields = dict(form.cleaned_data)
        chosen = [s.pk for s in fields.pop("services")]
        try:
            setup.practitioner_update(practitioner, by=request.user, services=chosen, **fields)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Saved {practitioner.name}'s profile.")
            return redirect("practitioner_detail", pk=practitioner.pk)
    return _detail(request, practitioner, form=form, status=400)


@staff_view(*VIEW, "people.add_credential")
@require_POST
def credential_add(request, pk: int):
    practitioner = get_object_or_404(_practitioners(), pk=pk)
    form = CredentialForm(request.POST, prefix="credential")
    if form.is_valid():
        try:
            credential = services.credential_add(
                practitioner, user=request.user, **form.cleaned_data
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(
                request, f"Recorded {credential.get_kind_display().lower()} {credential}."
            )
            return redirect("practitioner_detail", pk=practitioner.pk)
    return _detail(request, practitioner, credential_form=form, status=400)


@staff_view(*VIEW, "people.delete_credential")
@require_POST
def credential_remove(request, pk: int, credential_pk: int):
    practitioner = get_object_or_404(Practitioner, pk=pk)
    credential = get_object_or_404(practitioner.credentials.all(), pk=credential_pk)
    services.credential_remove(credential, user=request.user)
    messages.success(request, f"Removed {credential} (recorded by mistake).")
    return redirect("practitioner_detail", pk=practitioner.pk)

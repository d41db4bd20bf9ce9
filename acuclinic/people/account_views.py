"""Staff account pages for clinic admins: who is locked out of signing in, and unlocking."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Clinic
from acuclinic.core import signin
from acuclinic.core.access import staff_view


@staff_view("core.view_signinthrottle")
def signin_locks(request):
    return render(
        request,
        "people/signin_locks.html",
        {"locks": signin.current_locks(), "nav": "signin_locks"},
    )


@require_POST
@staff_view("core.view_signinthrottle", "core.delete_signinthrottle")
def signin_unlock(request, pk: int):
    row = signin.unlock(request, pk)
    if row is None:
        messages.error(request, "That lock had already ended.")
    else:
        messages.success(request, f"Unlocked {row.get_kind_display().lower()} {row.key}.")
    return redirect("signin_locks")


class SecuritySettingsForm(forms.ModelForm):
    class Meta:
        model = Clinic
        fields = ["require_two_factor", "calendar_feed_patient_names"]
        help_texts = {
            "require_two_factor": "Everyone signs in with a code from an authenticator "
            "app as well as their password; anyone without one sets it up when they next "
            "sign in.",
            "calendar_feed_patient_names": "Practitioners' calendar feeds are read by "
            "calendar services outside the clinic (Google, Apple, Microsoft). Unticked, "
            "each event names only the service.",
        }


@staff_view("clinic.change_clinic")
def security_settings(request):
    clinic = Clinic.objects.order_by("pk").first()
    if clinic is None:
        return render(request, "people/security_settings.html", {"form": None}, status=404)
    form = SecuritySettingsForm(request.POST or None, instance=clinic)
    if request.method == "POST" and form.is_valid():
        form.save()
        audit.record(AuditAction.CHANGE, clinic, changed_fields=form.changed_data)
        messages.success(request, "Security settings saved.")
        return redirect("security_settings")
    return render(
        request,
        "people/security_settings.html",
        {"form": form, "nav": "security_settings"},
        status=400 if request.method == "POST" else 200,
    )

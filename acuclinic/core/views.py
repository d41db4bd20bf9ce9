from django.contrib.auth.views import PasswordChangeView, PasswordResetView
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from acuclinic.core.access import staff_view


@staff_view()
def home(request):
    # A practitioner starts from their own day (acuclinic.myday); the rest from the diary.
    if getattr(request.user, "is_authenticated", False) and hasattr(request.user, "practitioner"):
        return redirect("my_day")
    return redirect("diary")


class PasswordChange(SuccessMessageMixin, PasswordChangeView):
    """Django's password change, saying it worked (it keeps the user signed in)."""

    success_url = reverse_lazy("home")
    success_message = "Your password has been changed."


class PasswordReset(PasswordResetView):
    """Django's reset by emailed link, in plain text, with the clinic's wording."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"


def forbidden(request, exception=None):
    return render(request, "core/403.html", status=403)


def not_found(request, exception=None):
    return render(request, "core/404.html", status=404)

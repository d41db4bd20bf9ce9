from django.contrib.auth.views import PasswordChangeView, PasswordResetView
from django.contrib.messages.views import SuccessMessageMixin
from django.shortcuts import redirect, render
from django.urls import reverse_lazy

from acuclinic.core import rate_limit
from acuclinic.core.access import staff_view
from acuclinic.core.forms import minutes


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

    def form_valid(self, form):
        # A few requests an hour per address and per email, then a refusal worded the
        # same whether or not the email belongs to an account (core.rate_limit).
        wait = rate_limit.reset_request_wait(self.request, form.cleaned_data["email"])
        if wait is None:
            return super().form_valid(form)
        form.add_error(
            None,
            "Too many requests for a reset link from this computer or for this email "
            f"address. Try again in {minutes(wait)}, or ask a clinic admin.",
        )
        response = self.render_to_response(self.get_context_data(form=form), status=429)
        response["Retry-After"] = str(wait)
        return response


def forbidden(request, exception=None):
    return render(request, "core/403.html", status=403)


def not_found(request, exception=None):
    return render(request, "core/404.html", status=404)

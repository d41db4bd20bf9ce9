from datetime import datetime

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

from acuclinic.core import signin
from acuclinic.core.errors import ServiceError


def apply_service_error(
    form: forms.Form, exc: ServiceError, *, aliases: dict[str, str] | None = None
) -> None:
    """Show a service's refusal on the field it concerns, or above the form."""
    field = (aliases or {}).get(exc.field, exc.field)
    form.add_error(field if field in form.fields else None, exc.message)


def minutes(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


class ThrottledAuthenticationForm(AuthenticationForm):
    """Django's sign-in form, refusing attempts unchecked while the account name or the
    address must wait or is locked (core.signin), and counting each failure."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if not (username and password):
            return super().clean()
        address = self.request.META.get("REMOTE_ADDR") if self.request else None
        wait = signin.wait_before_attempt(self.request, username, address)
        if wait is not None:
            # No password hash is computed for a refused attempt.
            raise ValidationError(
                "Too many failed attempts to sign in with this username or from this "
                f"computer. Try again in {minutes(wait.seconds)}, or ask a clinic admin "
                "to unlock it.",
                code="throttled",
            )
        try:
            cleaned = super().clean()
        except ValidationError as error:
            if self.user_cache is None:
                signin.count_failure(self.request, username, address)
            raise error
        signin.clear_account(username)
        return cleaned


class DateBox(forms.DateInput):
    """A date box (<input type="date">), the one every form uses.

    A browser shows only a yyyy-mm-dd value and silently empties anything else, so a
    value that is not a date (a link with ``since=yesterday``) is given as empty and its
    error beside the box says what was wrong; a date typed as dd/mm/yyyy is shown.
    """

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")

    def format_value(self, value):
        if isinstance(value, str):
            for pattern in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"):
                try:
                    return datetime.strptime(value.strip(), pattern).date().isoformat()
                except ValueError:
                    continue
            return None
        return super().format_value(value)

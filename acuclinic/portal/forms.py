"""The portal's forms: they check what was typed; the rules are in services.py."""

from datetime import date, datetime

from django import forms
from django.utils import timezone

from acuclinic.portal.services import REASON_MAX


class SignInForm(forms.Form):
    """Email and date of birth. The date is a second thing a stranger holding only the
    patient's email address would have to know; it is asked for as three boxes (day,
    month, year), which people fill in more reliably than a date picker."""

    email = forms.EmailField(
        label="Email address",
        max_length=254,
        error_messages={
            "required": "Enter the email address the clinic has for you.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )
    day = forms.IntegerField(required=False, min_value=1, max_value=31)
    month = forms.IntegerField(required=False, min_value=1, max_value=12)
    year = forms.IntegerField(required=False, min_value=1900, max_value=9999)

    DATE_ERROR = "Enter your date of birth as three numbers, for example 27 3 1985."

    def clean(self):
        cleaned = super().clean()
        parts = [cleaned.get(name) for name in ("day", "month", "year")]
        if any(self.has_error(name) for name in ("day", "month", "year")) or None in parts:
            for name in ("day", "month", "year"):
                self.errors.pop(name, None)
            self.add_error(None, forms.ValidationError(self.DATE_ERROR, code="date_of_birth"))
            return cleaned
        day, month, year = parts
        try:
            born = date(year, month, day)
        except ValueError:
            self.add_error(
                None, forms.ValidationError("That date does not exist.", code="date_of_birth")
            )
            return cleaned
        if born > timezone.localdate():
            self.add_error(
                None,
                forms.ValidationError(
                    "Your date of birth must be in the past.", code="date_of_birth"
                ),
            )
            return cleaned
        cleaned["date_of_birth"] = born
        return cleaned


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Optional. It helps us, for example if you would like a call to rebook.",
        error_messages={"max_length": f"Please keep the reason to {REASON_MAX} characters."},
    )
    # What the confirmation page said: "1" if it warned of a late cancellation.
    warned_late = forms.BooleanField(required=False, widget=forms.HiddenInput)


class MoveForm(forms.Form):
    """The time chosen from those offered: an ISO 8601 time with its offset."""

    start = forms.CharField(
        max_length=40,
        error_messages={
            "required": "Choose one of the times offered.",
            "max_length": "Choose one of the times offered.",
        },
    )

    def clean_start(self) -> datetime:
        text = self.cleaned_data["start"]
        try:
            start = datetime.fromisoformat(text)
        except ValueError:
            start = None
        if start is None or timezone.is_naive(start):
            raise forms.ValidationError("Choose one of the times offered.", code="invalid")
        return start


class FromDayForm(forms.Form):
    """Which day the move page lists free times from."""

    start_from = forms.DateField(
        label="Show free times from",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Enter a real date, for example 2026-03-27."},
    )


def posted(request):
    """The data sent on a POST — bound even when empty, so the form says what is missing
    (an empty POST is falsy: ``request.POST or None`` would show a blank form) — or None."""
    return request.POST if request.method == "POST" else None

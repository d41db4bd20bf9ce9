"""Forms of the public pages: choosing a time, the person's details, the contact form.

They only parse and check what was typed; the rules (what may be booked online, who the
person is) live in ``online_booking.services`` and ``enquiries.services``.
"""

import re
from datetime import date, timedelta

from django import forms
from django.utils import timezone

from acuclinic.clinic.models import Location, Service
from acuclinic.enquiries.choices import TOPIC_CHOICES
from acuclinic.online_booking import services as online
from acuclinic.online_booking.services import Choice
from acuclinic.people.models import Practitioner
from acuclinic.people.phone import national_digits
from acuclinic.scheduling.forms import parse_start

OLDEST = 120


class StartForm(forms.Form):
    """Step one: what to book, and where."""

    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        widget=forms.RadioSelect,
        label="What would you like to book?",
        error_messages={
            "required": "Choose what you would like to book.",
            "invalid_choice": "That appointment cannot be booked online. Choose one of these.",
        },
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.none(),
        widget=forms.RadioSelect,
        label="Where?",
        error_messages={
            "required": "Choose where you would like to come.",
            "invalid_choice": "Choose one of our clinics.",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = online.bookable_services()
        self.fields["location"].queryset = online.bookable_locations()


class TimesForm(StartForm):
    """Step two: with whom, and which week."""

    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(is_active=True).select_related("user"),
        required=False,
        empty_label="Anyone",
        label="With",
        error_messages={"invalid_choice": "Choose one of our practitioners, or anyone."},
    )
    start = forms.DateField(
        required=False,
        label="Week from",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Give the date as day, month and year, e.g. 2026-03-03."},
    )

    def clean_start(self):
        day = self.cleaned_data.get("start")
        today = timezone.localdate()
        if day is not None and day < today:
            raise forms.ValidationError("Choose today or a later day.")
        if day is not None and day > today + timedelta(days=730):
            raise forms.ValidationError("Choose a day within the next two years.")
        return day


class ChosenTimeForm(StartForm):
    """The time chosen, carried from page to page in the address or hidden fields."""

    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(is_active=True).select_related("user"),
        required=False,
        error_messages={"invalid_choice": "That practitioner cannot be booked online."},
    )
    time = forms.CharField(max_length=40, error_messages={"required": "Choose a time."})

    def clean_time(self):
        return parse_start(self.cleaned_data["time"])

    def choice(self) -> Choice:
        data = self.cleaned_data
        return Choice(
            service=data["service"],
            location=data["location"],
            practitioner=data["practitioner"],
            start=data["time"],
        )


class BotFields(forms.Form):
    """The honeypot and the signed moment the form was shown (see scheduling.botcheck)."""

    # A field people never see (hidden by CSS, and from screen readers): programs that
    # fill in every field give themselves away.
    website = forms.CharField(
        required=False,
        label="Leave this empty",
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )
    started = forms.CharField(required=False, widget=forms.HiddenInput)


class DetailsForm(BotFields):
    given_name = forms.CharField(
        max_length=80,
        label="First name",
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": "Enter your first name."},
    )
    family_name = forms.CharField(
        max_length=80,
        label="Last name",
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": "Enter your last name."},
    )
    dob_day = forms.IntegerField(
        label="Day",
        min_value=1,
        max_value=31,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "size": 2, "autocomplete": "bday-day"}
        ),
    )
    dob_month = forms.IntegerField(
        label="Month",
        min_value=1,
        max_value=12,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "size": 2, "autocomplete": "bday-month"}
        ),
    )
    dob_year = forms.IntegerField(
        label="Year",
        min_value=1900,
        max_value=2999,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "size": 4, "autocomplete": "bday-year"}
        ),
    )
    email = forms.EmailField(
        max_length=254,
        label="Email address",
        help_text="We send your confirmation here.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter an email address like name@example.com.",
        },
    )
    phone = forms.CharField(
        max_length=30,
        required=False,
        label="Mobile number",
        help_text="In case we need to reach you on the day.",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    condition = forms.ChoiceField(
        choices=TOPIC_CHOICES,
        required=False,
        label="What would you like help with?",
        help_text="Just the main thing. You can tell us more at your appointment.",
    )
    wants_contact = forms.BooleanField(
        required=False,
        label="Remind me about appointments, and contact me about my care, by email and text",
    )

    @property
    def date_fields(self):
        return [self["dob_day"], self["dob_month"], self["dob_year"]]

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip()
        digits = national_digits(phone)
        if phone and not (digits.startswith("0") and len(digits) in (10, 11)):
            raise forms.ValidationError("Enter a UK phone number, like 07700 900123.")
        return phone

    def clean(self):
        cleaned = super().clean()
        parts = [cleaned.get(name) for name in ("dob_day", "dob_month", "dob_year")]
        if any(name in self.errors for name in ("dob_day", "dob_month", "dob_year")):
            return cleaned
        if None in parts:
            return cleaned
        day, month, year = parts
        try:
            born = date(year, month, day)
        except ValueError:
            self.add_error("dob_day", "Enter a real date of birth, like 27 3 1980.")
            return cleaned
        today = timezone.localdate()
        if born > today:
            self.add_error("dob_year", "Your date of birth must be in the past.")
        elif today.year - born.year > OLDEST:
            self.add_error("dob_year", "Check the year of your date of birth.")
        else:
            cleaned["date_of_birth"] = born
        return cleaned

    def details(self) -> online.Details:
        data = self.cleaned_data
        return online.Details(
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            email=data["email"],
            phone=data["phone"],
            condition=data["condition"],
            wants_contact=data["wants_contact"],
        )


_ALTERNATIVE = re.compile(r"([0-9]{1,18})\|(.{10,40})")


class AlternativeForm(forms.Form):
    """One of the nearest free times, picked after the first choice was taken."""

    alternative = forms.CharField(max_length=80, required=False)

    def clean_alternative(self):
        value = self.cleaned_data.get("alternative", "")
        if not value:
            return None
        found = _ALTERNATIVE.fullmatch(value)
        if not found:
            raise forms.ValidationError("Choose one of the times offered.")
        practitioner = Practitioner.objects.filter(pk=int(found[1]), is_active=True).first()
        if practitioner is None:
            raise forms.ValidationError("Choose one of the times offered.")
        return practitioner, parse_start(found[2])


class ContactForm(BotFields):
    """The web enquiry form."""

    name = forms.CharField(
        max_length=120,
        label="Your name",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
        error_messages={"required": "Enter your name."},
    )
    email = forms.EmailField(
        max_length=254,
        required=False,
        label="Email address",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Enter an email address like name@example.com."},
    )
    phone = forms.CharField(
        max_length=30,
        required=False,
        label="Phone number",
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    condition = forms.ChoiceField(
        choices=TOPIC_CHOICES, required=False, label="What would you like help with?"
    )
    message = forms.CharField(
        max_length=2000,
        label="Your message",
        help_text="Please do not include detailed medical information.",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Write your message."},
    )

    def clean_phone(self):
        phone = self.cleaned_data.get("phone", "").strip()
        digits = national_digits(phone)
        if phone and not (digits.startswith("0") and len(digits) in (10, 11)):
            raise forms.ValidationError("Enter a UK phone number, like 07700 900123.")
        return phone

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("email") and not cleaned.get("phone") and "email" not in self.errors:
            self.add_error("email", "Give an email address or a phone number so we can reply.")
        return cleaned


class CheckedForm(forms.Form):
    note = forms.CharField(
        max_length=200,
        required=False,
        label="What you found",
        help_text="e.g. “Same person as the existing record: details merged by hand”.",
    )

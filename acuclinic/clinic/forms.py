"""The booking rules form: one whole number per rule, within the limits the database
holds, each explained in words reception and practitioners use."""

from django import forms

from acuclinic.clinic import booking_rules, setup
from acuclinic.clinic.booking_rules import (
    ARRIVAL_WINDOW,
    BOOKING_HORIZON,
    CANCELLATION_NOTICE,
    MIN_BOOKING_NOTICE,
)
from acuclinic.clinic.choices import Modality

_LABELS = {
    CANCELLATION_NOTICE: "Notice to cancel without it counting as late (hours)",
    MIN_BOOKING_NOTICE: "Minimum notice for online bookings (hours)",
    BOOKING_HORIZON: "How far ahead patients can book online (days)",
    ARRIVAL_WINDOW: "How early a patient can be marked arrived (minutes before the start)",
}

_HELP = {
    ARRIVAL_WINDOW: (
        "A visit can be marked arrived from this long before its start, not earlier, so "
        "the diary and the session note follow what happened; the note is signed once the "
        "visit has started."
    ),
    CANCELLATION_NOTICE: (
        "A patient who cancels with less notice than this is recorded as a late "
        "cancellation, and it shows in their attendance. Patients can still cancel online "
        "inside this time, after being told it is late; they can no longer move the visit "
        "online. Reminders and confirmation emails quote it. When the clinic cancels, it "
        "is never late. 0 means no cancellation is ever late."
    ),
    MIN_BOOKING_NOTICE: (
        "Patients booking or moving an appointment online (the booking pages and the "
        "patient portal) cannot choose a time sooner than this, so the practitioner has "
        "time to prepare; waitlist offers close this long before the time offered. "
        "Reception can still book any free time by phone or at the desk."
    ),
    BOOKING_HORIZON: (
        "Patients booking online see times up to this many days ahead: set it to how far "
        "ahead the rota is settled. Reception can book further ahead."
    ),
}


def _rule_field(name: str) -> forms.IntegerField:
    allowed = booking_rules.limits(name)
    message = booking_rules.out_of_range_message(name)
    return forms.IntegerField(
        label=_LABELS[name],
        min_value=allowed.low,
        max_value=allowed.high,
        help_text=f"{_HELP[name]} A whole number {allowed}.",
        # One plain message for every way of getting it wrong, naming the limits.
        error_messages=dict.fromkeys(("required", "invalid", "min_value", "max_value"), message),
    )


class BookingRulesForm(forms.Form):
    cancellation_notice_hours = _rule_field(CANCELLATION_NOTICE)
    min_booking_notice_hours = _rule_field(MIN_BOOKING_NOTICE)
    booking_horizon_days = _rule_field(BOOKING_HORIZON)
    arrival_window_minutes = _rule_field(ARRIVAL_WINDOW)


class ClinicDetailsForm(forms.Form):
    """The clinic's own details, as every page's header and footer and every email say."""

    name = forms.CharField(max_length=120, label="Clinic name")
    phone = forms.CharField(max_length=30, required=False)
    email = forms.EmailField(required=False)
    website = forms.URLField(required=False, assume_scheme="https")
    logo = forms.FileField(
        required=False,
        label="Logo",
        help_text="A PNG or JPEG image of at most 512 KB, shown in the page header, emails "
        "and invoices. Leave empty to keep the current one.",
        widget=forms.FileInput(attrs={"accept": "image/png,image/jpeg"}),
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the logo")

    def details(self) -> dict:
        """The fields clinic.setup saves (the logo goes through clinic.logo)."""
        return {k: v for k, v in self.cleaned_data.items() if k not in ("logo", "remove_logo")}


class ServiceForm(forms.Form):
    """A service patients book: what it is, how long, and its base price in pounds."""

    name = forms.CharField(max_length=120)
    modality = forms.ChoiceField(choices=Modality.choices, label="Kind of visit")
    needling = forms.ChoiceField(
        choices=[("", "No needling")]
        + [(m.value, m.label) for m in Modality if m.value in Modality.needling()],
        required=False,
        label="Acupuncture it may include",
    )
    duration_minutes = forms.IntegerField(min_value=5, max_value=240, label="Length (minutes)")
    turnover_minutes = forms.IntegerField(
        min_value=0, max_value=60, initial=0, label="Turnover after each visit (minutes)"
    )
    price = forms.DecimalField(
        min_value=0,
        max_value=10_000,
        decimal_places=2,
        label="Base price (£)",
        help_text="Prices per practitioner or concession are set in billing.",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    is_active = forms.BooleanField(required=False, initial=True, label="Offered")
    bookable_online = forms.BooleanField(
        required=False, initial=True, label="Patients can book it online"
    )
    first_visit = forms.BooleanField(
        required=False,
        label="For new patients (a first visit)",
        help_text="Listed under first appointments online; its booking email carries the "
        "health questionnaire link. An assessment always is.",
    )

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data["price_pence"] = int(data.pop("price") * 100)
        return data

    @staticmethod
    def initial_for(service) -> dict:
        initial = {name: getattr(service, name) for name in setup.SERVICE_FIELDS}
        initial["price"] = f"{service.price_pence / 100:.2f}"
        return initial

"""Staff forms for the waitlist: adding a patient, and filtering the list."""

from datetime import time, timedelta

from django import forms
from django.utils import timezone

from acuclinic.clinic.choices import Weekday
from acuclinic.clinic.models import Location, Service
from acuclinic.people.models import Practitioner
from acuclinic.scheduling.choices import AppointmentStatus
from acuclinic.scheduling.models import Appointment
from acuclinic.waitlist.choices import WaitlistStatus

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TIME = forms.TimeInput(attrs={"type": "time", "step": 900}, format="%H:%M")


class AppointmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        from acuclinic.core.formats import format_datetime

        return f"{format_datetime(obj.start, obj.room.location.tz)}: {obj.service.name}"


class WaitlistEntryForm(forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.filter(is_active=True))
    location = forms.ModelChoiceField(queryset=Location.objects.filter(is_active=True))
    practitioners = forms.ModelMultipleChoiceField(
        queryset=Practitioner.objects.filter(is_active=True).select_related("user"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked for anyone.",
    )
    weekdays = forms.TypedMultipleChoiceField(
        choices=Weekday.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        label="Days that suit",
        error_messages={"required": "Choose at least one day."},
    )
    earliest = forms.TimeField(widget=_TIME, label="From", help_text="UK time")
    latest = forms.TimeField(widget=_TIME, label="Until")
    until = forms.DateField(widget=_DATE, label="Waiting until")
    appointment = AppointmentChoice(
        queryset=Appointment.objects.none(),
        required=False,
        empty_label="None: book a new appointment",
        label="Bring forward",
        help_text="The later appointment an earlier time would replace.",
    )
    notes = forms.CharField(max_length=200, required=False, help_text="Administrative only.")

    def __init__(self, *args, patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appointment"].queryset = (
            Appointment.objects.filter(
                patient=patient, status=AppointmentStatus.BOOKED, start__gt=timezone.now()
            )
            .select_related("service", "room__location")
            .order_by("start")
        )
        if not self.is_bound:
            self.initial.setdefault("weekdays", [0, 1, 2, 3, 4])
            self.initial.setdefault("earliest", time(8))
            self.initial.setdefault("latest", time(20))
            self.initial.setdefault("until", timezone.localdate() + timedelta(days=42))


class WaitlistFilter(forms.Form):
    location = forms.ModelChoiceField(
        queryset=Location.objects.filter(is_active=True), required=False, empty_label="All"
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.filter(is_active=True), required=False, empty_label="All"
    )
    status = forms.ChoiceField(
        choices=[("", "All"), *WaitlistStatus.choices], required=False, initial="waiting"
    )

from datetime import datetime

from django import forms
from django.utils import timezone

from acuclinic.clinic.models import Room, Service
from acuclinic.people.models import Practitioner
from acuclinic.scheduling.choices import AppointmentStatus, Channel


class _When(forms.Form):
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    time = forms.TimeField(
        widget=forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M"),
        help_text="UK time",
    )

    def start_in(self, tz) -> datetime:
        # The clinic's wall-clock time at the room's location, made aware there, so
        # 10:00 means 10:00 in summer and in winter.
        naive = datetime.combine(self.cleaned_data["date"], self.cleaned_data["time"])
        return timezone.make_aware(naive, tz)


class BookingForm(_When):
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(is_active=True).select_related("user")
    )
    service = forms.ModelChoiceField(queryset=Service.objects.filter(is_active=True))
    room = forms.ModelChoiceField(
        queryset=Room.objects.filter(is_active=True, location__is_active=True).select_related(
            "location"
        )
    )
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.PHONE, label="Booked by")
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Front-desk notes only — no clinical details.",
    )
    field_order = ["service", "practitioner", "room", "date", "time", "channel", "notes"]


class MoveForm(_When):
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(is_active=True).select_related("user")
    )
    room = forms.ModelChoiceField(
        queryset=Room.objects.filter(is_active=True).select_related("location")
    )


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False, label="Reason (optional)")


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (AppointmentStatus.ARRIVED, "Arrived"),
            (AppointmentStatus.COMPLETED, "Completed"),
            (AppointmentStatus.DID_NOT_ATTEND, "Did not attend"),
            (AppointmentStatus.BOOKED, "Back to booked"),
        ]
    )


class DiaryFilter(forms.Form):
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    view = forms.ChoiceField(choices=[("day", "Day"), ("week", "Week")], required=False)
    location = forms.IntegerField(required=False)
    practitioner = forms.IntegerField(required=False)

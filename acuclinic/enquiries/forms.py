"""Staff forms for the enquiry inbox: entering a call or an email, and handling one."""

from datetime import datetime, timedelta

from django import forms
from django.utils import timezone

from acuclinic.clinic.models import Location, Room, Service
from acuclinic.enquiries.choices import TOPIC_CHOICES, EnquiryChannel, EnquiryStatus
from acuclinic.enquiries.services import HAND_SET, MESSAGE_MAX, NOTES_MAX
from acuclinic.people.models import Practitioner
from acuclinic.scheduling import slots
from acuclinic.scheduling.forms import parse_start

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
_TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class EnquiryFilter(forms.Form):
    status = forms.ChoiceField(
        choices=[("open", "New and replied"), ("", "All"), *EnquiryStatus.choices],
        required=False,
    )
    channel = forms.ChoiceField(choices=[("", "Any"), *EnquiryChannel.choices], required=False)


class StaffEnquiryForm(forms.Form):
    """A phone call or an email, as the person who took it enters it."""

    channel = forms.ChoiceField(
        choices=[(EnquiryChannel.PHONE, "Phone"), (EnquiryChannel.EMAIL, "Email")],
        widget=forms.RadioSelect,
        initial=EnquiryChannel.PHONE,
        label="How did they get in touch?",
    )
    name = forms.CharField(max_length=120)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=30, required=False)
    condition = forms.ChoiceField(choices=TOPIC_CHOICES, required=False, label="What it is about")
    message = forms.CharField(
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What they asked. Administrative only: no clinical details.",
    )
    received_on = forms.DateField(widget=_DATE, label="Received on")
    received_time = forms.TimeField(widget=_TIME, label="at", help_text="UK time")

    def received_at(self) -> datetime:
        naive = datetime.combine(
            self.cleaned_data["received_on"], self.cleaned_data["received_time"]
        )
        return timezone.make_aware(naive)


class EnquiryUpdateForm(forms.Form):
    # Not asked once the enquiry is booked: the appointment says how it went.
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in HAND_SET], widget=forms.RadioSelect, required=False
    )
    notes = forms.CharField(
        max_length=NOTES_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What was said and done. Administrative only: no clinical details.",
    )


class FreeTimeSearch(forms.Form):
    """Find a free time to book an enquirer into."""

    service = forms.ModelChoiceField(queryset=Service.objects.filter(is_active=True))
    location = forms.ModelChoiceField(queryset=Location.objects.filter(is_active=True))
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(is_active=True).select_related("user"),
        required=False,
        empty_label="Anyone",
    )
    date = forms.DateField(widget=_DATE, required=False, label="Week from")
    when = forms.MultipleChoiceField(
        choices=slots.PARTS_OF_DAY,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Times of day",
        help_text="None ticked: the whole day.",
    )

    def clean_date(self):
        day = self.cleaned_data.get("date")
        today = timezone.localdate()
        if day is not None and not today <= day <= today + timedelta(days=730):
            raise forms.ValidationError("Choose a day from today to two years ahead.")
        return day


class BookSlotForm(forms.Form):
    """One free time, as its Book button posts it."""

    service = forms.ModelChoiceField(queryset=Service.objects.filter(is_active=True))
    practitioner = forms.ModelChoiceField(queryset=Practitioner.objects.filter(is_active=True))
    room = forms.ModelChoiceField(queryset=Room.objects.filter(is_active=True))
    start = forms.CharField(max_length=40)

    def clean_start(self):
        return parse_start(self.cleaned_data["start"])

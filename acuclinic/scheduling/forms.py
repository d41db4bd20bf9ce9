from datetime import date, datetime, timedelta

from django import forms
from django.utils import timezone

from acuclinic.clinic.choices import Weekday
from acuclinic.clinic.models import Location, Room, Service
from acuclinic.people.models import Practitioner
from acuclinic.scheduling import slots
from acuclinic.scheduling.choices import AppointmentStatus, CancelledBy, Channel, ExceptionKind
from acuclinic.scheduling.models import MAX_SERIES_SESSIONS


class TellPatient(forms.Form):
    """Staff tell the patient of a booking, move or cancellation unless they untick it."""

    tell_by_email = forms.BooleanField(
        required=False, initial=True, label="Tell the patient by email"
    )
    tell_by_text = forms.BooleanField(
        required=False,
        initial=True,
        label="Tell the patient by text message",
        help_text="Only patients who asked for texts, with a UK mobile number, get one.",
    )


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


class BookingForm(_When, TellPatient):
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
    extra_session = forms.BooleanField(
        required=False,
        label="Extra session outside their working hours",
        help_text="Only if the practitioner has agreed to see this patient outside their "
        "usual hours. Opening hours and time off still apply.",
    )
    field_order = [
        "service",
        "practitioner",
        "room",
        "date",
        "time",
        "channel",
        "notes",
        "extra_session",
        "tell_by_email",
        "tell_by_text",
    ]


class MoveForm(_When, TellPatient):
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(is_active=True).select_related("user")
    )
    room = forms.ModelChoiceField(
        queryset=Room.objects.filter(is_active=True).select_related("location")
    )
    extra_session = forms.BooleanField(
        required=False, label="Extra session outside their working hours"
    )


class CourseCancelForm(forms.Form):
    reason = forms.CharField(max_length=200, required=False, label="Reason")
    by = forms.ChoiceField(
        choices=CancelledBy.choices,
        initial=CancelledBy.PATIENT,
        required=False,
        widget=forms.RadioSelect,
        label="Who cancelled",
        help_text="Only the patient's own late cancellation counts against them.",
    )

    def clean_by(self):
        return self.cleaned_data.get("by") or CancelledBy.PATIENT


class CancelForm(CourseCancelForm, TellPatient):
    """One visit: the patient is told unless staff untick it."""


class SeriesForm(_When):
    """A course: the first session's date and time, then every week (or two, three…)."""

    service = forms.ModelChoiceField(queryset=Service.objects.filter(is_active=True))
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(is_active=True).select_related("user")
    )
    room = forms.ModelChoiceField(
        queryset=Room.objects.filter(is_active=True, location__is_active=True).select_related(
            "location"
        )
    )
    sessions = forms.IntegerField(initial=6, help_text="How many sessions, e.g. 6 (at most 52).")
    interval_weeks = forms.TypedChoiceField(
        coerce=int,
        choices=[
            (1, "Every week"),
            (2, "Every 2 weeks"),
            (3, "Every 3 weeks"),
            (4, "Every 4 weeks"),
        ],
        initial=1,
        label="How often",
    )
    channel = forms.ChoiceField(choices=Channel.choices, initial=Channel.PHONE, label="Booked by")
    notes = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Front-desk notes only — no clinical details.",
    )
    field_order = [
        "service",
        "practitioner",
        "room",
        "date",
        "time",
        "sessions",
        "interval_weeks",
        "channel",
        "notes",
    ]

    def clean_sessions(self):
        # The service says what is wrong with a length (too long, too short); here only
        # numbers no one could mean are stopped before they reach it.
        sessions = self.cleaned_data["sessions"]
        if abs(sessions) > 10**6:
            raise forms.ValidationError("Give the number of sessions, e.g. 6.")
        return sessions


class MoveRestForm(_When):
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(is_active=True).select_related("user")
    )
    room = forms.ModelChoiceField(
        queryset=Room.objects.filter(is_active=True).select_related("location")
    )


class FindSlotsForm(forms.Form):
    service = forms.ModelChoiceField(queryset=Service.objects.filter(is_active=True))
    # With its clinic: the search reads the clinic's booking window from it.
    location = forms.ModelChoiceField(
        queryset=Location.objects.filter(is_active=True).select_related("clinic")
    )
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(is_active=True).select_related("user"),
        required=False,
        empty_label="Anyone",
    )
    date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        label="From",
        help_text="Default today; a week is shown.",
    )
    when = forms.MultipleChoiceField(
        choices=slots.PARTS_OF_DAY,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Times of day",
        help_text="None ticked: the whole day.",
    )

    def clean_date(self):
        return _day_to_search(self.cleaned_data.get("date"))


class BookingFinderForm(FindSlotsForm):
    """The booking form's free-time search, which can also keep to the patient's own
    days and hours (their waitlist entry's, pre-filled)."""

    weekdays = forms.TypedMultipleChoiceField(
        choices=Weekday.choices,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Days",
        help_text="None ticked: any day.",
    )
    earliest = forms.TimeField(
        required=False,
        label="Not before",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    latest = forms.TimeField(
        required=False,
        label="Finished by",
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )

    def clean(self):
        data = super().clean()
        earliest, latest = data.get("earliest"), data.get("latest")
        if earliest and latest and latest <= earliest:
            self.add_error("latest", "Must be later than “Not before”.")
        return data

    def suits(self, local_start, local_end) -> bool:
        """Whether a free time (in the site's local time) keeps to the days and hours."""
        data = self.cleaned_data
        if data.get("weekdays") and local_start.weekday() not in data["weekdays"]:
            return False
        if data.get("earliest") and local_start.time() < data["earliest"]:
            return False
        return not (data.get("latest") and local_end.time() > data["latest"])


def _day_to_search(day: date | None) -> date | None:
    """A day a search for free time may start on: today, or up to two years ahead."""
    today = timezone.localdate()
    if day and day < today:
        raise forms.ValidationError("Choose today or a later day.")
    if day and day > today + timedelta(days=730):
        raise forms.ValidationError("Choose a day within the next two years.")
    return day


class WeeklyTimeForm(FindSlotsForm):
    """The series page's "Find the first weekly time": what the course needs, and how
    many weeks in a row the time must be free. Sent by GET with the prefix ``find`` so
    its names never mix with the series form's."""

    # The first weekly time is any time of day: no morning/afternoon/evening filter here.
    when = None

    weeks = forms.IntegerField(
        min_value=1,
        max_value=MAX_SERIES_SESSIONS,
        initial=6,
        help_text=f"Free every week for this many weeks (1–{MAX_SERIES_SESSIONS}).",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[
            "date"
        ].help_text = "Default today; the time is found in the week from this day."


_TIME = forms.TimeInput(attrs={"type": "time", "step": 300}, format="%H:%M")
_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PatternForm(forms.Form):
    location = forms.ModelChoiceField(queryset=Location.objects.filter(is_active=True))
    weekday = forms.TypedChoiceField(coerce=int, choices=Weekday.choices, label="Day")
    starts = forms.TimeField(widget=_TIME, help_text="Local time")
    ends = forms.TimeField(widget=_TIME)
    valid_from = forms.DateField(widget=_DATE, label="From")
    valid_until = forms.DateField(
        widget=_DATE, required=False, label="Until", help_text="Empty while it runs on."
    )


class PatternEndForm(forms.Form):
    last_day = forms.DateField(widget=_DATE, label="Last day")


class ExceptionForm(forms.Form):
    kind = forms.ChoiceField(choices=ExceptionKind.choices)
    location = forms.ModelChoiceField(
        queryset=Location.objects.filter(is_active=True),
        required=False,
        empty_label="Every location",
        help_text="Needed for an extra session.",
    )
    first_day = forms.DateField(widget=_DATE)
    last_day = forms.DateField(widget=_DATE)
    starts = forms.TimeField(
        widget=_TIME, required=False, help_text="Leave both times empty for whole days."
    )
    ends = forms.TimeField(widget=_TIME, required=False)
    note = forms.CharField(max_length=200, required=False)


class ClosureForm(forms.Form):
    room = forms.ModelChoiceField(
        queryset=Room.objects.filter(is_active=True).select_related("location")
    )
    first_day = forms.DateField(widget=_DATE, label="From (date)")
    first_time = forms.TimeField(widget=_TIME, label="From (time)")
    last_day = forms.DateField(widget=_DATE, label="Until (date)")
    last_time = forms.TimeField(widget=_TIME, label="Until (time)")
    reason = forms.CharField(max_length=200, required=False)

    def span_in(self, tz) -> tuple[datetime, datetime]:
        data = self.cleaned_data
        starts = timezone.make_aware(datetime.combine(data["first_day"], data["first_time"]), tz)
        ends = timezone.make_aware(datetime.combine(data["last_day"], data["last_time"]), tz)
        return starts, ends


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[
            (AppointmentStatus.ARRIVED, "Arrived"),
            (AppointmentStatus.COMPLETED, "Completed"),
            (AppointmentStatus.DID_NOT_ATTEND, "Did not attend"),
            (AppointmentStatus.BOOKED, "Back to booked"),
        ]
    )


# Wide enough for any real diary date, narrow enough that a week either side of it is
# still a date (year 9999 or year 1 would break the previous/next links).
DIARY_EARLIEST = date(1900, 1, 1)
DIARY_LATEST = date(2999, 12, 31)


# What the diary's columns are in the day view, and what the cards' colours mean.
DIARY_COLUMNS = [("practitioner", "Practitioners"), ("room", "Rooms")]
DIARY_COLOURS = [("modality", "Kind of visit"), ("status", "Status")]
# Ids from the query string: up to 18 digits always fits the databases' 64-bit ids.
_ID_RANGE = {"min_value": 1, "max_value": 10**18 - 1}


class DiaryFilter(forms.Form):
    """The diary's query string. Bad values fall back to the defaults (the view ignores
    fields that fail), so a mistyped link never ends on an error page."""

    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    view = forms.ChoiceField(choices=[("day", "Day"), ("week", "Week")], required=False)
    location = forms.IntegerField(required=False, **_ID_RANGE)
    practitioner = forms.IntegerField(required=False, **_ID_RANGE)
    by = forms.ChoiceField(choices=DIARY_COLUMNS, required=False)
    room = forms.IntegerField(required=False, **_ID_RANGE)
    colour = forms.ChoiceField(choices=DIARY_COLOURS, required=False)
    # An appointment being moved: the free times offer to move it there.
    moving = forms.IntegerField(required=False, **_ID_RANGE)

    def clean_date(self):
        day = self.cleaned_data.get("date")
        if day and not DIARY_EARLIEST <= day <= DIARY_LATEST:
            raise forms.ValidationError("Choose a date between 1900 and 2999.")
        return day


class DropForm(forms.Form):
    """A card dropped on a free time in the diary (sent by diary.js): the free time's
    start, with its offset, and the column's practitioner or room."""

    start = forms.CharField(max_length=40)
    location = forms.ModelChoiceField(queryset=Location.objects.filter(is_active=True))
    practitioner = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(is_active=True).select_related("user"),
        required=False,
    )
    room = forms.ModelChoiceField(
        queryset=Room.objects.filter(is_active=True).select_related("location"), required=False
    )

    def clean_start(self) -> datetime:
        text = self.cleaned_data["start"]
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError(
                "Give the time as 2026-03-03T10:00:00+00:00.", code="invalid_datetime"
            ) from None
        if moment.tzinfo is None:
            raise forms.ValidationError(
                "Give the time with its offset from UTC, e.g. +00:00.", code="naive_datetime"
            )
        return moment


def parse_start(value: str) -> datetime:
    """A start time offered on an earlier page and sent back as ISO 8601 with its offset
    (the public booking pages, reception's booking from an enquiry)."""
    try:
        moment = datetime.fromisoformat((value or "").strip())
    except ValueError as exc:
        raise forms.ValidationError("That is not a time we offered.") from exc
    if timezone.is_naive(moment) or not 1900 <= moment.year <= 2999:
        raise forms.ValidationError("That is not a time we offered.")
    return moment

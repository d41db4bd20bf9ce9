"""Forms for a location's details, its week of opening hours, and its rooms."""

from django import forms

from acuclinic.clinic import locations
from acuclinic.clinic.choices import Weekday
from acuclinic.core.errors import ServiceError

# Two opening periods a day covers a lunchtime closure; a third has never been asked for.
PERIODS_A_DAY = 2


class LocationForm(forms.Form):
    name = forms.CharField(max_length=120, label="Name", help_text="As patients know the site.")
    address_line1 = forms.CharField(max_length=120, label="Address")
    address_line2 = forms.CharField(max_length=120, required=False, label="Address, line 2")
    town = forms.CharField(max_length=80)
    postcode = forms.CharField(max_length=10)
    phone = forms.CharField(max_length=30, required=False)
    is_active = forms.BooleanField(
        required=False,
        initial=True,
        label="Open to bookings",
        help_text="Untick when the site closes for good: its history stays.",
    )

    @staticmethod
    def initial_for(location) -> dict:
        return {name: getattr(location, name) for name in locations.LOCATION_FIELDS}


def _time_field(label: str) -> forms.TimeField:
    return forms.TimeField(
        required=False,
        label=label,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        error_messages={"invalid": "Enter a time such as 08:30."},
    )


class OpeningHoursForm(forms.Form):
    """Each weekday: up to two periods, each an opening and a closing time; a day with
    no times is closed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.days = []
        for day in Weekday:
            names = []
            for n in range(1, PERIODS_A_DAY + 1):
                again = " again" if n > 1 else ""
                self.fields[f"opens_{day.value}_{n}"] = _time_field(f"{day.label}: opens{again}")
                self.fields[f"closes_{day.value}_{n}"] = _time_field(f"{day.label}: closes")
                names.append((f"opens_{day.value}_{n}", f"closes_{day.value}_{n}"))
            self.days.append((day, names))

    @staticmethod
    def initial_for(location) -> dict:
        initial, seen = {}, {}
        for h in location.opening_hours.order_by("weekday", "opens"):
            n = seen[h.weekday] = seen.get(h.weekday, 0) + 1
            if n <= PERIODS_A_DAY:
                initial[f"opens_{h.weekday}_{n}"] = h.opens
                initial[f"closes_{h.weekday}_{n}"] = h.closes
        return initial

    def day_rows(self):
        """(weekday, [(opens field, closes field)…], errors of the day) for the template."""
        for day, names in self.days:
            pairs = [(self[o], self[c]) for o, c in names]
            yield day, pairs

    def clean(self):
        data = super().clean()
        periods = []
        for day, names in self.days:
            for opens_name, closes_name in names:
                opens, closes = data.get(opens_name), data.get(closes_name)
                if opens is None and closes is None:
                    continue
                if opens is None or closes is None:
                    missing = opens_name if opens is None else closes_name
                    if missing not in self.errors:
                        self.add_error(
                            missing, f"{day.label}: give both the opening and closing time."
                        )
                    continue
                periods.append((day.value, opens, closes))
        if not self.errors:
            try:
                locations.check_week(periods)
            except ServiceError as exc:
                day = int(exc.field.removeprefix("day"))
                self.add_error(f"closes_{day}_1", exc.message)
        data["periods"] = periods
        return data


class RoomForm(forms.Form):
    name = forms.CharField(max_length=60, label="Room name")
    has_couch = forms.BooleanField(
        required=False,
        initial=True,
        label="Has a treatment couch",
        help_text="Acupuncture is given lying down: needling visits are only booked in "
        "rooms with a couch.",
    )

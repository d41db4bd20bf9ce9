"""Forms for the treatment pages: they parse what was typed; services decide what is allowed.

Numbers are parsed here but judged by the services (a negative count gets the service's
"cannot be negative", not a generic form message), so the page and the API say the same.
"""

import re

from django import forms
from django.utils import timezone

from acuclinic.core.forms import DateBox
from acuclinic.treatment import catalogue, chart, significance
from acuclinic.treatment.choices import EventType, Severity, Side, Stimulation
from acuclinic.treatment.models import TreatmentPolicy

PAIRED_SIDE_CHOICES = [(s.value, s.label) for s in (Side.BILATERAL, Side.LEFT, Side.RIGHT)]
_CODES = re.compile(r"[,;\n]+|\s{2,}")


def split_codes(text: str) -> list[str]:
    """“BL23 BL25, GV3” → ["BL23", "BL25", "GV3"]; “ex b2”, “tp ql” stay one code each."""
    codes = []
    for chunk in _CODES.split(text or ""):
        words = chunk.split()
        # A code is letters then digits, or EX-/TP- and a suffix: join "bl 23" back up.
        while words:
            word = words.pop(0)
            if words and re.fullmatch(r"[A-Za-z]{2}-?", word) and re.match(r"\d", words[0]):
                word += words.pop(0)
            elif words and word.upper().rstrip("-") in ("EX", "TP"):
                word += "-" + words.pop(0)
            codes.append(word)
    return [c for c in codes if c]


def read_picks(values) -> tuple[list[str], dict[str, str]]:
    """Ticked points → (codes, each code's side where the pick carried one).

    A point picked on the body chart carries the side that was clicked ("ST35@left"); a
    point picked from the search does not, and takes the side chosen for the batch. The
    same point picked on both sides is one bilateral point.
    """
    codes: list[str] = []
    sides: dict[str, str] = {}
    for value in values:
        code, side = chart.split_pick(value)
        key = catalogue.normalise_code(code)
        if key not in {catalogue.normalise_code(c) for c in codes}:
            codes.append(code)
        if side:
            known = sides.get(key)
            sides[key] = side if known in (None, side) else Side.BILATERAL
    return codes, sides


class AnyValues(forms.MultipleChoiceField):
    """Ticked values whose meaning the service checks (codes picked from a search)."""

    def valid_value(self, value) -> bool:
        return isinstance(value, str) and len(value) <= 20


class NoteDetailsForm(forms.Form):
    pain_before = forms.IntegerField(
        label="Pain before treatment (0–10)",
        required=False,
        help_text="0 is no pain, 10 the worst imaginable.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    findings = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 4}), max_length=10_000
    )
    needles_out = forms.IntegerField(label="Needles counted out", required=False)
    needles_in = forms.IntegerField(label="Needles counted back in", required=False)
    aftercare = forms.MultipleChoiceField(
        label="Aftercare advice given",
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    aftercare_notes = forms.CharField(
        label="Other advice",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=10_000,
    )
    plan = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["aftercare"].choices = [(a.id, a.text) for a in catalogue.current().advice]


class PointsForm(forms.Form):
    """Points typed as codes, or ticked from a search, with the settings they share."""

    codes = forms.CharField(
        label="Codes",
        required=False,
        max_length=500,
        help_text="Separate codes with commas or spaces, e.g. BL23, BL25, GV3, TP-QL.",
    )
    pick = AnyValues(label="Picked from the search", required=False)
    side = forms.ChoiceField(
        choices=PAIRED_SIDE_CHOICES,
        help_text="Midline points (GV, CV, Yintang…) are always recorded as midline; "
        "points picked on the body chart keep the side you clicked.",
    )
    depth_mm = forms.IntegerField(
        label="Depth (mm)",
        required=False,
        help_text="Empty: each point as last time (or as in your prescription). "
        "A number here applies to every point.",
    )
    retention_minutes = forms.IntegerField(
        label="Retention (minutes)",
        required=False,
        help_text="Empty: each point as last time. A number applies to every point.",
    )
    stimulation = forms.ChoiceField(
        choices=[("", "As last time (manual for a new point)"), *Stimulation.choices],
        required=False,
    )
    override_reason = forms.CharField(
        label="Reason for needling despite a safety flag",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text="Only needed when a point meets one of this patient's flags.",
    )

    def clean(self):
        data = super().clean()
        picked, data["sides"] = read_picks(data.get("pick", []))
        data["all_codes"] = [*picked, *split_codes(data.get("codes", ""))]
        if not data["all_codes"] and not self.errors:
            raise forms.ValidationError("Give at least one code, or tick points in the search.")
        return data


class ChangeAllForm(forms.Form):
    """One depth, retention or stimulation for every point already charted."""

    all_depth_mm = forms.IntegerField(label="Depth for every point (mm)", required=False)
    all_retention_minutes = forms.IntegerField(
        label="Retention for every point (minutes)", required=False
    )
    all_stimulation = forms.ChoiceField(
        label="Stimulation for every point",
        choices=[("", "As charted"), *Stimulation.choices],
        required=False,
    )


class PrefillForm(forms.Form):
    source = forms.CharField(widget=forms.HiddenInput)
    override_reason = forms.CharField(
        label="Reason for needling despite a safety flag",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )


class NeedleUseForm(forms.Form):
    lot = forms.IntegerField(label="Needle lot", widget=forms.Select)
    count = forms.IntegerField(label="Needles from this lot")

    def __init__(self, *args, lots=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lot"].widget.choices = [("", "Choose a lot")] + [
            (
                lot.pk,
                f"{lot.size_display} · {lot.manufacturer} · lot {lot.lot_number} · "
                f"{lot.quantity_in_stock} in stock",
            )
            for lot in lots
        ]


def _yes_no(value: str) -> bool:
    return value == "yes"


class AdverseEventForm(forms.Form):
    event_type = forms.ChoiceField(label="Type of event", choices=EventType.choices)
    severity = forms.ChoiceField(choices=Severity.choices, widget=forms.RadioSelect)
    # Whether it was significant, where the practitioner is the judge (significance.py).
    # Optional here: the service asks for it when the type and severity do not settle it.
    severe_or_lasting = forms.TypedChoiceField(
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect,
        coerce=_yes_no,
        empty_value=None,
        required=False,
    )
    description = forms.CharField(
        label="What happened",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=10_000,
    )
    action_taken = forms.CharField(
        label="Action taken", widget=forms.Textarea(attrs={"rows": 2}), max_length=10_000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cat = catalogue.current()
        self.fields["severity"].help_text = " ".join(
            f"{s.label}: {s.description}" for s in cat.severities
        )
        rule = cat.significance
        field = self.fields["severe_or_lasting"]
        field.label = rule.question
        field.help_text = f"{rule.help} " + significance.describe(
            rule, dict(EventType.choices), dict(Severity.choices)
        )


class AddendumForm(forms.Form):
    text = forms.CharField(
        label="Addendum", widget=forms.Textarea(attrs={"rows": 3}), max_length=10_000
    )


class LotForm(forms.Form):
    manufacturer = forms.CharField(max_length=80)
    diameter_mm = forms.DecimalField(
        label="Diameter (mm)",
        max_digits=4,
        decimal_places=2,
        help_text="As printed on the box, e.g. 0.25.",
    )
    length_mm = forms.IntegerField(label="Length (mm)", help_text="e.g. 30")
    lot_number = forms.CharField(max_length=40)
    expires_on = forms.DateField(
        label="Expiry date", widget=forms.DateInput(attrs={"type": "date"})
    )
    received_on = forms.DateField(
        label="Received on", widget=forms.DateInput(attrs={"type": "date"})
    )
    quantity = forms.IntegerField(label="Number of needles")

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"received_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    @property
    def diameter_um(self) -> int:
        """0.25 mm → 250 µm, the whole number the stock is kept in."""
        return int(self.cleaned_data["diameter_mm"] * 1000)


class RecallForm(forms.Form):
    reason = forms.CharField(
        label="Reason (the recall notice)", max_length=200, widget=forms.TextInput
    )


class FollowUpCloseForm(forms.Form):
    outcome = forms.CharField(
        label="How did it end?",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=10_000,
        help_text="What was done, how the patient is, and what the clinic learned.",
    )


class PrescriptionForm(forms.Form):
    name = forms.CharField(max_length=80, help_text="e.g. Usual low back")
    codes = forms.CharField(
        max_length=500, help_text="Separate codes with commas or spaces, e.g. BL23, BL25, GV3."
    )
    side = forms.ChoiceField(choices=PAIRED_SIDE_CHOICES)
    depth_mm = forms.IntegerField(label="Depth (mm)")
    retention_minutes = forms.IntegerField(label="Retention (minutes)")
    stimulation = forms.ChoiceField(choices=Stimulation.choices)


class PolicyForm(forms.ModelForm):
    class Meta:
        model = TreatmentPolicy
        fields = ["max_retention_minutes", "lot_expiry_warning_days"]


class PointSearchForm(forms.Form):
    q = forms.CharField(
        label="Find a point or muscle",
        required=False,
        max_length=100,
        help_text="A code (BL23, EX-B2, TP-QL) or a name (Shenshu, piriformis).",
    )
    kind = forms.ChoiceField(
        label="Kind",
        required=False,
        choices=[("", "All"), *catalogue.KIND_LABELS.items()],
    )


class ReportPeriodForm(forms.Form):
    start = forms.DateField(label="From", widget=DateBox())
    end = forms.DateField(label="To", widget=DateBox())

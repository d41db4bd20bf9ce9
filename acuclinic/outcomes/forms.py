"""Forms for outcomes: they parse what was typed; the services decide what is allowed.

A questionnaire's form is built from its definition (catalogue): item answers are
entered by number only, never with the instrument's wording, so a licensed
questionnaire is completed on the clinic's own copy and transcribed here.
"""

import re
from datetime import datetime

from django import forms
from django.utils import timezone

from acuclinic.core.forms import DateBox
from acuclinic.outcomes import catalogue
from acuclinic.outcomes.catalogue import (
    CATEGORY,
    COUNT,
    DOMAINS,
    MEAN,
    PROFILE,
    SECTIONS,
    SINGLE,
    STRATIFY,
    Measure,
)
from acuclinic.outcomes.choices import EndReason, ReviewDecision
from acuclinic.outcomes.models import OutcomesPolicy

DATE_WIDGET = DateBox()
_NUMBERS = re.compile(r"[\s,;]+|\band\b")


def _item_numbers(text: str, *, top: int) -> list[int]:
    numbers = []
    for token in _NUMBERS.split(text or ""):
        if not token:
            continue
        if not token.isdigit() or not 1 <= int(token) <= top:
            raise forms.ValidationError(
                f"“{token}” is not a statement number: use numbers from 1 to {top}."
            )
        numbers.append(int(token))
    return numbers


def _scale(low: int, high: int, *, blank: str | None = "—") -> list[tuple[str, str]]:
    choices = [(str(v), str(v)) for v in range(low, high + 1)]
    return ([("", blank)] if blank is not None else []) + choices


class MeasureForm(forms.Form):
    """A clinician records one questionnaire: its answers by number, or its total."""

    taken_on = forms.DateField(label="Completed on", widget=DATE_WIDGET)
    note = forms.CharField(
        label="Note", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, measure: Measure, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("taken_on", timezone.localdate())
        super().__init__(*args, **kwargs)
        self.measure = measure
        top = measure.items
        if measure.scoring == COUNT:
            self.fields["ticked"] = forms.CharField(
                label="Statements ticked",
                required=False,
                help_text=f"Their numbers, 1 to {top}, e.g. 2, 5, 9. Leave empty if none.",
            )
            self.fields["unanswered"] = forms.CharField(
                label="Statements left unanswered",
                required=False,
                help_text=f"Yes/no versions only. At most {measure.max_missing} can be left.",
            )
        elif measure.scoring == STRATIFY:
            self.fields["ticked"] = forms.CharField(
                label="Statements agreed with",
                required=False,
                help_text=f"Their numbers, 1 to {top}, e.g. 1, 5, 9; statement {top} counts "
                "when the pain has been very much or extremely bothersome. Leave empty if none.",
            )
            self.fields["unanswered"] = forms.CharField(
                label="Statements left unanswered",
                required=False,
                help_text="A form with any left unanswered cannot be scored: go through them "
                "with the patient.",
            )
        elif measure.scoring in (SECTIONS, DOMAINS):
            for number in range(1, top + 1):
                self.fields[f"item_{number}"] = forms.TypedChoiceField(
                    label=f"{'Section' if measure.scoring == SECTIONS else 'Item'} {number}",
                    choices=_scale(measure.item_min, measure.item_max),
                    coerce=int,
                    empty_value=None,
                    required=False,
                )
        elif measure.scoring == PROFILE:
            for number, label in enumerate(measure.item_labels, 1):
                self.fields[f"item_{number}"] = forms.TypedChoiceField(
                    label=label,
                    choices=_scale(measure.item_min, measure.item_max),
                    coerce=int,
                    empty_value=None,
                    required=False,
                )
        elif measure.scoring == MEAN:
            _activity_fields(self, measure)
        elif measure.scoring in (SINGLE, CATEGORY):
            _single_field(self, measure)
        if measure.takes_total:
            what = "profile score" if measure.scoring == PROFILE else "total"
            self.fields["total"] = forms.DecimalField(
                label=f"Or the {what} ({measure.score_min}–{measure.score_max})",
                required=False,
                max_digits=5,
                decimal_places=1,
                help_text="From the clinic's licensed copy, if you scored it there.",
            )

    @property
    def item_fields(self):
        return [self[name] for name in self.fields if name.startswith("item_")]

    @property
    def activity_rows(self):
        count = self.measure.items if self.measure.scoring == MEAN else 0
        return [(self[f"activity_{n}"], self[f"item_{n}"]) for n in range(1, count + 1)]

    def clean(self):
        data = super().clean()
        total = data.get("total")
        answers = _answers(self, data)
        given = answers is not None and any(_given(a) for a in _flat(answers))
        if total is not None and given:
            raise forms.ValidationError("Enter either the answers or the total, not both.")
        data["answers"] = None if total is not None else answers
        return data


def _given(answer) -> bool:
    """Whether an answer says something (a tick, a number, a named activity)."""
    if isinstance(answer, str):
        return bool(answer.strip())
    return answer is not None and answer is not False


def _flat(answers):
    for answer in answers:
        if isinstance(answer, list | tuple):
            yield from answer
        else:
            yield answer


def _answers(form: forms.Form, data: dict):
    """The answers in the services' shape (scoring.py), or None for an unparsed form."""
    measure = form.measure
    if measure.scoring in (COUNT, STRATIFY):
        try:
            ticked = _item_numbers(data.get("ticked", ""), top=measure.items)
        except forms.ValidationError as error:
            form.add_error("ticked", error)
            return None
        try:
            blank = _item_numbers(data.get("unanswered", ""), top=measure.items)
        except forms.ValidationError as error:
            form.add_error("unanswered", error)
            return None
        both = sorted(set(ticked) & set(blank))
        if both:
            form.add_error("unanswered", f"Statement {both[0]} is also marked as ticked.")
            return None
        return [None if n in blank else n in ticked for n in range(1, measure.items + 1)]
    if measure.scoring in (SECTIONS, DOMAINS, PROFILE):
        return [data.get(f"item_{n}") for n in range(1, measure.items + 1)]
    if measure.scoring == MEAN:
        return [
            (data.get(f"activity_{n}", ""), data.get(f"item_{n}"))
            for n in range(1, measure.items + 1)
        ]
    if measure.scoring in (SINGLE, CATEGORY):
        return [data.get("item_1")]
    return None


def _activity_fields(form: forms.Form, measure: Measure) -> None:
    for number in range(1, measure.items + 1):
        form.fields[f"activity_{number}"] = forms.CharField(
            label=f"Activity {number}", required=False, max_length=100
        )
        form.fields[f"item_{number}"] = forms.TypedChoiceField(
            label=f"Activity {number}: how well now (0–10)",
            choices=_scale(measure.item_min, measure.item_max),
            coerce=int,
            empty_value=None,
            required=False,
        )


def _single_field(form: forms.Form, measure: Measure) -> None:
    if measure.categories:
        choices = [(str(measure.item_min + i), label) for i, label in enumerate(measure.categories)]
    else:
        choices = _scale(measure.item_min, measure.item_max, blank=None)
    form.fields["item_1"] = forms.TypedChoiceField(
        label=measure.question or measure.name,
        choices=choices,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )


class PatientMeasureForm(forms.Form):
    """A patient completes a questionnaire whose wording may be shown (PSFS, PGIC)."""

    def __init__(self, *args, measure: Measure, **kwargs):
        super().__init__(*args, **kwargs)
        self.measure = measure
        if measure.scoring == MEAN:
            _activity_fields(self, measure)
        else:
            _single_field(self, measure)

    activity_rows = MeasureForm.activity_rows

    def clean(self):
        data = super().clean()
        data["answers"] = _answers(self, data)
        return data


class DiaryForm(forms.Form):
    pain = forms.TypedChoiceField(
        label="How bad was your pain, from 0 (no pain) to 10 (the worst you can imagine)?",
        choices=_scale(0, 10, blank=None),
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose a pain score from 0 to 10."},
    )
    taken_on = forms.DateField(label="Day", widget=DATE_WIDGET)
    note = forms.CharField(
        label="Anything that made it better or worse?",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("taken_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", choices=ReviewDecision.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label="Reasons (discussed with the patient)",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, decision=None, **kwargs):
        """``decision``: the planner's, so "continue" says what it continues into — a
        further trial after no response, or past NICE's recommended course."""
        super().__init__(*args, **kwargs)
        if decision is not None and decision.review_advised:
            trial = decision.action == "review"
            label = (
                "Continue: a further trial of weekly sessions, past NICE's recommended course"
                if trial
                else "Continue: go on past NICE's recommended course"
            )
            self.fields["decision"].choices = [
                (ReviewDecision.CONTINUE, label),
                (ReviewDecision.DISCHARGE, ReviewDecision.DISCHARGE.label),
            ]


class CloseForm(forms.Form):
    reason = forms.ChoiceField(label="Why the course ends", choices=EndReason.choices)
    ended_on = forms.DateField(label="Ended on", widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("ended_on", timezone.localdate())
        super().__init__(*args, **kwargs)


class BookForm(forms.Form):
    """One click on an offered time: what the offer's hidden fields carry."""

    start = forms.CharField()
    practitioner = forms.IntegerField(min_value=1)
    room = forms.IntegerField(min_value=1)
    service = forms.IntegerField(min_value=1)

    def clean_start(self) -> datetime:
        text = self.cleaned_data["start"]
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            raise forms.ValidationError("That is not a time this page offered.") from None
        if value.tzinfo is None:
            raise forms.ValidationError("That is not a time this page offered.")
        return value


class PolicyForm(forms.ModelForm):
    class Meta:
        model = OutcomesPolicy
        fields = [
            "pain_mcid_kind",
            "pain_mcid_points",
            "pain_mcid_percent",
            "improving_sessions",
            "taper_sessions",
            "relapse_measures",
            "trial_sessions",
            "initial_interval_days",
            "taper_interval_days",
            "maintenance_interval_days",
            "contact_cap_minutes",
            "diary_every_days",
        ]
        widgets = {"pain_mcid_kind": forms.RadioSelect}
        help_texts = {
            "pain_mcid_points": "Farrar et al. 2001: 2 points on the 0–10 scale.",
            "pain_mcid_percent": "Farrar et al. 2001: 30% of the baseline score.",
            "contact_cap_minutes": "A cap of the clinic's own for every course, whatever the "
            "condition. NICE's limits are shown on each course by its condition (NG193: 5 hours "
            "for chronic primary pain; CG150: 10 sessions for headaches). Leave empty for none.",
        }


class ReportPeriodForm(forms.Form):
    start = forms.DateField(label="Courses started from", widget=DATE_WIDGET)
    end = forms.DateField(label="to", widget=DATE_WIDGET)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end of the period comes after its start.")
        return data


def measure_choices(*, for_patients: bool = False, condition: str | None = None) -> list[Measure]:
    """The measures offered on the clinician's "record" menu (pain comes from notes);
    with ``condition``, only those offered for it (those for any condition among them)."""
    measures = catalogue.current().measures.values()
    if for_patients:
        return [m for m in measures if m.patient_can_complete and m.code != catalogue.PAIN]
    found = [m for m in measures if m.code != catalogue.PAIN]
    if condition is not None:
        found = [m for m in found if m.offered_for(condition)]
    return found


def posted(request):
    """The data sent on a POST — bound even when empty, so the form says what is missing
    (an empty POST is falsy: ``request.POST or None`` would show a blank form) — or None."""
    return request.POST if request.method == "POST" else None

"""Forms for the safety pages. They only turn posted text into Python values; every
rule (what must be answered, what contradicts what) is checked by the services."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django import forms
from django.utils import timezone

from acuclinic.core.forms import DateBox
from acuclinic.people.models import Practitioner
from acuclinic.safety.choices import NEEDLING_MODALITIES, ConsentMethod, Risk
from acuclinic.safety.errors import InvalidAnswers
from acuclinic.safety.questions import (
    BOOL,
    CHOICE,
    DRUGS,
    MULTI,
    NUMBER,
    SECTIONS,
    TEXT,
    for_audience,
)
from acuclinic.safety.rules import Ruleset, may_hold, parse_condition

LONDON = ZoneInfo("Europe/London")
YES_NO = [("yes", "Yes"), ("no", "No")]


class TimeInput(forms.TimeInput):
    input_type = "time"


def _field_for(question, rules: Ruleset) -> forms.Field:
    common = {"label": question.label, "help_text": question.help, "required": False}
    if question.kind == BOOL:
        return forms.ChoiceField(choices=YES_NO, widget=forms.RadioSelect, **common)
    if question.kind == CHOICE:
        return forms.ChoiceField(choices=question.choices, widget=forms.RadioSelect, **common)
    if question.kind == NUMBER:
        return forms.IntegerField(
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            error_messages={"invalid": "Give a whole number."},
            **common,
        )
    if question.kind == TEXT:
        return forms.CharField(max_length=question.max_length, **common)
    choices = (
        question.choices
        if question.kind == MULTI
        else [(d.id, d.name) for d in rules.drugs_of(question.drug_class)]
    )
    return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)


def _initial(question, value):
    if question.kind == BOOL and isinstance(value, bool):
        return "yes" if value else "no"
    return value


class QuestionnaireForm(forms.Form):
    """The health questionnaire, for the patient (online) or a clinician.

    ``facts`` are what the patient's record says (the condition treated). A section
    asked only sometimes (headaches, the neck) is left out while the answers known so
    far (those posted, else those filled in) rule it out; an answer not yet given never
    does, so a patient whose record says nothing sees every section. If a posted answer
    brings a hidden section in, the checks ask for its answers and the form shows it.
    """

    def __init__(self, *args, rules: Ruleset, audience: str, answers=None, facts=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = for_audience(audience)
        self.facts = dict(facts or {})
        for question in self.questions:
            self.fields[question.key] = _field_for(question, rules)
            if answers and question.key in answers:
                self.initial[question.key] = _initial(question, answers[question.key])

    def _known(self) -> dict:
        """The answers given so far, as the rules read them; unanswered ones left out."""
        known = {}
        for question in self.questions:
            if self.is_bound:
                if question.kind in (MULTI, DRUGS):
                    value = self.data.getlist(question.key) if hasattr(self.data, "getlist") else []
                else:
                    value = self.data.get(question.key)
                if question.kind == BOOL:
                    value = {"yes": True, "no": False}.get(value)
            else:
                value = self.initial.get(question.key)
                if question.kind == BOOL:
                    value = {"yes": True, "no": False}.get(value)
            if value not in (None, "", []):
                known[question.key] = value
        return known

    def sections(self):
        """[(section, [bound field, …]), …] in the questionnaire's order."""
        known = {**self.facts, **self._known()}
        grouped = []
        for section in SECTIONS:
            if section.only_when and not may_hold(parse_condition(section.only_when), known):
                continue
            fields = [self[q.key] for q in self.questions if q.section == section.key]
            if fields:
                grouped.append((section, fields))
        return grouped

    def answers(self) -> dict:
        """The posted answers as the services take them (yes/no → True/False)."""
        answers = {}
        for question in self.questions:
            value = self.cleaned_data.get(question.key)
            if question.kind == BOOL:
                value = {"yes": True, "no": False}.get(value)
            answers[question.key] = value
        return answers

    def show_answer_errors(self, exc: InvalidAnswers) -> None:
        for error in exc.errors:
            self.add_error(error.field if error.field in self.fields else None, error.message)


def _aware(day, time) -> datetime:
    return timezone.make_aware(datetime.combine(day, time), LONDON)


class ConsentForm(forms.Form):
    modality = forms.ChoiceField(
        choices=NEEDLING_MODALITIES, widget=forms.RadioSelect, label="Consent to"
    )
    risks_explained = forms.MultipleChoiceField(
        choices=Risk.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Risks explained to the patient",
        help_text="Tick each risk as you explain it. Consent is recorded only when all are.",
    )
    method = forms.ChoiceField(
        choices=ConsentMethod.choices, widget=forms.RadioSelect, label="How consent was given"
    )
    given_on = forms.DateField(widget=DateBox(), label="Date given")
    given_time = forms.TimeField(widget=TimeInput(format="%H:%M"), label="Time given")
    taken_by = forms.ModelChoiceField(
        queryset=Practitioner.objects.filter(is_active=True).select_related("user"),
        label="Taken by",
        empty_label=None,
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        label="Notes",
        help_text="Anything the patient asked or was particularly concerned about.",
    )

    def given_at(self) -> datetime:
        return _aware(self.cleaned_data["given_on"], self.cleaned_data["given_time"])


class AcknowledgementForm(forms.Form):
    discussion = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Risk discussion",
        help_text="What you explained, what the patient understood, and how you will adapt "
        "the treatment.",
    )


class AgreementForm(forms.Form):
    agreed_by = forms.CharField(max_length=160, required=False, label="Who agreed")
    agreed_on = forms.DateField(widget=DateBox(), label="Date agreed")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="What was agreed, and why",
    )


class PolicyForm(forms.Form):
    questionnaire_valid_months = forms.IntegerField(
        min_value=1,
        max_value=24,
        label="A full questionnaire stays current for (months)",
        help_text="At every visit in between, the patient is still asked about changes.",
    )
    pregnancy_point_list = forms.ChoiceField(label="Points avoided in pregnancy")
    link_valid_days = forms.IntegerField(
        min_value=1, max_value=30, label="Questionnaire links last (days)"
    )

    def __init__(self, *args, rules: Ruleset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pregnancy_point_list"].choices = [
            (p.id, f"{p.name} ({len(p.points)} points)") for p in rules.lists_for("pregnancy")
        ]


class ReferralForm(forms.Form):
    # Not required here: the service refuses a missing destination with its own words.
    destination = forms.ChoiceField(
        choices=[("gp", "The patient's GP"), ("ae", "A&E (the Emergency Department)")],
        widget=forms.RadioSelect,
        required=False,
        label="Send the letter to",
    )
    notes = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        label="Further notes",
        help_text="What you found on examination, when the symptoms began: anything the "
        "doctor should know beyond the patient's answers.",
    )

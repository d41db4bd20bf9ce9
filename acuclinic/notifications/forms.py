from django import forms

from acuclinic.core.forms import DateBox
from acuclinic.notifications import kinds
from acuclinic.notifications.choices import MessageChannel, MessageStatus
from acuclinic.notifications.models import MessagingPolicy


class OutboxFilter(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("", "Any"), *MessageStatus.choices, ("retrying", "Failed, will try again")],
    )
    kind = forms.ChoiceField(required=False, label="What")
    channel = forms.ChoiceField(required=False, choices=[("", "Any"), *MessageChannel.choices])
    since = forms.DateField(required=False, widget=DateBox(), label="Queued from")
    until = forms.DateField(required=False, widget=DateBox(), label="Queued to")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [
            ("", "Any"),
            *((slug, kind.label) for slug, kind in kinds.KINDS.items()),
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("since") and cleaned.get("until") and cleaned["until"] < cleaned["since"]:
            raise forms.ValidationError("“Queued to” must be on or after “Queued from”.")
        return cleaned


class MessagingPolicyForm(forms.ModelForm):
    class Meta:
        model = MessagingPolicy
        fields = ["reminder_lead_hours", "email_reminders", "sms_reminders"]
        help_texts = {
            "reminder_lead_hours": "Between 1 and 168 (a week). Patients choose on their record "
            "whether they want reminders, and by email or text.",
        }

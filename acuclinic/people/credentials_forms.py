"""Forms of the practitioners' set-up pages: a new practitioner's profile for a staff
account, a profile's changes, and a credential to record (a renewal is a new one)."""

from django import forms

from acuclinic.clinic.models import Service
from acuclinic.core.forms import DateBox
from acuclinic.people.choices import CredentialKind, Profession
from acuclinic.people.models import User


class _ProfileFields(forms.Form):
    profession = forms.ChoiceField(choices=Profession.choices)
    qualified_medical = forms.BooleanField(required=False, label="Qualified in medical acupuncture")
    qualified_traditional = forms.BooleanField(
        required=False, label="Qualified in traditional acupuncture"
    )
    profile = forms.CharField(
        required=False,
        max_length=2000,
        label="Profile",
        help_text="What patients and reception read: training, special interests, languages.",
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class NewPractitionerForm(_ProfileFields):
    user = forms.ModelChoiceField(
        queryset=User.objects.none(),
        label="Staff account",
        help_text="Invite them from Staff accounts first if they have no account yet.",
    )
    field_order = ["user", "profession", "qualified_medical", "qualified_traditional", "profile"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = User.objects.filter(
            is_active=True, practitioner__isnull=True
        ).order_by("last_name", "first_name", "username")
        self.fields["user"].label_from_instance = lambda u: (
            f"{u.display_name} ({u.username})" if u.get_full_name() else u.username
        )


class ProfileForm(_ProfileFields):
    services = forms.ModelMultipleChoiceField(
        queryset=Service.objects.filter(is_active=True).order_by("name"),
        required=False,
        label="Services offered",
        help_text="None ticked: every service they are qualified for.",
        widget=forms.CheckboxSelectMultiple,
    )
    is_active = forms.BooleanField(
        required=False,
        label="Takes bookings",
        help_text="Untick when they leave: their history stays.",
    )

    @staticmethod
    def initial_for(practitioner) -> dict:
        return {
            "profession": practitioner.profession,
            "qualified_medical": practitioner.qualified_medical,
            "qualified_traditional": practitioner.qualified_traditional,
            "profile": practitioner.profile,
            "services": list(practitioner.services.all()),
            "is_active": practitioner.is_active,
        }


class CredentialForm(forms.Form):
    kind = forms.ChoiceField(choices=CredentialKind.choices, label="Kind")
    body = forms.CharField(
        max_length=80,
        label="Body",
        help_text="HCPC, GMC or NMC for a registration; AACP, BMAS or BAcC for a "
        "membership; the insurer; or the council for its registration or licence.",
    )
    number = forms.CharField(max_length=40, label="Number", help_text="e.g. PH12345 for HCPC.")
    valid_from = forms.DateField(label="Valid from", widget=DateBox)
    valid_until = forms.DateField(
        label="Valid until",
        required=False,
        widget=DateBox,
        help_text="Needed except for a council registration with no end date.",
    )

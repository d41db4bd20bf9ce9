"""The staff accounts page for clinic admins: the access review (who can do what, when
they last signed in, whether they use two-factor sign-in), invitations, roles, leavers."""

from django import forms
from django.contrib import messages
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.forms import apply_service_error
from acuclinic.people import roles, staff
from acuclinic.people.models import User

ROLE_CHOICES = [(role, role) for role in roles.ROLES]


class InviteForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField()
    username = forms.RegexField(
        regex=r"^[\w.@+-]+\Z",
        max_length=150,
        help_text="Letters, digits and . @ + - _ only; what they sign in with.",
    )
    role = forms.ChoiceField(choices=ROLE_CHOICES)


class DetailsForm(forms.Form):
    first_name = forms.CharField(max_length=150)
    last_name = forms.CharField(max_length=150)
    email = forms.EmailField(
        max_length=254,
        help_text="Where password-reset links go. The old address is told of a change.",
    )


def _people():
    has_totp = TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True)
    return (
        User.objects.prefetch_related("groups")
        .annotate(active_tokens=Count("api_tokens", filter=Q(api_tokens__revoked_at__isnull=True)))
        .order_by("-is_active", "last_name", "first_name", "username")
    ), set(has_totp)


@staff_view("people.view_user")
def staff_list(request):
    form = InviteForm(request.POST or None)
    if request.method == "POST":
        if not request.user.has_perm("people.add_user"):
            return redirect("staff_list")
        if form.is_valid():
            try:
                user = staff.invite(
                    **form.cleaned_data, base_url=f"{request.scheme}://{request.get_host()}"
                )
            except ServiceError as exc:
                apply_service_error(form, exc)
            else:
                messages.success(request, f"Invited {user.username}: the email is on its way.")
                return redirect("staff_list")
    people, with_totp = _people()
    return render(
        request,
        "people/staff_list.html",
        {
            "form": form,
            "people": people,
            "with_totp": with_totp,
            "roles": ROLE_CHOICES,
            "role_summary": staff.ROLE_SUMMARY.items(),
            "nav": "staff",
        },
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@staff_view("people.change_user")
def staff_change(request, pk: int):
    person = get_object_or_404(User, pk=pk)
    action = request.POST.get("action")
    try:
        if action == "role":
            staff.set_role(person, request.POST.get("role", ""), by=request.user)
            messages.success(request, f"{person.username} is now {person.role}.")
        elif action == "disable":
            staff.disable(person, by=request.user)
            messages.success(request, f"Disabled {person.username}: signed out everywhere.")
        elif action == "invite":
            staff.invite_again(person, base_url=f"{request.scheme}://{request.get_host()}")
            messages.success(request, f"Invited {person.username}: the email is on its way.")
        elif action == "enable":
            staff.enable(person)
            messages.success(request, f"Enabled {person.username}.")
        else:
            messages.error(request, "Unknown action.")
    except ServiceError as exc:
        messages.error(request, exc.message)
    return redirect("staff_list")


@staff_view("people.view_user", "people.change_user")
def staff_edit(request, pk: int):
    """Correct a member of staff's name or email (a new surname, a new mailbox)."""
    person = get_object_or_404(User, pk=pk)
    initial = {"first_name": person.first_name, "last_name": person.last_name}
    form = DetailsForm(request.POST or None, initial=initial | {"email": person.email})
    if request.method == "POST" and form.is_valid():
        try:
            changed = staff.change_details(person, **form.cleaned_data)
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            if changed:
                told = " The old email address has been told." if "email" in changed else ""
                messages.success(request, f"Saved {person.username}'s details.{told}")
            else:
                messages.info(request, "Nothing had changed.")
            return redirect("staff_list")
    return render(
        request,
        "people/staff_edit.html",
        {"form": form, "person": person, "nav": "staff"},
        status=400 if request.method == "POST" else 200,
    )

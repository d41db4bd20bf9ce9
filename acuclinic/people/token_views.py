"""The API tokens page: a signed-in person makes and revokes their own tokens."""

from django import forms
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.forms import apply_service_error
from acuclinic.people import services
from acuclinic.people.models import ApiToken


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        max_length=services.TOKEN_NAME_MAX,
        help_text="What will use it, e.g. “Reception tablet” or “Reporting script”.",
    )
    access = forms.ChoiceField(
        choices=[("read", "Read only"), ("write", "Read and write")],
        initial="read",
        help_text="A read-only token can look things up but never change them.",
    )
    clinical = forms.BooleanField(
        label="Include clinical records",
        required=False,
        help_text="Leave unticked unless the program needs clinical notes and summaries.",
    )
    expires_in_days = forms.TypedChoiceField(
        label="Expires after",
        coerce=int,
        choices=[(30, "30 days"), (90, "90 days"), (365, "1 year")],
        initial=90,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Nothing to include for someone whose role sees no clinical record.
        if not user.has_perm("people.view_clinical"):
            del self.fields["clinical"]


@staff_view()
def token_list(request):
    form = ApiTokenForm(request.POST or None, user=request.user)
    secret = None
    if request.method == "POST" and form.is_valid():
        try:
            data = form.cleaned_data
            _, secret = services.api_token_create(
                user=request.user,
                name=data["name"],
                expires_in_days=data["expires_in_days"],
                read_only=data["access"] == "read",
                clinical=data.get("clinical", False),
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            form = ApiTokenForm(user=request.user)
    response = render(
        request,
        "people/tokens.html",
        {
            "form": form,
            # Shown on this response only: it is not stored anywhere it could be read back.
            "secret": secret,
            "tokens": ApiToken.objects.filter(user=request.user),
            "nav": "tokens",
        },
        status=400 if request.method == "POST" and secret is None else 200,
    )
    if secret is not None:
        # Keep the page with the secret out of the browser's cache and history snapshots.
        add_never_cache_headers(response)
    return response


@require_POST
@staff_view()
def token_revoke(request, pk: int):
    # Only your own tokens: another person's id is "not found", not "forbidden".
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    try:
        services.api_token_revoke(token)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Revoked “{token.name}”. Programs using it are now refused.")
    return redirect("token_list")

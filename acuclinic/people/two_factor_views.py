"""The second step of signing in, setting up an authenticator app, and the passkeys
added on top of it (people/passkeys.py)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

from acuclinic.audit.middleware import client_address
from acuclinic.core import signin
from acuclinic.core.access import staff_view
from acuclinic.people import passkeys, two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        help_text="The 6-digit code your authenticator app shows now, or one of your "
        "recovery codes.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text"}),
    )


def _next(request) -> str:
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(wanted, {request.get_host()}, request.is_secure()):
        return wanted
    return "/"


def _minutes_message(seconds: int) -> str:
    minutes = -(-seconds // 60)
    return (
        "Too many wrong codes. Try again in "
        f"{minutes} minute{'s' if minutes != 1 else ''}, or ask a clinic admin to unlock it."
    )


@staff_view()
def verify(request):
    if request.user.is_verified():
        return redirect(_next(request))
    if two_factor.confirmed_totp(request.user) is None:
        return redirect("two_factor_setup")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        username, address = request.user.username, client_address(request)
        wait = signin.wait_before_attempt(request, username, address)
        if wait is not None:
            form.add_error("code", _minutes_message(wait.seconds))
        elif two_factor.verify(request, form.cleaned_data["code"]):
            signin.clear_account(username)
            return redirect(_next(request))
        else:
            signin.count_failure(request, username, address)
            form.add_error(
                "code", "That code is not right, or has been used. Check the time on your phone."
            )
        status = 400
    return render(
        request,
        "people/two_factor_verify.html",
        {"form": form, "next": _next(request), "has_passkey": passkeys.has_any(request.user)},
        status=status,
    )


@staff_view()
def setup(request):
    """Set up (or replace) the authenticator app; shows the recovery codes once."""
    has_one = two_factor.confirmed_totp(request.user) is not None
    if has_one and not request.user.is_verified():
        # Back here once the code is given (say, after removing the passkey in use).
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('two_factor_verify')}?{query}")
    device = two_factor.start_setup(request.user)
    form = CodeForm(request.POST or None)
    form.fields["code"].help_text = "The 6-digit code your authenticator app now shows."
    if request.method == "POST" and form.is_valid():
        codes = two_factor.confirm_setup(request, device, form.cleaned_data["code"])
        if codes is not None:
            messages.success(request, "Two-factor sign-in is set up.")
            response = render(
                request,
                "people/two_factor_codes.html",
                {"codes": codes, "next": _next(request)},
            )
            return response
        form.add_error("code", "That code is not right. Check the time on your phone.")
    return render(
        request,
        "people/two_factor_setup.html",
        {
            "form": form,
            "replacing": has_one,
            "qr": two_factor.qr_data_uri(device, request.user.username),
            "secret": two_factor.secret_base32(device),
            "next": _next(request),
            "nav": "two_factor",
            "passkeys": passkeys.of(request.user) if has_one else None,
        },
        status=400 if request.method == "POST" else 200,
    )

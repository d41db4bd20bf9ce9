"""Signing in to the portal by emailed link, and signing out.

Opening a link shows a "Sign in" button rather than signing in at once: mail scanners
open links to check them, and must not spend the patient's single-use link.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from acuclinic.audit.context import acting_as
from acuclinic.audit.middleware import client_address
from acuclinic.portal import queries, services
from acuclinic.portal.access import (
    end_patient_session,
    portal_actor,
    session_patient,
    start_patient_session,
)
from acuclinic.portal.errors import LinkUnusable, TooManyRequests
from acuclinic.portal.forms import SignInForm, posted

STAFF_SIGNED_IN = (
    "You are signed in to the clinic's staff pages in this browser. The patient portal is "
    "kept apart from them: sign out of the staff pages (or use another browser) before "
    "signing in as a patient."
)


def _page(request, template: str, extra: dict | None = None, *, status: int = 200):
    context = {"clinic": queries.clinic(), "staff_signed_in": request.user.is_authenticated}
    return render(request, template, {**context, **(extra or {})}, status=status)


@never_cache
def sign_in(request):
    if request.method != "POST" and session_patient(request, touch=False) is not None:
        return redirect("portal_home")
    form = SignInForm(posted(request))
    limit_error, status = "", 200
    if request.method == "POST" and form.is_valid():
        try:
            with acting_as(portal_actor(request)):
                services.sign_in_link_request(
                    email=form.cleaned_data["email"],
                    date_of_birth=form.cleaned_data["date_of_birth"],
                    client_address=client_address(request),
                    url_for=lambda token: request.build_absolute_uri(
                        reverse("portal_link", args=[token])
                    ),
                )
        except TooManyRequests as exc:
            limit_error, status = exc.message, exc.status
        else:
            # The same page whether or not anyone matched: it must not tell a stranger
            # who is a patient here.
            return _page(
                request,
                "portal/link_sent.html",
                {"email": form.cleaned_data["email"], "minutes": services.LINK_MINUTES},
            )
    return _page(
        request,
        "portal/sign_in.html",
        {"form": form, "limit_error": limit_error},
        status=status,
    )


def _unusable(request, exc: LinkUnusable):
    return _page(
        request,
        "portal/link_unusable.html",
        {"error": exc},
        status=404 if exc.code == "link_unknown" else exc.status,
    )


@never_cache
def link(request, token: str):
    if request.user.is_authenticated:
        # A staff member never becomes a patient; the link stays unused for its owner.
        messages.error(request, STAFF_SIGNED_IN)
        return redirect("portal_sign_in")
    if request.method != "POST":
        try:
            services.sign_in_link_check(token)
        except LinkUnusable as exc:
            return _unusable(request, exc)
        return _page(request, "portal/link.html")
    try:
        with acting_as(portal_actor(request)):
            patient = services.sign_in_with_link(token)
    except LinkUnusable as exc:
        return _unusable(request, exc)
    start_patient_session(request, patient)
    return redirect("portal_home")


@require_POST
def sign_out(request):
    patient = session_patient(request, touch=False)
    if patient is not None:
        with acting_as(portal_actor(request)):
            services.sign_out_record(patient)
    end_patient_session(request)
    messages.info(request, "You have signed out.")
    return redirect("portal_sign_in")

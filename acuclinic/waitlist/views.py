"""Waitlist pages: the list, adding a patient, one entry with its offers, removing it;
and the public page a patient opens from an offer email to accept or decline."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from acuclinic.clinic.models import Clinic
from acuclinic.core.access import staff_view
from acuclinic.core.errors import NotFound, ServiceError
from acuclinic.core.forms import apply_service_error
from acuclinic.people.models import Patient
from acuclinic.waitlist import services as waitlist
from acuclinic.waitlist.choices import WaitlistStatus
from acuclinic.waitlist.forms import WaitlistEntryForm, WaitlistFilter
from acuclinic.waitlist.models import WaitlistEntry

VIEW = "waitlist.view_waitlistentry"
PER_PAGE = 50


@staff_view(VIEW)
def waitlist_list(request):
    params = request.GET.copy()
    params.setdefault("status", WaitlistStatus.WAITING)
    form = WaitlistFilter(params)
    data = form.cleaned_data if form.is_valid() else {"status": WaitlistStatus.WAITING}
    entries = WaitlistEntry.objects.select_related(
        "patient", "service", "location", "appointment"
    ).prefetch_related("practitioners__user")
    if data.get("status"):
        entries = entries.filter(status=data["status"])
    if data.get("location"):
        entries = entries.filter(location=data["location"])
    if data.get("service"):
        entries = entries.filter(service=data["service"])
    page = Paginator(entries.order_by("created_at", "id"), PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "waitlist/list.html",
        {"form": form, "page": page, "today": timezone.localdate(), "nav": "waitlist"},
    )


@staff_view("waitlist.add_waitlistentry")
def waitlist_add(request, pk: int):
    patient = get_object_or_404(Patient, pk=pk)
    form = WaitlistEntryForm(request.POST or None, patient=patient)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = waitlist.entry_add(
                patient=patient,
                service=data["service"],
                location=data["location"],
                practitioners=data["practitioners"],
                weekdays=data["weekdays"],
                earliest=data["earliest"],
                latest=data["latest"],
                until=data["until"],
                appointment=data["appointment"],
                notes=data["notes"],
                user=request.user,
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"{patient.full_name} is on the waitlist.")
            return redirect("waitlist_detail", pk=entry.pk)
    return render(
        request,
        "waitlist/form.html",
        {"form": form, "patient": patient, "nav": "waitlist"},
        status=400 if form.is_bound else 200,
    )


@staff_view(VIEW)
def waitlist_detail(request, pk: int):
    entry = get_object_or_404(
        WaitlistEntry.objects.select_related("patient", "service", "location", "appointment"),
        pk=pk,
    )
    offers = entry.offers.select_related("practitioner__user", "freed").order_by("-created_at")
    return render(
        request,
        "waitlist/detail.html",
        {"entry": entry, "offers": offers, "now": timezone.now(), "nav": "waitlist"},
    )


@staff_view("waitlist.change_waitlistentry")
@require_POST
def waitlist_remove(request, pk: int):
    entry = get_object_or_404(WaitlistEntry, pk=pk)
    try:
        waitlist.entry_remove(entry, user=request.user)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, "Removed from the waitlist.")
    return redirect("waitlist_detail", pk=pk)


# The patient's side (public: the token in the link is the key) ---------------------------


def _public(request, template: str, context: dict, status: int = 200):
    clinic = Clinic.objects.order_by("pk").first()
    return render(request, template, {"clinic": clinic, **context}, status=status)


@require_http_methods(["GET", "POST"])
def waitlist_offer(request, token: str):
    try:
        offer = waitlist.offer_open(token)
    except NotFound as exc:
        return _public(request, "waitlist/offer_closed.html", {"error": exc}, 404)
    except waitlist.OfferUnusable as exc:
        return _public(
            request,
            "waitlist/offer_closed.html",
            {"error": exc, "offer": exc.extra["offer"]},
            410,
        )
    if request.method == "GET":
        return _public(request, "waitlist/offer.html", {"offer": offer})
    try:
        if request.POST.get("answer") == "decline":
            waitlist.offer_decline(token)
            return _public(request, "waitlist/offer_declined.html", {"offer": offer})
        appointment = waitlist.offer_accept(token)
    except waitlist.OfferUnusable as exc:
        return _public(
            request,
            "waitlist/offer_closed.html",
            {"error": exc, "offer": exc.extra["offer"]},
            409,
        )
    except NotFound as exc:
        return _public(request, "waitlist/offer_closed.html", {"error": exc}, 404)
    return _public(
        request,
        "waitlist/offer_accepted.html",
        {"offer": offer, "appointment": appointment},
    )

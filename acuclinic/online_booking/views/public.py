"""The public pages: book an appointment online, cancel it by the emailed link, and the
contact form. No sign-in; every page works without JavaScript and on a phone.

Steps: choose what and where (``online_start``) → a week of free times
(``online_times``) → your details and "Confirm booking" (``online_details``) → booked
(``online_done``). Each step carries the choices so far in the address, so the back
button and a shared link work. Refusals get a page that says why, never an error page.
"""

from collections import defaultdict
from datetime import timedelta
from urllib.parse import urlencode

from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from acuclinic.audit.middleware import client_address
from acuclinic.billing import money
from acuclinic.billing import online as billing_online
from acuclinic.clinic.models import Clinic
from acuclinic.core.errors import Conflict, InvalidRequest, NotFound
from acuclinic.core.forms import apply_service_error
from acuclinic.enquiries import services as enquiries
from acuclinic.online_booking import botcheck, ratelimit
from acuclinic.online_booking import services as online
from acuclinic.online_booking.forms import (
    AlternativeForm,
    ChosenTimeForm,
    ContactForm,
    DetailsForm,
    StartForm,
    TimesForm,
)


def _clinic():
    return Clinic.objects.order_by("pk").first()


def _page(request, template: str, context: dict, status: int = 200):
    return render(request, template, {"clinic": _clinic(), **context}, status=status)


def _refused(request, exc, *, status: int):
    return _page(request, "online_booking/refused.html", {"error": exc}, status=status)


def _address(request) -> str:
    return client_address(request) or "unknown"


def _service_groups(services) -> list[tuple[str, str, list]]:
    first = [s for s in services if online.is_first_visit(s)]
    rest = [s for s in services if not online.is_first_visit(s)]
    groups = []
    if first:
        groups.append(("first", "Your first appointment", first))
    if rest:
        groups.append(("follow-up", "Follow-up appointments, if we have seen you before", rest))
    return groups


def _start_page(request, form, status: int = 200):
    services = list(form.fields["service"].queryset)
    return _page(
        request,
        "online_booking/start.html",
        {
            "form": form,
            "groups": _service_groups(services),
            "chosen_service": str(form["service"].value() or ""),
        },
        status=status,
    )


@require_http_methods(["GET"])
def start(request):
    form = StartForm(request.GET or None)
    if form.is_bound and form.is_valid():
        query = {
            "service": form.cleaned_data["service"].pk,
            "location": form.cleaned_data["location"].pk,
        }
        return redirect(reverse("online_times") + "?" + urlencode(query))
    if not form.is_bound and form.fields["location"].queryset.count() == 1:
        form.initial["location"] = form.fields["location"].queryset.first().pk
    return _start_page(request, form, status=400 if form.is_bound else 200)


def _times_url(service, location, practitioner, day) -> str:
    query = {"service": service.pk, "location": location.pk, "start": day.isoformat()}
    if practitioner is not None:
        query["practitioner"] = practitioner.pk
    return reverse("online_times") + "?" + urlencode(query)


def _details_url(service, location, practitioner, slot) -> str:
    query = {"service": service.pk, "location": location.pk, "time": slot.start.isoformat()}
    if practitioner is not None:
        query["practitioner"] = practitioner.pk
    return reverse("online_details") + "?" + urlencode(query)


@require_http_methods(["GET"])
def times(request):
    form = TimesForm(request.GET)
    if not form.is_valid():
        return _start_page(request, form, status=400)
    data = form.cleaned_data
    service, location, practitioner = data["service"], data["location"], data["practitioner"]
    window = online.booking_window(location)
    tz = location.tz
    earliest_day = window.earliest.astimezone(tz).date()
    last_day = window.latest.astimezone(tz).date()
    # A week asked for beyond the horizon shows the last week that can be booked.
    last_week = max(earliest_day, last_day - timedelta(days=online.WEEK - 1))
    first_day = min(max(data["start"] or earliest_day, earliest_day), last_week)
    found = online.free_times(
        service=service, location=location, practitioner=practitioner, first_day=first_day
    )
    by_day = defaultdict(list)
    for slot in found:
        by_day[slot.start.date()].append(
            {"slot": slot, "url": _details_url(service, location, practitioner, slot)}
        )
    days = [first_day + timedelta(days=i) for i in range(online.WEEK)]
    previous = first_day - timedelta(days=online.WEEK)
    following = first_day + timedelta(days=online.WEEK)
    return _page(
        request,
        "online_booking/times.html",
        {
            "form": form,
            "service": service,
            "location": location,
            "practitioner": practitioner,
            "practitioners": online.practitioners_at(service, location),
            "days": [(day, by_day.get(day, [])) for day in days if day <= last_day],
            "any_free": bool(found),
            "first_free_day": found[0].start.date() if found else None,
            "previous_url": _times_url(service, location, practitioner, max(previous, earliest_day))
            if first_day > earliest_day
            else "",
            "next_url": _times_url(service, location, practitioner, following)
            if following <= last_day
            else "",
            "first_day": first_day,
        },
    )


def _chosen(request):
    """The time chosen, checked against the online rules; or the page saying why not."""
    form = ChosenTimeForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid():
        return None, _page(request, "online_booking/cannot_book.html", {"form": form}, status=400)
    choice = form.choice()
    try:
        online.check_choice(choice, now=timezone.now())
    except InvalidRequest as exc:
        return None, _page(
            request,
            "online_booking/cannot_book.html",
            {
                "error": exc,
                "times_url": _times_url(
                    choice.service, choice.location, choice.practitioner, timezone.localdate()
                ),
            },
            status=400,
        )
    return choice, None


def _details_page(request, form, choice, *, alternatives=(), status=200):
    return _page(
        request,
        "online_booking/details.html",
        {
            "form": form,
            "choice": choice,
            "alternatives": [
                {"value": f"{a.practitioner.pk}|{a.start.isoformat()}", "slot": a}
                for a in alternatives
            ],
            "times_url": _times_url(
                choice.service, choice.location, choice.practitioner, choice.day
            ),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def details(request):
    choice, refusal = _chosen(request)
    if refusal is not None:
        return refusal
    if request.method == "GET":
        form = DetailsForm(initial={"started": botcheck.started_stamp()})
        return _details_page(request, form, choice)

    form = DetailsForm(request.POST)
    picked = AlternativeForm(request.POST)
    if not form.is_valid() or not picked.is_valid():
        if not picked.is_valid():
            form.add_error(None, picked.errors["alternative"][0])
        return _details_page(request, form, choice, status=400)
    if picked.cleaned_data["alternative"]:
        practitioner, start = picked.cleaned_data["alternative"]
        choice = online.Choice(choice.service, choice.location, practitioner, start)
    try:
        botcheck.check(honeypot=form.cleaned_data["website"], started=form.cleaned_data["started"])
    except botcheck.LooksAutomated as exc:
        if exc.code == "looks_automated":
            return _refused(request, exc, status=400)
        return _resend(request, form, choice, exc)
    details = form.details()
    try:
        ratelimit.check(
            [
                (online.BOOKING_LIMITS[0], _address(request)),
                (online.BOOKING_LIMITS[1], details.email),
            ]
        )
    except ratelimit.TooManyRequests as exc:
        return _refused(request, exc, status=429)
    try:
        booking = online.book(choice=choice, details=details, link_for=request.build_absolute_uri)
    except online.SlotGone as exc:
        form.add_error(None, exc.message)
        return _details_page(request, form, choice, alternatives=exc.alternatives, status=409)
    except (InvalidRequest, Conflict) as exc:
        apply_service_error(form, exc)
        return _details_page(request, form, choice, status=exc.status)
    done_url = reverse("online_done", args=[online.done_token(booking.appointment)])
    # A deposit or full payment, when the clinic asks one and has a payment provider:
    # the visit is booked already; an unfinished payment leaves it booked, owing.
    try:
        started = billing_online.start_visit(
            booking.appointment,
            success_url=request.build_absolute_uri(done_url + "?paid=1"),
            cancel_url=request.build_absolute_uri(done_url + "?paid=0"),
        )
    except Conflict:
        started = None
        done_url += "?paid=0"
    if started is not None:
        return HttpResponseRedirect(started.url)
    return HttpResponseRedirect(done_url)


def _resend(request, form, choice, exc):
    """Show the form again with the reason; a stale or broken stamp gets a fresh one."""
    data = request.POST.copy()
    if exc.code != "too_fast":
        data["started"] = botcheck.started_stamp()
    again = DetailsForm(data)
    again.is_valid()
    again.add_error(None, exc.message)
    return _details_page(request, again, choice, status=400)


@require_http_methods(["GET"])
def done(request, token: str):
    try:
        appointment = online.booked_appointment(token)
    except NotFound as exc:
        return _page(request, "online_booking/link_unknown.html", {"error": exc}, status=404)
    # Back from the payment provider: what the webhook has recorded is the truth, not
    # the address (which anyone can type).
    paid = request.GET.get("paid")
    taken = paid == "1" and billing_online.paid_at_booking(appointment)
    owed = billing_online.asked_at_booking(appointment) if paid == "0" else 0
    return _page(
        request,
        "online_booking/done.html",
        {
            "appointment": appointment,
            "paid": taken,
            "confirming": paid == "1" and not taken,
            "owed": money.pounds(owed) if owed else "",
        },
    )


@require_http_methods(["GET", "POST"])
def manage(request, token: str):
    try:
        appointment = online.managed_appointment(token)
    except NotFound as exc:
        return _page(request, "online_booking/link_unknown.html", {"error": exc}, status=404)
    error = None
    if request.method == "POST":
        try:
            online.cancel(appointment, warned_late=request.POST.get("warned_late") == "1")
        except Conflict as exc:
            error = exc
        else:
            return redirect(reverse("online_manage", args=[token]))
        appointment.refresh_from_db()
    verdict = online.can_cancel_online(appointment, now=timezone.now())
    return _page(
        request,
        "online_booking/manage.html",
        {"appointment": appointment, "verdict": verdict, "error": error},
        status=409 if error else 200,
    )


@require_http_methods(["GET", "POST"])
def contact(request):
    if request.method == "GET":
        form = ContactForm(initial={"started": botcheck.started_stamp()})
        return _page(request, "online_booking/contact.html", {"form": form})
    form = ContactForm(request.POST)
    if not form.is_valid():
        return _page(request, "online_booking/contact.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        botcheck.check(honeypot=data["website"], started=data["started"])
    except botcheck.LooksAutomated as exc:
        if exc.code == "looks_automated":
            return _refused(request, exc, status=400)
        fresh = request.POST.copy()
        if exc.code != "too_fast":
            fresh["started"] = botcheck.started_stamp()
        form = ContactForm(fresh)
        form.is_valid()
        form.add_error(None, exc.message)
        return _page(request, "online_booking/contact.html", {"form": form}, status=400)
    try:
        ratelimit.check(
            [
                (online.CONTACT_LIMITS[0], _address(request)),
                (online.CONTACT_LIMITS[1], data["email"]),
            ]
        )
    except ratelimit.TooManyRequests as exc:
        return _refused(request, exc, status=429)
    try:
        enquiries.enquiry_receive_web(
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            message=data["message"],
            condition=data["condition"],
        )
    except InvalidRequest as exc:
        apply_service_error(form, exc)
        return _page(request, "online_booking/contact.html", {"form": form}, status=400)
    return redirect("online_contact_sent")


@require_http_methods(["GET"])
def contact_sent(request):
    return _page(request, "online_booking/contact_sent.html", {})

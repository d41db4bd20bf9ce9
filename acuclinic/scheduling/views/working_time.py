"""Pages for working time: each practitioner's weekly pattern and exceptions, clinic-wide
days off, room closures, and finding a free time.

Clinic admins manage everyone's working time; a practitioner sees their own (and is
refused, with an audit entry, anyone else's). Reception books from free times and the
diary and sees room closures.
"""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from acuclinic.audit import services as audit
from acuclinic.audit.models import AuditAction
from acuclinic.clinic.models import Room
from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.formats import format_date, format_datetime
from acuclinic.core.forms import apply_service_error
from acuclinic.people.models import Practitioner
from acuclinic.scheduling import queries, slots, working_time
from acuclinic.scheduling.forms import (
    ClosureForm,
    ExceptionForm,
    FindSlotsForm,
    PatternEndForm,
    PatternForm,
)
from acuclinic.scheduling.models import RoomClosure, WorkingException, WorkingPattern

# How many stranded appointments a message names before saying "and N more".
NAMED = 5


def _stranded_message(affected, *, what: str) -> str:
    if not affected:
        return ""
    named = "; ".join(
        f"{format_datetime(a.start, a.room.location.tz)} ({a.patient.full_name})"
        for a in affected[:NAMED]
    )
    more = f" and {len(affected) - NAMED} more" if len(affected) > NAMED else ""
    plural = len(affected) != 1
    return (
        f" Booked appointment{'s' if plural else ''} {what}: {named}{more}. "
        f"Move {'them' if plural else 'it'}, or cancel as the clinic."
    )


def _practitioner_or_404(pk: int) -> Practitioner:
    try:
        return Practitioner.objects.select_related("user").get(pk=pk)
    except Practitioner.DoesNotExist as exc:
        raise Http404 from exc


def _refuse(request):
    audit.record(AuditAction.DENIED, object_type="page", detail=request.path[:200])
    raise PermissionDenied


@staff_view("scheduling.view_workingpattern")
def working_time_list(request):
    """Admins: everyone, with clinic-wide days off. A practitioner: straight to their own."""
    if not working_time.can_manage(request.user):
        own = Practitioner.objects.filter(user=request.user).first()
        if own is None:
            _refuse(request)
        return redirect("working_time_practitioner", pk=own.pk)
    today = timezone.localdate()
    practitioners = list(
        Practitioner.objects.select_related("user").prefetch_related("working_patterns__location")
    )
    for p in practitioners:
        p.current_patterns = [
            wp
            for wp in p.working_patterns.all()
            if wp.valid_until is None or wp.valid_until >= today
        ]
    everyone = WorkingException.objects.filter(
        practitioner__isnull=True, last_day__gte=today
    ).select_related("location")
    return render(
        request,
        "scheduling/working_time_list.html",
        {
            "practitioners": practitioners,
            "everyone": everyone,
            "today": today,
            "exception_form": ExceptionForm(initial={"kind": "bank_holiday"}),
            "nav": "working_time",
        },
    )


def _practitioner_context(request, practitioner: Practitioner, **forms) -> dict:
    today = timezone.localdate()
    patterns = list(
        practitioner.working_patterns.select_related("location").order_by(
            "weekday", "starts", "valid_from"
        )
    )
    exceptions = (
        WorkingException.objects.filter(last_day__gte=today)
        .filter(Q(practitioner=practitioner) | Q(practitioner__isnull=True))
        .select_related("location")
        .order_by("first_day", "starts")
    )
    return {
        "practitioner": practitioner,
        "current": [p for p in patterns if p.valid_until is None or p.valid_until >= today],
        "ended": [p for p in patterns if p.valid_until is not None and p.valid_until < today],
        "exceptions": exceptions,
        "can_manage": working_time.can_manage(request.user),
        "pattern_form": forms.get("pattern_form") or PatternForm(initial={"valid_from": today}),
        "end_form": PatternEndForm(initial={"last_day": today}),
        # Its fields share names with the pattern form's: ids of their own.
        "exception_form": forms.get("exception_form") or ExceptionForm(auto_id="id_exc_%s"),
        "nav": "working_time",
    }


@staff_view("scheduling.view_workingpattern")
def working_time_practitioner(request, pk: int):
    practitioner = _practitioner_or_404(pk)
    if not working_time.may_see(request.user, practitioner):
        _refuse(request)
    return render(
        request,
        "scheduling/working_time_practitioner.html",
        _practitioner_context(request, practitioner),
    )


@staff_view("scheduling.add_workingpattern")
def working_pattern_add(request, pk: int):
    practitioner = _practitioner_or_404(pk)
    if request.method != "POST":
        return redirect("working_time_practitioner", pk=pk)
    form = PatternForm(request.POST)
    if form.is_valid():
        try:
            pattern = working_time.pattern_add(
                practitioner=practitioner, user=request.user, **form.cleaned_data
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            messages.success(request, f"Added {pattern} for {practitioner}.")
            return redirect("working_time_practitioner", pk=pk)
    return render(
        request,
        "scheduling/working_time_practitioner.html",
        _practitioner_context(request, practitioner, pattern_form=form),
        status=400,
    )


def _pattern_or_404(pk: int) -> WorkingPattern:
    try:
        return WorkingPattern.objects.select_related("practitioner__user", "location").get(pk=pk)
    except WorkingPattern.DoesNotExist as exc:
        raise Http404 from exc


@staff_view("scheduling.change_workingpattern")
def working_pattern_end(request, pk: int):
    pattern = _pattern_or_404(pk)
    back = redirect("working_time_practitioner", pk=pattern.practitioner_id)
    if request.method != "POST":
        return back
    form = PatternEndForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the last day the pattern applies.")
        return back
    try:
        pattern, affected = working_time.pattern_end(
            pattern, last_day=form.cleaned_data["last_day"], user=request.user
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            f"{pattern} now ends on {pattern.valid_until:%-d %b %Y}."
            + _stranded_message(affected, what="now outside working time"),
        )
    return back


@staff_view("scheduling.delete_workingpattern")
def working_pattern_delete(request, pk: int):
    pattern = _pattern_or_404(pk)
    back = redirect("working_time_practitioner", pk=pattern.practitioner_id)
    if request.method != "POST":
        return back
    described = str(pattern)
    affected = working_time.pattern_delete(pattern, user=request.user)
    messages.success(
        request,
        f"Removed {described}." + _stranded_message(affected, what="now outside working time"),
    )
    return back


@staff_view("scheduling.add_workingexception")
def working_exception_add(request):
    """Time off or an extra session for one practitioner, or a day off for everyone."""
    practitioner_pk = request.POST.get("practitioner") or ""
    practitioner = _practitioner_or_404(int(practitioner_pk)) if practitioner_pk.isdigit() else None
    back = (
        reverse("working_time_practitioner", args=[practitioner.pk])
        if practitioner
        else reverse("working_time")
    )
    if request.method != "POST":
        return redirect(back)
    form = ExceptionForm(request.POST, auto_id="id_exc_%s")
    if form.is_valid():
        try:
            exception, affected = working_time.exception_add(
                practitioner=practitioner, user=request.user, **form.cleaned_data
            )
        except ServiceError as exc:
            apply_service_error(form, exc)
        else:
            who = practitioner or "everyone"
            messages.success(
                request,
                f"Recorded {exception} for {who}." + _stranded_message(affected, what="inside it"),
            )
            return redirect(back)
    if practitioner is None:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    return render(
        request,
        "scheduling/working_time_practitioner.html",
        _practitioner_context(request, practitioner, exception_form=form),
        status=400,
    )


@staff_view("scheduling.delete_workingexception")
def working_exception_delete(request, pk: int):
    exception = get_object_or_404(WorkingException, pk=pk)
    back = (
        redirect("working_time_practitioner", pk=exception.practitioner_id)
        if exception.practitioner_id
        else redirect("working_time")
    )
    if request.method != "POST":
        return back
    described = str(exception)
    affected = working_time.exception_delete(exception, user=request.user)
    messages.success(
        request,
        f"Removed {described}." + _stranded_message(affected, what="now outside working time"),
    )
    return back


# Rooms ---------------------------------------------------------------------------------


@staff_view("scheduling.view_roomclosure")
def room_closures(request):
    now = timezone.now()
    rooms = list(Room.objects.select_related("location").order_by("location__name", "name"))
    closures = list(
        RoomClosure.objects.filter(ends__gt=now).select_related("room__location").order_by("starts")
    )
    return render(
        request,
        "scheduling/room_closures.html",
        {
            "rooms": rooms,
            "closures": closures,
            "form": ClosureForm(),
            "can_manage": request.user.has_perm("scheduling.add_roomclosure"),
            "nav": "working_time",
        },
    )


@staff_view("scheduling.add_roomclosure")
def room_closure_add(request):
    if request.method != "POST":
        return redirect("room_closures")
    form = ClosureForm(request.POST)
    if form.is_valid():
        room = form.cleaned_data["room"]
        starts, ends = form.span_in(room.location.tz)
        try:
            _, affected = working_time.room_closure_add(
                room=room,
                starts=starts,
                ends=ends,
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except ServiceError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                f"{room} is closed from {format_datetime(starts, room.location.tz)} to "
                f"{format_datetime(ends, room.location.tz)}."
                + _stranded_message(affected, what="in that room then"),
            )
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("room_closures")


@staff_view("scheduling.delete_roomclosure")
def room_closure_delete(request, pk: int):
    closure = get_object_or_404(RoomClosure.objects.select_related("room"), pk=pk)
    if request.method == "POST":
        working_time.room_closure_delete(closure, user=request.user)
        messages.success(request, f"{closure.room} is open again.")
    return redirect("room_closures")


# Finding a free time -----------------------------------------------------------------------


def _by_day(found) -> list[tuple[str, list]]:
    """Free times grouped by their local day, as the page lists them (a heading a day)."""
    days: dict = {}
    for slot in found:
        days.setdefault(slot.start.date(), []).append(slot)
    return [(format_date(day), times) for day, times in days.items()]


@staff_view("scheduling.view_appointment")
def free_slots(request):
    """Free times for a service at a location over a week: for anyone, or one person."""
    # A search starts once a service is chosen: arriving from the diary with only the
    # location (or the times of day an enquiry asked for) shows the form, not an error.
    if request.GET.get("service"):
        form = FindSlotsForm(request.GET)
    else:
        form = FindSlotsForm(
            initial={
                name: request.GET.getlist(name) if name == "when" else request.GET[name]
                for name in ("location", "practitioner", "date", "when")
                if request.GET.get(name)
            }
        )
    found, first_day = [], None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        first_day = data["date"] or timezone.localdate()
        location = data["location"]
        found = queries.find_slots(
            service=data["service"],
            location=location,
            first_day=first_day,
            last_day=first_day + timedelta(days=6),
            practitioner=data["practitioner"],
            limit=300,
        )
        if data["when"]:
            found = [s for s in found if slots.part_of_day(s.start.timetz()) in data["when"]]
    return render(
        request,
        "scheduling/free_slots.html",
        {
            "form": form,
            "days": _by_day(found),
            "slots": found,
            "first_day": first_day,
            "patient": request.GET.get("patient", ""),
            "nav": "diary",
        },
    )

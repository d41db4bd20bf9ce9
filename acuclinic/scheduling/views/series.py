"""Pages for courses of sessions: plan and book a series, see it, move or cancel the rest.

Booking a series is two steps, so nobody books twelve appointments by accident: the form
shows a preview — every date with OK, or why not and the alternative that would be
booked instead — and only "Book all N sessions" books them, all or none.
"""

from datetime import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from acuclinic.clinic.models import Location, Room
from acuclinic.core.access import staff_view
from acuclinic.core.errors import ServiceError
from acuclinic.core.forms import apply_service_error
from acuclinic.people.models import Patient, Practitioner
from acuclinic.scheduling import queries, series, services
from acuclinic.scheduling.forms import (
    CourseCancelForm,
    MoveRestForm,
    SeriesForm,
    WeeklyTimeForm,
)
from acuclinic.scheduling.models import MAX_SERIES_SESSIONS, Appointment, Series
from acuclinic.scheduling.views.appointments import _appointment_or_404, _booking_initial, _id

FIELD_ALIASES = {"start": "time", "first_start": "time", "end": "time", "by": "by"}


def _choice_value(alternative) -> str:
    """How an accepted alternative travels in the confirm form: start|practitioner|room."""
    return f"{alternative.start.isoformat()}|{alternative.practitioner.pk}|{alternative.room.pk}"


def _choices(request, sessions: int) -> dict[int, series.Choice]:
    """The alternatives the preview showed, as posted back with "Book all"."""
    choices = {}
    for index in range(1, min(sessions, 52) + 1):
        raw = request.POST.get(f"choice-{index}")
        if not raw:
            continue
        try:
            start, practitioner_id, room_id = raw.split("|")
            choices[index] = series.Choice(
                start=datetime.fromisoformat(start),
                practitioner=Practitioner.objects.select_related("user").get(
                    pk=int(practitioner_id)
                ),
                room=Room.objects.select_related("location").get(pk=int(room_id)),
            )
        except (ValueError, Practitioner.DoesNotExist, Room.DoesNotExist):
            continue  # tampered with: booked as asked, and checked like any other
    return choices


WEEKLY_PREFIX = "find"


def _sessions(value) -> int | None:
    """A number of sessions a course may have, or None for anything else."""
    number = _id(str(value)) if value is not None else None
    return number if number and number <= MAX_SERIES_SESSIONS else None


def _series_initial(request) -> dict:
    """The series form filled in from the query string: the booking fields, and the
    number of sessions (the "Use this time" link of the weekly search sends it)."""
    initial = _booking_initial(request)
    sessions = _sessions(request.GET.get("sessions"))
    if sessions is not None:
        initial["sessions"] = sessions
    return initial


def _weekly_initial(form: SeriesForm) -> dict:
    """The weekly search starts from what the series form already holds: its service,
    practitioner, the room's location, the first date and the number of sessions."""
    chosen = {**form.initial, **getattr(form, "cleaned_data", {})}
    room = chosen.get("room")
    if room is not None and not isinstance(room, Room):
        room = Room.objects.filter(pk=room).first()
    if room is not None:
        location = room.location_id
    else:  # with one location there is nothing to choose
        locations = list(Location.objects.filter(is_active=True).values_list("pk", flat=True)[:2])
        location = locations[0] if len(locations) == 1 else None
    return {
        "service": chosen.get("service"),
        "practitioner": chosen.get("practitioner"),
        "location": location,
        "date": chosen.get("date"),
        "weeks": _sessions(chosen.get("sessions")) or 6,
    }


def _weekly_time(request, form: SeriesForm, patient: Patient) -> dict:
    """The "Find the first weekly time" control: its form and, once asked, the time
    found (one slot per week) with the link that fills in the series form, or
    ``weekly_none``."""
    asked = any(key.startswith(f"{WEEKLY_PREFIX}-") for key in request.GET)
    finder = WeeklyTimeForm(
        request.GET if asked else None, prefix=WEEKLY_PREFIX, initial=_weekly_initial(form)
    )
    answer = {"finder": finder, "weekly": [], "weekly_none": False}
    if not (asked and finder.is_valid()):
        return answer
    data = finder.cleaned_data
    if data["practitioner"] is not None:
        try:
            services.check_practitioner(data["practitioner"], data["service"])
        except ServiceError as exc:
            finder.add_error("practitioner", exc.message)
            return answer
    first_day = data["date"] or timezone.localdate()
    found = queries.find_weekly(
        service=data["service"],
        location=data["location"],
        first_day=first_day,
        weeks=data["weeks"],
        practitioner=data["practitioner"],
        patient=patient,
    )
    answer.update(weekly=found, weekly_none=not found, weekly_from=first_day)
    if found:
        first = found[0]
        fill = {
            "patient": patient.pk,
            "service": data["service"].pk,
            "practitioner": first.practitioner.pk,
            "room": first.room.pk,
            "start": first.start.isoformat(),
            "sessions": data["weeks"],
        }
        answer.update(
            weekly_when=f"{first.start:%A}s at {first.start:%H:%M}",
            weekly_one_practitioner=len({slot.practitioner.pk for slot in found}) == 1,
            weekly_fill=reverse("series_new") + "?" + urlencode(fill),
        )
    return answer


@staff_view("scheduling.add_appointment")
def series_new(request):
    patient_id = _id(request.GET.get("patient") or request.POST.get("patient"))
    if patient_id is None:
        pick = reverse("series_new") + "?" + request.GET.urlencode()
        return redirect(reverse("patient_list") + "?" + urlencode({"pick": pick}))
    patient = get_object_or_404(Patient, pk=patient_id)
    form = SeriesForm(request.POST or None, initial=_series_initial(request))
    plan = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        room = data["room"]
        asked = {
            "patient": patient,
            "practitioner": data["practitioner"],
            "room": room,
            "service": data["service"],
            "first_start": form.start_in(room.location.tz),
            "sessions": data["sessions"],
            "interval_weeks": data["interval_weeks"],
        }
        try:
            if request.POST.get("action") == "book":
                booked = series.series_book(
                    **asked,
                    choices=_choices(request, data["sessions"]),
                    channel=data["channel"],
                    notes=data["notes"],
                    user=request.user,
                )
                messages.success(
                    request,
                    f"Booked {booked.sessions} sessions for {patient.full_name}, "
                    f"{booked.cadence_display}.",
                )
                return redirect("series_detail", pk=booked.pk)
            plan = series.series_plan(**asked)
        except ServiceError as exc:
            apply_service_error(form, exc, aliases=FIELD_ALIASES)
            if exc.code == "series_conflict":
                plan = series.series_plan(**asked)
    return render(
        request,
        "scheduling/series_form.html",
        {
            "form": form,
            "patient": patient,
            "plan": plan,
            "choice_values": {
                s.index: _choice_value(s.alternative)
                for s in (plan.sessions if plan else [])
                if not s.ok and s.alternative is not None
            },
            "nav": "diary",
            **_weekly_time(request, form, patient),
        },
        status=400 if request.method == "POST" and form.errors else 200,
    )


@staff_view("scheduling.view_appointment")
def series_detail(request, pk: int):
    try:
        course = Series.objects.select_related(
            "patient", "practitioner__user", "service", "location"
        ).get(pk=pk)
    except Series.DoesNotExist as exc:
        raise Http404 from exc
    sessions = list(course.appointments.for_diary().order_by("series_index", "start"))
    return render(
        request,
        "scheduling/series_detail.html",
        {"series": course, "sessions": sessions, "nav": "diary"},
    )


def _move_rest_initial(appointment: Appointment) -> dict:
    local = appointment.start.astimezone(appointment.room.location.tz)
    return {
        "date": local.date(),
        "time": local.time(),
        "practitioner": appointment.practitioner_id,
        "room": appointment.room_id,
    }


@staff_view("scheduling.change_appointment")
def appointment_move_rest(request, pk: int):
    appointment = _appointment_or_404(pk)
    if appointment.series_id is None:
        messages.error(request, "This appointment is not part of a series.")
        return redirect("appointment_detail", pk=pk)
    form = MoveRestForm(request.POST or None, initial=_move_rest_initial(appointment))
    plan = None
    if request.method == "POST" and form.is_valid():
        room = form.cleaned_data["room"]
        confirm = request.POST.get("action") == "move"
        try:
            plan = series.series_move_rest(
                appointment,
                start=form.start_in(room.location.tz),
                practitioner=form.cleaned_data["practitioner"],
                room=room,
                dry_run=not confirm,
            )
        except ServiceError as exc:
            apply_service_error(form, exc, aliases=FIELD_ALIASES)
            if "plan" in exc.extra:
                plan = series.series_move_rest(
                    appointment,
                    start=form.start_in(room.location.tz),
                    practitioner=form.cleaned_data["practitioner"],
                    room=room,
                    dry_run=True,
                )
        else:
            if confirm:
                messages.success(request, f"Moved {len(plan.sessions)} sessions of the series.")
                return redirect("series_detail", pk=appointment.series_id)
    return render(
        request,
        "scheduling/move_rest.html",
        {"appointment": appointment, "form": form, "plan": plan, "nav": "diary"},
        status=400 if request.method == "POST" and form.errors else 200,
    )


@staff_view("scheduling.change_appointment")
def appointment_cancel_rest(request, pk: int):
    appointment = _appointment_or_404(pk)
    if request.method != "POST":
        return redirect("appointment_detail", pk=pk)
    form = CourseCancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Keep the reason to 200 characters.")
        return redirect("appointment_detail", pk=pk)
    try:
        cancelled = series.series_cancel_rest(
            appointment,
            reason=form.cleaned_data["reason"],
            cancelled_by=form.cleaned_data["by"],
        )
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("appointment_detail", pk=pk)
    late = sum(a.status == "late_cancelled" for a in cancelled)
    note = f" ({late} inside the notice period, recorded as late)" if late else ""
    messages.success(request, f"Cancelled {len(cancelled)} sessions{note}.")
    return redirect("series_detail", pk=appointment.series_id)
